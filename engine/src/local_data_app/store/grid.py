"""A large load's located features by cell of a grid, in memory: a box's count and lowest row numbers in NumPy.

A bbox page counts the features in its box and takes the lowest row numbers
among them. SQLite's R*Tree hands each feature in the box to its virtual
machine, once for the count and again for the page, so the cost follows the
features in the box: a 2 km square holds about 780 features of 1,000,000
and 3,900 of 5,000,000, and its count and page took two to three times as
long (docs/performance.md). A loaded table never changes, so its R*Tree's
leaves are read once into arrays sorted by the cell of a grid each feature
lies in. The features that may lie in a box are then one run of the arrays for
each row of cells it spans, tested together by NumPy in compiled loops.

The bounds kept are the R*Tree's own, 32-bit floats rounded outwards: a
feature whose bounds lie inside a box is inside it, one whose bounds miss
the box is outside, and the few whose bounds cross an edge are decided by
the store from their exact positions, as the R*Tree's own reads are.

The same arrays find the features nearest a point, which the store walked
the R*Tree's nodes for in Python: the bounds give each feature's distance
to within their size, so a box around the point holds the few that may be
among the nearest, and only those rows are read.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import EARTH_RADIUS, WORLD, BBox, bbox_around
from .masks import Mask, all_meet
from .rtree import CELL, HEADER, root_box
from .shelf import Shelf

LOG = logging.getLogger(__name__)

LEAST_FEATURES = 100_000  # a smaller load's boxes are read from its R*Tree, about as fast, with nothing kept in memory
PER_CELL = 4  # the features in a cell of the grid, on average
# Features in the cells of a box beyond which the store reads the box as before (a count from outside, a page in
# load order or from the R*Tree): testing each one here would take longer than those.
MOST_CANDIDATES = 250_000
# Features a nearest search measures the distance to at most, beyond which the R*Tree's walk, which bounds whole
# nodes at a time, finds them sooner: around a point far from the features, whose box reaches a town.
MOST_NEAR = 20_000
# Features in the cells of a box around a point with masks of filters (masks.py), which leave only the features they
# keep to be measured, at most: a filter few features meet needs a wider box, and the walk would ask SQLite about
# each feature it passes.
MOST_MASKED = 500_000
FIRST_REACH = 0.2  # of the metres that would hold the features wanted were they spread evenly: most lie in towns
MOST_GROWTH = 16.0  # times wider a box around a point than the last, at most
MOST_WIDENINGS = 64  # boxes a nearest search reads around a point, each at least twice as wide as the last
MOST_BYTES = 512 * 2**20  # the grids a store keeps in all: about 20,000,000 features
NODES_AT_ONCE = 4096  # R*Tree nodes read and unpacked together while a grid is made (5 MB of a 4 KB page's nodes)
# An R*Tree cell (rtree.CELL) as NumPy reads it: the child node or feature _rowid, then min lon, max lon, min lat,
# max lat, big-endian.
CELL_TYPE = np.dtype([("id", ">i8"), ("min_lon", ">f4"), ("max_lon", ">f4"), ("min_lat", ">f4"), ("max_lat", ">f4")])

BYTES_A_FEATURE = CELL.size + 8 // PER_CELL  # its _rowid and bounds, as in its R*Tree cell, and its cell's start
Rowids = npt.NDArray[np.int64]
Bounds = npt.NDArray[np.float32]
Floats = npt.NDArray[np.float64]
FIELDS = ("min_lon", "max_lon", "min_lat", "max_lat")


@dataclass(frozen=True)
class Grid:
    """One load's features by cell: ``columns`` by ``rows`` cells of ``width`` by ``height`` degrees from the
    south-west corner ``origin``, the features of cell ``row * columns + column`` at ``starts[cell]`` up to
    ``starts[cell + 1]`` of ``rowids`` and of each of ``bounds``: min lon, max lon, min lat and max lat."""

    origin: tuple[float, float]
    width: float
    height: float
    columns: int
    rows: int
    spread: tuple[float, float]  # the widest and tallest a feature's bounds are
    starts: npt.NDArray[np.int64]
    rowids: Rowids
    bounds: tuple[Bounds, Bounds, Bounds, Bounds]

    @property
    def nbytes(self) -> int:
        return self.starts.nbytes + self.rowids.nbytes + sum(column.nbytes for column in self.bounds)

    def inside(self, box: BBox) -> tuple[Rowids, Rowids] | None:
        """The _rowids of the features whose bounds lie inside ``box``, and of those whose bounds cross its edge
        (inside only if their exact position is); None if the box's cells hold more than MOST_CANDIDATES."""
        found = self._meeting(box, MOST_CANDIDATES)
        if found is None:
            return None
        rowids, bounds = found
        if not len(rowids):
            return _NOTHING, _NOTHING
        edges = _edges(box)
        west, east, south, north = bounds
        west_up, east_down, south_up, north_down = edges
        within = (west >= west_up) & (east <= east_down) & (south >= south_up) & (north <= north_down)
        return rowids[within], rowids[_meet(bounds, edges) & ~within]

    def nearest(self, lon: float, lat: float, wanted: int, masks: Sequence[Mask] = ()) -> Rowids | None:
        """The _rowids of features among which are the ``wanted`` nearest the point by their exact positions, with
        every tie at the last; None if the cells of a box around the point hold more than MOST_NEAR first.

        A box around the point grows until ``wanted`` features meet it.
        Each feature's distance is measured to the middle of its bounds, give
        or take half their size: the ``wanted`` nearest lie within the
        ``wanted``-th least of those distances taken at their most. When the
        box holds that circle, every feature that may lie within it is a
        candidate; when not, a box around the circle is read instead.

        With ``masks`` of filters (masks.py), only the features each of them
        holds true count. A box's cells may then hold as many more features as
        the masks pass over (about MOST_NEAR of those kept, up to MOST_MASKED
        in all), and the first box is as much wider.
        """
        share = math.prod(mask.share for mask in masks)  # of the features, about, as if the filters were independent
        if wanted <= 0 or share == 0:  # a mask that holds no feature true
            return _NOTHING
        most = min(MOST_MASKED, round(MOST_NEAR / share)) if masks else MOST_NEAR
        radius = self._reach(lat, wanted / share)
        for _ in range(MOST_WIDENINGS):
            box = bbox_around(lon, lat, radius)
            found = self._meeting(box, most, masks)
            if found is None:
                return None
            rowids, bounds = _meets(box, *found)
            if len(rowids) < wanted:
                if box == WORLD:  # every feature is in its cells, and they are fewer than wanted
                    return rowids
                # The features in a box grow with its area: the next is as wide as should hold half as many again.
                radius *= min(MOST_GROWTH, max(2.0, 1.5 * math.sqrt(wanted / max(len(rowids), 1))))
                continue
            least, most_metres = _distances(lon, lat, bounds)
            farthest = float(np.partition(most_metres, wanted - 1)[wanted - 1])
            if farthest <= radius:  # the box holds every place within it
                return rowids[least <= farthest]
            radius = farthest
        return None

    def _meeting(
        self, box: BBox, most: int, masks: Sequence[Mask] = ()
    ) -> tuple[Rowids, tuple[Bounds, Bounds, Bounds, Bounds]] | None:
        """The _rowids and bounds of the features in the cells that hold every feature meeting ``box`` (those that
        each of ``masks`` holds true); None if the cells hold more than ``most``."""
        min_lon, min_lat, max_lon, max_lat = box
        # A feature meeting the box has its bounds' west edge at least min_lon less the widest bounds, and its
        # cell is taken from that west edge (and south edge), so these cells hold every feature meeting the box.
        first_column, last_column = self._column(min_lon - self.spread[0]), self._column(max_lon)
        first_row, last_row = self._row(min_lat - self.spread[1]), self._row(max_lat)
        if first_column > last_column or first_row > last_row:
            return _NOTHING, _NO_BOUNDS
        cells = range(first_row * self.columns, last_row * self.columns + 1, self.columns)
        runs = [(self.starts[cell + first_column], self.starts[cell + last_column + 1]) for cell in cells]
        if sum(end - start for start, end in runs) > most:
            return None
        # Each row of cells is one run of the arrays.
        runs = [(start, end) for start, end in runs if end > start]
        if not runs:
            return _NOTHING, _NO_BOUNDS
        if not masks:
            pieces = [slice(start, end) for start, end in runs]
            west, east, south, north = (np.concatenate([column[piece] for piece in pieces]) for column in self.bounds)
            return np.concatenate([self.rowids[piece] for piece in pieces]), (west, east, south, north)
        # The masks pass over most: only the bounds of those they keep are taken.
        at = np.concatenate([np.arange(start, end) for start, end in runs])
        rowids = self.rowids[at]
        kept = all_meet(masks, rowids)
        at = at[kept]
        west, east, south, north = (column[at] for column in self.bounds)
        return rowids[kept], (west, east, south, north)

    def _reach(self, lat: float, wanted: int) -> float:
        """Metres around a point at ``lat`` whose cells hold about ``wanted`` features, where features are spread
        evenly: a search's first box."""
        cell = math.radians(self.height) * math.sqrt(max(math.cos(math.radians(lat)), 0.0) * self.width / self.height)
        return max(1.0, EARTH_RADIUS * cell * math.sqrt(wanted / PER_CELL) / 2 * FIRST_REACH)

    def _column(self, lon: float) -> int:
        return _cell((lon - self.origin[0]) / self.width, self.columns)

    def _row(self, lat: float) -> int:
        return _cell((lat - self.origin[1]) / self.height, self.rows)


def _edges(box: BBox) -> tuple[np.float32, np.float32, np.float32, np.float32]:
    """A box's west, east, south and north edges in 32 bits, each rounded to the inside of the box.

    A 32-bit bound is at least an edge when it is at least the least 32-bit
    float at or above the edge, and at most one when at most the greatest at
    or below it: the edges so rounded compare as the edges themselves would,
    without widening every bound to 64 bits.
    """
    min_lon, min_lat, max_lon, max_lat = box
    return _up(min_lon), _down(max_lon), _up(min_lat), _down(max_lat)


def _meets(
    box: BBox, rowids: Rowids, bounds: tuple[Bounds, Bounds, Bounds, Bounds]
) -> tuple[Rowids, tuple[Bounds, Bounds, Bounds, Bounds]]:
    """Those of the features (their _rowids and bounds) whose bounds meet ``box``."""
    meets = _meet(bounds, _edges(box))
    west, east, south, north = bounds
    return rowids[meets], (west[meets], east[meets], south[meets], north[meets])


def _meet(
    bounds: tuple[Bounds, Bounds, Bounds, Bounds], edges: tuple[np.float32, np.float32, np.float32, np.float32]
) -> npt.NDArray[np.bool_]:
    """Which of these bounds meet a box of these edges in 32 bits (from _edges)."""
    west, east, south, north = bounds
    west_up, east_down, south_up, north_down = edges
    return (east >= west_up) & (west <= east_down) & (north >= south_up) & (south <= north_down)


def _up(edge: float) -> np.float32:
    """The least 32-bit float at or above ``edge`` (infinity above the greatest; not a number stays so)."""
    with np.errstate(over="ignore"):
        rounded = np.float32(edge)
    return np.nextafter(rounded, np.float32(np.inf)) if float(rounded) < edge else rounded


def _down(edge: float) -> np.float32:
    """The greatest 32-bit float at or below ``edge``."""
    with np.errstate(over="ignore"):
        rounded = np.float32(edge)
    return np.nextafter(rounded, np.float32(-np.inf)) if float(rounded) > edge else rounded


def _cell(place: float, count: int) -> int:
    """The cell of ``count`` that ``place``, in cells from the grid's edge, falls in: the first or the last for a
    place beyond them (or one that is not a number), as _filed files the features."""
    return 0 if not place > 0 else count - 1 if place >= count else math.floor(place)


_NOTHING: Rowids = np.empty(0, dtype=np.int64)
_NO_BOUNDS = (np.empty(0, dtype=np.float32),) * 4


def _distances(lon: float, lat: float, bounds: tuple[Bounds, Bounds, Bounds, Bounds]) -> tuple[Floats, Floats]:
    """The least and the most metres from a point to features with these bounds, wherever in them each lies.

    The haversine of store.distance to the middle of each feature's bounds,
    less and plus half their height and width (a degree of longitude is
    never longer than one of latitude), a millionth and a millimetre, so that
    the formula's own rounding cannot carry a feature across either.
    """
    west, east, south, north = (column.astype(np.float64) for column in bounds)
    phi, middle = math.radians(lat), np.radians((south + north) / 2)
    half_chord = (
        np.sin((middle - phi) / 2) ** 2
        + math.cos(phi) * np.cos(middle) * np.sin(np.radians((west + east) / 2 - lon) / 2) ** 2
    )
    metres = 2 * EARTH_RADIUS * np.arcsin(np.sqrt(np.minimum(half_chord, 1.0)))
    give = EARTH_RADIUS * np.radians((east - west) + (north - south)) / 2 + metres * 1e-6 + 0.001
    return metres - give, metres + give


def read(db: sqlite3.Connection, table: str, located: int) -> Grid | None:
    """The grid of a live table's ``located`` features, read from its R*Tree's leaves; None if it has none.

    A node is a leaf when no node names it as its parent. The leaves are read
    NODES_AT_ONCE at a time into arrays made once, each feature filed in its
    cell of a grid over the box the tree's root covers as it is read, so that
    what is held beyond the grid itself stays small while it is made.
    """
    box = root_box(db, table)
    if box is None or located <= 0:
        return None
    west, south, east, north = box
    side = max(1, math.isqrt(located // PER_CELL))
    width, height = ((east - west) / side) or 1.0, ((north - south) / side) or 1.0
    arrays: list[npt.NDArray[Any]] = [np.empty(located, dtype=np.int64)]
    arrays += [np.empty(located, dtype=np.float32) for _ in FIELDS]
    cells = np.empty(located, dtype=np.int32)  # a grid has fewer than located cells
    spread = [0.0, 0.0]
    parents = {number for (number,) in db.execute(f"SELECT DISTINCT parentnode FROM {table}_rtree_parent")}
    filled = 0
    nodes = db.execute(f"SELECT nodeno, data FROM {table}_rtree_node")
    while batch := nodes.fetchmany(NODES_AT_ONCE):
        leaves = [bytes(data) for number, data in batch if number not in parents]
        found = _cells(leaves) if leaves else _NO_CELLS
        part = slice(filled, filled + len(found))
        filled += len(found)
        if filled > located:
            raise ValueError(f"its R*Tree holds more than the {located:,} features counted")
        if not len(found):  # an empty tree's root is a leaf of no cells
            continue
        arrays[0][part] = found["id"]
        for array, field in zip(arrays[1:], FIELDS, strict=True):
            array[part] = found[field]
        cells[part] = _filed(found["min_lat"], south, height, side) * side + _filed(found["min_lon"], west, width, side)
        spread[0] = max(spread[0], float((found["max_lon"].astype(np.float64) - found["min_lon"]).max()))
        spread[1] = max(spread[1], float((found["max_lat"].astype(np.float64) - found["min_lat"]).max()))
    if filled != located:
        raise ValueError(f"its R*Tree holds {filled:,} features, not the {located:,} counted")
    starts = np.zeros(side * side + 1, dtype=np.int64)
    np.cumsum(np.bincount(cells, minlength=side * side), out=starts[1:])
    order = np.argsort(cells, kind="stable")  # a page sorts what it takes, so the order within a cell is free
    del cells
    for place, array in enumerate(arrays):  # in place, one array at a time, so that each old one goes at once
        arrays[place] = array[order]
    rowids, min_lon, max_lon, min_lat, max_lat = arrays
    return Grid(
        (west, south),
        width,
        height,
        side,
        side,
        (spread[0], spread[1]),
        starts,
        rowids,
        (min_lon, max_lon, min_lat, max_lat),
    )


def _filed(lows: Bounds, origin: float, step: float, count: int) -> npt.NDArray[np.int32]:
    """The cells of ``count`` along one axis that features of these west (or south) edges are filed in, as
    _cell finds a box's."""
    return np.clip(np.floor((lows.astype(np.float64) - origin) / step), 0, count - 1).astype(np.int32)


def _cells(leaves: list[bytes]) -> npt.NDArray[np.void]:
    """The cells of leaves of one size (an R*Tree writes every node whole), each leaf's count of cells only."""
    size = len(leaves[0])
    most = (size - HEADER) // CELL.size
    raw = np.frombuffer(b"".join(leaves), dtype=np.uint8).reshape(len(leaves), size)
    counts = raw[:, 2].astype(np.int64) * 256 + raw[:, 3]
    cells = np.ascontiguousarray(raw[:, HEADER : HEADER + most * CELL.size]).view(CELL_TYPE)
    return cells[np.arange(most)[None, :] < counts[:, None]]


_NO_CELLS = np.empty(0, dtype=CELL_TYPE)


class Grids:
    """The grids of a store's large live tables, each made once in a thread of its own; MOST_BYTES in all.

    Making one takes about a second a million features, so no request
    waits for it: until it is made, the R*Tree answers. One is made at a
    time, from a connection of its own. A table whose grid could not be made
    (one dropped by a newer load while it was read, say) is not tried again.
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._made: Shelf[Grid] = Shelf(MOST_BYTES, lambda grid: grid.nbytes)
        self._lock = threading.Lock()
        self._making: threading.Thread | None = None
        self._failed: set[str] = set()

    def get(self, table: str, located: int) -> Grid | None:
        """``table``'s grid if it is made; if not, and the table has LEAST_FEATURES located features or more,
        its making begins."""
        if located < LEAST_FEATURES:
            return None
        grid = self._made.kept(table)
        if grid is not None or located * BYTES_A_FEATURE > MOST_BYTES:
            return grid
        with self._lock:
            grid = self._made.kept(table)  # made just now, perhaps
            if grid is not None or table in self._failed or (self._making is not None and self._making.is_alive()):
                return grid
            making = threading.Thread(target=self._make, args=(table, located), name=f"grid {table}", daemon=True)
            self._making = making
            making.start()
        return None

    def wait(self) -> None:
        """Wait until the grid being made, if any, is made (for tests and benchmarks)."""
        with self._lock:
            making = self._making
        if making is not None:
            making.join()

    def _make(self, table: str, located: int) -> None:
        grid = None
        try:
            db = self._connect()
            try:
                db.execute("BEGIN")  # the parents and the nodes from one snapshot
                grid = read(db, table, located)
            finally:
                db.close()
        except (sqlite3.Error, MemoryError, ValueError) as error:
            LOG.warning("The grid of %s was not made (%s); the R*Tree answers its boxes and nearest.", table, error)
        if grid is None:
            with self._lock:
                self._failed.add(table)
        else:
            made = grid
            self._made.get(table, lambda: made)
