"""The features holding a search's words, as sets of _rowids held in memory for nearest-first walks.

A word search near a point walks the R*Tree nearest first (rtree.py) and must
pass over the features without the words. Asking SQLite about each batch of
them reads every one's row, and bounding each one's distance first costs
microseconds in Python; a set of the _rowids the word index gives for the
words answers in tens of nanoseconds a feature, before either. Reading a set
costs about half a microsecond a feature in it and holding it about 60 bytes,
so sets are read only for words that at most MOST_HELD features hold, and kept
on a shelf (shelf.py) until HELD_IN_ALL _rowids are held in all.
"""

from __future__ import annotations

import sqlite3

from .shelf import Shelf

MOST_HELD = 100_000  # the most features a set holds: a word held by more is common, and a walk meets it soon
HELD_IN_ALL = 500_000  # the most _rowids held in all the sets: about 30 MB
MOST_SETS = 256  # the most answers kept, sets and "too many" alike


class Postings:
    """Sets of the _rowids holding words, by live table and FTS5 query, shared by a store's reading threads."""

    def __init__(self) -> None:
        self.most = MOST_HELD
        self.shelf: Shelf[frozenset[int] | None] = Shelf(HELD_IN_ALL, lambda found: len(found or ()), MOST_SETS)

    def holding(self, db: sqlite3.Connection, table: str, match: str) -> frozenset[int] | None:
        """The _rowids of the features the FTS5 query ``match`` finds in ``table``; None if more than ``most``."""
        return self.shelf.get((table, match), lambda: read(db, table, match, self.most))


def read(db: sqlite3.Connection, table: str, match: str, most: int) -> frozenset[int] | None:
    """The _rowids ``match`` finds, or None if there are more than ``most``.

    SQLite joins them into one text and Python splits it: each _rowid then
    costs a step of C on each side rather than a row handed to Python.
    """
    (text,) = db.execute(
        f"SELECT group_concat(rowid) FROM (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ? LIMIT ?)",
        [match, most + 1],
    ).fetchone()
    found = frozenset(map(int, text.split(","))) if text else frozenset()
    return found if len(found) <= most else None
