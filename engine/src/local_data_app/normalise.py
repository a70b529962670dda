"""Map raw records onto a theme's schema, check and normalise them, and place them in WGS84.

This is where real-world mess is handled, once, for every adapter: renamed
columns (by the source's ``fields`` table, or by a case-insensitive match of the
schema's own names), dates with and without times, yes/no in any case, enum
values in any case, stray spaces, UPRNs kept as text, and coordinates in
British National Grid or WGS84. A record becomes either a :class:`Feature` or
a :class:`Rejection` that names every failing field, so nothing is lost.

A batch is worked through by columns, not by cells: each field's values for
the whole batch go through one column parser (see :func:`column_parser`),
which parses each distinct value once (a file's dates, flags, categories and
coordinate systems repeat) and trims plain text in one list comprehension;
coordinates are converted with one pyproj call per coordinate system. The
answers are those of the per-cell parser, which still handles any column
holding values of mixed kinds (a portal's numbers beside text, say).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple

from pyproj import Transformer
from pyproj.exceptions import CRSError

from .adapters import RawRecord
from .config import BRITISH_NATIONAL_GRID, CRS_NAMES, WGS84, crs_code
from .errors import SourceError
from .language import gettext as _
from .repeats import Repeats
from .store import Feature

# The coordinate systems a schema's coordinate system column may name (by config.crs_code): a row's own
# column is not trusted with any EPSG code, only with the two that UK open data uses.
COLUMN_CRS = (WGS84, BRITISH_NATIONAL_GRID)
# Great Britain, Northern Ireland and their islands, with a small margin, in WGS84 degrees.
GB_AND_NI = (-8.75, 49.8, 1.9, 60.95)
NEAR_MISS = 0.7  # how alike a column's name and an empty field's must be to suggest mapping one to the other
# Eastings and northings of the British National Grid.
GRID_EASTINGS, GRID_NORTHINGS = (0.0, 700_000.0), (0.0, 1_300_000.0)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")
ALWAYS_TRUE = frozenset({"yes", "y", "true", "t", "1"})
ALWAYS_FALSE = frozenset({"no", "n", "false", "f", "0"})


class FieldProblem(ValueError):
    """A value that does not fit its field; the message says why, for the rejects file."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that could not be loaded: where it was, what it held, and why, one reason per field."""

    row: int
    values: dict[str, Any]
    reasons: list[str]


Parser = Callable[[Any], Any]
# A batch's values of one field in, their parsed values and {position: what is wrong} out.
ColumnParser = Callable[[list[Any]], tuple[list[Any], dict[int, str]]]
NONE_TYPE = type(None)
TEXT_OR_BLANK = frozenset({str, NONE_TYPE})


class _Step(NamedTuple):
    """How one schema field is filled for records with one set of columns."""

    name: str
    column: str | None  # the source column that feeds it; None when no column does
    parse: ColumnParser
    required: bool
    label: str  # how a reason names it


@dataclass(frozen=True, slots=True)
class _Plan:
    """How records with one set of columns map onto the schema, worked out once per set."""

    sources: dict[str, str]  # schema field (or id) -> source column
    extra_columns: list[str]
    steps: list[_Step]
    fetch: Callable[[dict[str, Any]], Any] | None  # a record's values of the steps' columns, in their order
    hash_text: str  # what row_hash hashes, as a str.format template for the record's values in sorted column order
    hash_columns: Callable[[dict[str, Any]], Any]  # a record's values in that order


class Normaliser:
    """Turns one source's raw records into features of one schema."""

    def __init__(self, schema: Mapping[str, Any], source_name: str, fields: Mapping[str, str], crs: str | None) -> None:
        self.source_name = source_name
        self.fields: list[dict[str, Any]] = list(schema["fields"])
        self.names = [spec["name"] for spec in self.fields]
        geometry = schema.get("x-geometry") or {}
        self.x_field, self.y_field = geometry.get("x"), geometry.get("y")
        self.crs_field = geometry.get("crs_field")
        self.id_field = "id" if "id" in fields else schema.get("x-id-field")
        self.explicit = dict(fields)
        self.crs = crs
        # Position fields bounded in degrees (a schema whose x and y are WGS84) are checked after conversion, so a
        # source in British National Grid can fill them with eastings and northings, which are then stored in degrees.
        self.in_degrees = {name for name in (self.x_field, self.y_field) if name and _degree_bounds(schema, name)}
        specs = {
            spec["name"]: _without_bounds(spec) if spec["name"] in self.in_degrees else spec for spec in self.fields
        }
        self.parsers: dict[str, Parser] = {name: parser_for(spec) for name, spec in specs.items()}
        self.column_parsers: dict[str, ColumnParser] = {
            name: column_parser(specs[name], self.parsers[name]) for name in self.names
        }
        self.required = {
            spec["name"]
            for spec in self.fields
            if (spec.get("constraints") or {}).get("required") and spec["name"] != self.id_field
        }
        self.columns_seen: set[str] = set()
        self.filled: set[str] = set()  # schema fields that some loaded record had a value for
        self.extra_seen: set[str] = set()  # source columns that fed no schema field
        self._plans: dict[tuple[str, ...], _Plan] = {}
        self.repeats = Repeats()  # the ids taken so far, to reject a repeat (repeats.py)
        self._transformers: dict[str, Transformer] = {}
        if crs:
            self._transformer(crs)  # a CRS pyproj does not know is a configuration mistake: say so before reading

    def near_misses(self) -> list[tuple[str, str]]:
        """Schema fields empty in every loaded record beside an unused column of a like name: (field, column).

        A file with ``Charge`` for the schema's ``ChargeAmount`` loads with every
        charge empty and the column kept only as an extra property; saying so,
        with the mapping that would fix it, keeps the data from being lost quietly.
        """
        found = []
        unused = sorted(self.extra_seen)
        by_key = {_name_key(column): column for column in unused}
        for name in self.names:
            if name in self.filled or name in self.explicit or name == self.id_field:
                continue
            key = _name_key(name)
            close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=NEAR_MISS)
            contained = [column for k, column in by_key.items() if len(k) >= 3 and (k in key or key in k)]
            if contained or close:
                found.append((name, contained[0] if contained else by_key[close[0]]))
        return found

    def unmatched_columns(self) -> list[str]:
        """Mapped source columns that no record had: a misspelt ``fields`` entry."""
        return sorted(
            f"{name} = {column!r}" for name, column in self.explicit.items() if column not in self.columns_seen
        )

    def normalise(self, records: Sequence[RawRecord]) -> tuple[list[Feature], list[Rejection]]:
        """Check and convert a batch of records, field by field over the whole batch, then place each in WGS84."""
        groups: dict[tuple[str, ...], list[int]] = {}
        for index, record in enumerate(records):
            groups.setdefault(tuple(record.values), []).append(index)
        properties: list[dict[str, Any]] = [{}] * len(records)
        reasons: dict[int, list[str]] = {}
        plans: dict[int, _Plan] = {}  # each record's, by its place in the batch
        for key, members in groups.items():
            plan = self._plan(key)
            plans.update(dict.fromkeys(members, plan))
            self._parse(plan, [records[index] for index in members], members, properties, reasons)
        positions = self._positions(records, properties, reasons)
        for index, (*_point, problem) in enumerate(positions):
            if problem:
                reasons.setdefault(index, []).append(problem)
        passing = [index for index in range(len(records)) if not reasons.get(index)]
        ids = {index: self._identify(plans[index], records[index]) for index in passing}
        firsts = self.repeats.firsts([ids[index][0] for index in passing])
        for index, first in zip(passing, firsts, strict=True):
            if not first:
                label = ids[index][1]
                reasons[index] = [
                    "the row repeats an earlier row exactly"
                    if label is None
                    else f"{label} is used by an earlier row; ids must be unique"
                ]
        features: list[Feature] = []
        rejections: list[Rejection] = []
        for index, record in enumerate(records):
            found = reasons.get(index)
            if found:
                rejections.append(Rejection(record.number, record.values, found))
                continue
            lon, lat, _problem = positions[index]
            feature_id = ids[index][0]
            feature_properties = properties[index]
            if self.id_field in self.parsers:
                feature_properties[self.id_field] = feature_id
            if self.in_degrees:
                feature_properties[self.x_field], feature_properties[self.y_field] = lon, lat
            values = record.values
            extra = {column: _without_nul(values[column]) for column in plans[index].extra_columns}
            features.append(Feature(feature_id, lon, lat, feature_properties, extra, record.number))
        self._note_filled(features)
        return features, rejections

    def _note_filled(self, features: list[Feature]) -> None:
        """Remember which schema fields, and which extra columns, some loaded record had a value for."""
        for name in self.names:
            if name not in self.filled and any(feature.properties[name] is not None for feature in features):
                self.filled.add(name)
        for feature in features:
            if not feature.extra.keys() <= self.extra_seen:
                self.extra_seen.update(feature.extra)

    def _plan(self, key: tuple[str, ...]) -> _Plan:
        """Which source column feeds each schema field, and which columns are extra, for this set of columns."""
        plan = self._plans.get(key)
        if plan is None:
            self.columns_seen.update(key)
            present = set(key)
            by_lower = {column.strip().lower(): column for column in key}
            sources: dict[str, str] = {}
            for name in [*self.names, "id"]:
                column = self.explicit.get(name)
                if column is None and name not in self.explicit:
                    column = name if name in present else by_lower.get(name.lower())
                if column is not None and column in present:
                    sources[name] = column
            used = set(sources.values())
            steps = [
                _Step(
                    name,
                    sources.get(name),
                    self.column_parsers[name],
                    name in self.required,
                    _label(name, sources.get(name)),
                )
                for name in self.names
            ]
            fed = [step.column for step in steps if step.column is not None]
            ordered = sorted(key)
            plan = self._plans[key] = _Plan(
                sources,
                [column for column in key if column not in used],
                steps,
                _getter(fed),
                "\x1e".join(column.replace("{", "{{").replace("}", "}}") + "\x1f{}" for column in ordered),
                _getter(ordered) or (lambda values: ()),
            )
        return plan

    def _parse(
        self,
        plan: _Plan,
        records: list[RawRecord],
        members: list[int],
        properties: list[dict[str, Any]],
        reasons: dict[int, list[str]],
    ) -> None:
        """Parse the records that share one set of columns, field by field; fill their properties and reasons."""
        count = len(records)
        fed = [step.column for step in plan.steps if step.column is not None]
        if plan.fetch is None:
            columns: dict[str, list[Any]] = {}
        elif len(fed) == 1:
            columns = {fed[0]: [plan.fetch(record.values) for record in records]}
        else:
            rows = [plan.fetch(record.values) for record in records]
            columns = dict(zip(fed, map(list, zip(*rows, strict=True)), strict=True))
        raw_columns = {step.name: columns[step.column] if step.column else [None] * count for step in plan.steps}
        self._fill_from_points(plan, records, raw_columns)
        for position, record in enumerate(records):
            if record.problem:
                reasons[members[position]] = [record.problem]
        parsed: list[list[Any]] = []
        for step in plan.steps:
            values, problems = step.parse(raw_columns[step.name])
            parsed.append(values)
            for position, problem in problems.items():
                reasons.setdefault(members[position], []).append(f"{step.label}: {problem}")
            if step.required and None in values:
                for position, value in enumerate(values):
                    if value is None and position not in problems:
                        reasons.setdefault(members[position], []).append(f"{step.label}: required, but blank")
        names, empty = self.names, dict.fromkeys(self.names)  # a copy of a dict of the right size, then filled
        for member, row in zip(members, zip(*parsed, strict=True), strict=True):
            found = properties[member] = empty.copy()
            found.update(zip(names, row, strict=True))

    def _fill_from_points(self, plan: _Plan, records: list[RawRecord], raw: dict[str, list[Any]]) -> None:
        """A geometry gives the position when the columns do not: its x and y (and CRS) in place of blank cells."""
        if not self.x_field or not any(record.point is not None for record in records):
            return
        x_column, crs_column = plan.sources.get(self.x_field), plan.sources.get(self.crs_field or "")
        for position, record in enumerate(records):
            if record.point is None or not _blank(record.values.get(x_column)):
                continue
            raw[self.x_field][position], raw[self.y_field][position] = record.point
            if self.crs_field and _blank(record.values.get(crs_column)):
                raw[self.crs_field][position] = _crs_label(record.point_crs or WGS84)

    def _identify(self, plan: _Plan, record: RawRecord) -> tuple[str, str | None]:
        """The record's id, from the id column or else a hash of its values (stable across ingests), and its name
        in a repeat's reason (None: the row itself repeats)."""
        column = plan.sources.get(self.id_field) if self.id_field else None
        raw = record.values.get(column) if column else None
        feature_id = str(raw).strip() if raw is not None else ""
        if feature_id:
            return feature_id, f"{_label(self.id_field, column)} {feature_id!r}"
        values = plan.hash_columns(record.values)
        text = plan.hash_text.format(*values) if len(record.values) > 1 else plan.hash_text.format(values)
        return hashlib.blake2b(text.encode(), digest_size=10).hexdigest(), None  # as row_hash makes it

    def close(self) -> None:
        """Forget the ids seen (see repeats.py): the load is over."""
        self.repeats.close()

    def _positions(
        self, records: Sequence[RawRecord], properties: list[dict[str, Any]], reasons: dict[int, list[str]]
    ) -> list[tuple[float | None, float | None, str | None]]:
        """WGS84 longitude and latitude for each record, converted per coordinate system for the whole batch."""
        results: list[tuple[float | None, float | None, str | None]] = [(None, None, None)] * len(records)
        if not self.x_field:
            return results
        groups: dict[str, tuple[list[int], list[float], list[float]]] = {}
        x_field, y_field = self.x_field, self.y_field
        for index, record in enumerate(records):
            if index in reasons:
                continue
            values = properties[index]
            x, y = values.get(x_field), values.get(y_field)
            if x is None or y is None:
                continue
            crs = self.crs or self._row_crs(record, values, x, y)
            if crs is None:
                results[index] = (
                    None,
                    None,
                    f"{self.x_field}, {self.y_field}: cannot tell the coordinate system of ({x:g}, {y:g}); "
                    "set crs for the source in place.toml",
                )
                continue
            group = groups.get(crs)
            if group is None:
                group = groups[crs] = ([], [], [])
            group[0].append(index)
            group[1].append(x)
            group[2].append(y)
        for crs, (indexes, xs, ys) in groups.items():
            lons, lats = (xs, ys) if crs == WGS84 else self._transformer(crs).transform(xs, ys)
            for index, x, y, lon, lat in zip(indexes, xs, ys, lons, lats, strict=True):
                results[index] = self._checked(x, y, crs, lon, lat)
        return results

    def _row_crs(self, record: RawRecord, properties: dict[str, Any], x: float, y: float) -> str | None:
        if record.point is not None and properties.get(self.x_field) == record.point[0]:
            return record.point_crs or WGS84
        if self.crs_field:
            stated = properties.get(self.crs_field)
            if stated:
                return _column_crs(str(stated))
        return detect_crs(x, y)

    def _checked(
        self, x: float, y: float, crs: str, lon: float, lat: float
    ) -> tuple[float | None, float | None, str | None]:
        west, south, east, north = GB_AND_NI
        if west <= lon <= east and south <= lat <= north:  # false for NaN; infinities are outside
            return round(lon, 7), round(lat, 7), None
        where = f"{self.x_field}, {self.y_field}: ({x:g}, {y:g}) in {_crs_label(crs)}"
        if crs == WGS84 and west <= y <= east and south <= x <= north:
            return (
                None,
                None,
                f"{where} is outside Great Britain and Northern Ireland; are longitude and latitude swapped?",
            )
        return None, None, f"{where} is outside Great Britain and Northern Ireland"

    def _transformer(self, crs: str) -> Transformer:
        transformer = self._transformers.get(crs)
        if transformer is None:
            try:
                transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
            except CRSError as error:
                raise SourceError(
                    f"Source {self.source_name!r}: the coordinate system {crs!r} is not known ({error}). "
                    "Use WGS84, OSGB36 or an EPSG code such as EPSG:27700."
                ) from error
            self._transformers[crs] = transformer
        return transformer


def _getter(columns: list[str]) -> Callable[[dict[str, Any]], Any] | None:
    """A function giving a record's values of these columns (one value alone when there is one), or None."""
    return itemgetter(*columns) if columns else None


@functools.lru_cache(maxsize=256)
def _column_crs(stated: str) -> str | None:
    """The coordinate system a row's coordinate system cell names, if it is one a row is trusted with."""
    code = crs_code(stated)
    return code if code in COLUMN_CRS else None


def _name_key(name: str) -> str:
    """A column or field name as compared for a near miss: letters and digits only, in lower case."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _degree_bounds(schema: Mapping[str, Any], name: str) -> bool:
    """Whether the schema bounds a position field within degrees (at most 180 either way): a WGS84 field."""
    spec = next((spec for spec in schema["fields"] if spec["name"] == name), {})
    constraints = spec.get("constraints") or {}
    return any(key in constraints and abs(constraints[key]) <= 180 for key in ("minimum", "maximum"))


def _without_bounds(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A field's spec without its minimum and maximum, which apply to its value once converted to WGS84."""
    constraints = {
        key: value for key, value in (spec.get("constraints") or {}).items() if key not in {"minimum", "maximum"}
    }
    return {**spec, "constraints": constraints}


def detect_crs(x: float, y: float) -> str | None:
    """WGS84 for values that can be degrees, the British National Grid for eastings and northings, else None."""
    if -180 <= x <= 180 and -90 <= y <= 90:
        return WGS84
    if GRID_EASTINGS[0] <= x <= GRID_EASTINGS[1] and GRID_NORTHINGS[0] <= y <= GRID_NORTHINGS[1]:
        return BRITISH_NATIONAL_GRID
    return None


def row_hash(values: Mapping[str, Any]) -> str:
    """A stable identifier made from a record's values: the same row gets the same id on every ingest."""
    text = "\x1e".join(f"{column}\x1f{value}" for column, value in sorted(values.items()))
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


def column_parser(spec: Mapping[str, Any], parse: Parser) -> ColumnParser:
    """A function that parses a batch's values of one field at once, giving what ``parse`` gives for each.

    Text in a column of text and blanks (every CSV column) takes a short path:
    plain text is trimmed in one list comprehension, and any other field parses
    each distinct value once, so a file's repeated dates, flags and categories
    cost one parse each. A column of whole numbers or of booleans alone (a
    portal's) is parsed by distinct values too. Anything else, such as floats
    (0.0 and -0.0 are equal keys but not the same text) or mixed kinds, is
    parsed cell by cell.
    """
    kind = spec.get("type", "string")
    plain = kind not in {"number", "integer", "boolean", "date"} and _text(spec.get("constraints") or {}) is None
    quick = _quick_number(kind, _range_checks(spec.get("constraints") or {})) if kind in {"number", "integer"} else None

    def by_cell(raw: list[Any]) -> tuple[list[Any], dict[int, str]]:
        values: list[Any] = []
        problems: dict[int, str] = {}
        for position, value in enumerate(raw):
            try:
                values.append(parse(value))
            except FieldProblem as problem:
                values.append(None)
                problems[position] = str(problem)
        return values, problems

    def by_value(raw: list[Any]) -> tuple[list[Any], dict[int, str]]:
        parsed: dict[Any, Any] = {}
        failed: dict[Any, str] = {}
        for value in dict.fromkeys(raw):
            if quick is not None and (number := quick(value)) is not None:
                parsed[value] = number
                continue
            try:
                parsed[value] = parse(value)
            except FieldProblem as problem:
                parsed[value] = None
                failed[value] = str(problem)
        values = list(map(parsed.__getitem__, raw))
        if not failed:
            return values, {}
        return values, {position: failed[value] for position, value in enumerate(raw) if value in failed}

    def parse_column(raw: list[Any]) -> tuple[list[Any], dict[int, str]]:
        kinds = set(map(type, raw))
        if kinds <= TEXT_OR_BLANK:
            if plain and "\x00" not in "".join(filter(None, raw)):  # a NUL byte takes parse's longer path
                if NONE_TYPE in kinds:
                    return [None if value is None else value.strip() or None for value in raw], {}
                return [value or None for value in map(str.strip, raw)], {}
            return by_value(raw)
        if len(kinds - {NONE_TYPE}) == 1 and kinds & {int, bool}:
            return by_value(raw)
        return by_cell(raw)

    return parse_column


def _quick_number(kind: str, checks: list[Callable[[Any], None]]) -> Callable[[Any], float | int | None]:
    """What ``parse`` gives a number field's text that ``float`` reads as a good number; None when it cannot say.

    ``float`` trims the same white space as ``str.strip`` and reads the same
    digits, so text it reads as a finite number (within the field's bounds,
    and whole for an integer field) is what the per-cell parser gives; text
    with a pound sign, thousands separators, a NUL byte or any fault, and
    anything but text, takes the per-cell parser, which also words the faults.
    Most of a file's coordinates are distinct, so this saves a parse per cell.
    """

    def quick(value: Any) -> float | int | None:
        if value.__class__ is not str:
            return None
        try:
            number: float | int = float(value)
        except (ValueError, OverflowError):
            return None
        if not math.isfinite(number):
            return None
        if kind == "integer":
            if not number.is_integer():
                return None
            number = int(number)
        try:
            for check in checks:
                check(number)
        except FieldProblem:
            return None
        return number

    return quick


def parser_for(spec: Mapping[str, Any]) -> Parser:
    """A function that checks and normalises one field's values, per its Table Schema type and constraints."""
    kind = spec.get("type", "string")
    constraints = spec.get("constraints") or {}
    if kind == "number":
        base = _number
    elif kind == "integer":
        base = _integer
    elif kind == "boolean":
        base = _boolean(spec)
    elif kind == "date":
        base = _date(spec.get("format"))
    else:
        base = _text(constraints)  # None: plain text, trimmed and kept
    checks = _range_checks(constraints)

    # This runs once per field per row, so text takes a short path: trimmed here, and
    # returned as it is by fields with no constraints.
    def parse(value: Any) -> Any:
        if value is None:
            return None
        if value.__class__ is str:
            value = value.strip()
            if not value:
                return None
            if "\x00" in value:  # a NUL byte is never meant, and PostgreSQL refuses it
                value = value.replace("\x00", "").strip()
                if not value:
                    return None  # only NUL bytes: blank
            if base is None:
                return value
        parsed = (base or str)(value)
        for check in checks:
            check(parsed)
        return parsed

    return parse


def _text(constraints: Mapping[str, Any]) -> Parser | None:
    """A parser for text with constraints, or None when trimmed text needs no more checking."""
    enum = {_squeeze(str(choice)).lower(): choice for choice in constraints.get("enum", [])}
    pattern = re.compile(constraints["pattern"]) if "pattern" in constraints else None
    max_length = constraints.get("maxLength")
    if not (enum or pattern or max_length is not None):
        return None

    def parse(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a UPRN or code read as a number keeps no ".0"
        text = str(value).strip()
        if enum:
            choice = enum.get(_squeeze(text).lower())
            if choice is None:
                raise FieldProblem(
                    _("%(value)r is not one of %(choices)s")
                    % {"value": text, "choices": ", ".join(map(str, enum.values()))}
                )
            return choice
        if pattern and not pattern.fullmatch(text):
            raise FieldProblem(
                _("%(value)r does not match the pattern %(pattern)s") % {"value": text, "pattern": pattern.pattern}
            )
        if max_length is not None and len(text) > max_length:
            raise FieldProblem(
                _("is %(length)s characters long; at most %(most)s are allowed")
                % {"length": len(text), "most": max_length}
            )
        return text

    return parse


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise FieldProblem(_("%(value)r is not a number") % {"value": value})
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().lstrip("£").replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise FieldProblem(_("%(value)r is not a number") % {"value": str(value).strip()}) from None
    if not math.isfinite(number):
        raise FieldProblem(_("%(value)r is not a finite number") % {"value": value})
    return number


def _integer(value: Any) -> int:
    number = _number(value)
    if not number.is_integer():
        raise FieldProblem(_("%(value)r is not a whole number") % {"value": value})
    return int(number)


def _boolean(spec: Mapping[str, Any]) -> Parser:
    true = ALWAYS_TRUE | {str(word).lower() for word in spec.get("trueValues", [])}
    false = ALWAYS_FALSE | {str(word).lower() for word in spec.get("falseValues", [])}

    def parse(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in true:
            return True
        if word in false:
            return False
        raise FieldProblem(_("%(value)r is not yes or no") % {"value": str(value).strip()})

    return parse


def _date(schema_format: str | None) -> Parser:
    formats = tuple(
        dict.fromkeys([*(f for f in [schema_format] if f and f != "default" and f != "any"), *DATE_FORMATS])
    )

    @functools.lru_cache(maxsize=4096)  # a file's dates repeat: one extract date, a few edit dates
    def parse(value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            # Portals such as ArcGIS send dates as milliseconds since 1970.
            try:
                return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC).date().isoformat()
            except (ValueError, OverflowError, OSError):  # NaN, infinite, or beyond the years a date can hold
                raise FieldProblem(_("%(value)r is not a date in milliseconds since 1970") % {"value": value}) from None
        text = str(value).strip()
        day = re.split(r"[ T]", text, maxsplit=1)[0]  # a time after the date is dropped
        for date_format in formats:
            try:
                return dt.datetime.strptime(day, date_format).date().isoformat()
            except ValueError:
                continue
        raise FieldProblem(_("%(value)r is not a date like 31/01/2024 or 2024-01-31") % {"value": text})

    return parse


def _range_checks(constraints: Mapping[str, Any]) -> list[Callable[[Any], None]]:
    checks: list[Callable[[Any], None]] = []
    if "minimum" in constraints:
        minimum = constraints["minimum"]

        def at_least(value: Any) -> None:
            if value < minimum:
                raise FieldProblem(
                    _("%(value)r is below the minimum of %(minimum)s") % {"value": value, "minimum": minimum}
                )

        checks.append(at_least)
    if "maximum" in constraints:
        maximum = constraints["maximum"]

        def at_most(value: Any) -> None:
            if value > maximum:
                raise FieldProblem(
                    _("%(value)r is above the maximum of %(maximum)s") % {"value": value, "maximum": maximum}
                )

        checks.append(at_most)
    return checks


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _label(name: str | None, column: str | None) -> str:
    """A field as a reason names it: the schema name, and the source column when that differs."""
    if column is None or column == name:
        return str(name)
    return f"{name} (column {column!r})"


def _without_nul(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _crs_label(crs: str) -> str:
    """A coordinate system as people name it (the first of its names in CRS_NAMES), else its EPSG code."""
    return next((name for name, code in CRS_NAMES.items() if code == crs), crs)
