"""Which of a large load's features meet a filter, as an array by _rowid held in memory for the grid's answers.

A page nearest a point with a filter ("unisex toilets near me") walked the
R*Tree nearest first and asked SQLite about each batch of the features it
met, reading each one's row (about 2 µs) to test the filter: 2.8 to 7.5 ms a
page of 50 at 1,000,000 features, the rarer the filter the longer, and a
box's count and page with a filter read every row in the box, 5 to 7 ms. A
loaded table never changes, so whether each of its features meets a filter
is read once, by one scan of the table (about half a second at 1,000,000
rows), into one byte a feature; the grid (grid.py) then tests a box's
features against it in NumPy, and only the rows of the page are read. The
same masks count and page the features meeting filters with no box, and
narrow the matches of a word search (sqlite.py).

A mask is kept for each filter on its own (a field and its value), so the
filters people tick together are masks read once each. Only filters on
fields with few values are masked (yes or no, or one of a list: the store
decides, sqlite._clauses), and the values a theme's boxes ask of a field
(``"Free"``: ChargeAmount 0) or ask it to hold (``"Accessible toilet"``),
which ingest marks (:func:`boxed`): any other number, free text, a range or
a CQL2 condition could have each request with a new value read the whole
table, so those are asked of each candidate's row as before. A value
outside a field's list is no feature's (ingest holds the field to it):
:data:`NOTHING`, read from no row. "Open now" changes with the minute, but
a load's features have few hours among them: each feature's number of its
hours (the ``_hours`` column, opening.py) is read once per load from its
index, and the mask of a minute is those numbers looked up in the few that
are open then, in NumPy (a millisecond or two at 1,000,000 features). Masks
are kept on a shelf (shelf.py) up to MOST_BYTES in all, and a read that a
request's deadline stops is not tried again for that load.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from .shelf import Shelf, unless_stopped

MOST_BYTES = 64 * 2**20  # the masks a store keeps in all: 64 filters of a 1,000,000-row load, 12 of 5,000,000
MOST_MASKS = 256  # the most answers kept, masks and "stopped" alike
MOST_HOURS_BYTES = 32 * 2**20  # loads' hours numbers kept: 4 bytes a feature, so 8,000,000 features
# On a field in a load's catalogue: the values the theme's boxes ask of it ("Free": ChargeAmount 0), which ingest
# marks so that the store holds masks of them, as of a field with few values
BOXES_KEY = "x-box-values"
# On a field: the values a theme's box for "holds a value" counts as none ("Accessible toilet": not "None")
ABSENT_KEY = "x-box-absent"

Clause = tuple[str, tuple[Any, ...]]  # one WHERE clause on a table's row, and its parameters
Numbers = npt.NDArray[np.int32]  # each feature's number of its hours in the load, by _rowid (0: none known)


@dataclass(frozen=True)
class Mask:
    """Whether each feature of a load meets a filter, by _rowid, and the share of its features that do."""

    meets: npt.NDArray[np.bool_]
    share: float


@dataclass(frozen=True)
class Open:
    """A filter on opening hours at one minute: the features whose hours are among ``hours``, the numbers (in the
    load, opening.py) of the hours open then."""

    hours: tuple[int, ...]


@dataclass(frozen=True)
class Nothing:
    """A filter no feature can meet: a value outside its field's list, which ingest holds every value to."""


NOTHING = Nothing()


class Masks:
    """Masks of filters by live table and clause, shared by a store's reading threads."""

    def __init__(self) -> None:
        self.shelf: Shelf[Mask] = Shelf(MOST_BYTES, lambda mask: int(mask.meets.nbytes), MOST_MASKS)
        self.stopped: Shelf[bool] = Shelf(MOST_MASKS)
        self.hours: Shelf[Numbers] = Shelf(MOST_HOURS_BYTES, lambda numbers: int(numbers.nbytes), MOST_MASKS)

    def meeting(
        self, db: sqlite3.Connection, table: str, clauses: Sequence[Clause | Open | Nothing]
    ) -> list[Mask] | None:
        """A mask of the features meeting each clause; None if one was stopped by a deadline before."""
        masks = []
        for clause in clauses:
            mask: Mask | None
            if isinstance(clause, Nothing):
                mask = self.shelf.get((table, clause), partial(none_meet, db, table))
            elif isinstance(clause, Open):
                numbers = unless_stopped(self.hours, self.stopped, (table, "_hours"), partial(hours_numbers, db, table))
                mask = None if numbers is None else self.shelf.get((table, clause), partial(open_mask, numbers, clause))
            else:
                mask = unless_stopped(self.shelf, self.stopped, (table, clause), partial(read, db, table, clause))
            if mask is None:
                return None
            masks.append(mask)
        return masks


def boxed(
    fields: Sequence[dict[str, Any]], boxes: Iterable[tuple[str, Any]], holds: Iterable[tuple[str, Sequence[Any]]] = ()
) -> list[dict[str, Any]]:
    """The fields, each that a theme's box asks a value of marked with those values (:data:`BOXES_KEY`), and each
    that a box asks to hold a value marked with the values that count as none (:data:`ABSENT_KEY`)."""
    values: dict[str, list[Any]] = {}
    for name, value in boxes:
        values.setdefault(name, []).append(value)
    absent = {name: list(values) for name, values in holds}
    marked = []
    for spec in fields:
        if spec["name"] in values:
            spec = {**spec, BOXES_KEY: values[spec["name"]]}
        if spec["name"] in absent:
            spec = {**spec, ABSENT_KEY: absent[spec["name"]]}
        marked.append(spec)
    return marked


def few_values(field: dict[str, Any]) -> bool:
    """Whether a field has few values, which ingest holds it to: yes or no, or text with a list of values."""
    kind = field.get("type", "string")
    return kind == "boolean" or (kind == "string" and bool((field.get("constraints") or {}).get("enum")))


def boxed_fields(fields: Sequence[dict[str, Any]]) -> list[str]:
    """The fields a resident's boxes filter on: those of few values, and those a theme's box marks (:func:`boxed`).

    SQLite answers their filters from masks; PostgreSQL keeps them in its
    spatial index beside each point (store/postgres.py), so a box's or a
    point's features are filtered without reading their rows.
    """
    return [spec["name"] for spec in fields if few_values(spec) or BOXES_KEY in spec or ABSENT_KEY in spec]


def all_meet(masks: Sequence[Mask], rowids: npt.NDArray[np.int64] | None = None) -> npt.NDArray[np.bool_]:
    """Which of the features ``rowids`` (every feature, by _rowid, if None) each of ``masks`` holds true."""
    return np.logical_and.reduce([mask.meets if rowids is None else mask.meets[rowids] for mask in masks])


def read(db: sqlite3.Connection, table: str, clause: Clause) -> Mask:
    """Whether each feature of ``table`` meets ``clause``, by _rowid: one scan of the table.

    SQLite joins the _rowids into one text and NumPy reads it, so each costs a
    step of C on each side rather than a row handed to Python.
    """
    sql, params = clause
    meets = _by_rowid(db, table, np.bool_)
    (text,) = db.execute(f"SELECT group_concat(_rowid) FROM {table} WHERE {sql}", params).fetchone()
    if text:
        meets[np.array(text.split(","), dtype=np.int64)] = True
    return _mask(meets)


def none_meet(db: sqlite3.Connection, table: str) -> Mask:
    """A mask that no feature of ``table`` meets, read without a scan: the highest _rowid is the table's last."""
    return Mask(_by_rowid(db, table, np.bool_), 0.0)


def hours_numbers(db: sqlite3.Connection, table: str) -> Numbers:
    """Each feature's number of its opening hours in the load, by _rowid, 0 where none are known.

    Read from the index of the features by their hours, one list of _rowids
    for each of the load's hours: a tenth of a second at 1,000,000 features,
    where a scan of the table took half a second.
    """
    numbers: Numbers = _by_rowid(db, table, np.int32)
    found = f"SELECT _hours, group_concat(_rowid) FROM {table} WHERE _hours IS NOT NULL GROUP BY _hours"
    for number, text in db.execute(found):
        numbers[np.array(text.split(","), dtype=np.int64)] = number
    return numbers


def open_mask(numbers: Numbers, clause: Open) -> Mask:
    """The features whose hours are among those open (``clause``), from each feature's number of its hours."""
    opened = np.zeros(int(numbers.max(initial=0)) + 1, dtype=np.bool_)
    hours = np.array(clause.hours, dtype=np.int64)
    opened[hours[(hours > 0) & (hours < len(opened))]] = True
    return _mask(opened[numbers])


def _by_rowid(db: sqlite3.Connection, table: str, kind: type[np.generic]) -> npt.NDArray[Any]:
    """An array of zeros with a place for each _rowid of ``table``, up to its highest (read from its key alone)."""
    (highest,) = db.execute(f"SELECT max(_rowid) FROM {table}").fetchone()
    return np.zeros((highest or 0) + 1, dtype=kind)


def _mask(meets: npt.NDArray[np.bool_]) -> Mask:
    """``meets`` with the share of the features (by _rowid, from 1) it holds true."""
    return Mask(meets, float(np.count_nonzero(meets)) / max(len(meets) - 1, 1))
