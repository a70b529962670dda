"""The SQLite store: one file, no server, a spatial index from SQLite's R*Tree module.

The database runs in WAL mode, so the app keeps answering from the old data
while an ingest writes the new. A whole load is one transaction: if the ingest
fails or the process is killed, SQLite rolls it back and nothing is left over.

Loads write on the store's own connection. Each thread that reads gets a
read-only connection of its own, so the web server's threads query at once
(WAL lets many readers share the file, and Python's sqlite3 lets go of the
interpreter lock while SQLite works). Each read runs in one short read
transaction: it sees the data as of the last commit when it starts, and a
load that commits meanwhile cannot drop the table under it.

A loaded table never changes (a load makes a new one), so the store keeps in
memory, shared by its threads and bounded (shelf.py), what walks nearest
first read again and again: R*Tree nodes (rtree.Nodes), and the features
holding a search's words and meeting its filters, with the nodes above them
(postings.py). About 65 MB at most.
"""

from __future__ import annotations

import functools
import heapq
import json
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import orjson

from .. import deadline
from ..errors import ConfigError, StoreError
from . import (
    LATER_COLUMNS,
    MOST_SEARCH_WORDS,
    PROVENANCE_COLUMNS,
    WORLD,
    BBox,
    Between,
    Feature,
    FeatureWords,
    Filters,
    Found,
    Provenance,
    T,
    area,
    bbox_around,
    between_clause,
    check_filters,
    check_text_field,
    column_type,
    distance,
    grid,
    in_load_order,
    indexed_columns,
    intersection,
    quote,
    rtree,
    search_words,
    searched_fields,
    table_name,
)
from .conditions import All, Condition, In, Not, Order, Rendered, order_sql, render, sqlite_dialect
from .masks import ABSENT_KEY, BOXES_KEY, NOTHING, Clause, Mask, Masks, Nothing, Open, all_meet, few_values
from .opening import HoursStaging, OpenAt, every_open, indexed_table, open_hours, remember
from .postings import Narrowing, Postings
from .shelf import Shelf

SQL_TYPES = {"text": "TEXT", "number": "REAL", "integer": "INTEGER", "boolean": "INTEGER"}
CATALOGUE = "_collections"
FIRST_SEARCH_RADIUS = 1000.0  # metres; nearest() doubles it until the box holds enough features
SEARCH_REFINEMENTS = 10  # then halves the gap this many times, to within 1/1024 of the radius
# ... or this many when each step reads rows (filters, words, an exact box) rather than R*Tree entries alone: a
# step then costs more than the few more rows a box within 1/8 of the radius holds.
ROW_REFINEMENTS = 3
# A page of a load's rows in load order, after the first ``offset`` (parameters: offset, limit). A load numbers its
# rows 1, 2, 3... as it stages them (_SQLiteStaging.add) and never changes after, so the page is found by the
# table's key: OFFSET stepped over every row before it, reading the table's pages up to the page.
AFTER_OFFSET = "WHERE _rowid > ? ORDER BY _rowid LIMIT ?"
# A nearest page from the grid reads the whole rows of its candidates, rather than their positions first and then
# the page's rows, when they are at most this many times its length: a row costs about twice a position.
WHOLE_ROWS = 2
RANK_ALL_UP_TO = 2000  # matching features nearest() ranks all at once rather than search for with boxes
RTREE_OVERLAPS = "r.max_lon >= ? AND r.min_lon <= ? AND r.max_lat >= ? AND r.min_lat <= ?"
RTREE_WITHIN = "r.min_lon >= ? AND r.max_lon <= ? AND r.min_lat >= ? AND r.max_lat <= ?"
# The R*Tree entries that meet a box without lying inside it, in four parts that share no entry: across the west
# edge; across the east and not the west; across the south and neither; across the north alone. Each part bounds
# a coordinate on both sides of one edge, which lets the R*Tree skip every node not across that edge. With each
# part, the places in a BBox (min lon, min lat, max lon, max lat) of the edges its placeholders stand for.
STRADDLING = (
    ("r.min_lon < ?", (0,)),
    ("r.min_lon >= ? AND r.max_lon > ?", (0, 2)),
    ("r.min_lon >= ? AND r.max_lon <= ? AND r.min_lat < ?", (0, 2, 1)),
    ("r.min_lon >= ? AND r.max_lon <= ? AND r.min_lat >= ? AND r.max_lat > ?", (0, 2, 1, 3)),
)
# The R*Tree entries that do not meet a box, in four parts that share no entry: west of it; east of it; neither and
# south of it; neither and north of it. With each part, the places in a BBox of the edges its placeholders stand for.
APART = (
    ("r.max_lon < ?", (0,)),
    ("r.min_lon > ?", (2,)),
    ("r.max_lon >= ? AND r.min_lon <= ? AND r.max_lat < ?", (0, 2, 1)),
    ("r.max_lon >= ? AND r.min_lon <= ? AND r.min_lat > ?", (0, 2, 3)),
)
# A box whose area is less than this share of the area of every feature's box is counted from the inside (_count).
LEAST_AREA_FOR_OUTSIDE = 1 / 8
LOCATED = "SELECT count(*) FROM {table}_rtree_rowid"  # the R*Tree's entries: one for each feature with a position
# How far an R*Tree bound may lie outside the value it bounds, as a share of the value: a 32-bit float rounded
# outwards is within two units in its last place (2**-22 of the value); this allows 64 times as much.
RTREE_ROUNDING = 2**-16
BUSY_TIMEOUT_MS = 10000  # how long a connection waits for another's lock before giving up
QUICK_CHECK_PROBLEMS = 5  # how many problems check() names at most
FEWEST_READS, MOST_READS = 2, 8  # reads at once, whatever the cores (usable_cores says why)
MOST_ROOTS = 64  # live tables whose R*Tree root's box a store keeps (SQLiteStore._holds_all)
MOST_COUNTS = 64  # counts a store keeps, the latest asked (SQLiteStore.count)
MOST_PAGE_ENDS = 256  # where pages in load order ended that a store keeps, the latest read (SQLiteStore.features)
MOST_INSIDES, MOST_INSIDE_BYTES = 256, 8 * 2**20  # the boxes' features found from a grid that a store keeps at most
DEADLINE_STEPS = 1000  # how many steps of SQLite's virtual machine a read takes between looks at its deadline
# A live table's rows, as its load counted them in the catalogue, which saves a pass over a large table; a table
# loaded before the catalogue counted them is counted (coalesce runs its second query only when the first is NULL).
LOADED_ROWS = (
    f"SELECT coalesce((SELECT rows_loaded FROM {CATALOGUE} WHERE table_name = ?), (SELECT count(*) FROM {{table}}))"
)
# The word index: FTS5 over the _words column that each load fills with store.search_words' words, one space
# between them. The ascii tokenizer splits only at ASCII spaces and punctuation, so it keeps those words whole
# (any other character is part of a word), and detail=none keeps only which rows hold a word: enough for words
# that begin a word, which is all a search asks.
FTS_OPTIONS = "tokenize='ascii', detail='none'"
# FTS5 answers a prefix query ("stat"*) by merging every matching word's list of rows before the first row comes:
# tens of milliseconds for a common word. So a word typed is looked up in the load's list of words instead, and
# the words beginning with it are asked for by name, (station OR stations), which FTS5 streams in load order. A
# word that begins more than this many words (one or two letters, say) is common: it is looked for in each row.
MOST_TERMS = 64
MATCHES_AT_ONCE = 5000  # the word index's rowids _matches_meeting reads and tests at a time
LAST_CHARACTER = "\U0010ffff"  # after every character: a word and this bound the words beginning with it


def usable_cores() -> int:
    """The cores this process may run on, from 2 to 8: SQLite reads in the app's own process, a core each.

    A query lets go of Python's lock while SQLite works, so reads on as many
    threads as cores keep them busy; more threads only queue for the lock
    (web/workers.py). At least 2, so that one slow read leaves a thread for
    the rest; at most 8, past which Python's one lock, not the cores, is the limit.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(max(cores, FEWEST_READS), MOST_READS)


def database_path(url: str, project_dir: Path) -> Path:
    """The file of ``sqlite:///relative/path.db`` (from the project folder) or ``sqlite:////absolute/path.db``."""
    prefix = "sqlite:///"
    if not url.lower().startswith(prefix) or len(url) == len(prefix):
        raise ConfigError(
            f"database_url: {url!r} is not an SQLite URL with a path. "
            "Use sqlite:///data/app.db (relative to the project) or sqlite:////srv/app/app.db (absolute)."
        )
    path = Path(url[len(prefix) :])
    return path if path.is_absolute() else project_dir / path


class SQLiteStore:
    """A store in one SQLite file: one connection for loads, and one for each thread that reads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.reads_at_once = usable_cores()
        self.reads_in_process = True
        self._readers: list[sqlite3.Connection] = []  # every thread's, so that close() closes them all
        self._local = threading.local()
        self._opening = threading.Lock()
        self._closed = False
        self._indexed: dict[str, bool] = {}  # live table -> whether it has a word index (a table never changes)
        self._postings = Postings()
        self._masks = Masks()  # which features meet each filter, for nearest searches from the grid
        self._nodes = rtree.Nodes()
        self._roots: Shelf[BBox | None] = Shelf(MOST_ROOTS)  # live table -> the box its R*Tree's root covers
        # (live table, box, filters) -> how many features match; (live table, LOCATED) -> how many have a position
        self._counts: Shelf[int] = Shelf(MOST_COUNTS)
        # (live table, box, filters, whole layer, offset) -> the _rowid before the page at that offset, in load order
        self._page_ends: Shelf[int] = Shelf(MOST_PAGE_ENDS)
        self._grids = grid.Grids(self._grid_reader)  # large live tables' features by cell, for their boxes
        # (live table, box) -> the _rowids of the features inside it, from its grid (None: too many to look at)
        self._insides: Shelf[grid.Rowids | None] = Shelf(MOST_INSIDE_BYTES, _weight, MOST_INSIDES)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute(
                f"CREATE TABLE IF NOT EXISTS {CATALOGUE} (collection TEXT PRIMARY KEY, table_name TEXT NOT NULL, "
                "fields TEXT NOT NULL, theme TEXT, adapter TEXT, location TEXT, licence TEXT, attribution TEXT, "
                "fetched_at TEXT, rows_read INTEGER, rows_loaded INTEGER, rows_rejected INTEGER, "
                "area_code TEXT, area_name TEXT, source_digest TEXT)"
            )
            _add_later_columns(self.db)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(
                f"Could not open the SQLite database {path}: {error}. Check the folder exists and is writable."
            ) from error
        _require_rtree(self.db)

    @classmethod
    def from_url(cls, url: str, project_dir: Path) -> SQLiteStore:
        return cls(database_path(url, project_dir))

    @contextmanager
    def replacing(self, collection: str, fields: Sequence[dict[str, Any]]) -> Iterator[_SQLiteStaging]:
        table = table_name(collection, uuid.uuid4().hex[:12])
        columns = ", ".join(f"{quote(field['name'])} {SQL_TYPES[column_type(field)]}" for field in fields)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute(
                f"CREATE TABLE {table} (_rowid INTEGER PRIMARY KEY, _id TEXT NOT NULL, _lon REAL, _lat REAL, "
                f"_row INTEGER NOT NULL, _extra TEXT NOT NULL, {columns}, _words TEXT NOT NULL, _hours INTEGER)"
            )
            staging = _SQLiteStaging(self.db, collection, table, list(fields))
            try:
                yield staging
            finally:  # the batch's index entries may still be going in: they finish before any rollback
                staging.quiesce()
        finally:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")

    def provenance(self) -> list[Provenance]:
        with self._reading() as db:
            rows = db.execute(
                f"SELECT collection, {', '.join(PROVENANCE_COLUMNS)} FROM {CATALOGUE} ORDER BY collection"
            ).fetchall()
        return [Provenance(*row) for row in rows]

    def count(
        self, collection: str, bbox: BBox | None = None, filters: Filters | None = None, where: Condition | None = None
    ) -> int:
        with self._reading() as db:
            table, fields = self._live(db, collection)
            checked = _checked(collection, table, fields, filters, where)
            # A loaded table never changes, so neither does a count of it: a client paging through a large box
            # has it counted once (a time-dependent filter, "open now", holds its moment).
            question = (table, bbox, repr(checked))
            return self._counts.get(question, lambda: self._count(db, table, bbox, checked, fields))

    def _count(
        self,
        db: sqlite3.Connection,
        table: str,
        bbox: BBox | None,
        checked: list[tuple[str, Any]],
        fields: _Fields | None = None,
    ) -> int:
        """:meth:`count`; ``fields`` (the collection's) let filters be answered from masks (masks.py)."""
        whole = bbox is not None and self._holds_all(db, table, bbox)
        if whole and not checked:
            return self._located(db, table)
        inside = self._grid_inside(db, table, bbox, fields, checked) if bbox is not None and not whole else None
        if inside is not None:
            return len(inside)
        if bbox is not None and not whole and not checked:
            if self._mostly_inside(db, table, bbox):  # fewer entries to read outside the box than in it
                sql, params = _outside(table, bbox)
                return self._located(db, table) - db.execute(sql, params).fetchone()[0]
            sql, params = _inside(table, bbox)
            return db.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
        if bbox is None and not checked:  # every row: the load counted them (a load before it did is counted)
            return db.execute(LOADED_ROWS.format(table=table), [table]).fetchone()[0]
        if bbox is None and fields and (masks := self._large_masked(db, table, fields, checked)):  # as near counts
            return int(np.count_nonzero(all_meet(masks)))
        source, params = _matching(table, None if whole else bbox, checked, located=whole)
        return db.execute(f"SELECT count(*){source}", params).fetchone()[0]

    def _holds_all(self, db: sqlite3.Connection, table: str, bbox: BBox) -> bool:
        """Whether ``bbox`` holds every feature of a live table that has a position.

        It does when it holds the box of the R*Tree's root, whose bounds are
        rounded outwards. Such a box (a GIS client showing the whole layer, say)
        asks only for the features with a position: they are counted from the
        R*Tree's table of entries and paged from the table in load order, with
        no entry tested against the box. At 1,000,000 features that takes a few
        milliseconds where testing each entry took 300 (docs/performance.md).
        """
        root = self._root(db, table)
        return root is not None and intersection(bbox, root) == root

    def _root(self, db: sqlite3.Connection, table: str) -> BBox | None:
        """The box a live table's R*Tree root covers (rtree.root_box), read once."""
        return self._roots.get(table, lambda: rtree.root_box(db, table))

    def _located(self, db: sqlite3.Connection, table: str) -> int:
        """How many features of a live table have a position, counted once."""
        return self._counts.get((table, LOCATED), lambda: db.execute(LOCATED.format(table=table)).fetchone()[0])

    def _mostly_inside(self, db: sqlite3.Connection, table: str, bbox: BBox) -> bool:
        """Whether more than half of a live table's located features seem to lie inside ``bbox`` (rtree.share_inside).

        A GIS client's view of most of a layer, short of all of it: counting
        the features outside took 7 to 12 ms where counting those inside took
        100 ms at 1,000,000 features (docs/performance.md). A box of a small
        part of the layer's area is taken to hold a small part of it unread.
        """
        root = self._root(db, table)
        shared = None if root is None else intersection(bbox, root)
        if root is None or shared is None or area(shared) < LEAST_AREA_FOR_OUTSIDE * area(root):
            return False
        return rtree.share_inside(self._nodes, db, table, bbox) > 1 / 2

    def _in_load_order(
        self,
        db: sqlite3.Connection,
        table: str,
        bbox: BBox,
        offset: int,
        limit: int,
        checked: list[tuple[str, Any]] | None = None,
    ) -> bool:
        """Whether a page of the features in ``bbox`` is read in load order (store.in_load_order), from its count.

        The count is the one :meth:`count` kept for the box and the filters
        ``checked``, as the API counts before it reads the page; the rows are
        the load's, counted once.
        """
        matched = self._counts.kept((table, bbox, repr(checked or [])))
        if matched is None:
            return False
        rows = self._counts.get((table, None, repr([])), lambda: self._count(db, table, None, []))
        return in_load_order(matched, rows, offset, limit)

    def span(self, collection: str, field: str) -> tuple[Any, Any] | None:
        """The least and greatest values of a field, from one pass over the table (no index covers it)."""
        with self._reading() as db:
            table, fields = self._live(db, collection)
            check_filters(collection, fields, {field: Between()})  # a field of the collection, with an order
            column = f"{table}.{quote(field)}"
            low, high = db.execute(f"SELECT min({column}), max({column}) FROM {table}").fetchone()
        return None if low is None else (low, high)

    def commonest(self, collection: str, field: str, most: int) -> list[tuple[str, int]]:
        """The commonest values of a text field, from one pass over the table (grouped in a temporary b-tree)."""
        with self._reading() as db:
            table, fields = self._live(db, collection)
            check_text_field(collection, fields, field)
            column = f"{table}.{quote(field)}"
            rows = db.execute(
                f"SELECT {column}, count(*) AS n FROM {table} WHERE {column} IS NOT NULL "
                f"GROUP BY {column} ORDER BY n DESC, {column} LIMIT ?",
                [most],
            ).fetchall()
        return [(value, count) for value, count in rows]

    def extent(self, collection: str) -> BBox | None:
        """The box around the located features: the R*Tree root's box, made exact at each edge.

        The cells of the root node bound every entry in the tree, so one node
        gives the extent whatever the size of the collection. Its bounds are
        32-bit floats rounded outwards, so each edge is then made exact from
        the features whose entries lie within a rounding margin of it: the
        few at the edge, found through the R*Tree.
        """
        with self._reading() as db:
            table, _ = self._live(db, collection)
            rounded = rtree.root_box(db, table)
            if rounded is None:
                return None
            edges = [
                ("min", "_lon", "min_lon <= ?", rounded[0] + _margin(rounded[0])),
                ("min", "_lat", "min_lat <= ?", rounded[1] + _margin(rounded[1])),
                ("max", "_lon", "max_lon >= ?", rounded[2] - _margin(rounded[2])),
                ("max", "_lat", "max_lat >= ?", rounded[3] - _margin(rounded[3])),
            ]
            selects = [
                f"(SELECT {most}(t.{column}) FROM {table}_rtree AS r JOIN {table} AS t ON t._rowid = r.id "
                f"WHERE r.{near})"
                for most, column, near, _ in edges
            ]
            west, south, east, north = db.execute(
                f"SELECT {', '.join(selects)}", [bound for *_, bound in edges]
            ).fetchone()
        return (west, south, east, north)

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
        with self._reading() as db:
            table, fields = self._live(db, collection)
            checked = _checked(collection, table, fields, filters, where)
            sort = order_sql(collection, fields, order, sqlite_dialect(table)) + ", " if order else ""
            whole = bbox is not None and self._holds_all(db, table, bbox)
            if whole:  # every feature with a position, in load order
                bbox = None
            # In load order, a page that follows one read before starts after that page's last row rather than
            # stepping over the ``offset`` rows before it, as a client paging through a box or a filter asks: paging
            # through a region of 326,447 of 1,000,000 features, a page of 1000 took up to 365 ms by its end, each
            # slower than the last (docs/performance.md). The store keeps where each full page ended.
            every = bbox is None and not whole and not checked and not sort  # found by row number: nothing to keep
            question = (table, bbox, repr(checked), whole)
            after = self._page_ends.kept((*question, offset)) if offset and not sort and not every else None
            skip = 0 if after is not None else offset
            walk = bbox is not None and not sort and self._in_load_order(db, table, bbox, skip, limit, checked)
            inside = None if bbox is None or sort or walk else self._grid_inside(db, table, bbox, fields, checked)
            # Filters alone on a large load, as a GIS client pages a filtered layer: the page from the masks, as
            # quick at any depth, where OFFSET read every row before it (2.7 s at 250,000 open now).
            masks = self._large_masked(db, table, fields, checked) if checked and not (bbox or whole or sort) else None
            if masks:
                meeting = np.flatnonzero(all_meet(masks))  # in load order
                start = skip + (int(np.searchsorted(meeting, after, side="right")) if after is not None else 0)
                rows = self._grid_page(db, table, fields, meeting[start : start + limit], limit, 0, None)
            elif inside is not None:
                rows = self._grid_page(db, table, fields, inside, limit, skip, after)
            elif bbox is not None and not checked and not sort and not walk:
                rows = self._rtree_page(db, table, fields, bbox, limit, skip, after)
            elif every:  # every feature, as a GIS client pages them
                page = f"SELECT {_columns(table, fields)} FROM {table} {AFTER_OFFSET}"
                rows = db.execute(page, [offset, limit]).fetchall()
            else:
                source, params = _matching(table, bbox, checked, located=whole, after=after, indexed=not walk)
                rows = db.execute(
                    f"SELECT {_columns(table, fields)}{source} ORDER BY {sort}{table}._rowid LIMIT ? OFFSET ?",
                    [*params, limit, skip],
                ).fetchall()
            if not sort and not every and rows and len(rows) == limit:
                self._page_ends.get((*question, offset + limit), lambda: rows[-1][0])  # its _rowid
        return [_feature(row, fields) for row in deadline.paced(rows)]

    def _rtree_page(
        self,
        db: sqlite3.Connection,
        table: str,
        fields: _Fields,
        bbox: BBox,
        limit: int,
        offset: int,
        after: int | None,
    ) -> list[tuple[Any, ...]]:
        """A page of the features inside ``bbox`` in load order, after the _rowid ``after`` if given: the page's ids
        from the R*Tree (read edge by edge, see _inside), then only those rows."""
        sql, params = _inside(table, bbox)
        later, past = ("", []) if after is None else ("WHERE id > ? ", [after])
        return db.execute(
            f"SELECT {_columns(table, fields)} FROM (SELECT id FROM ({sql}) {later}ORDER BY id LIMIT ? OFFSET ?) "
            f"AS page JOIN {table} ON {table}._rowid = page.id ORDER BY {table}._rowid",
            [*params, *past, limit, offset],
        ).fetchall()

    def _grid_inside(
        self, db: sqlite3.Connection, table: str, bbox: BBox, fields: _Fields | None, checked: list[tuple[str, Any]]
    ) -> grid.Rowids | None:
        """The _rowids of the features inside ``bbox`` meeting the filters, in no order, from the table's grid
        (store/grid.py) and masks of the filters (masks.py); None if it has no grid yet, the box's cells hold too
        many or a filter cannot be masked. A feature whose bounds cross an edge is decided by its exact position, as
        :func:`_inside` decides it."""
        made = self._grids.get(table, self._located(db, table))
        if made is None:
            return None
        masks = self._masked(db, table, fields, checked)
        if masks is None:
            return None
        # A bbox request counts its box, then reads its page: the features inside are found once for both.
        inside = self._insides.get((table, bbox), lambda: self._exactly_inside(db, table, made, bbox))
        if inside is None or not masks:
            return inside
        return inside[all_meet(masks, inside)]

    def _large_masked(
        self, db: sqlite3.Connection, table: str, fields: _Fields, checked: list[tuple[str, Any]]
    ) -> list[Mask] | None:
        """:meth:`_masked`, for a load large enough for a grid (grid.LEAST_FEATURES); None for a smaller one, whose
        filters are answered from its rows about as fast."""
        return self._masked(db, table, fields, checked) if self._gridded(db, table) else None

    def _gridded(self, db: sqlite3.Connection, table: str) -> bool:
        """Whether a live table is large enough for a grid (grid.LEAST_FEATURES) and has one made."""
        return self._grids.get(table, self._located(db, table)) is not None

    def _masked(
        self, db: sqlite3.Connection, table: str, fields: _Fields | None, checked: list[tuple[str, Any]]
    ) -> list[Mask] | None:
        """A mask of each filter (masks.py); None if one cannot be masked, or a deadline stopped its read before."""
        clauses = _clauses(db, table, fields, checked) if checked else []
        return self._masks.meeting(db, table, clauses) if clauses is not None else None

    def _exactly_inside(self, db: sqlite3.Connection, table: str, made: grid.Grid, bbox: BBox) -> grid.Rowids | None:
        """The features inside ``bbox`` from ``made``, those across an edge looked up by their exact positions."""
        found = made.inside(bbox)
        if found is None:
            return None
        within, across = found
        if not len(across):
            return within
        min_lon, min_lat, max_lon, max_lat = bbox
        positions = rtree.exact_positions(db, table, across.tolist())
        exact = [rowid for rowid, (x, y) in positions.items() if min_lon <= x <= max_lon and min_lat <= y <= max_lat]
        return np.concatenate([within, np.array(exact, dtype=np.int64)])

    def _grid_nearest(
        self,
        db: sqlite3.Connection,
        table: str,
        fields: _Fields,
        point: tuple[float, float],
        wanted: int,
        checked: list[tuple[str, Any]],
    ) -> grid.Rowids | None:
        """The _rowids of features among which are the ``wanted`` nearest the point of those meeting the filters,
        with every tie at the last, from the table's grid (store/grid.py) and masks of the filters (masks.py); None
        if it has no grid yet, a filter cannot be masked, or the grid cannot tell from few enough."""
        made = self._grids.get(table, self._located(db, table))
        if made is None:
            return None
        masks = self._masked(db, table, fields, checked)
        return made.nearest(*point, wanted, masks) if masks is not None else None

    def _grid_page(
        self,
        db: sqlite3.Connection,
        table: str,
        fields: _Fields,
        inside: grid.Rowids,
        limit: int,
        offset: int,
        after: int | None,
    ) -> list[tuple[Any, ...]]:
        """A page of the features ``inside`` (from :meth:`_grid_inside`) in load order, after the _rowid ``after``
        if given: the lowest of their _rowids picked out in NumPy, then only those rows."""
        if after is not None:
            inside = inside[inside > after]
        end = offset + limit
        if len(inside) > end > 0:
            inside = np.partition(inside, end - 1)[:end]
        page = np.sort(inside)[offset:end]
        return db.execute(
            f"SELECT {_columns(table, fields)} FROM {table} WHERE _rowid IN {rtree.NUMBERS} ORDER BY _rowid",
            [rtree.json_list(page.tolist())],
        ).fetchall()

    def feature(self, collection: str, feature_id: str) -> Feature | None:
        with self._reading() as db:
            table, fields = self._live(db, collection)
            row = db.execute(f"SELECT {_columns(table, fields)} FROM {table} WHERE _id = ?", [feature_id]).fetchone()
        return _feature(row, fields) if row else None

    def ids(self, collection: str, limit: int = 10, offset: int = 0) -> list[str]:
        with self._reading() as db:
            table, _ = self._live(db, collection)
            rows = db.execute(f"SELECT _id FROM {table} {AFTER_OFFSET}", [offset, limit])
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

        The ``offset + limit`` nearest are ranked by true distance, ties in
        load order. Without a bbox, a large load's grid finds the candidates
        (grid.py), with a mask of each filter's features (masks.py). Where it
        cannot (a small load, a filter on a number, free text or a range, a
        point whose box would hold too many), a walk of the R*Tree's nodes
        nearest first finds them (see rtree.py), asking SQLite about each
        batch the filters; when a bbox or
        filters leave at most ``RANK_ALL_UP_TO`` features, they are all
        ranked; otherwise growing boxes on the R*Tree find the candidates
        (see :meth:`_around`).
        """
        with self._reading() as db:
            table, fields = self._live(db, collection)
            checked = _checked(collection, table, fields, filters, where)
            return self._nearest(db, table, fields, (lon, lat), limit, offset, bbox, checked, None)

    def _nearest(
        self,
        db: sqlite3.Connection,
        table: str,
        fields: _Fields,
        point: tuple[float, float],
        limit: int,
        offset: int,
        bbox: BBox | None,
        checked: list[tuple[str, Any]],
        plan: _Plan | None,
        few: bool | None = None,
        held: _Held | None = None,
    ) -> list[tuple[Feature, float]]:
        """:meth:`nearest`, of the features holding the words of a search's ``plan`` too.

        ``few`` says whether at most RANK_ALL_UP_TO features match, when a count
        has said already (None: find out). ``held`` is the set of features
        holding the words (and meeting the filters it can), when one is held.
        """
        lon, lat = point
        within = intersection(bbox, WORLD) if bbox else WORLD
        if limit <= 0 or within is None:
            return []
        wanted = offset + limit
        every = plan.words if plan else ()
        # The walk passes over the features outside the set, before bounding their distance
        holding, rest = (held.found, held.rest) if held and held.found is not None else (None, checked)
        looked_for = plan.scan if plan and holding is not None else every  # the words keep() looks for in rows

        def keep(rowids: list[int]) -> set[int]:
            """Those of the features that match the filters and words, and lie inside the bbox."""
            source, params = _matching(table, within if bbox else None, rest, words=looked_for, rowids=rowids)
            return {rowid for (rowid,) in db.execute(f"SELECT {table}._rowid{source}", params)}

        located: Iterable[tuple[int, float, float]] | None = None
        # Without a box or words, the candidates come from the grid, with masks of the filters if any
        candidates = None if bbox or plan else self._grid_nearest(db, table, fields, point, wanted, rest)
        if candidates is not None:
            if len(candidates) <= limit * WHOLE_ROWS:  # their rows give their positions
                rows = db.execute(
                    f"SELECT {_columns(table, fields)} FROM {table} WHERE _rowid IN {rtree.NUMBERS}",
                    [rtree.json_list(candidates.tolist())],
                )
                nearest = heapq.nsmallest(wanted, ((distance(lon, lat, row[2], row[3]), row[0], row) for row in rows))
                return [(_feature(row, fields), metres) for metres, _, row in deadline.paced(nearest[offset:])]
            positions = rtree.exact_positions(db, table, candidates.tolist())
            located = [(rowid, x, y) for rowid, (x, y) in positions.items()]
        elif not (bbox or checked or plan):  # any located feature may be among them: the R*Tree's walk finds them
            located = rtree.nearest_candidates(db, table, lon, lat, wanted, nodes=self._nodes)
        elif few and holding is not None and not (bbox or rest or looked_for):  # the set is every match: rank it
            positions = rtree.exact_positions(db, table, sorted(holding))
            located = [(rowid, x, y) for rowid, (x, y) in positions.items() if x is not None]
        elif not few:  # the walk, keeping to the filters; it gives up when they match too few nearby
            asks = bool(bbox or rest or looked_for)
            branches = None
            if holding is not None and plan and plan.match and held:  # the R*Tree's branches with one of the set
                branches = self._postings.branches(db, table, plan.match, held.meeting)
            located = rtree.nearest_candidates(
                db,
                table,
                lon,
                lat,
                wanted,
                within if bbox else None,
                keep if asks else None,
                holding,
                nodes=self._nodes,
                branches=branches,
            )
        if located is None and few is not False:  # few features are ranked all at once, quicker than growing boxes
            match, words = (plan.match, plan.scan) if plan else (None, ())
            source, params = _matching(table, within if bbox else None, checked, True, True, words, match)
            found = db.execute(
                f"SELECT {table}._rowid, {table}._lon, {table}._lat{source} LIMIT ?",
                [*params, RANK_ALL_UP_TO + 1],
            ).fetchall()
            located = found if len(found) <= RANK_ALL_UP_TO else None
        if located is None:
            located = self._around(db, table, point, wanted, within, checked, bbox is not None, every)
        ranked = heapq.nsmallest(wanted, ((distance(lon, lat, x, y), rowid) for rowid, x, y in located))[offset:]
        rows = db.execute(
            f"SELECT {_columns(table, fields)} FROM {table} WHERE _rowid IN ({', '.join('?' * len(ranked))})",
            [rowid for _, rowid in ranked],
        )
        by_rowid = {row[0]: row for row in rows}
        return [(_feature(by_rowid[rowid], fields), metres) for metres, rowid in deadline.paced(ranked)]

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
        """A page of the features holding every word, and their count up to ``most``, from the FTS5 index.

        The index finds the features holding the words, in load order, and the
        count stops at ``most``. Nearest first, a point is ranked as
        :meth:`nearest` ranks it: all the matching features at once when there
        are few, else growing boxes on the R*Tree, in which the words are
        looked for in each box's rows (a prefix query on the index costs the
        same whichever rows it is asked about).
        """
        wanted = search_words(" ".join(words))[:MOST_SEARCH_WORDS]
        with self._reading() as db:
            table, fields = self._live(db, collection)
            if not self._has_index(db, table):
                return None
            checked = _checked(collection, table, fields, filters, where)
            plan = _plan(db, table, wanted)
            if plan is None:  # a word begins no word of any feature
                return Found([], 0, True)
            source, params = _matching(table, bbox, checked, words=plan.scan, match=plan.match)
            # Nearest first or filtered, the features holding the words are read into a set once, and counted there
            held = (
                self._held(db, table, fields, plan, checked, near is not None) if near is not None or checked else None
            )
            if held and held.found is not None and not (bbox or held.rest or plan.scan):
                matched = len(held.found)
            elif plan.match and not (bbox or checked or plan.scan):  # the word index alone counts, no row read
                query = f"SELECT count(*) FROM (SELECT 1 FROM {table}_fts WHERE {table}_fts MATCH ? LIMIT ?)"
                (matched,) = db.execute(query, [plan.match, most + 1]).fetchone()
            elif plan.match and not (bbox or plan.scan) and (masks := self._large_masked(db, table, fields, checked)):
                matched = _matches_meeting(db, table, plan.match, masks, most + 1)
            else:
                query = f"SELECT count(*) FROM (SELECT 1{source} LIMIT ?)"
                (matched,) = db.execute(query, [*params, most + 1]).fetchone()
            if near is not None:
                few = matched <= min(most, RANK_ALL_UP_TO)  # past the count's limit, too many to rank all
                words_plan = plan if wanted else None
                page: list[tuple[Feature, float | None]] = [
                    *self._nearest(db, table, fields, near, limit, offset, bbox, checked, words_plan, few, held)
                ]
            else:
                order = f"{table}_fts.rowid" if plan.match else f"{table}._rowid"
                rows = db.execute(
                    f"SELECT {_columns(table, fields)}{source} ORDER BY {order} LIMIT ? OFFSET ?",
                    [*params, limit, offset],
                ).fetchall()
                page = [(_feature(row, fields), None) for row in deadline.paced(rows)]
        return Found(page, min(matched, most), matched <= most)

    def _held(
        self,
        db: sqlite3.Connection,
        table: str,
        fields: _Fields,
        plan: _Plan,
        checked: list[tuple[str, Any]],
        walking: bool,
    ) -> _Held:
        """The set of features holding the words the index finds, narrowed to the filters that stay the same.

        A filter on opening hours changes with the minute, so it is left to
        ask about, as is any whose parameters are not plain values; on a
        large load the set is then narrowed to the features open now by the
        mask of the minute (:meth:`_opened`). When no narrowed set can be
        held, the words' own set is read only for a ``walking`` search
        (nearest first), the one use it has.
        """
        if plan.match is None:
            return _Held(None, checked)
        steady = [(name, value) for name, value in checked if not isinstance(value, OpenAt)]
        opens = [(name, value) for name, value in checked if isinstance(value, OpenAt)]
        clauses, params = _conditions(table, steady)
        if clauses and all(value is None or isinstance(value, (str, int, float, bytes)) for value in params):
            meeting = (tuple(clauses), tuple(params))
            found = self._postings.holding(db, table, plan.match, meeting)
            if found is not None:
                return self._opened(db, table, fields, _Held(found, opens, meeting))
        if walking or (opens and self._gridded(db, table)):  # the words' own set, to walk or to narrow to the open
            return self._opened(db, table, fields, _Held(self._postings.holding(db, table, plan.match), checked))
        return _Held(None, checked)

    def _opened(self, db: sqlite3.Connection, table: str, fields: _Fields, held: _Held) -> _Held:
        """``held`` with its set narrowed to the features open now and "open now" no longer left to ask, from the
        mask of the minute (masks.py), on a load large enough for a grid; ``held`` itself otherwise.

        Asking SQLite about each feature of the set took 44 ms of CPU a page
        of a word search near a point open now, at 1,000,000 features, where
        the same search without open now took 4 ms (docs/performance.md).
        """
        opens = [(name, value) for name, value in held.rest if isinstance(value, OpenAt)]
        masks = self._large_masked(db, table, fields, opens) if held.found is not None and opens else None
        if held.found is None or not masks:
            return held
        rowids = np.fromiter(held.found, dtype=np.int64, count=len(held.found))
        kept = frozenset(rowids[all_meet(masks, rowids)].tolist())
        return _Held(kept, [(name, value) for name, value in held.rest if not isinstance(value, OpenAt)], held.meeting)

    def _has_index(self, db: sqlite3.Connection, table: str) -> bool:
        """Whether a live table has a word index (a table loaded by an earlier version has none)."""
        if table not in self._indexed:
            found = db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [f"{table}_terms"]).fetchone()
            self._indexed[table] = found is not None
        return self._indexed[table]

    def _around(
        self,
        db: sqlite3.Connection,
        table: str,
        point: tuple[float, float],
        wanted: int,
        within: BBox,
        checked: list[tuple[str, Any]],
        exact: bool,
        words: Sequence[str],
    ) -> Iterable[tuple[int, float, float]]:
        """Each matching feature's _rowid and position in a box around the point holding the ``wanted`` nearest.

        The R*Tree answers boxes, not distances. A box around the point (inside
        ``within``) grows, then shrinks, until it just holds ``wanted`` matching
        features; the distance to the farthest of the ``wanted`` nearest of
        those bounds the radius in which the ``wanted`` nearest of all must lie.
        When that radius is no more than the box's, the box holds them all
        already (a box holds the circle it is drawn around) and is not read again.
        """
        lon, lat = point
        radius = self._radius_holding(db, table, point, wanted, within, checked, exact, words)
        if radius is None:
            return []
        box = intersection(bbox_around(lon, lat, radius), within)
        source, params = _matching(table, box, checked, exact, words=words)
        inside = db.execute(f"SELECT {table}._rowid, {table}._lon, {table}._lat{source}", params).fetchall()
        distances = sorted(distance(lon, lat, x, y) for _, x, y in inside)
        reach = distances[min(wanted, len(distances)) - 1]
        if reach <= radius:
            return inside
        source, params = _matching(table, intersection(bbox_around(lon, lat, reach), within), checked, words=words)
        return db.execute(f"SELECT {table}._rowid, {table}._lon, {table}._lat{source}", params)

    def _radius_holding(
        self,
        db: sqlite3.Connection,
        table: str,
        point: tuple[float, float],
        wanted: int,
        within: BBox,
        checked: list[tuple[str, Any]],
        exact: bool,
        words: Sequence[str],
    ) -> float | None:
        """A radius whose box (inside ``within``) just holds ``wanted`` matching features, or all there are.

        None if there are none. The radius doubles until its box holds enough
        or covers ``within``, then the gap is halved a few times, so a point
        far from the data does not end with a box around most of it. Each step
        counts only up to ``wanted`` features, and without filters or an exact
        box it counts R*Tree entries alone.
        """

        def holds(box: BBox | None) -> int:
            if box is None:
                return 0
            if exact or checked or words:
                source, params = _matching(table, box, checked, exact, words=words)
            else:
                source, params = f" FROM {table}_rtree AS r WHERE {RTREE_OVERLAPS}", [box[0], box[2], box[1], box[3]]
            return db.execute(f"SELECT count(*) FROM (SELECT 1{source} LIMIT ?)", [*params, wanted]).fetchone()[0]

        low, high = 0.0, FIRST_SEARCH_RADIUS
        while True:
            box = bbox_around(*point, high)
            found = holds(intersection(box, within))
            if found >= wanted:
                break
            if box == WORLD or intersection(box, within) == within:
                return high if found else None
            low, high = high, high * 2
        for _ in range(ROW_REFINEMENTS if exact or checked or words else SEARCH_REFINEMENTS):
            middle = (low + high) / 2
            if holds(intersection(bbox_around(*point, middle), within)) >= wanted:
                high = middle
            else:
                low = middle
        return high

    def ingesting(self) -> AbstractContextManager[None]:
        return nullcontext()

    def check(self) -> str | None:
        try:
            with self._reading() as db:
                found = [row[0] for row in db.execute(f"PRAGMA quick_check({QUICK_CHECK_PROBLEMS})")]
        except sqlite3.DatabaseError as error:
            return f"{self.path}: {error}"
        return None if found == ["ok"] else f"{self.path}: {'; '.join(found)}"

    def prepare(self) -> None:
        """Begin making the grid of the first large collection (store/grid.py); the others' begin at their first box.

        A grid takes about a second a million features to make, and the R*Tree
        answers until it is made.
        """
        try:
            with self._reading() as db:
                for (table,) in db.execute(f"SELECT table_name FROM {CATALOGUE}").fetchall():
                    self._grids.get(table, self._located(db, table))
        except sqlite3.Error as error:  # the app still starts, reading from the R*Tree
            grid.LOG.warning("No grid was begun as the app started (%s).", error)

    def close(self) -> None:
        """Close the load connection and every thread's read connection; reading afterwards is a StoreError."""
        with self._opening:
            self._closed = True
            readers, self._readers = self._readers, []
        for db in readers:
            db.close()
        self.db.close()

    def consistent(self, read: Callable[[], T]) -> T:
        """Run ``read``, which calls this store's read methods, so that all its reads see the same load.

        Its reads share this thread's read transaction: WAL keeps the state of
        the first query for them whatever commits meanwhile.
        """
        if self._together() is not None:
            return read()
        with self._reading():
            self._local.tables = {}
            try:
                return read()
            finally:
                self._local.tables = None

    def _together(self) -> dict[str, tuple[str, _Fields]] | None:
        """The live tables looked up so far in this thread's :meth:`consistent` read; None outside one."""
        tables: dict[str, tuple[str, _Fields]] | None = getattr(self._local, "tables", None)
        return tables

    def _live(self, db: sqlite3.Connection, collection: str) -> tuple[str, _Fields]:
        """The collection's live table and fields (see :func:`_live`), looked up once in a :meth:`consistent` read.

        Its snapshot cannot change, so the count and the page of one request
        need not each read the catalogue.
        """
        tables = self._together()
        if tables is None:
            return _live(db, collection)
        found = tables.get(collection)
        if found is None:
            found = tables[collection] = _live(db, collection)
        return found

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """This thread's read connection, in one read transaction for the block, so it reads one state of the data.

        The transaction starts at the first query, which sees the latest commit,
        and ends with the block, so no snapshot outlives a call (or a
        :meth:`consistent` read, inside which blocks share its transaction).
        """
        db = self._reader()
        deadline.check()
        together = self._together() is not None
        if not together:
            if db.in_transaction:  # left open by a fault: the block reads the latest commit, as every block does
                _unstopped(db, "ROLLBACK")
            _unstopped(db, "BEGIN")
        try:
            yield db
        except sqlite3.OperationalError as error:
            stopped = deadline.current()  # a block's own deadline, which may be shorter than its request's
            if stopped is not None and stopped.passed() and "interrupt" in str(error):
                raise deadline.TooSlow(stopped.seconds) from None
            raise
        finally:
            if not together and db.in_transaction:
                _unstopped(db, "COMMIT")

    def _grid_reader(self) -> sqlite3.Connection:
        """A read-only connection of its own, for a grid's making (store/grid.py), which closes it."""
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA query_only = ON")
        return db

    def _reader(self) -> sqlite3.Connection:
        """This thread's read-only connection, opened on its first read."""
        if self._closed:
            raise StoreError(f"The store for {self.path} is closed. Open it again to read from it.")
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            with self._opening:
                if self._closed:
                    raise StoreError(f"The store for {self.path} is closed. Open it again to read from it.")
                db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                self._readers.append(db)  # before the pragmas, so that close() closes it whatever happens
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA query_only = ON")
            db.set_progress_handler(_past_deadline, DEADLINE_STEPS)
            self._local.db = db
        return db


class _SQLiteStaging:
    """A load's new table, filled by one prepared INSERT per batch, with its R*Tree and word index beside it.

    Each batch's entries in the R*Tree and the word index are made from the
    rows just written, in a thread of their own, while the loading thread
    checks the next batch: SQLite does that work without Python's lock, so it
    runs on another core. The entries go in in the table's order, so the
    indexes hold what filling them from the whole table at commit would give.
    The next batch, or the commit, waits for them and raises any error they
    met, so the load stops and rolls back as if it had met it itself. The
    unique index of ids is built once, at commit.
    """

    def __init__(self, db: sqlite3.Connection, collection: str, table: str, fields: list[dict[str, Any]]) -> None:
        self.hours = HoursStaging(fields, table)  # the catalogue keeps its fields, which name the hours' tables
        self.db, self.collection, self.table, self.fields = db, collection, table, self.hours.fields
        self.names = [field["name"] for field in fields]
        self.words = FeatureWords(searched_fields(fields))
        self.extra_json = json.JSONEncoder(ensure_ascii=False, default=str).encode  # json.dumps's, made once
        placeholders = ", ".join("?" * (8 + len(fields)))
        self.insert = f"INSERT INTO {table} VALUES ({placeholders})"
        self.next_rowid = 1
        self.indexing: threading.Thread | None = None  # filling the indexes from the last batch's rows
        self.failed: BaseException | None = None  # what stopped it
        db.execute(f"CREATE VIRTUAL TABLE {table}_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat)")
        db.execute(
            f"CREATE VIRTUAL TABLE {table}_fts USING fts5(_words, content='{table}', content_rowid='_rowid', "
            f"{FTS_OPTIONS})"
        )
        self.index_rows = (
            f"INSERT INTO {table}_rtree SELECT _rowid, _lon, _lon, _lat, _lat FROM {table} "
            "WHERE _rowid BETWEEN ? AND ? AND _lon IS NOT NULL",
            f"INSERT INTO {table}_fts (rowid, _words) SELECT _rowid, _words FROM {table} WHERE _rowid BETWEEN ? AND ?",
        )

    def add(self, features: Sequence[Feature]) -> None:
        start = self.next_rowid
        names, words, extra_json, hours = self.names, self.words.text, self.extra_json, self.hours.number
        rows = [
            (
                rowid,
                feature.id,
                feature.lon,
                feature.lat,
                feature.row,
                extra_json(feature.extra),
                *map(feature.properties.get, names),
                words(feature),
                hours(feature.properties),
            )
            for rowid, feature in enumerate(features, start)
        ]
        self._settle()
        self.db.executemany(self.insert, rows)
        self.next_rowid += len(rows)
        if rows:
            self.indexing = threading.Thread(
                target=self._index, args=(start, self.next_rowid - 1), name=f"indexing {self.table}", daemon=True
            )
            self.indexing.start()

    def _index(self, first: int, last: int) -> None:
        """Put rows ``first`` to ``last`` in the R*Tree and the word index (run in a thread of its own).

        A load left without commit waits for this before it rolls back (see
        :meth:`quiesce`); should the transaction be gone all the same, nothing
        more is written.
        """
        try:
            for statement in self.index_rows:
                if not self.db.in_transaction:  # the load was left without commit
                    return
                self.db.execute(statement, [first, last])
        except BaseException as error:  # raised in the loading thread by the next batch or the commit
            self.failed = error

    def quiesce(self) -> None:
        """Wait for the last batch's index entries, whatever stopped the load, leaving any error of theirs unsaid.

        A load left without commit (an error, Ctrl+C) rolls back on this
        connection, which must not happen while the thread still writes on it.
        """
        if self.indexing is not None:
            self.indexing.join()
            self.indexing = None

    def _settle(self) -> None:
        """Wait for the last batch's index entries; raise what stopped them, if anything did."""
        self.quiesce()
        if self.failed is not None:
            raise self.failed

    def commit(self, provenance: Provenance) -> None:
        self._settle()
        table = self.table
        try:
            self.db.execute(f"CREATE UNIQUE INDEX {table}_id ON {table} (_id)")
        except sqlite3.IntegrityError as error:
            (duplicate,) = self.db.execute(f"SELECT _id FROM {table} GROUP BY _id HAVING count(*) > 1").fetchone()
            raise StoreError(
                f"Could not load collection {self.collection!r}: two features share the id {duplicate!r}. "
                "Each record needs its own id; check the source's id column."
            ) from error
        # Each word the index holds, once, in order: a search finds the words that begin with each word typed.
        self.db.execute(f"CREATE VIRTUAL TABLE temp.{table}_vocab USING fts5vocab(main, {table}_fts, 'row')")
        self.db.execute(f"CREATE TABLE {table}_terms (term TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.execute(f"INSERT INTO {table}_terms SELECT term FROM temp.{table}_vocab")
        self.db.execute(f"DROP TABLE temp.{table}_vocab")
        for number, name in enumerate(indexed_columns(self.fields)):
            self.db.execute(f"CREATE INDEX {table}_by_{number} ON {table} ({quote(name)})")
        _stage_hours(self.db, table, self.hours)
        old = self.db.execute(f"SELECT table_name FROM {CATALOGUE} WHERE collection = ?", [self.collection]).fetchone()
        values = [getattr(provenance, name) for name in PROVENANCE_COLUMNS]
        self.db.execute(
            f"INSERT OR REPLACE INTO {CATALOGUE} (collection, table_name, fields, {', '.join(PROVENANCE_COLUMNS)}) "
            f"VALUES (?, ?, ?, {', '.join('?' * len(PROVENANCE_COLUMNS))})",
            [self.collection, table, json.dumps(self.fields), *values],
        )
        if old:
            self.db.execute(f"DROP TABLE IF EXISTS {old[0]}_fts")  # none for a table loaded before word search
            self.db.execute(f"DROP TABLE IF EXISTS {old[0]}_terms")
            self.db.execute(f"DROP TABLE IF EXISTS {old[0]}_hours")  # none for a table loaded before "open now"
            self.db.execute(f"DROP TABLE IF EXISTS {old[0]}_open")
            self.db.execute(f"DROP TABLE {old[0]}_rtree")
            self.db.execute(f"DROP TABLE {old[0]}")
        self.db.execute("COMMIT")


def _weight(found: grid.Rowids | None) -> int:
    """What the features found inside a box weigh on the store's shelf."""
    return 0 if found is None else found.nbytes


def _unstopped(db: sqlite3.Connection, statement: str) -> None:
    """Run a statement that begins or ends a read transaction without the deadline's progress handler.

    SQLite counts a prepared statement's steps across its runs, and Python
    keeps ``COMMIT`` and ``BEGIN`` prepared, so the handler is asked inside
    one of them every few hundred runs. Asked after a request's deadline, it
    stopped the ``COMMIT``, which could leave the transaction open: every
    later ``BEGIN`` on that thread's connection was then refused, and half a
    server's answers were errors until it restarted. A COMMIT that fails all
    the same rolls back, which ends a read transaction as well.
    """
    db.set_progress_handler(None, 0)
    try:
        db.execute(statement)
    except sqlite3.Error:
        if statement == "COMMIT" and db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.set_progress_handler(_past_deadline, DEADLINE_STEPS)


def _past_deadline() -> int:
    """SQLite's progress handler: non-zero, which interrupts the query, once the request's deadline has passed."""
    stopped = deadline.current()
    return 1 if stopped is not None and stopped.passed() else 0


def _matching(
    table: str,
    bbox: BBox | None,
    checked: list[tuple[str, Any]],
    exact: bool = True,
    located: bool = False,
    words: Sequence[str] = (),
    match: str | None = None,
    rowids: Sequence[int] = (),
    after: int | None = None,
    indexed: bool = True,
) -> tuple[str, list[Any]]:
    """The FROM and WHERE clauses, and their parameters, for a collection's features inside ``bbox`` matching filters.

    The R*Tree finds the box's features. Its bounds are 32-bit floats rounded
    outwards, so the positions are tested exactly after it, unless ``exact``
    is False. ``located`` keeps only features with a position (as a box
    does). ``match``, an FTS5 query, has the word index find the features
    first, in load order (CROSS JOIN keeps it first); ``words`` (from
    store.search_words) must each begin a word of the feature's, looked for
    in each row's words. ``rowids`` asks about those features only (found
    already, so a box is tested on their positions alone). ``after`` keeps
    the features after that _rowid; ``indexed`` False tests a box on each
    row's position without the R*Tree (for a walk in load order). Field
    names are the collection's own, checked and quoted; every value is a
    parameter.
    """
    source, clauses, params = f" FROM {table}", [f"{table}._lon IS NOT NULL"] if located else [], []
    if after is not None:
        clauses.append(f"{table}._rowid > ?")
        params.append(after)
    if rowids:
        clauses.append(f"{table}._rowid IN ({', '.join('?' * len(rowids))})")
        params += rowids
    if match is not None:
        source = f" FROM {table}_fts CROSS JOIN {table} ON {table}._rowid = {table}_fts.rowid"
        clauses.append(f"{table}_fts MATCH ?")
        params.append(match)
    if words:
        for word in words:  # letters and digits only, so no character of LIKE's own
            clauses.append(f"(' ' || {table}._words) LIKE ?")
            params.append(f"% {word}%")
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        if indexed and not rowids:
            source += f" JOIN {table}_rtree AS r ON r.id = {table}._rowid"
            clauses.append(RTREE_OVERLAPS)
            params += [min_lon, max_lon, min_lat, max_lat]
        if exact or rowids or not indexed:
            clauses.append(f"{table}._lon BETWEEN ? AND ? AND {table}._lat BETWEEN ? AND ?")
            params += [min_lon, max_lon, min_lat, max_lat]
    narrowing, values = _conditions(table, checked)
    clauses += narrowing
    params += values
    return source + (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _conditions(table: str, checked: Sequence[tuple[str, Any]]) -> tuple[list[str], list[Any]]:
    """The WHERE clauses, and their parameters, that hold a row of ``table`` to checked filters (see _matching)."""
    clauses: list[str] = []
    params: list[Any] = []
    for name, value in checked:
        if isinstance(value, OpenAt):
            clause, values = _open_clause(table, value)
            clauses.append(clause)
            params += values
        elif isinstance(value, Rendered):
            clauses.append(value.sql)
            params += value.params
        elif isinstance(value, Between):
            clause, values = between_clause(f"{table}.{quote(name)}", value, "?")
            clauses.append(clause)
            params += values
        else:
            clauses.append(f"{table}.{quote(name)} = ?")
            params.append(value)
    return clauses, params


def _clauses(
    db: sqlite3.Connection, table: str, fields: _Fields | None, checked: Sequence[tuple[str, Any]]
) -> list[Clause | Open | Nothing] | None:
    """Each checked filter's WHERE clause and parameters on its own, to mask (masks.py), or for "open now" the
    hours open at its minute; None unless each is that, a value of a field with few, a value a theme's box asks
    of a field (:meth:`_Fields.few`), or a theme's box for a field holding a value (:meth:`_Fields.boxes_holding`).

    A mask is read from the whole table, so a filter whose values have no
    end (a number, free text, a range, a CQL2 condition) could have each
    request with a new value read it all, where its box alone read a few
    rows: those are asked of the rows as before. A value outside a field's
    list is met by no feature (ingest holds each value to the list), so it
    is :data:`~.masks.NOTHING`, read from no row. "Open now" is looked up in
    each feature's number of its hours, read once per load.
    """
    if fields is None:
        return None
    found: list[Clause | Open | Nothing] = []
    for name, value in checked:
        if isinstance(value, OpenAt):
            found.append(Open(every_open(table, value.moment, functools.partial(_open_in_week, db, table))))
        elif isinstance(value, Rendered) and fields.boxes_holding(value.condition):
            found.append((value.sql, tuple(value.params)))
        elif isinstance(value, (Rendered, Between)):
            return None
        elif fields.few(name, value):
            (clause,), params = _conditions(table, [(name, value)])
            found.append((clause, tuple(params)))
        elif name in fields.listed:  # ingest held the field to its list, so no feature has this value
            found.append(NOTHING)
        else:
            return None
    return found


def _matches_meeting(db: sqlite3.Connection, table: str, match: str, masks: list[Mask], most: int) -> int:
    """How many of the features the word index finds for ``match`` meet every one of ``masks``, counted to ``most``.

    The index's rowids are read in load order, MATCHES_AT_ONCE at a time, and
    tested against the masks in NumPy, with no row read: a word held by too
    many features for its set to be kept (postings.MOST_HELD), counted open
    now to 10,000, read each match's row, about 20 ms at 1,000,000 features.
    """
    counted, after = 0, 0
    chunk = (
        f"SELECT group_concat(rowid) FROM (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ? AND rowid > ? "
        "ORDER BY rowid LIMIT ?)"
    )
    while counted < most:
        (text,) = db.execute(chunk, [match, after, MATCHES_AT_ONCE]).fetchone()
        if not text:
            break
        rowids = np.array(text.split(","), dtype=np.int64)
        counted += int(np.count_nonzero(all_meet(masks, rowids)))
        after = int(rowids.max())
    return min(counted, most)


def _open_in_week(db: sqlite3.Connection, table: str, minute: int) -> Iterable[tuple[int]]:
    """The numbers of a load's weekly hours whose spans hold ``minute`` of the week."""
    return db.execute(f"SELECT hours FROM {table}_open WHERE start <= ?1 AND stop > ?1", [minute])


def _checked(
    collection: str, table: str, fields: list[dict[str, Any]], filters: Filters | None, where: Condition | None
) -> list[tuple[str, Any]]:
    """The field filters checked (store.check_filters) and ``where`` rendered, as :func:`_matching` takes them.

    ``where`` goes in as one more narrowing entry, so that every query of a
    read (the count, the page, nearest's boxes) holds it, and each choice
    made on whether a read is narrowed treats it as a filter.
    """
    checked = check_filters(collection, fields, filters)
    # The parts of an AND each on its own (all hold as before), so that a box's part can be masked (_clauses)
    parts = () if where is None else where.parts if isinstance(where, All) and where.parts else (where,)
    for part in parts:
        checked.append(("", Rendered(*render(collection, fields, part, sqlite_dialect(table)), part)))
    return checked


def _stage_hours(db: sqlite3.Connection, table: str, hours: HoursStaging) -> None:
    """A load's opening hours beside its table, and the index that finds its features by their hours (opening.py)."""
    numbered, spans = hours.rows()
    db.execute(f"CREATE TABLE {table}_hours (hours INTEGER PRIMARY KEY, osm TEXT NOT NULL, weekly INTEGER NOT NULL)")
    db.executemany(f"INSERT INTO {table}_hours VALUES (?, ?, ?)", numbered)
    db.execute(f"CREATE TABLE {table}_open (start INTEGER NOT NULL, stop INTEGER NOT NULL, hours INTEGER NOT NULL)")
    db.executemany(f"INSERT INTO {table}_open (hours, start, stop) VALUES (?, ?, ?)", spans)
    db.execute(f"CREATE INDEX {table}_open_start ON {table}_open (start, stop, hours)")
    db.execute(f"CREATE INDEX {table}_by_hours ON {table} (_hours) WHERE _hours IS NOT NULL")
    # How many features share each hours, so that the planner starts from the R*Tree or the words for a box, a
    # point or a search, and from this index only when few features are open (a sample: quick on millions of rows).
    db.execute("PRAGMA analysis_limit = 1000")
    db.execute(f"ANALYZE {table}_by_hours")


def _open_clause(table: str, value: OpenAt) -> tuple[str, list[Any]]:
    """The features open at the moment: weekly hours whose span holds its minute, and the others open then."""
    minute, others = open_hours(table, value.moment)
    return (
        f"{table}._hours IN (SELECT hours FROM {table}_open WHERE start <= ? AND stop > ? "
        "UNION ALL SELECT value FROM json_each(?))",
        [minute, minute, json.dumps(others)],
    )


class _Held(NamedTuple):
    """A set of the features holding a search's words (None: too many to hold), and the filters it leaves to ask."""

    found: frozenset[int] | None
    rest: list[tuple[str, Any]]
    meeting: Narrowing = ((), ())  # the filters it meets, as the postings shelf keeps it


@dataclass(frozen=True)
class _Plan:
    """How a search looks for its words: ``match`` through the FTS5 index, ``scan`` in each row's words."""

    words: tuple[str, ...]  # every word searched for
    match: str | None  # an FTS5 query for the words that begin few words of the load
    scan: tuple[str, ...]  # the words that begin many: looked for in the rows the index (or the filters) gives


def _plan(db: sqlite3.Connection, table: str, words: Sequence[str]) -> _Plan | None:
    """The plan for finding features with a word beginning with each of ``words``; None if a word begins none.

    Each word's list of the load's words beginning with it comes from the
    ``_terms`` table; each is a quoted string in the FTS5 query, so never syntax.
    """
    groups, scan = [], []
    for word in words:
        terms = [
            term
            for (term,) in db.execute(
                f"SELECT term FROM {table}_terms WHERE term >= ? AND term < ? LIMIT ?",
                [word, word + LAST_CHARACTER, MOST_TERMS + 1],
            )
        ]
        if not terms:
            return None
        if len(terms) > MOST_TERMS:
            scan.append(word)
        else:
            groups.append("(" + " OR ".join('"' + term.replace('"', '""') + '"' for term in terms) + ")")
    return _Plan(tuple(words), " AND ".join(groups) or None, tuple(scan))


def _columns(table: str, fields: _Fields) -> str:
    """The columns :func:`_feature` reads, in its order (not the word index's)."""
    return _column_list(table, fields.names)


@functools.lru_cache(maxsize=MOST_ROOTS)
def _column_list(table: str, names: tuple[str, ...]) -> str:
    """:func:`_columns`, written once per live table rather than once a read: a table has dozens of fields."""
    listed = ", ".join(f"{table}.{quote(name)}" for name in names)
    return f"{table}._rowid, {table}._id, {table}._lon, {table}._lat, {table}._row, {table}._extra" + (
        f", {listed}" if listed else ""
    )


def _outside(table: str, bbox: BBox) -> tuple[str, list[Any]]:
    """A query for how many located features lie outside ``bbox``: the R*Tree entries that do not meet it (APART),
    and those across an edge (STRADDLING) whose exact position is outside, the rest of what :func:`_inside` reads."""
    min_lon, min_lat, max_lon, max_lat = bbox
    box = [min_lon, max_lon, min_lat, max_lat]
    counts = [f"(SELECT count(*) FROM {table}_rtree AS r WHERE {part})" for part, _ in APART]
    params: list[Any] = [bbox[edge] for _, edges in APART for edge in edges]
    for part, edges in STRADDLING:
        counts.append(
            f"(SELECT count(*) FROM {table}_rtree AS r JOIN {table} AS t ON t._rowid = r.id "
            f"WHERE {RTREE_OVERLAPS} AND {part} AND NOT (t._lon BETWEEN ? AND ? AND t._lat BETWEEN ? AND ?))"
        )
        params += [*box, *(bbox[edge] for edge in edges), *box]
    return "SELECT " + " + ".join(counts), params


def _inside(table: str, bbox: BBox) -> tuple[str, list[Any]]:
    """A query for the rowids (as ``id``) of the features inside ``bbox``, read from the R*Tree where it can tell.

    The R*Tree's bounds are rounded outwards, so an entry whose bounds lie
    wholly inside the box is a feature inside it: those are taken from the
    R*Tree alone. Only the entries that straddle an edge need the feature's
    exact position, from the table. In a dense square that is a few rows
    rather than thousands, and each of :data:`STRADDLING`'s parts is asked
    for on its own, so that the R*Tree opens only the nodes across that edge
    rather than every node of the box a second time.
    """
    min_lon, min_lat, max_lon, max_lat = bbox
    box = [min_lon, max_lon, min_lat, max_lat]
    sql = f"SELECT r.id AS id FROM {table}_rtree AS r WHERE {RTREE_WITHIN}"
    params: list[Any] = list(box)
    for part, edges in STRADDLING:
        sql += (
            f" UNION ALL SELECT r.id AS id FROM {table}_rtree AS r JOIN {table} AS t ON t._rowid = r.id "
            f"WHERE {RTREE_OVERLAPS} AND {part} AND t._lon BETWEEN ? AND ? AND t._lat BETWEEN ? AND ?"
        )
        params += [*box, *(bbox[edge] for edge in edges), *box]
    return sql, params


def _add_later_columns(db: sqlite3.Connection) -> None:
    """Give a catalogue made by an earlier version the columns added since (left empty until the next load)."""
    if set(LATER_COLUMNS) <= {row[1] for row in db.execute(f"PRAGMA table_info({CATALOGUE})")}:
        return
    db.execute("BEGIN IMMEDIATE")  # another process may be adding them too: look again once holding the lock
    try:
        known = {row[1] for row in db.execute(f"PRAGMA table_info({CATALOGUE})")}
        for column in LATER_COLUMNS:
            if column not in known:
                db.execute(f"ALTER TABLE {CATALOGUE} ADD COLUMN {column} TEXT")
        db.execute("COMMIT")
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")


class _Fields(list[dict[str, Any]]):
    """A collection's fields, with what :func:`_feature` needs of them worked out once rather than once a row."""

    def __init__(self, fields: list[dict[str, Any]]) -> None:
        super().__init__(fields)
        self.names = tuple(field["name"] for field in fields)
        self.hours_table = next(filter(None, map(indexed_table, fields)), None)  # see opening.py
        self.booleans = tuple(index for index, field in enumerate(fields) if column_type(field) == "boolean")
        # The fields with few values, which masks.py holds: yes or no (None), or text that ingest held to a list
        self.listed: dict[str, frozenset[Any] | None] = {
            field["name"]: None if column_type(field) == "boolean" else frozenset(field["constraints"]["enum"])
            for field in fields
            if few_values(field)
        }
        # The values the theme's boxes ask of other fields ("Free": ChargeAmount 0), which masks.py holds too
        self.boxed = {field["name"]: frozenset(field[BOXES_KEY]) for field in fields if field.get(BOXES_KEY)}
        # The boxes for a field holding a value, by field: the values that count as none ("Accessible toilet")
        self.holding = {field["name"]: frozenset(field[ABSENT_KEY]) for field in fields if field.get(ABSENT_KEY)}

    def boxes_holding(self, condition: Condition | None) -> bool:
        """Whether ``condition`` is a theme's box for a field holding a value (Not(In(field, absent))), whose one
        mask is held: that exact condition, so that no other can read the table for a mask of its own."""
        if not (isinstance(condition, Not) and isinstance(condition.part, In)):
            return False
        absent = self.holding.get(condition.part.field)
        return absent is not None and frozenset(condition.part.values) == absent

    def few(self, name: str, value: Any) -> bool:
        """Whether a filter of ``name`` on ``value`` is one of the few a field has (yes or no, or of its list), or
        a value a theme's box asks of it: those whose masks are held.

        A value outside a field's list (the API refuses it, but another
        caller may ask a new one each time) is no feature's, so it is
        answered with no row read, where a mask of it would read the whole
        table and push residents' masks off the shelf.
        """
        if name in self.listed:
            values = self.listed[name]
            return isinstance(value, bool) if values is None else value in values
        return value in self.boxed.get(name, ())


@functools.lru_cache(maxsize=64)
def _decoded(text: str) -> _Fields:
    """The fields of a catalogue row, decoded once for every read of the same load (treat them as read-only)."""
    return _Fields(json.loads(text))


def _live(db: sqlite3.Connection, collection: str) -> tuple[str, _Fields]:
    """The name of a collection's live table and its fields; KeyError if there is no such collection."""
    row = db.execute(f"SELECT table_name, fields FROM {CATALOGUE} WHERE collection = ?", [collection]).fetchone()
    if row is None:
        raise KeyError(collection)
    fields = _decoded(row[1])
    if fields.hours_table is not None:  # its sometimes-true hours, read once per load, for "open now"
        hours_table = fields.hours_table
        remember(hours_table, lambda: db.execute(f"SELECT hours, osm FROM {hours_table}_hours WHERE NOT weekly"))
    return row[0], fields


def _margin(bound: float) -> float:
    """How far inside an R*Tree bound the value it rounds may lie (and a little more, for values near 0)."""
    return abs(bound) * RTREE_ROUNDING + 1e-9


def _feature(row: sqlite3.Row | tuple[Any, ...], fields: _Fields) -> Feature:
    """A feature from a row of :func:`_columns` (SQLite keeps a boolean as 0 or 1)."""
    _, feature_id, lon, lat, source_row, extra, *values = row
    for index in fields.booleans:
        if values[index] is not None:
            values[index] = bool(values[index])
    properties = dict(zip(fields.names, values, strict=True))
    return Feature(feature_id, lon, lat, properties, _extra(extra), source_row)


LONG_DIGITS = re.compile(r"[0-9]{19}")  # a number that may not fit in 64 bits (or a long run of digits in text)


def _extra(text: str) -> dict[str, Any]:
    """A feature's other columns, stored as JSON text at ingest.

    orjson reads a row's in under a tenth of ``json``'s time, which was half a
    millisecond a page of 50. ``json`` reads what orjson would not read back
    exactly: NaN and the infinities, which ingest's encoder writes for a
    source's float that is one, and integers past 64 bits, which orjson makes floats.
    """
    if text == "{}":
        return {}
    found: dict[str, Any]
    try:
        found = json.loads(text) if LONG_DIGITS.search(text) else orjson.loads(text)
    except orjson.JSONDecodeError:
        found = json.loads(text)
    return found


def _require_rtree(db: sqlite3.Connection) -> None:
    try:
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp._rtree_probe USING rtree(id, a, b)")
    except sqlite3.OperationalError as error:
        raise StoreError(
            f"This Python's SQLite has no R*Tree module ({error}), which the app's spatial index needs. "
            "Use a Python built with the standard sqlite3 options (python.org, uv, Debian and Ubuntu all are)."
        ) from error
