"""Where ingested data lives: SQLite by default, PostgreSQL for several app processes.

Both stores keep one table per collection (one collection per source), with a
column per schema field and per area field (:data:`AREA_FIELDS`), the WGS84 position in a spatial index, and the source
columns outside the schema as JSON. A source is loaded into a staging table and
swapped in with its provenance in one transaction, so readers see either the
old data or the new, never a mixture, and a failed or killed ingest leaves the
old data serving. ``DATABASE_URL`` picks the store: ``sqlite:///data/app.db``
(relative to the project folder) or ``postgresql://user:password@host/db``.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ..errors import ClientError, ConfigError
from .opening import OpenAt, indexed_table

if TYPE_CHECKING:  # conditions.py builds on this module
    from . import conditions

T = TypeVar("T")  # what a consistent() read returns

BBox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat (WGS84)
WORLD: BBox = (-180.0, -90.0, 180.0, 90.0)
INT64 = (-(2**63), 2**63 - 1)  # the integers both databases' integer columns hold
# The Python type of a filter value for each kind of field, and how to ask for it.
FILTER_TYPES = {
    "text": (str, "a str"),
    "number": (float, "a float or an int"),
    "integer": (int, "an int"),
    "boolean": (bool, "a bool"),
}
# What a filter value must be for a stored value to equal it.
MATCHABLE = {
    "number": "a finite number",
    "integer": "an integer from -2**63 to 2**63 - 1",
    "text": "text without NUL characters",
}
EARTH_RADIUS = 6_371_008.8  # metres: the mean radius, for distances on a sphere
# Bands of latitude strips_around divides a circle into, at most: 16 held a twentieth of the features one box held
# at sea (docs/performance.md); PostgreSQL takes fewer for a smaller circle (postgres._bands).
STRIPS = 16
# The kinds of field whose values have an order that both databases compare alike (text by code point).
ORDERED = {"text", "number", "integer"}
# Word search: a word is a run of letters and digits (any script); each is kept to this many characters, so that
# no word is too long for PostgreSQL's tsvector (2,047 bytes), and a search takes at most this many words.
WORD = re.compile(r"[^\W_]+")
LONGEST_WORD = 64
MOST_SEARCH_WORDS = 20
SEARCH_KEY = "x-search"  # a schema field's annotation: a word search looks in it (see searched_fields)


@dataclass(frozen=True, slots=True)
class Between:
    """A filter for a field's values from ``low`` to ``high``, both included; None leaves that end open.

    Text compares by Unicode code point in both stores (so ISO 8601 dates
    compare as dates). With ``or_missing``, a feature with no value in the
    field matches too, as OGC API - Features asks of ``datetime`` for
    features that have no time. A ``low`` above ``high`` matches no value.
    """

    low: str | float | int | None = None
    high: str | float | int | None = None
    or_missing: bool = False


# Schema field name -> a value of the field's type (the field equals it), a range of such values, or, on the
# theme's hours field, the moment its features must be open (opening.OpenAt).
Filters = Mapping[str, str | float | int | bool | Between | OpenAt]


# The fields every record carries beside its schema's: the area (of place.toml) its source covers. Ingest fills
# them, and the stores keep them as columns like the schema's, so a filter on area_code narrows a query in SQL.
AREA_CODE = "area_code"
AREA_NAME = "area_name"
AREA_FIELDS: tuple[dict[str, Any], ...] = (
    {"name": AREA_CODE, "type": "string", "title": "Area code", "description": "The area's ONS GSS code."},
    {"name": AREA_NAME, "type": "string", "title": "Area", "description": "The area's name."},
)
# On a field: True asks the store to index its column. Ingest marks area_code when a load's rows name their own
# areas (area_column, see areas.py), so that a filter on one of hundreds of areas reads only that area's rows.
INDEXED_KEY = "x-indexed"


def indexed_columns(fields: Sequence[dict[str, Any]]) -> list[str]:
    """The fields marked for an index of their own (:data:`INDEXED_KEY`), by name."""
    return [spec["name"] for spec in fields if spec.get(INDEXED_KEY) is True]


@dataclass(frozen=True, slots=True)
class Feature:
    """One accepted record: its id, WGS84 position, schema fields and any extra source columns."""

    id: str
    lon: float | None
    lat: float | None
    properties: dict[str, Any]
    extra: dict[str, Any]
    row: int  # where the record was in its source (see adapters.base.RawRecord.number)


@dataclass(frozen=True, slots=True)
class Found:
    """A page of a word search, with how many features match in all (counted up to a limit)."""

    page: list[tuple[Feature, float | None]]  # each feature with its distance in metres from ``near``, if given
    matched: int  # at most the search's ``most``
    complete: bool  # False when more than ``most`` features match: the count is "or more"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a collection's data came from and what became of it, stored with the data."""

    collection: str
    theme: str
    adapter: str
    location: str
    licence: str
    attribution: str | None
    fetched_at: str  # ISO 8601, UTC
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    area_code: str | None = None  # the area the source covers; None for data loaded before areas were recorded
    area_name: str | None = None
    # what the load depended on (the file's bytes, the source's settings, the schema and the app's version) as a
    # SHA-256, when the source can say without being read through; a later ingest that matches it skips the load
    source_digest: str | None = None
    # what the load's rows were like (reasons for rejection, how full each field is, dates), as quality.py measures
    # it, in JSON; None for a load made before the app measured
    quality: str | None = None


# Catalogue columns added since the first release; a catalogue made before them gains them when a store opens it.
LATER_COLUMNS = ("area_code", "area_name", "source_digest", "quality")
# The columns that hold a collection's provenance beside its name, in the stores' catalogues.
PROVENANCE_COLUMNS = tuple(field.name for field in fields(Provenance) if field.name != "collection")


class Staging(Protocol):
    """A collection's next data, invisible to readers until :meth:`commit`."""

    def add(self, features: Sequence[Feature]) -> None:
        """Load a batch of features (ids are unique within one load)."""

    def commit(self, provenance: Provenance) -> None:
        """Replace the live data and its provenance with what was loaded, in one transaction."""


class Store(Protocol):
    """What the rest of the app needs from a database."""

    reads_at_once: int
    """How many reads gain from running side by side: what sizes the web server's worker threads (web/workers.py)."""
    reads_in_process: bool
    """Whether reads run in this process (SQLite), not over a network: one row read by its key takes microseconds."""

    def replacing(self, collection: str, fields: Sequence[dict[str, Any]]) -> AbstractContextManager[Staging]:
        """Stage new data for a collection; leaving the block without commit() keeps the old data."""

    def provenance(self) -> list[Provenance]:
        """The provenance of every collection, by name."""

    def consistent(self, read: Callable[[], T]) -> T:
        """Run ``read``, which calls this store's read methods, so that they all see the same load.

        Each read method on its own sees one whole load; a count and the page it
        counts must come from the same one, even when a load commits between them.
        """

    def count(
        self,
        collection: str,
        bbox: BBox | None = None,
        filters: Filters | None = None,
        where: conditions.Condition | None = None,
    ) -> int:
        """How many features a collection holds (inside ``bbox``, matching ``filters`` and ``where``, if given)."""

    def extent(self, collection: str) -> BBox | None:
        """The smallest box holding a collection's located features, or None if none has a position."""

    def commonest(self, collection: str, field: str, most: int) -> list[tuple[str, int]]:
        """The ``most`` values a text field holds most often, each with how many features hold it.

        Commonest first, ties by code point; missing values are not counted.
        An unknown field, or one that is not text, raises a 400 ClientError.
        """

    def span(self, collection: str, field: str) -> tuple[Any, Any] | None:
        """The least and greatest values of a field (text by code point), or None if no feature has one.

        An unknown field raises a 400 ClientError, as in :func:`check_filters`.
        """

    def features(
        self,
        collection: str,
        bbox: BBox | None = None,
        limit: int = 10,
        offset: int = 0,
        filters: Filters | None = None,
        where: conditions.Condition | None = None,
        order: conditions.Order = (),
    ) -> list[Feature]:
        """A page of a collection's features in load order, inside ``bbox`` and matching ``filters`` if given.

        ``filters`` maps schema field names to values of the field's type; a
        feature matches when each field equals its value exactly (text as
        stored, case and all), or lies in its :class:`Between` range, or, for
        an :class:`~.opening.OpenAt` on the theme's hours field, when its
        hours say open at that moment (found through the load's hours index,
        opening.py). An unknown field or a value of the wrong type raises a
        400 ClientError (see :func:`check_filters`). ``where`` is a condition of store/conditions.py
        that must hold too, checked the same way. ``order`` sorts by fields
        first, (field, descending) pairs, missing values last either way and
        ties in load order, so pages by ``offset`` neither skip nor repeat.
        """

    def feature(self, collection: str, feature_id: str) -> Feature | None:
        """One feature by id, or None."""

    def ids(self, collection: str, limit: int = 10, offset: int = 0) -> list[str]:
        """A page of a collection's feature ids in load order, as :meth:`features` pages them, reading nothing else.

        A list of addresses (the sitemap's) needs only the ids: reading every
        field of 50,000 features for them took most of a second.
        """

    def nearest(
        self,
        collection: str,
        lon: float,
        lat: float,
        limit: int = 10,
        offset: int = 0,
        bbox: BBox | None = None,
        filters: Filters | None = None,
        where: conditions.Condition | None = None,
    ) -> list[tuple[Feature, float]]:
        """A page of the located features nearest a WGS84 point, with their great-circle distance in metres.

        Nearest first; features at the same distance keep their load order, so
        pages by ``offset`` neither skip nor repeat. ``bbox``, ``filters`` and
        ``where`` narrow the features as in :meth:`features`.
        """

    def search(
        self,
        collection: str,
        words: Sequence[str],
        limit: int = 10,
        offset: int = 0,
        filters: Filters | None = None,
        near: tuple[float, float] | None = None,
        bbox: BBox | None = None,
        most: int = 10_000,
        where: conditions.Condition | None = None,
    ) -> Found | None:
        """A page of the features holding every word, and how many do, up to ``most``; None without a word index.

        Words are split and compared as :func:`search_words` has them: each
        must begin a word of the feature's id or of one of its string fields,
        in any case. No words match every feature. In load order, or nearest
        ``near`` (lon, lat) first with distances in metres, ties in load
        order; ``bbox``, ``filters`` and ``where`` narrow the features as in
        :meth:`features`. The index is built as a load commits: a collection
        loaded by a version without it answers None until it is loaded again.
        """

    def ingesting(self) -> AbstractContextManager[None]:
        """Hold the database's ingest lock for the block: IngestRunning at once if another process holds it.

        On PostgreSQL an advisory lock on the server, so that app servers on
        several machines never ingest into one database at once; on SQLite
        nothing more than the lock file every ingest takes (lock.py), since a
        file shared between machines is not a setup SQLite supports.
        """

    def check(self) -> str | None:
        """What is wrong with the database, in words, or None when a quick look finds it whole.

        SQLite checks its file's structure (``PRAGMA quick_check``: seconds on
        a file of millions of rows, so the app runs it once, as it starts);
        PostgreSQL, which guards its own files, needs only to answer.
        """

    def prepare(self) -> None:
        """Begin making, in the background, what the store keeps in memory to read faster, as the app starts.

        On SQLite, the grid of each large collection's features (grid.py), one
        at a time; reads go on meanwhile. PostgreSQL keeps nothing so.
        """

    def close(self) -> None:
        """Release the connection."""


def open_store(database_url: str, project_dir: Path) -> Store:
    """The store that ``database_url`` names; a relative SQLite path starts at the project folder."""
    scheme = database_url.partition(":")[0].lower()
    if scheme == "sqlite":
        from .sqlite import SQLiteStore

        return SQLiteStore.from_url(database_url, project_dir)
    if scheme in {"postgresql", "postgres"} or scheme.startswith("postgresql+"):
        from .postgres import PostgresStore

        return PostgresStore.from_url(database_url)
    raise ConfigError(
        f"database_url: the scheme {scheme!r} is not supported. Use sqlite:///data/app.db "
        "or postgresql://user:password@host:5432/database."
    )


def column_type(field: dict[str, Any]) -> str:
    """The kind of value a schema field holds once normalised: text, number, integer or boolean."""
    kind = field.get("type", "string")
    return kind if kind in {"number", "integer", "boolean"} else "text"


def search_words(text: str) -> list[str]:
    """The words of ``text`` as word search compares them: case folded, in NFC, each once, in order.

    A word is a run of letters and digits in any script (so ``T/22`` is two
    words, ``t`` and ``22``), cut to :data:`LONGEST_WORD` characters. Both
    stores index the words made here at load time and split a search the same
    way, so they answer alike whatever the database's own text rules.
    """
    folded = unicodedata.normalize("NFC", text.casefold())
    return list(dict.fromkeys(word[:LONGEST_WORD] for word in WORD.findall(folded)))


def searched_fields(fields: Sequence[dict[str, Any]]) -> list[str]:
    """The names of the fields whose words a search finds (an id is searched too).

    A theme marks them with ``"x-search": true`` (names, addresses,
    postcodes: what a resident types), so that long free text such as notes
    or opening hours neither costs the word index its time at every load nor
    answers a search for a street with every place whose notes mention it.
    A theme that marks none has every string field searched.
    """
    marked = [field["name"] for field in fields if field.get(SEARCH_KEY) is True]
    return marked or [field["name"] for field in fields if field.get("type", "string") == "string"]


def feature_words(feature: Feature, names: Sequence[str]) -> list[str]:
    """The words of a feature's id and of its ``names`` fields, as :func:`search_words` makes them."""
    values = [feature.id, *(feature.properties.get(name) for name in names)]
    return search_words(" ".join(value for value in values if isinstance(value, str)))


class FeatureWords:
    """:func:`feature_words` for the many features of one load, made faster by taking most features whole.

    Most features' values are ASCII, whose words are their runs of ASCII
    letters and digits in lower case: those are found for the feature's whole
    text at once, with one byte table (``bytes.translate``) and ``split`` in C.
    A feature with a longer word or any other character is worked value by
    value: a search word never spans two values (they are joined with a
    space), so its words are its values' words in order, each kept once. A
    load's values repeat (an organisation, a category, a town), so each
    value's words are made once and remembered, and a feature's are put
    together in C (``chain`` and ``dict.fromkeys``); an ASCII value is split
    by ``str.translate`` rather than the Unicode pattern, which gives the same
    words for ASCII text. Either way the words are those :func:`feature_words`
    gives.
    """

    REMEMBERED = 10_000  # distinct values remembered at most (a few MB of words); cleared when full

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.known: dict[Any, tuple[str, ...]] = {None: ()}

    def __call__(self, feature: Feature) -> list[str]:
        text = self.text(feature)
        return text.split(" ") if text else []

    def text(self, feature: Feature) -> str:
        """The feature's words joined by single spaces, as the SQLite store keeps them."""
        values = [feature.id, *map(feature.properties.get, self.names)]
        joined = " ".join([value for value in values if isinstance(value, str)])
        if joined.isascii():
            words = joined.encode().translate(_ASCII_WORD_BYTES).split()
            if not words:
                return ""
            if max(map(len, words)) <= LONGEST_WORD:
                return b" ".join(dict.fromkeys(words)).decode()
        return " ".join(self._by_value(feature, values))

    def _by_value(self, feature: Feature, values: list[Any]) -> list[str]:
        known = self.known
        try:
            unseen = set(values).difference(known)
        except TypeError:  # a value that cannot be remembered, such as a list
            return feature_words(feature, self.names)
        if unseen:
            if len(known) + len(unseen) > self.REMEMBERED:
                known.clear()
                known[None] = ()
                unseen = set(values)
            for value in unseen:
                known[value] = _value_words(value) if isinstance(value, str) else ()
        return list(dict.fromkeys(chain.from_iterable(map(known.__getitem__, values))))


# Every ASCII character that is not a letter or a digit, as a space: a search word is a run of the others.
_ASCII_BREAKS = str.maketrans({chr(code): " " for code in range(128) if not chr(code).isalnum()})
# The same for the bytes of ASCII text, with capital letters in lower case (what casefold does to ASCII).
_ASCII_WORD_BYTES = bytes(
    (ord(chr(code).lower()) if chr(code).isalnum() else ord(" ")) if code < 128 else code for code in range(256)
)


def _value_words(value: str) -> tuple[str, ...]:
    """The words of one value, in order, repeats kept, as :func:`search_words` finds and cuts them."""
    if value.isascii():
        words = value.lower().translate(_ASCII_BREAKS).split()
    else:
        words = WORD.findall(unicodedata.normalize("NFC", value.casefold()))
    if words and max(map(len, words)) > LONGEST_WORD:
        return tuple(word[:LONGEST_WORD] for word in words)
    return tuple(words)


def check_filters(collection: str, fields: Sequence[dict[str, Any]], filters: Filters | None) -> list[tuple[str, Any]]:
    """``filters`` as (field name, value) pairs, each name a field of the collection and each value of its type.

    Text must be ``str``, boolean ``bool``, integer ``int`` and number ``float``
    or ``int`` (returned as ``float``); a value no stored one can equal (None,
    NaN, an integer beyond 64 bits, text holding a NUL character) is refused
    too, so both stores answer alike. A :class:`Between` is checked end by
    end, on a text, number or integer field. An :class:`~.opening.OpenAt` must
    be on a field whose hours the load indexed (a 400 naming ``open_now``
    otherwise). Raises a 400 ClientError naming
    the field, the value and what was expected: a filter comes from a client.
    """
    if not filters:  # most reads: nothing to check, and no need to work out every field's kind
        return []
    kinds = {field["name"]: column_type(field) for field in fields}
    checked: list[tuple[str, Any]] = []
    for name, value in filters.items():
        kind = kinds.get(name)
        if kind is None:
            raise refused(
                name,
                f"Collection {collection!r} has no field {name!r} to filter on. Its fields are: "
                f"{', '.join(repr(known) for known in kinds) or 'none'}",
            )
        if isinstance(value, OpenAt):
            checked.append((name, _open_at(collection, fields, name, value)))
            continue
        if isinstance(value, Between):
            if kind not in ORDERED:
                raise refused(
                    name,
                    f"The range filter on field {name!r} of collection {collection!r} cannot apply: the field "
                    f"holds {kind} values, which have no order. Filter on one value instead",
                )
            low, high = (
                None if end is None else _checked_value(collection, name, kind, end) for end in (value.low, value.high)
            )
            checked.append((name, Between(low, high, value.or_missing)))
        else:
            checked.append((name, _checked_value(collection, name, kind, value)))
    return checked


def check_text_field(collection: str, fields: Sequence[dict[str, Any]], name: str) -> None:
    """A 400 ClientError unless ``name`` is a text field of the collection."""
    kinds = {field["name"]: column_type(field) for field in fields}
    if kinds.get(name) != "text":
        raise refused(name, f"Collection {collection!r} has no text field {name!r} whose values could be listed")


def _open_at(collection: str, fields: Sequence[dict[str, Any]], name: str, value: OpenAt) -> OpenAt:
    """An "open now" filter, on a field whose opening hours the load indexed (see opening.py)."""
    spec = next(spec for spec in fields if spec["name"] == name)
    if indexed_table(spec) is None or not isinstance(value.moment, datetime):
        raise ClientError(
            400,
            "InvalidParameterValue",
            f"open_now: collection {collection!r} has no opening hours indexed in its field {name!r}: it was "
            "loaded before the app indexed them, or its theme names no hours field. Load it again with ingest",
            parameter="open_now",
        )
    return value


def _checked_value(collection: str, name: str, kind: str, value: Any) -> Any:
    """A filter value of the field's kind (an int as a float for a number field); a ClientError if it is not one."""
    if kind == "number" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    expected, described = FILTER_TYPES[kind]
    if not isinstance(value, expected) or (kind == "integer" and isinstance(value, bool)):
        raise refused(
            name,
            f"The filter on field {name!r} of collection {collection!r} has the value {value!r}, "
            f"but the field holds {kind} values: pass {described}",
        )
    if not _storable(kind, value):
        raise refused(
            name,
            f"The filter on field {name!r} of collection {collection!r} has the value {value!r}, "
            f"which no stored value can equal: pass {MATCHABLE[kind]}",
        )
    return value


def refused(field: str, message: str) -> ClientError:
    """A filter the store cannot apply: the client's mistake, a 400 naming the field."""
    return ClientError(400, "InvalidParameterValue", message, parameter=field)


def between_clause(column: str, between: Between, placeholder: str, collate: str = "") -> tuple[str, list[Any]]:
    """The SQL condition, and its parameters, for a quoted ``column`` in a checked range.

    ``placeholder`` is the driver's (``?`` or ``%s``); ``collate`` follows the
    column in comparisons (PostgreSQL's text needs ``COLLATE "C"`` to order by
    code point, as SQLite does).
    """
    conditions, params = [], []
    for end, operator in ((between.low, ">="), (between.high, "<=")):
        if end is not None:
            conditions.append(f"{column}{collate} {operator} {placeholder}")
            params.append(end)
    condition = " AND ".join(conditions) or f"{column} IS NOT NULL"
    if between.or_missing:
        condition = f"{column} IS NULL OR {condition}"
    return f"({condition})", params


def _storable(kind: str, value: Any) -> bool:
    """Whether both databases can hold ``value`` in a field of that kind, so that a filter on it may match."""
    if kind == "number":
        return math.isfinite(value)
    if kind == "integer":
        return INT64[0] <= value <= INT64[1]
    return kind != "text" or "\0" not in value


def intersection(first: BBox, second: BBox) -> BBox | None:
    """The box two boxes share, or None if they do not meet."""
    shared = (max(first[0], second[0]), max(first[1], second[1]), min(first[2], second[2]), min(first[3], second[3]))
    return shared if shared[0] <= shared[2] and shared[1] <= shared[3] else None


def area(box: BBox) -> float:
    """A box's area in square degrees: enough to compare two boxes' sizes."""
    return (box[2] - box[0]) * (box[3] - box[1])


def in_load_order(matched: int, rows: int, offset: int, limit: int) -> bool:
    """Whether a page of a box's features is cheaper read in load order, testing each row, than through the index.

    Through the spatial index a page reads every feature in the box, to find
    the lowest row numbers among them; in load order it reads rows until
    ``offset + limit`` of them lie in the box, about ``(offset + limit) *
    rows / matched`` of ``rows``. A row read in order costs about twice an
    index entry (docs/performance.md), so load order wins for a large box
    and a page near its start: a GIS client's view of a region, where the
    index read hundreds of thousands of entries for each page. ``matched``
    is the box's count, which a store knows only once it has counted the box
    (as the API does before each page); without it, a store uses the index.
    """
    return 2 * (offset + limit) * rows < matched * matched


def table_name(collection: str, generation: str) -> str:
    """A table name the app makes itself, never from user text, for one load of a collection."""
    digest = hashlib.blake2b(collection.encode(), digest_size=4).hexdigest()
    return f"c_{digest}_{generation}"


def quote(identifier: str) -> str:
    """An SQL identifier quoted for both SQLite and PostgreSQL (schema field names are identifiers)."""
    return '"' + identifier.replace('"', '""') + '"'


def distance(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """The great-circle distance in metres between two WGS84 points (haversine, on a sphere)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_chord = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(min(1.0, half_chord)))


def _reach(metres: float) -> float:
    """Radians along the sphere that bbox_around and strips_around reach: ``metres`` and a millimetre, for rounding."""
    return (metres * (1 + 1e-9) + 0.001) / EARTH_RADIUS


def bbox_around(lon: float, lat: float, metres: float) -> BBox:
    """The smallest box holding every point within ``metres`` of a point (a millimetre more, for rounding).

    A degree of longitude shrinks towards the poles, so the box is wider in
    degrees than it is tall; near a pole or the 180th meridian it takes every
    longitude rather than wrap around.
    """
    angle = _reach(metres)
    min_lat, max_lat = lat - math.degrees(angle), lat + math.degrees(angle)
    if min_lat <= -90 or max_lat >= 90 or angle >= math.pi / 2:
        return (-180.0, max(min_lat, -90.0), 180.0, min(max_lat, 90.0))
    spread = math.sin(angle) / math.cos(math.radians(lat))
    if spread >= 1:
        return (-180.0, min_lat, 180.0, max_lat)
    half_width = math.degrees(math.asin(spread))
    if lon - half_width < -180 or lon + half_width > 180:
        return (-180.0, min_lat, 180.0, max_lat)
    return (lon - half_width, min_lat, lon + half_width, max_lat)


def strips_around(lon: float, lat: float, metres: float, strips: int = STRIPS) -> list[BBox]:
    """Boxes, one per band of latitude, that together hold every point within ``metres`` of a point.

    :func:`bbox_around`'s box is as wide at its top and bottom as the circle
    at its widest, and its corners lie outside the circle: around a point far
    out to sea whose nearest features are 200 km away, those corners reach a
    coast and held 20,000 features where the circle held under a thousand.
    Each band's box is as wide as the circle is anywhere in that band: at a
    latitude, the points within reach are those within a spread of longitude
    that grows from the circle's foot to its widest latitude and shrinks
    after, so a band's widest is at the end nearer that latitude, or that
    latitude itself when the band holds it. Where :func:`bbox_around` takes
    every longitude (near a pole or the 180th meridian), that one box is given.
    """
    box = bbox_around(lon, lat, metres)
    min_lon, min_lat, max_lon, max_lat = box
    if min_lon == -180.0 and max_lon == 180.0:
        return [box]
    angle = _reach(metres)
    phi = math.radians(lat)
    widest = math.asin(min(1.0, math.sin(phi) / math.cos(angle)))  # the latitude at which the circle is widest
    most = (max_lon - min_lon) / 2

    def spread(band_lat: float) -> float:
        """Degrees of longitude either side of the point within reach at a latitude (radians).

        The haversine formula solved for the longitude, which keeps its
        precision for a circle of a few metres, where the cosine rule's would
        be lost in rounding.
        """
        across = (math.sin(angle / 2) ** 2 - math.sin((band_lat - phi) / 2) ** 2) / (math.cos(phi) * math.cos(band_lat))
        return math.degrees(2 * math.asin(math.sqrt(max(0.0, min(1.0, across)))))

    found = []
    for band in range(strips):
        low = min_lat + (max_lat - min_lat) * band / strips
        high = min_lat + (max_lat - min_lat) * (band + 1) / strips if band < strips - 1 else max_lat
        low_phi, high_phi = math.radians(low), math.radians(high)
        if low_phi <= widest <= high_phi:
            half = most
        else:
            half = min(most, spread(high_phi if high_phi < widest else low_phi) * (1 + 1e-9) + 1e-9)
        found.append((max(min_lon, lon - half), low, min(max_lon, lon + half), high))
    return found


def hide_password(url: str) -> str:
    """A database URL safe to print or log: a password in its user part or in a ``password=`` parameter is ***.

    The URL is split by hand, not parsed, so that a malformed one (a bad port,
    say) is still printed safely rather than raising, and a password holding
    ``@`` is hidden whole.
    """
    scheme, separator, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    credentials, at, host = netloc.rpartition("@")
    if separator and at and ":" in credentials:
        user = credentials.split(":", 1)[0]
        url = f"{scheme}://{user}:***@{host}{slash}{path}"
    return re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", url)
