"""SQLite's R*Tree read node by node: the box its root covers, and the features nearest a point, best first.

SQLite's R*Tree answers boxes, not distances. Reading its nodes directly, as
rtree.c lays them out, lets the store walk the tree nearest first: a
best-first search (Hjaltason and Samet's) that opens only the nodes that
could hold one of the nearest features, so a request near a point reads a
few nodes whatever the size of the table or how far the point is from the
data, where growing boxes counted the same rows again at each step.

A node is a 2-byte depth (read from the root only: the tree's height), a
2-byte count of cells, then each cell's 8-byte child node number (or, in a
leaf, the feature's _rowid) and its bounds as 4-byte floats (min lon, max
lon, min lat, max lat), all big-endian. The bounds are rounded outwards to
32 bits, so a leaf's box holds its feature's exact position.
"""

from __future__ import annotations

import heapq
import math
import sqlite3
import struct
from collections.abc import Callable, Container, Iterable, Iterator

from . import EARTH_RADIUS, BBox, distance
from .shelf import Shelf

ROOT = 1  # the node number of an R*Tree's root in its _node table
CELL = struct.Struct(">q4f")  # a cell: child node number or feature _rowid, then min lon, max lon, min lat, max lat
HEADER = 4  # bytes before the first cell: the depth and the count of cells
# Bounds below the true distance by this fraction at most, so floating-point rounding never puts a bound above it.
SLACK = 1 - 1e-9
# Degrees: a box no wider or taller than this is treated as a point, within POINT_RADIUS metres of its centre
# (half the diagonal of a square POINT degrees of latitude on a side: a degree of longitude is never longer).
POINT = 1e-4
POINT_RADIUS = EARTH_RADIUS * math.radians(POINT) * math.sqrt(2) / 2
HALF_RADIAN = math.pi / 360  # the radians of half a degree: the radians of the middle of a and b are (a + b) * this

# Features handed to a search's keep() at once, and how many it may be handed before the search gives up.
KEEP_BATCH = 256
MOST_EXAMINED = 20_000
# Features a walk with a ``holding`` set may meet in the leaves it opens before it gives up: a look in the set
# costs a hundredth of a question to SQLite, but reading the nodes that hold them costs a query each.
MOST_SEEN = 200_000
# The bytes of nodes a store keeps in memory (Nodes): a node of a 4 KB page's tree is 1,228 bytes, so about
# 13,000 nodes, the nodes around hundreds of towns (a tree of 1,000,000 features has about 29,000).
MOST_NODE_BYTES = 16 * 2**20
MOST_DEPTH = 40  # levels above a leaf that branches() climbs at most: a tree of 51 cells a node is a few deep
NUMBERS = "(SELECT value FROM json_each(?))"  # numbers handed to SQLite as one JSON list, not a parameter each

Cell = tuple[int, float, float, float, float]


class Nodes:
    """An R*Tree's nodes by number, read once and shared by a store's reading threads, MOST_NODE_BYTES at most.

    Walks near a town read the same nodes as each other. Each read from
    SQLite is a query, which lets go of the interpreter's lock and must take
    it back: under load, after other requests' Python, which may hold it for
    the interpreter's switch interval (5 ms). A node kept in memory costs a
    dictionary look-up instead.
    """

    def __init__(self) -> None:
        self.shelf: Shelf[bytes] = Shelf(MOST_NODE_BYTES, len)

    def read(self, db: sqlite3.Connection, table: str, number: int) -> bytes:
        """Node ``number`` of ``table``'s R*Tree (ROOT is its root)."""
        return self.shelf.get((table, number), lambda: _node(db, table, number))


def _node(db: sqlite3.Connection, table: str, number: int) -> bytes:
    (node,) = db.execute(f"SELECT data FROM {table}_rtree_node WHERE nodeno = ?", [number]).fetchone()
    return bytes(node)


def cells(node: bytes) -> Iterator[Cell]:
    """A node's cells: (child or _rowid, min lon, max lon, min lat, max lat)."""
    return CELL.iter_unpack(node[HEADER : HEADER + CELL.size * int.from_bytes(node[2:4], "big")])


def root_box(db: sqlite3.Connection, table: str) -> BBox | None:
    """The box the R*Tree's root covers, in its rounded 32-bit bounds; None if the tree is empty."""
    found = list(cells(_node(db, table, ROOT)))
    if not found:
        return None
    return (
        min(cell[1] for cell in found),
        min(cell[3] for cell in found),
        max(cell[2] for cell in found),
        max(cell[4] for cell in found),
    )


def lower_bound(lon: float, lat: float, cell: Cell) -> float:
    """Metres that every point of a cell's box is at least from the point: never more than the true least distance.

    A feature's box (its position, rounded outwards) is bounded by the
    distance to its centre less half its diagonal (the triangle inequality),
    which is within a few metres of the true distance. A node's box, by
    :func:`box_bound`.
    """
    _, min_lon, max_lon, min_lat, max_lat = cell
    if max_lon - min_lon <= POINT and max_lat - min_lat <= POINT:
        return max(0.0, distance(lon, lat, (min_lon + max_lon) / 2, (min_lat + max_lat) / 2) - POINT_RADIUS) * SLACK
    return box_bound(lon, lat, math.cos(math.radians(lat)), cell)


def box_bound(lon: float, lat: float, cos_lat: float, cell: Cell) -> float:
    """Metres that every point of a cell's box is at least from a point, whose latitude's cosine is ``cos_lat``.

    The haversine of the angle from the point to a point Q of the box is
    hav(difference in latitude) + cos(latitude) * cos(Q's latitude) *
    hav(difference in longitude). Each of its parts is least on its own: the
    first at the box's latitude nearest the point's, the cosine at the
    box's latitude farthest from the equator, the last at the box's meridian
    nearest the point's (hav is least at one end of a range of less than
    360 degrees). Their sum is then at most that of any Q, so the bound holds
    for the whole box with one haversine: for a box off to one side it is
    the distance to its nearest edge, and off to a corner, to that corner,
    near enough (the cosine is taken at the box's far latitude).
    """
    _, min_lon, max_lon, min_lat, max_lat = cell
    across = min_lat - lat if lat < min_lat else lat - max_lat if lat > max_lat else 0.0
    along = 0.0
    if not min_lon <= lon <= max_lon:
        along = min(math.sin((min_lon - lon) * HALF_RADIAN) ** 2, math.sin((max_lon - lon) * HALF_RADIAN) ** 2)
    far = math.cos(max(abs(min_lat), abs(max_lat)) * (2 * HALF_RADIAN))
    half_chord = math.sin(across * HALF_RADIAN) ** 2 + cos_lat * far * along
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(min(1.0, half_chord))) * SLACK


class PointBounds:
    """:func:`lower_bound` from one point, with the point's own trigonometry worked out once for a whole walk.

    A walk bounds thousands of features' boxes from the same point: the
    haversine of :func:`~local_data_app.store.distance` is written out here
    for a feature's box, with the point's radians and cosine kept, since
    most of a walk's time is these bounds.
    """

    def __init__(self, lon: float, lat: float) -> None:
        self.lon, self.lat = lon, lat
        self.lambda_, self.phi = math.radians(lon), math.radians(lat)
        self.cos_phi = math.cos(self.phi)

    def of_node(self, cell: Cell) -> float:
        _, min_lon, max_lon, min_lat, max_lat = cell
        if max_lon - min_lon <= POINT and max_lat - min_lat <= POINT:
            return self.of_feature(cell)
        return box_bound(self.lon, self.lat, self.cos_phi, cell)

    def of_feature(self, cell: Cell) -> float:
        """A leaf's cell: as :func:`lower_bound` gives for a feature's box, within floating-point rounding."""
        _, min_lon, max_lon, min_lat, max_lat = cell
        if max_lon - min_lon > POINT or max_lat - min_lat > POINT:
            return lower_bound(self.lon, self.lat, cell)
        phi = (min_lat + max_lat) * HALF_RADIAN
        half_chord = (
            math.sin((phi - self.phi) / 2) ** 2
            + self.cos_phi * math.cos(phi) * math.sin(((min_lon + max_lon) * HALF_RADIAN - self.lambda_) / 2) ** 2
        )
        return max(0.0, 2 * EARTH_RADIUS * math.asin(math.sqrt(min(1.0, half_chord))) - POINT_RADIUS) * SLACK


def nearest_candidates(
    db: sqlite3.Connection,
    table: str,
    lon: float,
    lat: float,
    wanted: int,
    within: BBox | None = None,
    keep: Callable[[list[int]], set[int]] | None = None,
    holding: Container[int] | None = None,
    *,
    nodes: Nodes,
    branches: Container[int] | None = None,
) -> list[tuple[int, float, float]] | None:
    """(_rowid, lon, lat) of features among which are the ``wanted`` nearest the point, with every tie at the last.

    Nodes and features come off a heap by their lower bound. Once ``wanted``
    features are off it, their exact positions (from the table) give the
    distance within which the ``wanted`` nearest all lie; every feature
    whose bound is within that distance is then taken too, since it may be
    nearer than one of them, or tie with the last. Any feature left on the
    heap is farther than all of them. The caller ranks the candidates by
    their exact distance.

    Only the features ``keep`` keeps count (it is given a batch of _rowids
    and returns those that match a request's filters, words and box), and
    nodes wholly outside ``within`` are never opened. A feature whose _rowid
    is not in ``holding`` (a set of the features holding a search's words,
    postings.py) is passed over before its distance is bounded. A search
    that has handed keep MOST_EXAMINED features, or with ``holding`` seen
    MOST_SEEN in the leaves it opened, without finding enough gives up:
    None, and the caller finds them another way (the filters and words
    match too few nearby). Nodes are read through ``nodes``; with
    ``branches`` (:func:`branches` of the ``holding`` set), a node not in it
    is never bounded or opened.
    """
    if wanted <= 0:
        return []
    root = nodes.read(db, table, ROOT)
    heap: list[tuple[float, int, int, int]] = []  # (bound, order pushed, node number or _rowid, depth; -1 a feature)
    pushed = seen = 0

    near_point = PointBounds(lon, lat)

    def open_node(node: bytes, level: int) -> None:
        nonlocal pushed, seen
        below = level - 1 if level > 0 else -1  # a leaf's cells are features
        bound_of = near_point.of_feature if level == 0 else near_point.of_node
        found: Iterator[Cell] | list[Cell] = cells(node)
        if level == 0 and holding is not None:
            seen += int.from_bytes(node[2:4], "big")
            found = [cell for cell in found if cell[0] in holding]
        elif level > 0 and branches is not None:
            found = [cell for cell in found if cell[0] in branches]
        for cell in found:
            if within is None or overlaps(cell, within):
                pushed += 1
                heapq.heappush(heap, (bound_of(cell), pushed, cell[0], below))

    open_node(root, int.from_bytes(root[0:2], "big"))
    taken: list[int] = []
    pending: list[int] = []  # features off the heap that keep has not yet been asked about
    examined = 0
    reach = math.inf
    positions: dict[int, tuple[float, float]] = {}
    while pending or (heap and heap[0][0] <= reach):
        # With a ``holding`` set, until ``wanted`` are taken, keep is asked about the features waiting before
        # another node is read, once they could be enough: so few pass the set that a batch would fill far afield.
        enough = (
            holding is not None
            and reach == math.inf
            and heap
            and heap[0][3] >= 0
            and len(taken) + len(pending) >= wanted
        )
        if heap and heap[0][0] <= reach and len(pending) < KEEP_BATCH and not enough:
            _, _, number, level = heapq.heappop(heap)
            if level >= 0:
                open_node(nodes.read(db, table, number), level)
                if seen > MOST_SEEN and len(taken) < wanted:
                    return None
            elif keep is None:
                taken.append(number)
            else:
                pending.append(number)
        elif pending:  # a batch to ask keep about: the heap is done with, or the batch is full
            examined += len(pending)
            kept = keep(pending)
            taken += [rowid for rowid in pending if rowid in kept]
            pending = []
            if examined > MOST_EXAMINED and len(taken) < wanted:
                return None
        if reach == math.inf and len(taken) >= wanted:  # the exact distances of these bound the rest of the search
            positions = exact_positions(db, table, taken)
            reach = sorted(distance(lon, lat, *positions[rowid]) for rowid in taken)[wanted - 1]
    more = [rowid for rowid in taken if rowid not in positions]
    positions.update(exact_positions(db, table, more))
    return [(rowid, *positions[rowid]) for rowid in taken]


def branches(db: sqlite3.Connection, table: str, rowids: Iterable[int]) -> frozenset[int]:
    """The numbers of the nodes with one of the features ``rowids`` below them: their leaves, and up to the root.

    The R*Tree's own tables give each feature's leaf and each node's parent.
    """
    level = _numbers(db, f"SELECT DISTINCT nodeno AS number FROM {table}_rtree_rowid WHERE rowid IN {NUMBERS}", rowids)
    found = set(level)
    for _ in range(MOST_DEPTH):
        parents = f"SELECT DISTINCT parentnode AS number FROM {table}_rtree_parent WHERE nodeno IN {NUMBERS}"
        level = _numbers(db, parents, level) - found
        if not level:
            break
        found |= level
    return frozenset(found)


def _numbers(db: sqlite3.Connection, query: str, numbers: Iterable[int]) -> set[int]:
    """The distinct numbers ``query`` gives for ``numbers``, handed to SQLite as one JSON list and back as one text."""
    (text,) = db.execute(f"SELECT group_concat(number) FROM ({query})", [json_list(numbers)]).fetchone()
    return set(map(int, text.split(","))) if text else set()


def json_list(numbers: Iterable[int]) -> str:
    """Whole numbers as one JSON list, for NUMBERS: one parameter however many (older SQLite takes 999 at most)."""
    return "[" + ",".join(map(str, numbers)) + "]"


def share_inside(nodes: Nodes, db: sqlite3.Connection, table: str, box: BBox) -> float:
    """About what share of an R*Tree's entries lie inside ``box``, from the cells two levels below its root.

    The nodes of one level hold about as many entries as each other (an
    R*Tree fills each node between 40% and 100%), so the share is near the
    mean of their cells' shares, each the part of its box's area inside
    ``box``. That takes the root and its children (kept in ``nodes``), a few
    dozen nodes whatever the size of the tree.
    """
    root = nodes.read(db, table, ROOT)
    found = list(cells(root))
    if int.from_bytes(root[:2], "big") >= 2:  # the root's cells are nodes whose own cells are nodes too
        found = [cell for child in found for cell in cells(nodes.read(db, table, child[0]))]
    if not found:
        return 0.0
    shares = (_within(cell[1], cell[2], box[0], box[2]) * _within(cell[3], cell[4], box[1], box[3]) for cell in found)
    return sum(shares) / len(found)


def _within(low: float, high: float, start: float, end: float) -> float:
    """The share of the span from ``low`` to ``high`` that lies from ``start`` to ``end``: all or none of a point."""
    if high <= low:
        return 1.0 if start <= low <= end else 0.0
    return max(0.0, min(high, end) - max(low, start)) / (high - low)


def overlaps(cell: Cell, box: BBox) -> bool:
    """Whether a cell's box meets a box (min lon, min lat, max lon, max lat)."""
    _, min_lon, max_lon, min_lat, max_lat = cell
    return min_lon <= box[2] and max_lon >= box[0] and min_lat <= box[3] and max_lat >= box[1]


def exact_positions(db: sqlite3.Connection, table: str, rowids: list[int]) -> dict[int, tuple[float, float]]:
    """The stored longitude and latitude of features, by _rowid (as many as a set ranked all at once holds)."""
    if not rowids:
        return {}
    rows = db.execute(f"SELECT _rowid, _lon, _lat FROM {table} WHERE _rowid IN {NUMBERS}", [json_list(rowids)])
    return {rowid: (x, y) for rowid, x, y in rows}
