"""Map raw records onto a theme's schema, check and normalise them, and place them in WGS84.

This is where real-world mess is handled, once, for every adapter: renamed
columns (by the source's ``fields`` table, or by a case-insensitive match of the
schema's own names), dates with and without times, yes/no in any case, enum
values in any case, stray spaces, UPRNs kept as text, and coordinates in
British National Grid or WGS84. A record becomes either a :class:`Feature` or
a :class:`Rejection` that names every failing field, so nothing is lost.
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
from typing import Any

from pyproj import Transformer
from pyproj.exceptions import CRSError

from .adapters import RawRecord
from .config import BRITISH_NATIONAL_GRID, CRS_NAMES, WGS84, crs_code
from .errors import SourceError
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


@dataclass(frozen=True, slots=True)
class _Plan:
    """How records with one set of columns map onto the schema, worked out once per set."""

    sources: dict[str, str]  # schema field (or id) -> source column
    extra_columns: list[str]
    steps: list[tuple[str, str | None, Parser, bool, str]]  # field, column, parser, required, label


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
        self.parsers: dict[str, Parser] = {
            spec["name"]: parser_for(_without_bounds(spec) if spec["name"] in self.in_degrees else spec)
            for spec in self.fields
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
        self._seen_ids: set[int] = set()
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
        """Check and convert a batch of records; coordinates are converted for the whole batch at once."""
        parsed: list[tuple[RawRecord, dict[str, Any], dict[str, Any], list[str]]] = []
        for record in records:
            properties, extra, reasons = self._parse(record)
            parsed.append((record, properties, extra, reasons))
        positions = self._positions(parsed)
        features: list[Feature] = []
        rejections: list[Rejection] = []
        for (record, properties, extra, reasons), position in zip(parsed, positions, strict=True):
            lon, lat, problem = position
            if problem:
                reasons.append(problem)
            feature_id = None if reasons else self._identify(record, properties, reasons)
            if reasons or feature_id is None:
                rejections.append(Rejection(record.number, record.values, reasons))
                continue
            if self.id_field in self.parsers:
                properties[self.id_field] = feature_id
            if self.in_degrees:
                properties[self.x_field], properties[self.y_field] = lon, lat
            self.filled.update(name for name, value in properties.items() if value is not None)
            self.extra_seen.update(extra)
            features.append(Feature(feature_id, lon, lat, properties, extra, record.number))
        return features, rejections

    def _plan(self, record: RawRecord) -> _Plan:
        """Which source column feeds each schema field, and which columns are extra, for this set of columns."""
        key = tuple(record.values)
        plan = self._plans.get(key)
        if plan is None:
            self.columns_seen.update(key)
            by_lower = {column.strip().lower(): column for column in key}
            sources: dict[str, str] = {}
            for name in [*self.names, "id"]:
                column = self.explicit.get(name)
                if column is None and name not in self.explicit:
                    column = name if name in record.values else by_lower.get(name.lower())
                if column is not None and column in record.values:
                    sources[name] = column
            used = set(sources.values())
            steps = [
                (name, sources.get(name), self.parsers[name], name in self.required, _label(name, sources.get(name)))
                for name in self.names
            ]
            plan = self._plans[key] = _Plan(sources, [column for column in key if column not in used], steps)
        return plan

    def _parse(self, record: RawRecord) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        plan = self._plan(record)
        values = record.values
        filled: dict[str, Any] = {}
        if record.point is not None and self.x_field and _blank(values.get(plan.sources.get(self.x_field))):
            # A geometry gives the position when the columns do not.
            filled[self.x_field], filled[self.y_field] = record.point
            if self.crs_field and _blank(values.get(plan.sources.get(self.crs_field))):
                filled[self.crs_field] = _crs_label(record.point_crs or WGS84)
        reasons = [record.problem] if record.problem else []
        properties: dict[str, Any] = {}
        for name, column, parse, required, label in plan.steps:
            raw = filled[name] if name in filled else values.get(column)
            try:
                value = properties[name] = parse(raw)
            except FieldProblem as problem:
                properties[name] = None
                reasons.append(f"{label}: {problem}")
                continue
            if value is None and required:
                reasons.append(f"{label}: required, but blank")
        extra = {column: _without_nul(values[column]) for column in plan.extra_columns}
        return properties, extra, reasons

    def _identify(self, record: RawRecord, properties: dict[str, Any], reasons: list[str]) -> str | None:
        """The record's id: from the id column when there is one, else a hash of its values (stable across ingests)."""
        column = self._plan(record).sources.get(self.id_field) if self.id_field else None
        raw = record.values.get(column) if column else None
        feature_id = str(raw).strip() if raw is not None else ""
        if not feature_id:
            feature_id = row_hash(record.values)
            label = "the row"
        else:
            label = f"{_label(self.id_field, column)} {feature_id!r}"
        fingerprint = hash(feature_id)
        if fingerprint in self._seen_ids:
            if label == "the row":
                reasons.append("the row repeats an earlier row exactly")
            else:
                reasons.append(f"{label} is used by an earlier row; ids must be unique")
            return None
        self._seen_ids.add(fingerprint)
        return feature_id

    def _positions(
        self, parsed: list[tuple[RawRecord, dict[str, Any], dict[str, Any], list[str]]]
    ) -> list[tuple[float | None, float | None, str | None]]:
        """WGS84 longitude and latitude for each record, converted per coordinate system for the whole batch."""
        results: list[tuple[float | None, float | None, str | None]] = [(None, None, None)] * len(parsed)
        groups: dict[str, list[tuple[int, float, float]]] = {}
        for index, (record, properties, _, reasons) in enumerate(parsed):
            if reasons or not self.x_field:
                continue
            x, y = properties.get(self.x_field), properties.get(self.y_field)
            if x is None or y is None:
                continue
            crs = self.crs or self._row_crs(record, properties, x, y)
            if crs is None:
                results[index] = (
                    None,
                    None,
                    f"{self.x_field}, {self.y_field}: cannot tell the coordinate system of ({x:g}, {y:g}); "
                    "set crs for the source in place.toml",
                )
                continue
            groups.setdefault(crs, []).append((index, x, y))
        for crs, members in groups.items():
            xs = [x for _, x, _ in members]
            ys = [y for _, _, y in members]
            lons, lats = (xs, ys) if crs == WGS84 else self._transformer(crs).transform(xs, ys)
            for (index, x, y), lon, lat in zip(members, lons, lats, strict=True):
                results[index] = self._checked(x, y, crs, lon, lat)
        return results

    def _row_crs(self, record: RawRecord, properties: dict[str, Any], x: float, y: float) -> str | None:
        if record.point is not None and properties.get(self.x_field) == record.point[0]:
            return record.point_crs or WGS84
        if self.crs_field:
            stated = properties.get(self.crs_field)
            if stated:
                code = crs_code(str(stated))
                return code if code in COLUMN_CRS else None
        return detect_crs(x, y)

    def _checked(
        self, x: float, y: float, crs: str, lon: float, lat: float
    ) -> tuple[float | None, float | None, str | None]:
        west, south, east, north = GB_AND_NI
        if math.isfinite(lon) and math.isfinite(lat) and west <= lon <= east and south <= lat <= north:
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
                raise FieldProblem(f"{text!r} is not one of {', '.join(map(str, enum.values()))}")
            return choice
        if pattern and not pattern.fullmatch(text):
            raise FieldProblem(f"{text!r} does not match the pattern {pattern.pattern}")
        if max_length is not None and len(text) > max_length:
            raise FieldProblem(f"is {len(text)} characters long; at most {max_length} are allowed")
        return text

    return parse


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise FieldProblem(f"{value!r} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().lstrip("£").replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise FieldProblem(f"{str(value).strip()!r} is not a number") from None
    if not math.isfinite(number):
        raise FieldProblem(f"{value!r} is not a finite number")
    return number


def _integer(value: Any) -> int:
    number = _number(value)
    if not number.is_integer():
        raise FieldProblem(f"{value!r} is not a whole number")
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
        raise FieldProblem(f"{str(value).strip()!r} is not yes or no")

    return parse


def _date(schema_format: str | None) -> Parser:
    formats = tuple(
        dict.fromkeys([*(f for f in [schema_format] if f and f != "default" and f != "any"), *DATE_FORMATS])
    )

    @functools.lru_cache(maxsize=4096)  # a file's dates repeat: one extract date, a few edit dates
    def parse(value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            # Portals such as ArcGIS send dates as milliseconds since 1970.
            return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC).date().isoformat()
        text = str(value).strip()
        day = re.split(r"[ T]", text, maxsplit=1)[0]  # a time after the date is dropped
        for date_format in formats:
            try:
                return dt.datetime.strptime(day, date_format).date().isoformat()
            except ValueError:
                continue
        raise FieldProblem(f"{text!r} is not a date like 31/01/2024 or 2024-01-31")

    return parse


def _range_checks(constraints: Mapping[str, Any]) -> list[Callable[[Any], None]]:
    checks: list[Callable[[Any], None]] = []
    if "minimum" in constraints:
        minimum = constraints["minimum"]

        def at_least(value: Any) -> None:
            if value < minimum:
                raise FieldProblem(f"{value!r} is below the minimum of {minimum}")

        checks.append(at_least)
    if "maximum" in constraints:
        maximum = constraints["maximum"]

        def at_most(value: Any) -> None:
            if value > maximum:
                raise FieldProblem(f"{value!r} is above the maximum of {maximum}")

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
