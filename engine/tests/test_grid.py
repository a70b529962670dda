"""A large load's boxes counted and paged from its grid (store/grid.py), on SQLite.

The grid must give exactly what the R*Tree gives: every feature inside a
box, to the points on its edges and a hair's breadth either side, in load
order, whatever the box's size and however the features lie. Until it is
made, or where it cannot answer, the R*Tree must answer, right.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import math
import random
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import get, serving, toilet_rows
from test_rtree import clustered
from test_store import COLLECTION, FIELDS, box_reads, brute_nearest, in_box, load, make_feature, make_provenance
from test_store_conditions import kept

from local_data_app import deadline
from local_data_app.store import Between, OpenAt, distance, grid, masks, open_store, opening, rtree
from local_data_app.store import sqlite as sqlite_store
from local_data_app.store.conditions import All, AnyOf, Compare, In, Inside, Not

Box = tuple[float, float, float, float]
EDGES: Box = (-2.3, 53.4, -2.1, 53.55)  # a box with features on and either side of each edge
SHARE = "Share 100% {table}"
# The stores' test fields: one of the text fields with a list of values (which no feature has the last of), a number
# a theme's box asks two values of, and the text field a box asks to hold a value, as ingest marks them (masks.boxed)
LISTED_FIELDS = masks.boxed(
    [
        {**field, "constraints": {"enum": ["share 0", "share 1", "share 2", "share 3"]}}
        if field["name"] == SHARE
        else field
        for field in FIELDS
    ],
    [("ChargeAmount", 0.2), ("ChargeAmount", 2.4)],
    [(SHARE, ["share 0"])],  # a box for the places whose share holds a value other than "share 0"
)


def edged(lon: float, lat: float) -> list[tuple[float, float]]:
    """Points at ``lon``, ``lat`` and a hair's breadth either side of it, each way, closer than a 32-bit float tells."""
    points = []
    for nudge in (0.0, 1e-9, 1e-7, 1e-4):
        points += [(lon - nudge, lat), (lon + nudge, lat), (lon, lat - nudge), (lon, lat + nudge)]
    points += [(math.nextafter(lon, math.inf), lat), (math.nextafter(lon, -math.inf), lat)]
    points += [(lon, math.nextafter(lat, math.inf)), (lon, math.nextafter(lat, -math.inf))]
    return points


def layer() -> list[Any]:
    """Towns and a scatter (some unlocated, some on one spot) with points on and about each edge of EDGES."""
    features = clustered(6000, seed=20261207)
    min_lon, min_lat, max_lon, max_lat = EDGES
    points = []
    for lon, lat in ((min_lon, 53.5), (max_lon, 53.45), (-2.2, min_lat), (-2.15, max_lat), (min_lon, min_lat)):
        points += edged(lon, lat)
    points += [(-2.2, 53.5)] * 30  # thirty on one spot
    generator = random.Random(3)  # noqa: S311 (test data, not secrets)
    extra = [make_feature(len(features) + number, lon, lat) for number, (lon, lat) in enumerate(points)]
    for feature in extra:
        features.insert(generator.randrange(len(features) + 1), feature)
    return features


@pytest.fixture
def gridded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, list[Any]]]:
    """A SQLite store holding layer(), counted as large enough for a grid, and its grid made."""
    monkeypatch.setattr(grid, "LEAST_FEATURES", 1)
    store = open_store(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    features = layer()
    with store.replacing(COLLECTION, LISTED_FIELDS) as staging:
        for start in range(0, len(features), 1000):
            staging.add(features[start : start + 1000])
        staging.commit(make_provenance(COLLECTION, len(features)))
    store.count(COLLECTION, EDGES)
    store._grids.wait()
    yield store, features
    store.close()


def boxes() -> list[Box]:
    """Boxes of every size: EDGES and boxes about it, squares in towns and at sea, a point, long strips."""
    generator = random.Random(11)  # noqa: S311 (test data, not secrets)
    found: list[Box] = [EDGES, (-2.2, 53.5, -2.2, 53.5), (-2.3, 53.4, -2.3, 53.4), (-9.0, 40.0, -8.0, 41.0)]
    found += [(-2.5, 53.45, 0.0, 53.45), (-2.2, 49.0, -2.2, 60.0), (-6.1, 49.9, 1.8, 58.7)]
    min_lon, min_lat, max_lon, max_lat = EDGES
    found += [(math.nextafter(min_lon, math.inf), min_lat, max_lon, math.nextafter(max_lat, -math.inf))]
    found += [(min_lon - 1e-9, min_lat + 1e-9, max_lon + 1e-7, max_lat - 1e-7)]
    for _ in range(60):
        lon, lat = generator.uniform(-6.0, 1.7), generator.uniform(50.0, 58.6)
        if generator.random() < 0.6:
            lon, lat = generator.choice([(-2.24, 53.48), (-0.13, 51.51), (-3.19, 55.95)])
            lon, lat = lon + generator.gauss(0, 0.05), lat + generator.gauss(0, 0.03)
        half = generator.choice([0.001, 0.01, 0.05, 0.3])
        found.append((lon - half, lat - half * 0.6, lon + half, lat + half * 0.6))
    return found


def test_a_large_load_s_boxes_are_counted_and_paged_from_its_grid_exactly(
    gridded: tuple[Any, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counts and pages, near the start, deep and following on, are the features inside each box, without the R*Tree."""
    store, features = gridded
    asked = box_reads(store, monkeypatch)
    for box in boxes():
        inside = in_box(features, box)
        assert store.count(COLLECTION, box) == len(inside), box
        for limit, offset in [(50, 0), (7, 3), (50, 50), (1000, 0), (50, len(inside) - 10)]:
            offset = max(0, offset)
            assert store.features(COLLECTION, box, limit=limit, offset=offset) == inside[offset : offset + limit], box
        paged = [
            feature for start in range(0, len(inside) + 1, 40) for feature in store.features(COLLECTION, box, 40, start)
        ]
        assert paged == inside, box
    assert asked == []  # every box was read from the grid (the whole layer's box from the load's own count)


def points() -> list[tuple[float, float]]:
    """Points to search from: in towns and between them, on the thirty on one spot and on EDGES' edges, out at sea,
    and far from every feature (across the world, by a pole and by the 180th meridian)."""
    generator = random.Random(13)  # noqa: S311 (test data, not secrets)
    found = [(-2.2, 53.5), (-2.3, 53.5), (-2.2, 53.4), (-5.5, 56.0), (-20.0, 50.0), (150.0, -30.0), (179.99, 89.99)]
    found += [(-179.99, -89.99), (0.0, 0.0)]
    for _ in range(50):
        lon, lat = generator.uniform(-6.0, 1.7), generator.uniform(50.0, 58.6)
        if generator.random() < 0.6:
            lon, lat = generator.choice([(-2.24, 53.48), (-0.13, 51.51), (-3.19, 55.95)])
            lon, lat = lon + generator.gauss(0, 0.05), lat + generator.gauss(0, 0.03)
        found.append((lon, lat))
    return found


def walks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, float]]:
    """The points the store walks its R*Tree from, nearest first, from now on."""
    walked: list[tuple[float, float]] = []
    walk = rtree.nearest_candidates

    def spied(db: sqlite3.Connection, table: str, lon: float, lat: float, *args: Any, **kwargs: Any) -> Any:
        walked.append((lon, lat))
        return walk(db, table, lon, lat, *args, **kwargs)

    monkeypatch.setattr(rtree, "nearest_candidates", spied)
    return walked


def test_a_large_load_s_nearest_features_are_found_from_its_grid_exactly(
    gridded: tuple[Any, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages nearest first, near the start, deep, of one and of the whole layer, are the nearest by exact distance,
    ties in load order, found without the R*Tree's walk, wherever the point."""
    store, features = gridded
    walked = walks(monkeypatch)
    located = sum(feature.lon is not None for feature in features)
    for lon, lat in points():
        nearest = brute_nearest(features, lon, lat)
        for limit, offset in [(50, 0), (10, 0), (1, 0), (7, 3), (50, 100), (50, located - 20)]:
            found = store.nearest(COLLECTION, lon, lat, limit=limit, offset=offset)
            assert [feature for feature, _ in found] == nearest[offset : offset + limit], (lon, lat, limit, offset)
            assert [metres for _, metres in found] == [distance(lon, lat, f.lon, f.lat) for f, _ in found]
    assert walked == []
    tied = store.nearest(COLLECTION, -2.2, 53.5, limit=10)
    assert {metres for _, metres in tied} == {0.0}  # ten of the thirty on one spot, the first loaded
    assert [feature for feature, _ in tied] == [f for f in features if (f.lon, f.lat) == (-2.2, 53.5)][:10]


@pytest.mark.parametrize(("most", "filters"), [("MOST_NEAR", {}), ("MOST_MASKED", {"BabyChange": True})])
def test_nearest_features_a_grid_cannot_find_among_few_enough_are_found_by_the_r_tree_s_walk(
    gridded: tuple[Any, list[Any]], monkeypatch: pytest.MonkeyPatch, most: str, filters: dict[str, Any]
) -> None:
    """Where a box around the point that would hold them holds more than MOST_NEAR (MOST_MASKED, with masks of
    filters), the R*Tree's walk finds them."""
    store, features = gridded
    monkeypatch.setattr(grid, most, 40)
    walked = walks(monkeypatch)
    kept = [f for f in features if all(f.properties[name] == value for name, value in filters.items())]
    for lon, lat in [(-2.24, 53.48), (-20.0, 50.0)]:  # in a town, where 50 lie in cells holding more than 40; at sea
        found = store.nearest(COLLECTION, lon, lat, limit=50, filters=filters)
        assert [feature for feature, _ in found] == brute_nearest(kept, lon, lat)[:50]
    assert walked == [(-2.24, 53.48), (-20.0, 50.0)]


FILTERED: list[tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
    ({"BabyChange": True}, lambda p: p["BabyChange"]),  # half
    ({"BabyChange": False, SHARE: "share 1"}, lambda p: not p["BabyChange"] and p[SHARE] == "share 1"),  # a sixth
    ({SHARE: "share 2"}, lambda p: p[SHARE] == "share 2"),  # a third
    ({SHARE: "share 3"}, lambda p: False),  # none
    ({SHARE: "share 9", "BabyChange": True}, lambda p: False),  # outside the field's list: none, no mask read
    ({"ChargeAmount": 2.4}, lambda p: p["ChargeAmount"] == 2.4),  # a number a box asks: one feature
]


def mask_reads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The filters the store reads a mask of, from now on."""
    read, clauses = masks.read, []

    def spied(db: sqlite3.Connection, table: str, clause: Any) -> Any:
        clauses.append(clause)
        return read(db, table, clause)

    monkeypatch.setattr(masks, "read", spied)
    return clauses


def test_a_large_load_s_nearest_features_meeting_filters_are_found_from_its_grid_and_masks(
    gridded: tuple[Any, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages nearest first with filters (one, two together, a range, one that one feature meets, one none meets) are
    the nearest of the features meeting them, found without the R*Tree's walk, each filter's mask read once."""
    store, features = gridded
    walked, read = walks(monkeypatch), mask_reads(monkeypatch)
    for filters, meets in FILTERED:
        kept = [feature for feature in features if meets(feature.properties)]
        for lon, lat in points()[:25]:
            nearest = brute_nearest(kept, lon, lat)
            for limit, offset in [(50, 0), (1, 0), (7, 3), (50, max(0, len(nearest) - 20))]:
                found = store.nearest(COLLECTION, lon, lat, limit=limit, offset=offset, filters=filters)
                assert [feature for feature, _ in found] == nearest[offset : offset + limit], (filters, lon, lat)
                assert [metres for _, metres in found] == [distance(lon, lat, f.lon, f.lat) for f, _ in found]
    assert walked == []
    assert len(read) == len({clause for clause in read}) == 6  # the second case's two filters are masked apart


def test_a_mask_whose_read_a_deadline_stopped_is_not_read_again_and_nearest_answers_without_it(
    gridded: tuple[Any, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read is interrupted as a request's deadline interrupts it; later pages come from the walk, right."""
    store, features = gridded
    read, tried = masks.read, []

    def out_of_time(db: sqlite3.Connection, table: str, clause: Any) -> Any:
        tried.append(clause)
        with deadline.within(0.0):  # the request's time runs out while the mask is read
            return read(db, table, clause)

    monkeypatch.setattr(masks, "read", out_of_time)
    walked = walks(monkeypatch)
    point, only = (-2.24, 53.48), {"BabyChange": True}
    with pytest.raises(sqlite3.OperationalError, match="interrupt"):
        store.nearest(COLLECTION, *point, limit=5, filters=only)
    kept = [feature for feature in features if feature.properties["BabyChange"]]
    for _ in range(2):
        found = store.nearest(COLLECTION, *point, limit=5, filters=only)
        assert [feature for feature, _ in found] == brute_nearest(kept, *point)[:5]
    assert len(tried) == 1  # tried once, in the request it stopped
    assert walked == [point, point]


def test_a_large_load_s_boxes_with_filters_are_counted_and_paged_from_its_grid_and_masks(
    gridded: tuple[Any, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counts and pages of boxes with filters are the features inside each box meeting them, without the R*Tree."""
    store, features = gridded
    asked = box_reads(store, monkeypatch)
    for filters, meets in FILTERED:
        kept = [feature for feature in features if meets(feature.properties)]
        for box in boxes()[:40]:
            inside = in_box(kept, box)
            assert store.count(COLLECTION, box, filters=filters) == len(inside), (filters, box)
            for limit, offset in [(50, 0), (7, 3), (50, max(0, len(inside) - 10))]:
                found = store.features(COLLECTION, box, limit=limit, offset=offset, filters=filters)
                assert found == inside[offset : offset + limit], (filters, box)
    assert asked == []


def spied(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[Any]:
    """The arguments, and the named ones, of each call of ``module.name`` from now on."""
    calls: list[Any] = []
    function = getattr(module, name)

    def spy(*args: Any, **named: Any) -> Any:
        calls.append((args, named))
        return function(*args, **named)

    monkeypatch.setattr(module, name, spy)
    return calls


def test_a_theme_s_box_for_a_field_holding_a_value_is_masked_and_no_other_condition_is(
    gridded: tuple[Any, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The box's own condition, alone, in an AND or with a filter, is one mask read once: counts, pages and boxes
    and pages nearest first keep to it without a walk; the same shape with other values is asked of the rows."""
    store, features = gridded
    walked, read = walks(monkeypatch), mask_reads(monkeypatch)
    box, other = Not(In(SHARE, ("share 0",))), Not(In(SHARE, ("share 1",)))
    held = [feature for feature in features if feature.properties[SHARE] != "share 0"]
    cases: list[tuple[Any, dict[str, Any], list[Any], bool]] = [
        (box, {}, held, True),
        (All((box, In("BabyChange", (True,)))), {}, [f for f in held if f.properties["BabyChange"]], False),
        (box, {"BabyChange": False}, [f for f in held if not f.properties["BabyChange"]], True),
        (other, {}, [f for f in features if f.properties[SHARE] != "share 1"], False),
    ]
    for where, filters, meeting, masked in cases:
        before = len(walked)
        for lon, lat in points()[:10]:
            found = store.nearest(COLLECTION, lon, lat, limit=20, filters=filters, where=where)
            assert [feature for feature, _ in found] == brute_nearest(meeting, lon, lat)[:20], (where, lon, lat)
        for bbox in boxes()[:10]:
            inside = in_box(meeting, bbox)
            assert store.count(COLLECTION, bbox, filters=filters, where=where) == len(inside)
            assert store.features(COLLECTION, bbox, limit=30, filters=filters, where=where) == inside[:30]
        assert store.count(COLLECTION, filters=filters, where=where) == len(meeting)
        assert store.features(COLLECTION, limit=40, offset=100, filters=filters, where=where) == meeting[100:140]
        assert (len(walked) == before) == masked, where
    assert [clause for clause in read if "IN" in clause[0]] == [read[0]]  # the box's mask alone, read once
    assert read[0][0].startswith("(NOT ")


def test_a_large_load_s_features_meeting_filters_are_counted_and_paged_from_their_masks(
    gridded: tuple[Any, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A count with filters and no box (a page nearest a point counts so), and pages in load order from the start,
    deep, past the end and following on (a GIS client paging a filtered layer), are the masks', located or not, no
    row asked about."""
    store, features = gridded
    asked = spied(monkeypatch, sqlite_store, "_matching")
    for filters, meets in FILTERED:
        kept = [feature for feature in features if meets(feature.properties)]
        assert store.count(COLLECTION, filters=filters) == len(kept)
        for limit, offset in [(50, 0), (7, 3), (100, len(kept) // 2), (50, max(0, len(kept) - 10)), (10, len(kept))]:
            assert store.features(COLLECTION, limit=limit, offset=offset, filters=filters) == kept[offset:][:limit]
        paged = [
            f for start in range(0, len(kept) + 1, 300) for f in store.features(COLLECTION, None, 300, start, filters)
        ]
        assert paged == kept, filters
    assert asked == []


def test_filters_whose_values_have_no_end_are_asked_of_the_rows_as_before_and_not_masked(
    gridded: tuple[Any, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A number, a range, free text or a CQL2 condition, alone or with a listed field's filter, reads no mask (each
    new value would read the whole table): pages nearest first and boxes keep to it, as the R*Tree finds them."""
    store, features = gridded
    walked, read = walks(monkeypatch), mask_reads(monkeypatch)
    few = Compare("Cubicles", "<", 300)
    ends = AnyOf((few, Compare("Cubicles", ">", 5900)))
    babies = [feature for feature in features if feature.properties["BabyChange"]]
    cases: list[tuple[dict[str, Any], Any, list[Any]]] = [
        ({"Cubicles": 4321}, None, [feature for feature in features if feature.properties["Cubicles"] == 4321]),
        ({"ChargeAmount": 0.4}, None, [f for f in features if f.properties["ChargeAmount"] == 0.4]),  # no box's
        ({"Cubicles": Between(100, 400)}, None, [f for f in features if 100 <= f.properties["Cubicles"] <= 400]),
        ({"LocationText": "Toilet 7"}, None, [f for f in features if f.properties["LocationText"] == "Toilet 7"]),
        ({"BabyChange": True}, few, kept(few, babies)),
        ({}, ends, kept(ends, features)),
        ({}, Inside(EDGES), kept(Inside(EDGES), features)),
    ]
    for filters, where, found in cases:
        for lon, lat in points()[:8]:
            page = store.nearest(COLLECTION, lon, lat, limit=20, filters=filters, where=where)
            assert [feature for feature, _ in page] == brute_nearest(found, lon, lat)[:20], (filters, where, lon, lat)
        for box in boxes()[:8]:
            inside = in_box(found, box)
            assert store.count(COLLECTION, box, filters=filters, where=where) == len(inside)
            assert store.features(COLLECTION, box, limit=30, filters=filters, where=where) == inside[:30]
        assert store.count(COLLECTION, filters=filters, where=where) == len(found)
    assert read == []
    assert len(walked) == 8 * len(cases)


def test_filters_on_fields_with_few_values_are_masked_one_by_one_and_open_now_by_the_hours_open() -> None:
    """Each listed field's filter is its own clause; "open now" is the numbers of the load's hours open then."""
    fields = sqlite_store._Fields([*LISTED_FIELDS, {"name": "OpeningHours", "type": "string"}])
    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        assert sqlite_store._clauses(db, "t", fields, [("BabyChange", True), (SHARE, "share 1")]) == [
            ('t."BabyChange" = ?', (True,)),
            ('t."Share 100% {table}" = ?', ("share 1",)),
        ]
        assert sqlite_store._clauses(db, "t", fields, [("BabyChange", True), ("Cubicles", 3)]) is None
        # Outside the field's list, no feature's: NOTHING, where a mask of each new value would read the table
        assert sqlite_store._clauses(db, "t", fields, [(SHARE, "share 4")]) == [masks.NOTHING]
        db.execute("CREATE TABLE t_open (start INTEGER, stop INTEGER, hours INTEGER)")
        db.executemany("INSERT INTO t_open VALUES (?, ?, ?)", [(0, 1440, 3), (600, 700, 1), (700, 800, 2)])
        opening.remember("t", lambda: [(5, "PH 10:00-12:00"), (4, "Jan 01-Dec 31 Mo 00:00-24:00")])
        monday = datetime.datetime(2026, 12, 7, 11, 40, tzinfo=opening.LONDON)  # minute 700 of the week
        assert sqlite_store._clauses(db, "t", fields, [("OpeningHours", OpenAt(monday))]) == [masks.Open((2, 3, 4))]


def test_a_grid_s_nearest_candidates_hold_every_feature_as_near_as_the_last(tmp_path: Path) -> None:
    """Candidates are a superset of the nearest and their ties, however the features lie: along a line of latitude
    2 cm apart (closer than a 32-bit float tells at 179 degrees), on a ring around the point, and five on it."""
    spots = [(179.0 + step * 2e-7, 10.0) for step in range(300)]  # 2 cm apart; 32-bit floats 1.5 m apart here
    spots += [
        (179.0 + 0.01 * math.cos(turn / 50 * math.tau), 10.0 + 0.01 * math.sin(turn / 50 * math.tau))
        for turn in range(50)
    ]
    spots += [(179.0, 10.0)] * 5
    with contextlib.closing(tree(tmp_path, [(x, x, y, y) for x, y in spots])) as db:
        made = grid.read(db, "t", len(spots))
    assert made is not None
    for lon, lat in [(179.0, 10.0), (179.00003, 10.0), (178.99, 10.0), (179.0, 10.01), (179.5, 10.5)]:
        measured = [distance(lon, lat, x, y) for x, y in spots]
        for wanted in (1, 5, 6, 50, 300, 355, 1000):
            last = sorted(measured)[min(wanted, len(spots)) - 1]
            nearest = {rowid for rowid, metres in enumerate(measured, 1) if metres <= last}
            candidates = set(made.nearest(lon, lat, wanted).tolist())
            assert nearest <= candidates, (lon, lat, wanted)


def test_a_box_whose_cells_hold_too_many_is_read_as_before(
    gridded: tuple[Any, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond MOST_CANDIDATES in its cells, a box is read from the R*Tree (or counted from outside), the same."""
    store, features = gridded
    monkeypatch.setattr(grid, "MOST_CANDIDATES", 200)
    asked = box_reads(store, monkeypatch)
    small, large = (-4.5, 57.0, -4.3, 57.2), (-3.5, 51.0, 0.5, 56.0)  # in the Highlands; round three towns
    assert store.count(COLLECTION, small) == len(in_box(features, small))
    assert asked == []
    inside = in_box(features, large)
    assert len(inside) > 200
    assert store.count(COLLECTION, large) == len(inside)
    assert store.features(COLLECTION, large, limit=50, offset=20) == inside[20:70]
    assert asked  # the R*Tree answered


def test_until_its_grid_is_made_a_load_s_boxes_are_read_from_the_r_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No request waits for a grid: while it is made, the R*Tree answers, right; once it is made, the grid does."""
    monkeypatch.setattr(grid, "LEAST_FEATURES", 1)
    release, reading = threading.Event(), threading.Event()
    read = grid.read

    def slow_read(db: sqlite3.Connection, table: str, located: int) -> grid.Grid | None:
        reading.set()
        assert release.wait(30)
        return read(db, table, located)

    monkeypatch.setattr(grid, "read", slow_read)
    store = open_store(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    try:
        features = layer()
        load(store, features, batch=1000)
        asked = box_reads(store, monkeypatch)
        assert store.count(COLLECTION, EDGES) == len(in_box(features, EDGES))
        assert reading.wait(30)
        box = (-2.3, 53.4, -2.2, 53.5)
        assert store.features(COLLECTION, box, limit=20, offset=5) == in_box(features, box)[5:25]
        assert len(asked) == 2  # both from the R*Tree, while the grid was being made
        release.set()
        store._grids.wait()
        asked.clear()
        other = (-0.2, 51.45, -0.1, 51.55)
        assert store.count(COLLECTION, other) == len(in_box(features, other))
        assert store.features(COLLECTION, other, limit=20) == in_box(features, other)[:20]
        assert asked == []
    finally:
        release.set()
        store.close()


def test_a_grid_that_cannot_be_made_is_not_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A fault while a grid is made is logged once; the R*Tree answers every box, right, and no making starts again."""
    monkeypatch.setattr(grid, "LEAST_FEATURES", 1)
    tries: list[str] = []

    def failing_read(db: sqlite3.Connection, table: str, located: int) -> grid.Grid | None:
        tries.append(table)
        raise sqlite3.OperationalError("no such table")

    monkeypatch.setattr(grid, "read", failing_read)
    store = open_store(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    try:
        features = layer()
        load(store, features, batch=1000)
        with caplog.at_level(logging.WARNING, logger=grid.__name__):
            for box in boxes()[:10]:
                assert store.count(COLLECTION, box) == len(in_box(features, box))
                store._grids.wait()
                assert store.features(COLLECTION, box, limit=10) == in_box(features, box)[:10]
        assert len(tries) == 1
        assert "the R*Tree answers its boxes and nearest" in caplog.text
    finally:
        store.close()


@pytest.mark.parametrize(("least", "most_bytes"), [(100_000, grid.MOST_BYTES), (1, 1000)], ids=["small", "too-large"])
def test_a_small_load_or_one_too_large_for_memory_has_no_grid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, least: int, most_bytes: int
) -> None:
    """A load under LEAST_FEATURES, or one whose grid would weigh more than MOST_BYTES, is read from the R*Tree."""
    monkeypatch.setattr(grid, "LEAST_FEATURES", least)
    monkeypatch.setattr(grid, "MOST_BYTES", most_bytes)
    tries: list[str] = []
    monkeypatch.setattr(grid, "read", lambda db, table, located: tries.append(table))
    store = open_store(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    try:
        features = layer()
        load(store, features, batch=1000)
        assert store.count(COLLECTION, EDGES) == len(in_box(features, EDGES))
        store._grids.wait()
        assert tries == []
    finally:
        store.close()


def test_a_new_load_has_a_grid_of_its_own(gridded: tuple[Any, list[Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    """After a new load, its boxes hold its features, from its own grid; and a load of one spot has a grid too."""
    store, _ = gridded
    features = [make_feature(number, -1.5 + number * 1e-5, 52.5) for number in range(500)]
    features += [make_feature(500 + number, -1.5, 52.5) for number in range(20)]
    load(store, features, batch=100)
    store.count(COLLECTION, EDGES)
    store._grids.wait()
    asked = box_reads(store, monkeypatch)
    for box in [EDGES, (-1.5, 52.5, -1.5, 52.5), (-1.5, 52.0, -1.499, 53.0), (-1.4999, 52.4, -1.49, 52.6)]:
        inside = in_box(features, box)
        assert store.count(COLLECTION, box) == len(inside)
        assert store.features(COLLECTION, box, limit=30, offset=10) == inside[10:40]
    assert asked == []
    load(store, [make_feature(number, -1.5, 52.5) for number in range(5)], batch=5)
    store.count(COLLECTION, EDGES)
    store._grids.wait()
    assert store.count(COLLECTION, (-1.5, 52.5, -1.5, 52.5)) == 5
    assert [feature.id for feature in store.features(COLLECTION, (-1.6, 52.4, -1.4, 52.6))] == [
        f"id-{number}" for number in range(5)
    ]


def tree(folder: Path, bounds: list[tuple[float, float, float, float]]) -> sqlite3.Connection:
    """A database with an R*Tree ``t_rtree`` of these bounds (min lon, max lon, min lat, max lat), _rowids from 1."""
    db = sqlite3.connect(folder / "tree.db")
    db.execute("CREATE VIRTUAL TABLE t_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat)")
    db.executemany("INSERT INTO t_rtree VALUES (?, ?, ?, ?, ?)", [(n, *box) for n, box in enumerate(bounds, 1)])
    db.commit()
    return db


def test_a_feature_whose_bounds_cross_a_cell_s_edge_is_found_from_the_cell_of_its_west_edge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feature is filed by the west and south edges of its bounds, which may lie a cell before a box's edge: the
    box's cells reach back by the widest bounds, so the feature is still found, to be decided by its position."""
    monkeypatch.setattr(grid, "PER_CELL", 8)
    points = [(float(number % 8), float(number // 8)) for number in range(64)]  # 64 features: a grid of 2 by 2
    bounds = [(lon, lon, lat, lat) for lon, lat in points]
    bounds.append((3.4999, 3.5001, 1.0, 1.0))  # across the first column's east edge, at 3.5
    bounds.append((2.0, 2.0, 3.4999, 3.5001))  # across the first row's north edge
    with contextlib.closing(tree(tmp_path, bounds)) as db:
        made = grid.read(db, "t", len(bounds))
    assert made is not None
    assert (made.columns, made.rows, made.origin, made.width) == (2, 2, (0.0, 0.0), 3.5)
    within, across = made.inside((3.5, 0.5, 5.0, 1.5))
    assert sorted(within.tolist()) == [13, 14]
    assert across.tolist() == [65]
    within, across = made.inside((1.5, 3.5, 2.5, 4.5))
    assert sorted(within.tolist()) == [35]
    assert across.tolist() == [66]
    assert [part.tolist() for part in made.inside((20.0, 20.0, 30.0, 30.0))] == [[], []]


def test_a_tree_with_no_feature_or_not_the_features_counted_has_no_grid(tmp_path: Path) -> None:
    """An R*Tree with no entry (a load of features without a position) gives no grid; one that holds more or fewer
    features than the store counted is refused in words."""
    with contextlib.closing(tree(tmp_path, [])) as db:
        assert grid.read(db, "t", 0) is None
    (tmp_path / "three").mkdir()
    with contextlib.closing(tree(tmp_path / "three", [(1.0, 1.0, 2.0, 2.0)] * 3)) as db:
        assert grid.read(db, "t", 3) is not None
        with pytest.raises(ValueError, match="holds more than the 2 features counted"):
            grid.read(db, "t", 2)
        with pytest.raises(ValueError, match="holds 3 features, not the 4 counted"):
            grid.read(db, "t", 4)


def test_a_box_with_an_edge_at_infinity_or_not_a_number_is_answered(tmp_path: Path) -> None:
    """The store's own boxes may reach to infinity or past a 32-bit float: such a box's cells are the grid's first
    or last, and its edges compare as they are."""
    points = [(float(number % 8), float(number // 8)) for number in range(64)]
    with contextlib.closing(tree(tmp_path, [(x, x, y, y) for x, y in points])) as db:
        made = grid.read(db, "t", 64)
    assert made is not None
    for west, east, north in [(-math.inf, math.inf, math.inf), (-1e300, 1e300, 1e300), (-7.0, 7.0, 3e38)]:
        within, across = made.inside((west, 6.5, east, north))
        assert sorted(within.tolist()) == list(range(57, 65))
        assert across.tolist() == []
    assert [part.tolist() for part in made.inside((math.nan, 0.0, 1.0, 1.0))] == [[], []]


def test_a_box_s_edges_in_32_bits_are_the_nearest_floats_on_the_inside_of_each() -> None:
    """_up gives the least 32-bit float at or above an edge, _down the greatest at or below: a 32-bit bound
    compares with them as it does with the edge itself."""
    generator = random.Random(7)  # noqa: S311 (test data, not secrets)
    edges = [0.0, -0.0, 2.5, -2.1, 53.4, 1e-300, -1e-45, 179.99999999999997, -90.0]
    edges += [generator.uniform(-180.0, 180.0) for _ in range(2000)]
    for edge in edges:
        up, down = grid._up(edge), grid._down(edge)
        assert float(down) <= edge <= float(up)
        assert float(np.nextafter(up, np.float32(-np.inf))) < edge < float(np.nextafter(down, np.float32(np.inf)))
        assert (up == down) == (float(np.float32(edge)) == edge)


def test_the_app_begins_its_grid_as_it_starts_and_answers_boxes_and_nearest_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's prepare(), as the app starts, makes a large collection's grid before any box is asked for; the
    API's counts and pages then come from it, the features inside the box on its edges included, and so do its
    pages nearest a point, with their distances."""
    monkeypatch.setattr(grid, "LEAST_FEATURES", 1)
    made: list[str] = []
    read = grid.read
    monkeypatch.setattr(grid, "read", lambda db, table, located: made.append(table) or read(db, table, located))
    with serving(tmp_path / "project", toilet_rows()) as served:
        served.app.state.api.store._grids.wait()
        assert len(made) == 1
        asked = box_reads(served.app.state.api.store, monkeypatch)
        positions = [(float(row["GeoX"]), float(row["GeoY"]), row["Ref"]) for row in toilet_rows()]
        west, south = positions[1][:2]  # the box's south-west corner is the second toilet's position
        east, north = positions[18][:2]
        inside = [ref for lon, lat, ref in positions if west <= lon <= east and south <= lat <= north]
        body = get(f"{served.base}/api/collections/toilets/items?bbox={west},{south},{east},{north}&limit=4").json()
        assert body["numberMatched"] == len(inside) == 12
        assert [feature["id"] for feature in body["features"]] == inside[:4]
        assert asked == []
        walked = walks(monkeypatch)
        lon, lat = positions[5][:2]
        nearest = sorted((distance(lon, lat, x, y), number, ref) for number, (x, y, ref) in enumerate(positions))
        body = get(f"{served.base}/api/collections/toilets/items?near={lon},{lat}&limit=5&offset=1").json()
        assert [feature["id"] for feature in body["features"]] == [ref for _, _, ref in nearest[1:6]]
        assert [feature["properties"]["distance"] for feature in body["features"]] == [
            round(metres, 1) for metres, _, _ in nearest[1:6]
        ]
        assert walked == []


def test_a_store_whose_catalogue_names_a_missing_table_still_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """prepare() on a damaged file logs why no grid was begun, and raises nothing, so the app still starts."""
    store = open_store(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    try:
        load(store, layer()[:50], batch=50)
        with contextlib.closing(sqlite3.connect(tmp_path / "app.db")) as db:
            (table,) = db.execute("SELECT table_name FROM _collections").fetchone()
            db.execute(f"DROP TABLE {table}_rtree")
        with caplog.at_level(logging.WARNING, logger=grid.__name__):
            store.prepare()
        assert "No grid was begun as the app started" in caplog.text
    finally:
        store.close()
