"""The features holding a search's words, as sets of _rowids held in memory for nearest-first walks.

A word search near a point walks the R*Tree nearest first (rtree.py) and must
pass over the features without the words. Asking SQLite about each batch of
them reads every one's row, and bounding each one's distance first costs
microseconds in Python; a set of the _rowids the word index gives for the
words answers in tens of nanoseconds a feature, before either. Reading a set
costs about half a microsecond a feature in it and holding it about 60 bytes,
so sets are read only for words that at most MOST_HELD features hold, and kept
on a shelf (shelf.py) until HELD_IN_ALL _rowids are held in all.

A search with filters too (a category, say) keeps a set of the features
holding the words that also meet the filters. Reading it reads the row of
each feature holding the words once (about 2 µs a row), so only for words
that at most MOST_READ features hold; after that the search asks SQLite
nothing about them, neither for its count nor, nearest first, for its walk.
For each set walked, the R*Tree's nodes with one of its features below them
are kept too (rtree.branches), so a walk opens no branch without one: a set
of a few features in each town no longer has the walk open every leaf near
the point. A read that a request's deadline stops is not tried again for
that load: searches then go their way without the set.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from . import rtree
from .shelf import Shelf, unless_stopped

Narrowing = tuple[tuple[str, ...], tuple[Any, ...]]  # WHERE clauses on a feature's row, and their parameters

MOST_HELD = 100_000  # the most features a set holds: a word held by more is common, and a walk meets it soon
# The most features a set narrowed by filters may be read from (each row read, about 2 µs): about half a second.
MOST_READ = 300_000
HELD_IN_ALL = 500_000  # the most _rowids held in all the sets: about 30 MB
BRANCHES_IN_ALL = 250_000  # the most R*Tree node numbers held in all the sets' branches: about 15 MB
MOST_SETS = 256  # the most answers kept, sets and "too many" alike


class Postings:
    """Sets of the _rowids holding words, by live table and FTS5 query, shared by a store's reading threads."""

    def __init__(self) -> None:
        self.most = MOST_HELD
        self.shelf: Shelf[frozenset[int] | None] = Shelf(HELD_IN_ALL, lambda found: len(found or ()), MOST_SETS)
        self.most_read = MOST_READ
        self.counts: Shelf[int] = Shelf(MOST_SETS)
        self.trees: Shelf[frozenset[int]] = Shelf(BRANCHES_IN_ALL, len, MOST_SETS)
        self.stopped: Shelf[bool] = Shelf(MOST_SETS)  # what a request's deadline stopped reading, not tried again

    def holding(
        self, db: sqlite3.Connection, table: str, match: str, meeting: Narrowing = ((), ())
    ) -> frozenset[int] | None:
        """The _rowids of the features the FTS5 query ``match`` finds in ``table``; None if more than ``most``.

        ``meeting`` (WHERE clauses on the table's row, and their parameters)
        narrows them to the features that meet it too. That set is read only
        for words that at most ``most_read`` features hold, the rows its read
        touches, and held only if at most ``most`` of them meet it.
        """
        if meeting[0]:
            holders = self.counts.get((table, match), lambda: count(db, table, match, self.most_read))
            if holders > self.most_read:
                return None
        return unless_stopped(
            self.shelf, self.stopped, (table, match, meeting), lambda: read(db, table, match, self.most, meeting)
        )

    def branches(
        self, db: sqlite3.Connection, table: str, match: str, meeting: Narrowing = ((), ())
    ) -> frozenset[int] | None:
        """The R*Tree's nodes with one of :meth:`holding`'s features below them (rtree.branches); None if none held.

        A walk nearest first opens only these, so a set held by a few
        features in each town skips the branches with none of them.
        """
        found = self.holding(db, table, match, meeting)
        if found is None:
            return None
        return unless_stopped(
            self.trees, self.stopped, ("branches", table, match, meeting), lambda: rtree.branches(db, table, found)
        )


def count(db: sqlite3.Connection, table: str, match: str, most: int) -> int:
    """How many features ``match`` finds, up to ``most + 1``: the word index alone, no row read."""
    (found,) = db.execute(
        f"SELECT count(*) FROM (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ? LIMIT ?)", [match, most + 1]
    ).fetchone()
    return int(found)


def read(
    db: sqlite3.Connection, table: str, match: str, most: int, meeting: Narrowing = ((), ())
) -> frozenset[int] | None:
    """The _rowids ``match`` finds (of rows meeting ``meeting``), or None if there are more than ``most``.

    SQLite joins them into one text and Python splits it: each _rowid then
    costs a step of C on each side rather than a row handed to Python.
    """
    clauses, params = meeting
    rows = f" CROSS JOIN {table} ON {table}._rowid = {table}_fts.rowid" if clauses else ""
    where = "".join(f" AND {clause}" for clause in clauses)
    (text,) = db.execute(
        f"SELECT group_concat(rowid) FROM (SELECT {table}_fts.rowid AS rowid FROM {table}_fts{rows} "
        f"WHERE {table}_fts MATCH ?{where} LIMIT ?)",
        [match, *params, most + 1],
    ).fetchone()
    found = frozenset(map(int, text.split(","))) if text else frozenset()
    return found if len(found) <= most else None
