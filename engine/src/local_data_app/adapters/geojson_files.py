"""GeoJSON files: a FeatureCollection of points, on disk or at a web address.

Each feature's properties are its values and its point is its position. GeoJSON
is WGS84 by definition (RFC 7946), but older files may name another coordinate
system in a ``crs`` member, which is honoured.

The file is streamed, never read whole, so memory stays flat however large it
grows. A first pass (:func:`outline`) checks that it is a FeatureCollection,
counts its features and finds its ``crs``, which may come after them; a second
yields the features one at a time. Arrays and objects nested deeper than
:data:`DEEPEST` are refused in the first pass, before any value is built:
code that walks a value (``repr``, ``json.dumps``) recurses, and a document
nested 100,000 deep would exhaust the stack. A document that cannot be read
is a fault of the source; a feature that is malformed (properties that are
not an object, coordinates that are not numbers) is one rejected record.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import ijson
from ijson.common import ObjectBuilder

from ..errors import SourceError
from .base import RawRecord
from .http import HttpOptions, hide_secrets
from .local_or_remote import FileAdapter, local_copy

WGS84 = "EPSG:4326"
DEEPEST = 64  # arrays and objects inside one another; a point's coordinates, in their collection, are 5 deep
FEATURES = "features"
OPENS = frozenset({"start_map", "start_array"})
CLOSES = frozenset({"end_map", "end_array"})
SHOWN_CHARACTERS = 60
CRS_EXAMPLE = '{"type": "name", "properties": {"name": "EPSG:27700"}}'


class Unreadable(ValueError):
    """The document cannot be read as a FeatureCollection; the message says why, after the file's name."""


@dataclass
class Outline:
    """What the first pass finds: the document's ``type`` and ``crs`` members, and how many features it has."""

    kind: Any = None
    crs: Any = None
    features: int = 0
    feature_lists: int = 0  # how many "features" members: JSON allows a name twice, and readers differ on which wins
    exact: bool = False  # whether some numbers are beyond a float's range, so must be read as Decimals


class NotJson(Unreadable):
    """The parser refused the document: it is not JSON, or (reading floats) a number is beyond a float's range."""


class GeoJsonAdapter(FileAdapter):
    """Reads a GeoJSON FeatureCollection of points."""

    name = "geojson"
    Options = HttpOptions

    def records(self) -> Iterator[RawRecord]:
        with local_copy(self.source, self.options, ".geojson") as path:
            try:
                found = outline(path)
                crs = declared_crs(found.crs)
            except Unreadable as error:
                raise SourceError(f"Source {self.source.name!r}: {self._file()} {error}.") from error
            self.total = found.features
            with opened(path) as file:
                # The first pass refused a top-level member named "features.item", whose value would match too.
                features = ijson.items(file, f"{FEATURES}.item", use_float=not found.exact)
                for number, feature in enumerate(features, start=1):
                    yield feature_record(number, as_json_loads_gives(feature) if found.exact else feature, crs)

    def _file(self) -> str:
        """The file as people know it: its address when it is downloaded, else its name."""
        return hide_secrets(self.source.location) if self.source.is_url() else self.source.path().name


@contextmanager
def opened(path: Path) -> Iterator[BinaryIO]:
    """The file, past a UTF-8 byte-order mark: some exporters write one, and the JSON parser refuses it."""
    with path.open("rb") as file:
        if file.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
            file.seek(0)
        yield file


def outline(path: Path) -> Outline:
    """The document's type, crs and number of features, from one pass that builds no value but the crs.

    Raises :class:`Unreadable` if the document is not JSON, nests deeper than
    :data:`DEEPEST`, is not a FeatureCollection or has no usable features list.
    Numbers are read as floats, the quickest way; ijson then refuses integers
    beyond 64 bits and exponents beyond a float's range, which ``json.loads``
    reads, so a document it refuses is read again with exact numbers.
    """
    try:
        with opened(path) as file:
            return _outline(file, exact=False)
    except NotJson:
        with opened(path) as file:
            return _outline(file, exact=True)


def _outline(file: BinaryIO, exact: bool) -> Outline:
    found = Outline(exact=exact)
    depth = 0
    member: str | None = None  # the name of the top-level member being read
    crs: ObjectBuilder | None = None  # builds the crs member's value while it is read
    try:
        for event, value in ijson.basic_parse(file, use_float=not exact):
            if depth == 0 and event != "start_map":
                raise Unreadable(_not_a_collection("it is a list" if event == "start_array" else _brief(value)))
            if depth == 1 and event == "map_key":
                member = value
                if member == f"{FEATURES}.item":
                    raise Unreadable(f'has a member named "{FEATURES}.item", which hides its features; rename it')
            elif depth == 1 and event not in CLOSES:  # the value of a top-level member starts
                _member_starts(found, member, event, value)
                if member == "crs":
                    crs = ObjectBuilder()
            elif depth == 2 and member == FEATURES and event not in CLOSES:
                found.features += 1
            if crs is not None:
                crs.event(event, value)
            if event in OPENS:
                depth += 1
                if depth > DEEPEST:
                    raise Unreadable(
                        f"nests arrays and objects more than {DEEPEST} deep{_where(found, member, depth)}, where "
                        "GeoJSON points need 5, so it was not read. Check that the file holds the GeoJSON exported"
                    )
            elif event in CLOSES:
                depth -= 1
            if crs is not None and depth == 1:
                found.crs, crs = crs.value, None
    except (ijson.JSONError, UnicodeDecodeError) as error:
        raise NotJson(
            f"is not valid GeoJSON ({_first_line(error)}{_where(found, member, depth)}). "
            "Check that the file was exported whole, as GeoJSON in UTF-8"
        ) from error
    if found.kind != "FeatureCollection":
        raise Unreadable(
            _not_a_collection('it has no "type"' if found.kind is None else f'its "type" is {_brief(found.kind)}')
        )
    return found


def _member_starts(found: Outline, member: str | None, event: str, value: Any) -> None:
    """Note the value of a top-level member as it starts: the type, or that of the features."""
    if member == "type":
        found.kind = value if event not in OPENS else {}
    elif member == FEATURES:
        if event not in {"start_array", "null"}:
            shown = "an object" if event == "start_map" else _brief(value)
            raise Unreadable(f'has "{FEATURES}": {shown}, where a FeatureCollection has a list of features')
        found.feature_lists += 1
        if found.feature_lists > 1:
            raise Unreadable(f'has two "{FEATURES}" members; keep one list of features')


def _not_a_collection(what: str) -> str:
    return (
        f"is not a GeoJSON FeatureCollection ({what}); expected an object with "
        '"type": "FeatureCollection" and a "features" list'
    )


def _where(found: Outline, member: str | None, depth: int) -> str:
    """Where the first pass is, as an error message shows it: in or after which feature."""
    if member != FEATURES or depth < 2:
        return ""
    if depth > 2:
        return f", in feature {found.features:,}"
    return f", after feature {found.features:,}" if found.features else ""


def _first_line(error: Exception) -> str:
    """The parser's message without the excerpt of the file it adds on later lines."""
    message = error.args[0] if error.args else error
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return str(message).split("\n", 1)[0].strip().rstrip(".")


def as_json_loads_gives(value: Any) -> Any:
    """The value with its numbers as ``json.loads`` gives them: floats where ijson gives exact Decimals.

    The first pass bounds the depth, so this recursion does not run away.
    """
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: as_json_loads_gives(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json_loads_gives(item) for item in value]
    return value


def feature_record(number: int, feature: Any, crs: str = WGS84) -> RawRecord:
    """A GeoJSON feature as a record: its properties, and its point if it has one; a problem if malformed."""
    if not isinstance(feature, dict):
        return RawRecord(number, {}, problem="the feature is not a JSON object")
    properties = feature.get("properties")
    values = dict(properties) if isinstance(properties, dict) else {}
    if "id" in feature and "id" not in values:
        values["id"] = feature["id"]
    if properties is not None and not isinstance(properties, dict):
        return RawRecord(
            number, values, problem=f"the feature's properties are {_brief(properties)}, not an object of values"
        )
    geometry = feature.get("geometry")
    if geometry is None:
        return RawRecord(number, values)
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind != "Point":
        shown = kind if isinstance(kind, str) and kind else "malformed value"
        return RawRecord(number, values, problem=f"the geometry is a {_shorten(shown)}; only points are supported")
    coordinates = geometry.get("coordinates")
    point = _point(coordinates)
    if point is None:
        return RawRecord(number, values, problem=f"the point's coordinates {_brief(coordinates)} are not two numbers")
    return RawRecord(number, values, point=point, point_crs=crs)


def _point(coordinates: Any) -> tuple[float, float] | None:
    """The first two of a point's coordinates as numbers; None unless they are a list that starts with two."""
    if not isinstance(coordinates, list):
        return None  # an object or a string would index without an error, into nonsense
    try:
        return float(coordinates[0]), float(coordinates[1])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def declared_crs(crs: Any) -> str:
    """The coordinate system a pre-RFC 7946 ``crs`` member names, else WGS84; Unreadable if it is malformed.

    A malformed one is a fault of the whole file, not of a feature: guessing
    would put every point in the wrong place.
    """
    if crs is None:
        return WGS84
    properties = crs.get("properties") if isinstance(crs, dict) else None
    if not isinstance(crs, dict) or not isinstance(properties, dict | None):
        raise Unreadable(
            f'has a "crs" member {_brief(crs)}, not an object such as {CRS_EXAMPLE}. Correct it, '
            "or remove it and set the source's crs in place.toml"
        )
    name = str((properties or {}).get("name", ""))
    match = re.search(r"EPSG:+([0-9]+)$", name)
    if not match or match.group(1) == "4326" or name.endswith("CRS84"):
        return WGS84
    return f"EPSG:{match.group(1)}"


def _brief(value: Any) -> str:
    """A JSON value as an error message shows it, cut short."""
    return _shorten(repr(value))


def _shorten(text: str) -> str:
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "..."
