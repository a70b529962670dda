"""The PostgreSQL store: several app processes or servers share one database.

It needs no extension: the WGS84 position is a built-in ``point`` column
(longitude, latitude) with a GiST index, so any managed PostgreSQL will do. A
load runs on its own connection in one transaction: the new table is created,
filled with COPY, indexed, recorded in the catalogue and the old table dropped,
all committed at once. PostgreSQL's DDL is transactional, so if the ingest
fails or the process is killed the server rolls everything back and the old
data keeps serving. Reads use other connections, in autocommit mode: up to
``READ_CONNECTIONS`` of them, opened as they are needed and each used by one
thread at a time, so the web server's threads query at once.
"""

from __future__ import annotations

import hashlib
import json
import math
import queue
import re
import threading
import uuid
import weakref
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import psycopg
from psycopg import errors, sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.copy import QueuedLibpqWriter
from psycopg.types.json import Jsonb

from .. import deadline
from ..errors import ConfigError, IngestRunning, StoreError
from . import (
    EARTH_RADIUS,
    LATER_COLUMNS,
    MOST_SEARCH_WORDS,
    PROVENANCE_COLUMNS,
    STRIPS,
    BBox,
    Between,
    Feature,
    FeatureWords,
    Filters,
    Found,
    Provenance,
    T,
    area,
    between_clause,
    check_filters,
    check_text_field,
    column_type,
    distance,
    hide_password,
    in_load_order,
    indexed_columns,
    intersection,
    quote,
    search_words,
    searched_fields,
    strips_around,
    table_name,
)
from .conditions import POSTGRES, Condition, Order, fields_of, order_sql, render
from .masks import boxed_fields
from .opening import HoursStaging, OpenAt, indexed_table, local_minute, open_hours, remember
from .shelf import Shelf

SQL_TYPES = {"text": "text", "number": "double precision", "integer": "bigint", "boolean": "boolean"}
CATALOGUE = "_collections"
LIVE_TABLE = f"SELECT table_name, fields FROM {CATALOGUE} WHERE collection = %s"  # a collection's live table
# A live table's rows, as its load counted them in the catalogue, which saves a pass over a large table; a table
# loaded before the catalogue counted them is counted (COALESCE runs its second query only when the first is NULL).
LOADED_ROWS = (
    f"SELECT COALESCE((SELECT rows_loaded FROM {CATALOGUE} WHERE table_name = %s), (SELECT count(*) FROM {{table}}))"
)
INGEST_LOCK = "ingest"  # the name of the advisory lock that one ingest at a time holds
to_json = json.JSONEncoder(ensure_ascii=False, default=str).encode  # as SQLiteStore writes extra columns
SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2")
CONNECT_TIMEOUT = 10  # seconds, unless the URL says otherwise
# Per store (so per app process): a read waits for a free one. Small, so that several processes stay well
# within the server's max_connections (100 by default).
READ_CONNECTIONS = 4
# How many times a read looks up a collection's table again when a load has just replaced it.
READ_ATTEMPTS = 5
# Text compared by code point, as SQLite compares it, whatever the database's collation.
TEXT_ORDER = ' COLLATE "C"'
# Features taken nearest by degrees for each one wanted (see nearest): a circle on the ground is an ellipse in
# degrees, twice as wide as tall at 60 degrees north, so three times as many hold it at any British latitude.
DEGREES_SHORTLIST = 3
IN_INDEX = ("the spatial indexes' columns",)  # the question _in_index answers, once a load
BAND_METRES = 25_000  # the tallest band of latitude that near ranks features in from the index alone (see _bands)
BOX_HOLDS = "geom <@ box(point(%s, %s), point(%s, %s))"  # the form the GiST index answers
# A load's rows walked in load order, down its key, as a table to test each row above (store.in_load_order). The
# planner guesses that a box holds a thousandth of the rows, so given the box it would read them all and sort the
# ones inside; a subquery with its own LIMIT (one no table reaches) is walked as it is, with the box tested above.
KEY_ORDER = "(SELECT * FROM {table}{after} ORDER BY _rowid LIMIT 9223372036854775807) AS walk"
PAGE = "ORDER BY _rowid LIMIT %s OFFSET %s"
MOST_BOUNDS = 64  # live tables whose Bounds a store keeps
# A box covering at least this share of the area of every feature's box is counted from outside (Bounds.mostly_covered):
# the located features less those in the four boxes round it, each an index-only count.
MOST_AREA = 3 / 4
# A page of a load's rows in load order, after the first ``offset`` (parameters: offset, limit). A load numbers its
# rows 1, 2, 3... as it copies them in (_PostgresStaging.add) and never changes after, so the page is found by the
# primary key: OFFSET stepped over every row before it.
AFTER_OFFSET = "WHERE _rowid > %s ORDER BY _rowid LIMIT %s"
MOST_PAGE_ENDS = 256  # where pages in load order ended that a store keeps, the latest read (features)
MOST_ANSWERS = 1024  # answers a store keeps, the latest asked: counts, a row each (see count and search)
MOST_TOTALS = 256  # counts of a whole collection's features meeting filters a store keeps, beside those of boxes
# The haversine distance in metres from a point (parameters: 2 * radius, lat, lat, lon), as store.distance has it.
HAVERSINE = (
    "%s * asin(sqrt(least(1.0, sin((radians(geom[1]) - radians(%s)) / 2) ^ 2"
    " + cos(radians(%s)) * cos(radians(geom[1])) * sin(radians(geom[0] - %s) / 2) ^ 2)))"
)


@dataclass(frozen=True, slots=True)
class Bounds:
    """The box round a load's features with a position, and how many they are: kept by the load in a table of its own.

    A box holding this one (a GIS client showing the whole layer, say) asks
    for every feature with a position. Counted, that is ``located``; paged,
    it is the table in load order, through its primary key. Through the
    spatial index instead, each page read and sorted every feature in the
    box: about 8.7 seconds for the count and a page of 5,000,000 features
    (docs/performance.md).
    """

    west: float | None
    south: float | None
    east: float | None
    north: float | None
    located: int

    @property
    def box(self) -> BBox | None:
        """The box round the features with a position; None when none has one."""
        if self.west is None or self.south is None or self.east is None or self.north is None:
            return None
        return (self.west, self.south, self.east, self.north)

    def inside(self, bbox: BBox | None) -> bool:
        """Whether ``bbox`` holds every feature with a position (never when none has one)."""
        box = self.box
        return bbox is not None and box is not None and intersection(bbox, box) == box

    def mostly_covered(self, bbox: BBox) -> bool:
        """Whether ``bbox`` covers at least MOST_AREA of this box's area, so seems to hold most of its features.

        PostgreSQL's index cannot be read node by node as SQLite's R*Tree is
        (rtree.share_inside), so a box is judged by its area alone. A box of
        most of the area that holds few of the features (they lie in the rest)
        is counted from outside all the same: more rows read, the same count.
        """
        box = self.box
        shared = None if box is None else intersection(bbox, box)
        return box is not None and shared is not None and area(box) > 0 and area(shared) >= MOST_AREA * area(box)


class PostgresStore:
    """A store in a PostgreSQL database (tables go in the first schema of the search path)."""

    def __init__(self, conninfo: str, shown_url: str, password: str | None) -> None:
        self.conninfo, self.shown_url, self.password = conninfo, shown_url, password
        self.reads_at_once = READ_CONNECTIONS  # a thread more would only wait for a connection
        self.reads_in_process = False  # a read waits on the network: never on the event loop (web/workers.py)
        self._readers: list[psycopg.Connection[Any]] = []  # every read connection open, for close()
        self._idle: queue.LifoQueue[psycopg.Connection[Any]] = queue.LifoQueue()
        self._free = threading.BoundedSemaphore(READ_CONNECTIONS)
        self._guard = threading.Lock()
        self._local = threading.local()  # the connection of a consistent() read in progress in this thread
        self._bounds: Shelf[Bounds | None] = Shelf(MOST_BOUNDS)  # live table -> its features' box and how many
        self._answers: Shelf[list[tuple[Any, ...]]] = Shelf(MOST_ANSWERS)  # (live table, question) -> rows (_read)
        # (live table, box, filters, condition, whole layer, offset) -> the _rowid before the page at that offset
        self._page_ends: Shelf[int] = Shelf(MOST_PAGE_ENDS)
        # (live table, question) -> rows, for questions about how its load made it: kept apart from the answers of
        # counts, which every new box adds to, so that a question asked once a load is not asked again for each box.
        self._made: Shelf[list[tuple[Any, ...]]] = Shelf(MOST_BOUNDS)
        # (live table, question) -> rows, for counts of the whole collection (no box): kept apart from those of
        # boxes too, as a page nearest a point with a filter counts every feature meeting the filter, a pass over
        # the table (0.7 s at 1,000,000 features), which a client's new boxes would push out again and again.
        # A burst of the same first request counts once: the others wait for that count, as long as they may.
        self._totals: Shelf[list[tuple[Any, ...]]] = Shelf(MOST_TOTALS, patience=_patience)
        # Each read connection's statement_timeout in milliseconds (0: none), so that it is set only when it changes.
        self._timeouts: weakref.WeakKeyDictionary[psycopg.Connection[Any], int] = weakref.WeakKeyDictionary()
        self._closed = False
        db = self._connect(autocommit=True)
        try:
            if db.execute("SELECT to_regclass(%s)", [CATALOGUE]).fetchone()[0] is None:
                with db.transaction():
                    db.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(CATALOGUE)])
                    db.execute(
                        f"CREATE TABLE IF NOT EXISTS {CATALOGUE} (collection text PRIMARY KEY, "
                        "table_name text NOT NULL, fields jsonb NOT NULL, theme text, adapter text, location text, "
                        "licence text, attribution text, fetched_at text, rows_read bigint, rows_loaded bigint, "
                        "rows_rejected bigint, area_code text, area_name text, source_digest text)"
                    )
            _add_later_columns(db)
        except psycopg.Error as error:
            db.close()
            raise StoreError(
                f"Could not set up the catalogue table {CATALOGUE} in the PostgreSQL database {shown_url}: "
                f"{self._safe(error)}. Check that the user may create tables in the first schema of its search_path."
            ) from error
        self._readers.append(db)
        self._idle.put(db)

    @classmethod
    def from_url(cls, url: str) -> PostgresStore:
        """``postgresql://user:password@host:5432/database`` (also ``postgres://`` and ``postgresql+psycopg://``)."""
        scheme, separator, rest = url.partition("://")
        shown = hide_password(url)
        if not separator or scheme.lower() not in SCHEMES:
            raise ConfigError(
                f"database_url: {shown!r} is not a PostgreSQL URL. Use postgresql://user:password@host:5432/database."
            )
        try:
            parts = conninfo_to_dict(f"postgresql://{rest}")
        except psycopg.Error as error:
            raise ConfigError(
                f"database_url: {shown!r} is not a valid PostgreSQL URL ({_scrub(str(error), _password(rest))}). "
                "Use postgresql://user:password@host:5432/database, with special characters in the password "
                "percent-encoded (@ as %40, / as %2F, : as %3A)."
            ) from error
        parts.setdefault("connect_timeout", CONNECT_TIMEOUT)
        parts.setdefault("application_name", __package__.split(".")[0])
        return cls(make_conninfo(**parts), shown, parts.get("password"))

    @contextmanager
    def replacing(self, collection: str, fields: Sequence[dict[str, Any]]) -> Iterator[_PostgresStaging]:
        table = table_name(collection, uuid.uuid4().hex[:12])
        columns = ", ".join(f"{quote(field['name'])} {SQL_TYPES[column_type(field)]}" for field in fields)
        db = self._connect(autocommit=False)  # the load's own connection: readers never see its transaction
        try:
            try:
                db.execute(
                    f"CREATE TABLE {table} (_rowid bigint NOT NULL, _id text NOT NULL, geom point, "
                    f"_row bigint NOT NULL, _extra jsonb NOT NULL, {columns}, _words tsvector NOT NULL, _hours integer)"
                )
            except psycopg.Error as error:
                raise StoreError(
                    f"Could not create a table for collection {collection!r} in {self.shown_url}: "
                    f"{self._safe(error)}. Check that the user may create tables there."
                ) from error
            yield _PostgresStaging(db, collection, table, list(fields), self._safe)
        finally:
            # Without commit() the load is rolled back; if the server has gone, closing is enough.
            with suppress(psycopg.Error):
                db.rollback()
            db.close()

    def provenance(self) -> list[Provenance]:
        with self._reader() as db:
            rows = db.execute(
                f"SELECT collection, {', '.join(PROVENANCE_COLUMNS)} FROM {CATALOGUE} ORDER BY collection"
            ).fetchall()
        return [Provenance(*row) for row in rows]

    def count(
        self, collection: str, bbox: BBox | None = None, filters: Filters | None = None, where: Condition | None = None
    ) -> int:
        condition = where

        def query(table: str, fields: list[dict[str, Any]], bounds: Bounds | None) -> tuple[str, list[Any]]:
            whole = bounds is not None and bounds.inside(bbox)
            if whole and not filters and condition is None:  # every feature with a position: the load counted them
                return f"SELECT located FROM {table}_bounds", []
            if bbox is None and not filters and condition is None:  # every row: the load counted them
                return LOADED_ROWS.format(table=table), [table]
            plain = bbox is not None and not whole and not filters and condition is None
            if plain and bounds is not None and bounds.mostly_covered(bbox):  # fewer features outside than in
                corners = _apart(bbox)  # four to a box
                counts = " + ".join([f"(SELECT count(*) FROM {table} WHERE {BOX_HOLDS})"] * (len(corners) // 4))
                return f"SELECT %s - ({counts})", [bounds.located, *corners]
            where, params = _where(collection, fields, None if whole else bbox, filters, whole, condition=condition)
            return f"SELECT count(*) FROM {table}{where}", params

        # A loaded table never changes, so neither does a count of it: a client paging through a large box has it
        # counted once ("open now", whose answers change with the minute, is kept by its minute: _question).
        rows, _ = self._read(
            collection,
            query,
            bounded=True,
            remembered=_question(bbox, filters, condition),
            kept_on=self._totals if bbox is None else None,
        )
        return rows[0][0]

    def span(self, collection: str, field: str) -> tuple[Any, Any] | None:
        """The least and greatest values of a field (text by code point), from one pass over the table."""

        def query(table: str, fields: list[dict[str, Any]]) -> tuple[str, list[Any]]:
            check_filters(collection, fields, {field: Between()})  # a field of the collection, with an order
            kind = next(column_type(spec) for spec in fields if spec["name"] == field)
            column = quote(field).replace("%", "%%") + (TEXT_ORDER if kind == "text" else "")
            return f"SELECT min({column}), max({column}) FROM {table}", []

        rows, _ = self._read(collection, query)
        low, high = rows[0]
        return None if low is None else (low, high)

    def commonest(self, collection: str, field: str, most: int) -> list[tuple[str, int]]:
        """The commonest values of a text field, from one pass over the table, ties by code point."""

        def query(table: str, fields: list[dict[str, Any]]) -> tuple[str, list[Any]]:
            check_text_field(collection, fields, field)
            column = quote(field).replace("%", "%%")
            return (
                f"SELECT {column}, count(*) AS n FROM {table} WHERE {column} IS NOT NULL "
                f"GROUP BY {column} ORDER BY n DESC, {column}{TEXT_ORDER} LIMIT %s",
                [most],
            )

        rows, _ = self._read(collection, query)
        return [(value, count) for value, count in rows]

    def extent(self, collection: str) -> BBox | None:
        """The box around the located features, as the load kept it (:class:`Bounds`).

        A table loaded before loads kept it takes one pass (the GiST index cannot say).
        """

        def query(table: str, _: list[dict[str, Any]], bounds: Bounds | None) -> tuple[str, list[Any]]:
            if bounds is not None:
                return f"SELECT west, south, east, north FROM {table}_bounds", []
            return f"SELECT min(geom[0]), min(geom[1]), max(geom[0]), max(geom[1]) FROM {table}", []

        rows, _ = self._read(collection, query, bounded=True)
        west, south, east, north = rows[0]
        return None if west is None else (west, south, east, north)

    def features(
        self,
        collection: str,
        bbox: BBox | None = None,
        limit: int = 10,
        offset: int = 0,
        filters: Filters | None = None,
        where: Condition | None = None,
        order: Order = (),
    ) -> list[Feature]:
        condition = where
        ends: list[Hashable] = []  # where a full page in load order would end: the key it is kept by

        def query(table: str, fields: list[dict[str, Any]], bounds: Bounds | None) -> tuple[str, list[Any]]:
            whole = bounds is not None and bounds.inside(bbox)
            box = None if whole else bbox  # a box round every feature asks for those with a position, in load order
            columns = _columns(fields)
            if bbox is None and not filters and condition is None and not order:  # every feature, by row number
                return f"SELECT {columns} FROM {table} {AFTER_OFFSET}", [offset, limit]
            # In load order, a page that follows one read before starts after that page's last row, as on SQLite
            # (SQLiteStore.features): the store keeps where each full page ended.
            question = _question(bbox, filters, condition)  # the count's (see count)
            pages = (table, *question, whole)  # the key of where its pages in load order ended, with their offset
            after = self._page_ends.kept((*pages, offset)) if offset and not order else None
            if not order:
                ends[:] = [(*pages, offset + limit)]
            skip = offset if after is None else 0
            if box is not None and not order and self._in_load_order(table, question, bounds, skip, limit):
                where, params = _where(collection, fields, None, filters, condition=condition)  # the box tested above
                walk = KEY_ORDER.format(table=table, after="" if after is None else " WHERE _rowid > %s")
                past = [] if after is None else [after]
                where = f"{where} AND {BOX_HOLDS}" if where else f" WHERE {BOX_HOLDS}"
                return f"SELECT {columns} FROM {walk}{where} {PAGE}", [*past, *params, *box, limit, skip]
            where, params = _where(collection, fields, box, filters, whole, condition=condition)
            if after is not None:
                where, params = f"{where} AND _rowid > %s", [*params, after]
            if box is not None and not order:  # the page's rowids sorted first, then only the page's rows read
                return (
                    f"SELECT {columns} FROM {table} JOIN (SELECT _rowid FROM {table}{where} "
                    f"ORDER BY {_load_order(box)} LIMIT %s OFFSET %s) AS page USING (_rowid) ORDER BY _rowid",
                    [*params, limit, skip],
                )
            sort = order_sql(collection, fields, order, POSTGRES) + ", " if order else ""
            return f"SELECT {columns} FROM {table}{where} ORDER BY {sort}{_load_order(box)} LIMIT %s OFFSET %s", [
                *params,
                limit,
                skip,
            ]

        rows, fields = self._read(collection, query, bounded=True)
        if ends and rows and len(rows) == limit:
            self._page_ends.get(ends[0], lambda: rows[-1][0])  # its _rowid
        return [_feature(row, fields) for row in deadline.paced(rows)]

    def _in_load_order(
        self, table: str, question: tuple[Any, ...], bounds: Bounds | None, offset: int, limit: int
    ) -> bool:
        """Whether a page of a box's features is read in load order (store.in_load_order), from the box's count.

        The count is the one :meth:`count` kept for the same ``question``, as
        the API counts a box before it reads the page; the rows, the located
        features its load counted.
        """
        counted = self._answers.kept((table, question))
        return (
            counted is not None and bounds is not None and in_load_order(counted[0][0], bounds.located, offset, limit)
        )

    def feature(self, collection: str, feature_id: str) -> Feature | None:
        rows, fields = self._read(
            collection, lambda table, fields: (f"SELECT {_columns(fields)} FROM {table} WHERE _id = %s", [feature_id])
        )
        return _feature(rows[0], fields) if rows else None

    def ids(self, collection: str, limit: int = 10, offset: int = 0) -> list[str]:
        rows, _ = self._read(
            collection,
            lambda table, _: (f"SELECT _id FROM {table} {AFTER_OFFSET}", [offset, limit]),
        )
        return [feature_id for (feature_id,) in rows]

    def nearest(
        self,
        collection: str,
        lon: float,
        lat: float,
        limit: int = 10,
        offset: int = 0,
        bbox: BBox | None = None,
        filters: Filters | None = None,
        where: Condition | None = None,
    ) -> list[tuple[Feature, float]]:
        """A page of the features nearest a point, by great-circle distance in metres, nearest first.

        The GiST index orders by distance in degrees, which is not distance on
        the ground (a degree of longitude is 0.6 of a degree of latitude in the
        Midlands), so its nearest matching features only bound the search
        radius: any ``offset + limit`` features lie within the radius of the
        farthest of them, so the nearest do too. The radius is the ``offset +
        limit``-th nearest on the ground of ``DEGREES_SHORTLIST`` times as many
        nearest by degrees, and of those nearest points around the point when
        degrees mislead (:func:`_anchors`). The matching features within it,
        found in bands of latitude (strips_around), are then ranked by true
        distance (ties in load order): from the spatial index alone when only
        the point is asked about (:func:`_in_bands`).
        """
        return self._nearest(collection, lon, lat, limit, offset, bbox, filters, [], where)

    def _nearest(
        self,
        collection: str,
        lon: float,
        lat: float,
        limit: int,
        offset: int,
        bbox: BBox | None,
        filters: Filters | None,
        words: list[str],
        condition: Condition | None = None,
    ) -> list[tuple[Feature, float]]:
        """:meth:`nearest`, of the features holding every word too (none: every feature)."""
        wanted = offset + limit

        def by_degrees(points: list[tuple[float, float]], each: int) -> Callable[..., tuple[str, list[Any]]]:
            def query(table: str, fields: list[dict[str, Any]]) -> tuple[str, list[Any]]:
                where, params = _where(
                    collection, fields, bbox, filters, located=True, words=words, condition=condition
                )
                one = f"(SELECT _rowid, geom[0], geom[1] FROM {table}{where} ORDER BY geom <-> point(%s, %s) LIMIT %s)"
                return " UNION ALL ".join([one] * len(points)), [
                    value for point in points for value in (*params, *point, max(each, 0))
                ]

            return query

        shortlist = by_degrees([(lon, lat)], wanted * DEGREES_SHORTLIST)
        found: set[tuple[int, float, float]] = set(self._read(collection, shortlist)[0])  # checks the filters too
        if limit <= 0 or not found:
            return []

        def reach() -> float:
            """Metres within which ``wanted`` of the features found so far lie: the ``wanted`` nearest lie within it."""
            return sorted(distance(lon, lat, x, y) for _, x, y in found)[min(wanted, len(found)) - 1]

        radius = reach()
        around = strips_around(lon, lat, radius)
        if len(found) == wanted * DEGREES_SHORTLIST and not _held(lon, lat, around, found):
            found.update(self._read(collection, by_degrees(_anchors(lon, lat, radius), wanted))[0])
            radius = reach()
            around = strips_around(lon, lat, radius)

        # Ranked from an index alone when one holds row numbers and every column the filters read (_in_index).
        needed = {"_rowid", *_read_by(filters, condition)}
        indexes = self._read(collection, _in_index, remembered=IN_INDEX, kept_on=self._made)[0]
        from_index = not words and any(needed <= set(columns) for (columns,) in indexes)

        def by_metres(table: str, fields: list[dict[str, Any]]) -> tuple[str, list[Any]]:
            if not from_index:  # the rows are read to check them, or to measure them: in one read of them all
                where, params = _where(
                    collection, fields, bbox, filters, words=words, condition=condition, any_of=around
                )
                return (
                    f"SELECT {_columns(fields)}, {HAVERSINE} AS _distance FROM {table}{where} "
                    "ORDER BY _distance, _rowid LIMIT %s OFFSET %s",
                    [2 * EARTH_RADIUS, lat, lat, lon, *params, limit, offset],
                )
            where, params = _where(collection, fields, bbox, filters, condition=condition)
            ranked, ranked_params = _in_bands(table, where, params, _bands(lon, lat, radius), lon, lat)
            return (
                f"SELECT {_columns(fields)}, near._distance FROM ({ranked} ORDER BY _distance, _rowid "
                f"LIMIT %s OFFSET %s) AS near JOIN {table} USING (_rowid) ORDER BY near._distance, _rowid",
                [*ranked_params, limit, offset],
            )

        rows, fields = self._read(collection, by_metres)
        return [(_feature(row[:-1], fields), row[-1]) for row in deadline.paced(rows)]

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
        where: Condition | None = None,
    ) -> Found | None:
        """A page of the features holding every word, and their count up to ``most``, from the GIN index.

        Each load stores its features' words (store.search_words) as a
        ``tsvector`` of those words as they are, so no text search
        configuration stems or drops them, and a ``tsquery`` of prefixes
        (``'word':*``, all of them) finds them through the GIN index. Nearest
        first, the words narrow :meth:`nearest`'s two queries.
        """
        wanted = search_words(" ".join(words))[:MOST_SEARCH_WORDS]
        condition = where

        def indexed(table: str, _: list[dict[str, Any]]) -> tuple[str, list[Any]]:
            return (
                "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(%s) "
                "AND attname = '_words' AND NOT attisdropped)",
                [table],
            )

        def counted(table: str, fields: list[dict[str, Any]]) -> tuple[str, list[Any]]:
            where, params = _where(collection, fields, bbox, filters, words=wanted, condition=condition)
            return f"SELECT count(*) FROM (SELECT 1 FROM {table}{where} LIMIT %s) AS found", [*params, most + 1]

        def page(table: str, fields: list[dict[str, Any]]) -> tuple[str, list[Any]]:
            where, params = _where(collection, fields, bbox, filters, words=wanted, condition=condition)
            order = _load_order(bbox)  # without a box the planner weighs the words' index against load order
            return f"SELECT {_columns(fields)} FROM {table}{where} ORDER BY {order} LIMIT %s OFFSET %s", [
                *params,
                limit,
                offset,
            ]

        def read() -> Found | None:
            deadline.check()
            if not self._read(collection, indexed)[0][0][0]:
                return None
            # A loaded table never changes, so neither does the count of a search of it (see count)
            asked = ("search", tuple(wanted), *_question(bbox, filters, condition), most)
            matched = self._read(collection, counted, remembered=asked)[0][0][0]
            if near is not None:
                found: list[tuple[Feature, float | None]] = [
                    *self._nearest(collection, *near, limit, offset, bbox, filters, wanted, condition)
                ]
            else:
                rows, fields = self._read(collection, page)
                found = [(_feature(row, fields), None) for row in deadline.paced(rows)]
            return Found(found, min(matched, most), matched <= most)

        return self.consistent(read)

    @contextmanager
    def ingesting(self) -> Iterator[None]:
        """The ingest lock: an advisory lock held by a connection of its own, which the server frees if it drops.

        It is let go of before the connection closes: the server frees a
        closed connection's locks only once it has noticed, and an ingest
        straight after this one could find the lock still held.
        """
        db = self._connect(autocommit=True)
        held: int | None = None  # the lock's key, once taken
        try:
            key = ingest_lock_key(db.execute("SELECT current_schema()").fetchone()[0])
            if not db.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0]:
                holder = db.execute(
                    "SELECT a.client_addr, a.backend_start, a.pid FROM pg_locks AS l JOIN pg_stat_activity AS a "
                    "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objid = %s",
                    [key & 0xFFFFFFFF],
                ).fetchone()
                where = stale = ""
                if holder:
                    where = f" (connected from {holder[0] or 'this machine'} since {holder[1]:%Y-%m-%d %H:%M})"
                    # A machine that stopped mid-ingest leaves its connection until the server notices, which
                    # by the operating system's defaults can take two hours or more: say how to end it now.
                    stale = (
                        " If no ingest is running there (its machine stopped), the server frees the lock once it "
                        "notices that connection has gone; whoever administers the database can free it now with "
                        f"SELECT pg_terminate_backend({int(holder[2])});"
                    )
                raise IngestRunning(
                    f"Another ingest into the PostgreSQL database {self.shown_url} is running{where}, perhaps on "
                    "another machine. Wait for it to finish, then run ingest again: what it loads serves as soon as "
                    f"each source commits.{stale}"
                )
            held = key
            yield
        finally:
            if held is not None and not (db.broken or db.closed):
                with suppress(psycopg.Error):  # the connection's end frees it all the same
                    db.execute("SELECT pg_advisory_unlock(%s)", [held])
            db.close()

    def check(self) -> str | None:
        try:
            with self._reader() as db:
                db.execute("SELECT 1").fetchone()
        except psycopg.Error as error:
            return f"{self.shown_url}: {self._safe(error)}"
        return None

    def prepare(self) -> None:
        """Nothing to make: the server keeps its own indexes in memory."""

    def close(self) -> None:
        """Close every read connection, those in use too; reading afterwards is a StoreError."""
        with self._guard:
            self._closed = True
            readers, self._readers = self._readers, []
        for db in readers:
            db.close()

    @contextmanager
    def _reader(self) -> Iterator[psycopg.Connection[Any]]:
        """A read connection for this block alone: an idle one, or a new one while there are fewer than the limit.

        A connection that broke (the server restarted, say) is closed and not
        used again, so the next read connects afresh. Inside :meth:`consistent`
        it is that read's own connection: a thread holding one of the limited
        connections must never wait for a second, or as many threads as there
        are connections would each hold one and wait for ever.
        """
        together = getattr(self._local, "db", None)
        if together is not None:
            yield together
            return
        closed = f"The store for {self.shown_url} is closed. Open it again to read from it."
        limit = deadline.current()  # a request waits for a connection no longer than its deadline
        if limit is None:
            self._free.acquire()
        elif not self._free.acquire(timeout=limit.left()):
            raise deadline.TooSlow(limit.seconds)
        try:
            if self._closed:
                raise StoreError(closed)
            try:
                db = self._idle.get_nowait()
            except queue.Empty:
                db = self._connect(autocommit=True)
                with self._guard:
                    if self._closed:
                        db.close()
                        raise StoreError(closed) from None
                    self._readers.append(db)
            try:
                with self._within_deadline(db):
                    yield db
            finally:
                if db.broken or db.closed:
                    with self._guard:
                        if db in self._readers:
                            self._readers.remove(db)
                    db.close()
                else:
                    self._idle.put(db)
        finally:
            self._free.release()

    @contextmanager
    def _within_deadline(self, db: psycopg.Connection[Any]) -> Iterator[None]:
        """Give the connection's statements the request's time left, and cancel them if its client goes.

        A statement stopped by either ends the request with TooSlow. Outside a
        request the connection has no statement_timeout.
        """
        limit = deadline.current()
        timeout = 0 if limit is None else max(1, int(limit.left() * 1000))
        if self._timeouts.get(db, 0) != timeout:
            db.execute("SELECT set_config('statement_timeout', %s, false)", [f"{timeout}ms"])
            self._timeouts[db] = timeout
        if limit is None:
            yield
            return
        limit.check()
        try:
            with limit.stopping(db.cancel_safe):
                yield
        except errors.QueryCanceled:
            raise deadline.TooSlow(limit.seconds) from None

    def consistent(self, read: Callable[[], T]) -> T:
        """Run ``read``, which calls this store's read methods, so that all its reads see the same load.

        Its reads share one connection in one REPEATABLE READ transaction. A
        load that drops a table between the snapshot and the first look at it
        fails the transaction, so ``read`` is then run again from the start.
        """
        if getattr(self._local, "db", None) is not None:
            return read()
        for attempt in range(1, READ_ATTEMPTS + 1):
            with self._reader() as db:
                db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                self._local.db, self._local.tables = db, {}
                try:
                    result = read()
                except errors.UndefinedTable:
                    if attempt == READ_ATTEMPTS:
                        raise
                    continue
                finally:
                    self._local.db, self._local.tables = None, None
                    if not (db.broken or db.closed):
                        db.execute("ROLLBACK")  # nothing was written; ends the transaction either way
            return result
        raise AssertionError("unreachable")

    def _read(
        self,
        collection: str,
        query: Callable[..., tuple[str, Sequence[Any]]],
        bounded: bool = False,
        remembered: Hashable | None = None,
        kept_on: Shelf[list[tuple[Any, ...]]] | None = None,
    ) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]]]:
        """Run ``query(table, fields)`` on a collection's live table and return its rows and the fields.

        With ``bounded``, ``query`` is given the table's :class:`Bounds` too
        (None for a table loaded before they were kept). With ``remembered``,
        a key naming the question, the rows are kept for the live table and
        given again without a query: on ``kept_on`` if given (the answers
        about how the table's load made it, or the counts of the whole
        collection, each kept apart from the counts of boxes), else among the
        latest answers. A load that commits between reading the
        catalogue and running the query drops the table just looked up; the
        query is then made again for the new one, up to ``READ_ATTEMPTS``
        times (on a busy machine a reader may be held up while more than one
        load commits).
        """

        def answer(db: psycopg.Connection[Any], table: str, fields: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
            _remember_hours(db, fields)
            extra = [self._bounds_of(db, table)] if bounded else []

            def ask() -> list[tuple[Any, ...]]:
                return db.execute(*query(table, fields, *extra)).fetchall()

            if remembered is None:
                return ask()
            return (self._answers if kept_on is None else kept_on).get((table, remembered), ask)

        together = getattr(self._local, "db", None)
        if together is not None:  # inside consistent(): one transaction, which consistent() retries whole
            tables: dict[str, tuple[str, list[dict[str, Any]]]] = self._local.tables
            live = tables.get(collection)
            if live is None:  # its snapshot cannot change: the count and the page need not each ask
                found = together.execute(LIVE_TABLE, [collection])
                row = found.fetchone()
                if row is None:
                    raise KeyError(collection)
                live = tables[collection] = (row[0], row[1])
            return answer(together, *live), live[1]
        with self._reader() as db:
            for attempt in range(1, READ_ATTEMPTS + 1):
                row = db.execute(LIVE_TABLE, [collection])
                found = row.fetchone()
                if found is None:
                    raise KeyError(collection)
                table, fields = found
                try:
                    return answer(db, table, fields), fields
                except errors.UndefinedTable:
                    if attempt == READ_ATTEMPTS:
                        raise
        raise AssertionError("unreachable")

    def _bounds_of(self, db: psycopg.Connection[Any], table: str) -> Bounds | None:
        """A live table's :class:`Bounds`, kept by its load beside it; None for a load made before they were."""

        def read() -> Bounds | None:
            if db.execute("SELECT to_regclass(%s)", [f"{table}_bounds"]).fetchone()[0] is None:
                return None
            row = db.execute(f"SELECT west, south, east, north, located FROM {table}_bounds").fetchone()
            return Bounds(*row) if row else None

        return self._bounds.get(table, read)

    def _connect(self, autocommit: bool) -> psycopg.Connection[Any]:
        db = None
        try:
            db = psycopg.connect(self.conninfo, autocommit=autocommit)
            if autocommit:  # a reader: floats in full, whatever the server's default (shortest exact since 12)
                db.execute("SET extra_float_digits = 3")
            return db
        except psycopg.Error as error:
            if db is not None:
                db.close()
            raise StoreError(
                f"Could not connect to the PostgreSQL database {self.shown_url}: {self._safe(error)}. "
                "Check that the server is running and reachable at that host and port, that the user name and "
                "password in DATABASE_URL are right, and that the database exists."
            ) from error

    def _safe(self, error: psycopg.Error) -> str:
        """An error's message without the password, on one line."""
        return " ".join(_scrub(str(error), self.password).split())


class _PostgresStaging:
    def __init__(
        self,
        db: psycopg.Connection[Any],
        collection: str,
        table: str,
        fields: list[dict[str, Any]],
        safe: Callable[[psycopg.Error], str],
    ) -> None:
        self.hours = HoursStaging(fields, table)  # the catalogue keeps its fields, which name the hours' tables
        self.db, self.collection, self.table, self.fields, self.safe = db, collection, table, self.hours.fields, safe
        self.names = [field["name"] for field in fields]
        self.words = FeatureWords(searched_fields(fields))
        columns = ", ".join(
            ["_rowid", "_id", "geom", "_row", "_extra", *(quote(name) for name in self.names), "_words", "_hours"]
        )
        # FREEZE, which a table made in the same transaction allows: its rows go in marked committed and its pages
        # all-visible, as VACUUM would leave them. Otherwise the first reads after the load mark every row and so
        # write the whole table again (a first scan of 200,000 rows wrote 12,042 pages) while serving.
        self.copy = f"COPY {table} ({columns}) FROM STDIN (FREEZE)"
        self.next_rowid = 1

    def add(self, features: Sequence[Feature]) -> None:
        start = self.next_rowid
        self.next_rowid += len(features)
        names, words, hours = self.names, self.words, self.hours.number
        try:
            # The queued writer sends rows from a thread while Python formats the next ones.
            with self.db.cursor() as cursor, cursor.copy(self.copy, writer=QueuedLibpqWriter(cursor)) as copy:
                write_row = copy.write_row
                for rowid, feature in enumerate(features, start):
                    write_row(
                        (
                            rowid,
                            feature.id,
                            _point_text(feature),
                            feature.row,
                            to_json(feature.extra),
                            *map(feature.properties.get, names),
                            _tsvector(words(feature)),
                            hours(feature.properties),
                        )
                    )
        except psycopg.Error as error:
            raise StoreError(
                f"Could not load collection {self.collection!r} into PostgreSQL: {self.safe(error)}"
            ) from error

    def commit(self, provenance: Provenance) -> None:
        table = self.table
        try:
            with self.db.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (_rowid)")
                cursor.execute(f"CREATE UNIQUE INDEX {table}_id ON {table} (_id)")
                # Each point with its row's number, so that near a point the features of a few boxes are ranked by
                # distance from the index alone (an index-only scan: a load is written all-visible), and only the
                # page's rows are read from the table (_nearest).
                cursor.execute(f"CREATE INDEX {table}_geom ON {table} USING gist (geom) INCLUDE (_rowid)")
                # And again with the columns of the boxes residents tick beside them, so that a box's or a point's
                # features are filtered by those from an index too: otherwise each feature in a box is a row read
                # from its own page of the table (a town's 2 km square holds about 4,000 of 1,000,000 features, in
                # as many pages). The planner reads the narrower index when nothing else is asked: one index with
                # both took half as long again for a box or a point without a filter.
                boxes = [*map(quote, boxed_fields(self.fields)), *["_hours"] * (self.hours.name is not None)]
                if boxes:
                    included = ", ".join(["_rowid", *boxes])
                    cursor.execute(f"CREATE INDEX {table}_boxes ON {table} USING gist (geom) INCLUDE ({included})")
                cursor.execute(f"CREATE INDEX {table}_words ON {table} USING gin (_words)")
                for number, name in enumerate(indexed_columns(self.fields)):
                    cursor.execute(f"CREATE INDEX {table}_by_{number} ON {table} ({quote(name)})")
                _stage_hours(cursor, table, self.hours)
                cursor.execute(  # the box round the features, and how many have a position (see Bounds)
                    f"CREATE TABLE {table}_bounds AS SELECT min(geom[0]) AS west, min(geom[1]) AS south, "
                    f"max(geom[0]) AS east, max(geom[1]) AS north, count(geom) AS located FROM {table}"
                )
                cursor.execute(f"ANALYZE {table}")
                # One commit at a time per collection, so each drops the table the one before it made.
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(self.collection)])
                old = cursor.execute(
                    f"SELECT table_name FROM {CATALOGUE} WHERE collection = %s", [self.collection]
                ).fetchone()
                columns = ", ".join(PROVENANCE_COLUMNS)
                cursor.execute(
                    f"INSERT INTO {CATALOGUE} (collection, table_name, fields, {columns}) "
                    f"VALUES (%s, %s, %s, {', '.join(['%s'] * len(PROVENANCE_COLUMNS))}) "
                    "ON CONFLICT (collection) DO UPDATE SET table_name = excluded.table_name, "
                    "fields = excluded.fields, "
                    + ", ".join(f"{name} = excluded.{name}" for name in PROVENANCE_COLUMNS),
                    [
                        self.collection,
                        table,
                        Jsonb(self.fields),
                        *(getattr(provenance, name) for name in PROVENANCE_COLUMNS),
                    ],
                )
                if old:
                    cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(old[0])))
                    for side in ("_hours", "_open", "_bounds"):  # none for a table loaded before each came
                        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(old[0] + side)))
            self.db.commit()
        except errors.UniqueViolation as error:
            found = re.search(r"=\((.*)\)", error.diag.message_detail or "")
            duplicate = found.group(1) if found else "?"
            raise StoreError(
                f"Could not load collection {self.collection!r}: two features share the id {duplicate!r}. "
                "Each record needs its own id; check the source's id column."
            ) from error
        except psycopg.Error as error:
            raise StoreError(
                f"Could not commit collection {self.collection!r} to PostgreSQL: {self.safe(error)}"
            ) from error


def _password(rest: str) -> str | None:
    """The password in the part of a URL after ``scheme://``, if there is one."""
    if match := re.match(r"[^:/?#@]*:([^@/?#]*)@", rest):
        return unquote(match.group(1))
    return None


def _scrub(message: str, password: str | None) -> str:
    """``message`` with every appearance of ``password`` replaced by ***."""
    return message.replace(password, "***") if password else message


def _add_later_columns(db: psycopg.Connection[Any]) -> None:
    """Give a catalogue made by an earlier version the columns added since (left empty until the next load)."""
    found = db.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped",
        [CATALOGUE],
    ).fetchall()
    if set(LATER_COLUMNS) <= {name for (name,) in found}:
        return
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(CATALOGUE)])
        added = ", ".join(f"ADD COLUMN IF NOT EXISTS {column} text" for column in LATER_COLUMNS)
        db.execute(f"ALTER TABLE {CATALOGUE} {added}")


def ingest_lock_key(schema: str) -> int:
    """The key of the ingest lock of the app whose tables are in ``schema``: apps in other schemas are not held up."""
    return _lock_key(f"{INGEST_LOCK} {schema}")


def _held(lon: float, lat: float, strips: list[BBox], found: set[tuple[int, float, float]]) -> bool:
    """Whether the features found nearest by degrees are every feature in the bands around the point.

    They are every feature nearer in degrees than the farthest of them, so
    every feature of the bands (strips_around the radius they give) whose
    farthest corners are nearer than that: the radius is then exact.
    """
    reach = max(math.hypot(x - lon, y - lat) for _, x, y in found)
    return all(
        math.hypot(max(lon - west, east - lon), max(lat - south, north - lat)) < reach
        for west, south, east, north in strips
    )


def _apart(bbox: BBox) -> list[float]:
    """The corners of four boxes that hold every point outside ``bbox`` and share none, each counted on its own.

    West of it, east of it, neither and south, neither and north. ``<@`` holds
    the points on a box's edges, and a point just outside an edge has a
    coordinate past it, so each box stops at the next float beyond the edge.
    """
    min_lon, min_lat, max_lon, max_lat = bbox
    west, east = math.nextafter(min_lon, -math.inf), math.nextafter(max_lon, math.inf)
    south, north = math.nextafter(min_lat, -math.inf), math.nextafter(max_lat, math.inf)
    far = math.inf
    boxes = [
        (-far, -far, west, far),
        (east, -far, far, far),
        (min_lon, -far, max_lon, south),
        (min_lon, north, max_lon, far),
    ]
    return [corner for box in boxes for corner in box]


def _in_index(table: str, _: list[dict[str, Any]]) -> tuple[str, list[Any]]:
    """The columns of each of the table's GiST indexes, a row each: its points and each one's row number, and
    in the second the columns of the boxes residents tick, as a load makes them now (_PostgresStaging.commit).

    An older load's indexes hold fewer columns: ranking its bands one by one
    (_in_bands) read its rows one by one for a column they lack (a point's
    row number made ``near`` slower, a 90th percentile of 31 ms against 13
    ms), so a filter on one is ranked as before until it is loaded again.
    """
    return (
        "SELECT array_agg(a.attname::text) FROM pg_index AS i JOIN pg_attribute AS a "
        "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indexrelid IN (to_regclass(%s), to_regclass(%s)) GROUP BY i.indexrelid",
        [f"{table}_geom", f"{table}_boxes"],
    )


def _patience() -> float | None:
    """How long this thread's request may wait for another's answer: what is left of its deadline, if it has one."""
    limit = deadline.current()
    return None if limit is None else max(limit.left(), 0.0)


def _question(bbox: BBox | None, filters: Filters | None, condition: Condition | None) -> tuple[Hashable, ...]:
    """What a count or a page answers, as the key it is kept by. "Open now" is kept by its minute: hours change
    on whole minutes, so the answers of a minute are the same, where its moment to the microsecond is new for
    every request, and so was each count of the features open now."""
    held = {
        name: OpenAt(local_minute(value.moment)) if isinstance(value, OpenAt) else value
        for name, value in (filters or {}).items()
    }
    return bbox, repr(held if filters is not None else None), repr(condition)


def _read_by(filters: Filters | None, condition: Condition | None) -> set[str]:
    """The columns that ``filters`` and ``condition`` read: each field's own, and for "open now" the hours'."""
    columns = {"_hours" if isinstance(value, OpenAt) else name for name, value in (filters or {}).items()}
    return columns | (fields_of(condition) if condition is not None else set())


def _bands(lon: float, lat: float, metres: float) -> list[BBox]:
    """:func:`strips_around` the point for :func:`_in_bands`: bands BAND_METRES tall at most, and STRIPS at most.

    Each band is a query of its own, which costs a descent of the index and
    its planning even when it finds nothing: near a town, where the circle is
    a few kilometres across, one box holds few more points than the circle.
    """
    return strips_around(lon, lat, metres, max(1, min(STRIPS, math.ceil(2 * metres / BAND_METRES))))


def _in_bands(
    table: str, where: str, params: list[Any], bands: list[BBox], lon: float, lat: float
) -> tuple[str, list[Any]]:
    """The points in the bands that meet ``where`` (on what the index holds), each with its row and ``_distance``.

    One query a band, each band leaving the points on its southern edge to
    the band before (bands meet at their edges, and each holds the circle's
    points along both), so that each reads the index alone: the table is
    read only for the page. Far out to sea, where the bands' corners reach a
    town the circle does not, the bands held 30,000 rows for a page of 50.
    """
    parts, values = [], []
    joiner = " AND " if where else " WHERE "
    for number, band in enumerate(bands):
        south = " AND geom[1] > %s" if number else ""
        parts.append(f"SELECT _rowid, {HAVERSINE} AS _distance FROM {table}{where}{joiner}{BOX_HOLDS}{south}")
        values += [2 * EARTH_RADIUS, lat, lat, lon, *params, *band, *([band[1]] if number else [])]
    return "SELECT _rowid, _distance FROM (" + " UNION ALL ".join(parts) + ") AS banded", values


def _anchors(lon: float, lat: float, metres: float) -> list[tuple[float, float]]:
    """Points half ``metres`` north, south, east and west of a point, from which to look for features nearest it.

    The index's nearest by degrees lie north and south of a point rather than
    east and west; far out to sea, they may lie on a coast twice as far as the
    nearest features, across the water the other way. The features nearest
    these points, a real set of features like any other, give a radius that
    may be shorter.
    """
    north = math.degrees(metres / 2 / EARTH_RADIUS)
    east = north / max(math.cos(math.radians(lat)), 0.01)
    return [(lon - east, lat), (lon + east, lat), (lon, max(lat - north, -90.0)), (lon, min(lat + north, 90.0))]


def _lock_key(name: str) -> int:
    """A signed 64-bit key for PostgreSQL's advisory locks."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def _where(
    collection: str,
    fields: list[dict[str, Any]],
    bbox: BBox | None,
    filters: Filters | None,
    located: bool = False,
    words: Sequence[str] = (),
    condition: Condition | None = None,
    any_of: Sequence[BBox] = (),
) -> tuple[str, list[Any]]:
    """A WHERE clause and its parameters for features inside ``bbox`` that match ``filters``.

    ``<@`` with a box is the form the GiST index answers; points on the box's
    edges are inside. A box whose minimum exceeds its maximum holds nothing,
    as in SQLite (PostgreSQL would swap its corners). Field names are the
    collection's own, checked and quoted (``%`` doubled for psycopg); every
    value is a parameter. Each of ``words`` (from store.search_words) must
    begin a word of the feature's. ``condition`` (store/conditions.py) must hold too. With ``any_of``,
    a feature must lie in one of those boxes as well: the index answers each, and the planner joins their answers.
    """
    clauses, params = ["geom IS NOT NULL"] if located else [], []
    if words:
        # Within ``any_of``'s few boxes the words are checked in each row: "IS TRUE" keeps the planner from also
        # reading the word index, whose matches for a word held by tens of thousands of features take tens of ms.
        clauses.append("(_words @@ %s::tsquery) IS TRUE" if any_of else "_words @@ %s::tsquery")
        params.append(" & ".join(_lexeme(word) + ":*" for word in words))
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        if min_lon > max_lon or min_lat > max_lat:
            return " WHERE false", []
        clauses.append(BOX_HOLDS)
        params += [min_lon, min_lat, max_lon, max_lat]
    if any_of:
        clauses.append("(" + " OR ".join([BOX_HOLDS] * len(any_of)) + ")")
        params += [value for box in any_of for value in box]
    kinds = {field["name"]: column_type(field) for field in fields}
    for name, value in check_filters(collection, fields, filters):
        column = quote(name).replace("%", "%%")
        if isinstance(value, Between):
            clause, values = between_clause(column, value, "%s", TEXT_ORDER if kinds[name] == "text" else "")
            clauses.append(clause)
            params += values
        elif isinstance(value, OpenAt):
            clause, values = _open_clause(fields, value)
            clauses.append(clause)
            params += values
        else:
            clauses.append(f"{column} = %s")
            params.append(value)
    if condition is not None:
        clause, values = render(collection, fields, condition, POSTGRES)
        clauses.append(clause)
        params += values
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _stage_hours(cursor: psycopg.Cursor[Any], table: str, hours: HoursStaging) -> None:
    """A load's opening hours beside its table, and the index that finds its features by their hours (opening.py)."""
    numbered, spans = hours.rows()
    cursor.execute(
        f"CREATE TABLE {table}_hours (hours integer PRIMARY KEY, osm text NOT NULL, weekly boolean NOT NULL)"
    )
    cursor.executemany(f"INSERT INTO {table}_hours VALUES (%s, %s, %s)", numbered)
    cursor.execute(f"CREATE TABLE {table}_open (start integer NOT NULL, stop integer NOT NULL, hours integer NOT NULL)")
    cursor.executemany(f"INSERT INTO {table}_open (hours, start, stop) VALUES (%s, %s, %s)", spans)
    cursor.execute(f"CREATE INDEX {table}_open_start ON {table}_open (start, stop, hours)")
    cursor.execute(f"CREATE INDEX {table}_by_hours ON {table} (_hours) WHERE _hours IS NOT NULL")
    cursor.execute(f"ANALYZE {table}_open")


def _open_clause(fields: list[dict[str, Any]], value: OpenAt) -> tuple[str, list[Any]]:
    """The features open at the moment: weekly hours whose span holds its minute, and the others open then."""
    table = next(filter(None, map(indexed_table, fields)))  # check_filters saw the field's hours indexed
    minute, others = open_hours(table, value.moment)
    # = ANY of an array, not IN a subquery: the planner then weighs the index on _hours against the table's
    # rows as for a short list of values, rather than hash the whole table against the subquery.
    return (
        f"_hours = ANY(ARRAY(SELECT hours FROM {table}_open WHERE start <= %s AND stop > %s "
        "UNION ALL SELECT unnest(%s::integer[])))",
        [minute, minute, others],
    )


def _remember_hours(db: psycopg.Connection[Any], fields: list[dict[str, Any]]) -> None:
    """Read a load's sometimes-true hours, once per load, in the transaction that reads its table (opening.py)."""
    table = next(filter(None, map(indexed_table, fields)), None)
    if table is not None:
        remember(table, lambda: db.execute(f"SELECT hours, osm FROM {table}_hours WHERE NOT weekly").fetchall())


def _lexeme(word: str) -> str:
    """A word as a lexeme of tsvector's and tsquery's text forms: quoted, its quotes and backslashes doubled."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsvector(words: Sequence[str]) -> str:
    """Words as COPY reads a ``tsvector``: each lexeme taken as it is, with no text search configuration."""
    return " ".join(_lexeme(word) for word in words)


def _columns(fields: list[dict[str, Any]]) -> str:
    """The columns :func:`_feature` reads, in its order (not the words), quoted with ``%`` doubled for psycopg."""
    names = (quote(field["name"]).replace("%", "%%") for field in fields)
    return ", ".join(["_rowid", "_id", "geom", "_row", "_extra", *names])


def _load_order(bbox: BBox | None) -> str:
    """What to order by for load order: with a box, ``_rowid + 0``, which no index provides.

    PostgreSQL cannot estimate how many points a box holds, and for a page of
    a few rows it may walk the primary key in order, testing each row against
    the box: the whole table, for a box over the sea. Ordering by an
    expression makes it use the GiST index to find the box's rows, then sort.
    """
    return "_rowid + 0" if bbox else "_rowid"


def _feature(row: tuple[Any, ...], fields: list[dict[str, Any]]) -> Feature:
    _, feature_id, geom, source_row, extra, *values = row
    lon, lat = _point(geom)
    properties = dict(zip((field["name"] for field in fields), values, strict=True))
    return Feature(feature_id, lon, lat, properties, extra, source_row)


def _point_text(feature: Feature) -> str | None:
    """A feature's position as COPY reads a ``point``; ``repr`` keeps every digit of a float."""
    if feature.lon is None or feature.lat is None:
        return None
    return f"({feature.lon!r},{feature.lat!r})"


def _point(text: str | None) -> tuple[float | None, float | None]:
    """A ``point`` as PostgreSQL prints it, ``(lon,lat)``, with every digit needed to read back the same float."""
    if text is None:
        return None, None
    lon, lat = text[1:-1].split(",")
    return float(lon), float(lat)
