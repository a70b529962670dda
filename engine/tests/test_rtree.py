"""Nearest first through the R*Tree's nodes (store/rtree.py), and counting every row from the catalogue.

The walk must find exactly what measuring every feature finds, in a tree of
several levels, with features on the same spot, and from points far from
all of them; its bounds must never be above a true distance, or it would
stop too soon.
"""

from __future__ import annotations

import contextlib
import math
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from test_store import COLLECTION, FIELDS, brute_nearest, holding, load, make_feature, make_provenance

from local_data_app import deadline
from local_data_app.store import distance, open_store, postings, rtree
from local_data_app.store import sqlite as sqlite_store


def clustered(count: int, seed: int) -> list[Any]:
    """Towns of features (a few on the same spot, a few unlocated) and a scatter over Great Britain."""
    generator = random.Random(seed)  # noqa: S311 (test data, not secrets)
    towns = [(-2.24, 53.48), (-0.13, 51.51), (-3.19, 55.95), (-4.25, 55.86), (-1.9, 52.48)]
    features = []
    for number in range(count):
        if number % 23 == 7:
            lon, lat = None, None
        elif number % 11 == 3 and features[number - 2].lon is not None:
            lon, lat = features[number - 2].lon, features[number - 2].lat  # the same spot as another
        elif number % 5 == 0:
            lon, lat = generator.uniform(-6.0, 1.7), generator.uniform(50.0, 58.6)
        else:
            town_lon, town_lat = generator.choice(towns)
            lon, lat = generator.gauss(town_lon, 0.03), generator.gauss(town_lat, 0.02)
        features.append(make_feature(number, lon, lat))
    return features


@pytest.fixture(scope="module")
def big_sqlite(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, list[Any]]:
    """A SQLite store of 6,000 features, so that its R*Tree has several levels."""
    folder = tmp_path_factory.mktemp("rtree")
    features = clustered(6000, seed=20261206)
    store = open_store(f"sqlite:///{folder / 'app.db'}", folder)
    load(store, features, batch=1000)
    yield store, features
    store.close()


def tree_depth(store: Any) -> int:
    db = sqlite3.connect(store.path)
    with contextlib.closing(db):
        (table,) = db.execute("SELECT table_name FROM _collections WHERE collection = ?", [COLLECTION]).fetchone()
        (root,) = db.execute(f"SELECT data FROM {table}_rtree_node WHERE nodeno = 1").fetchone()  # noqa: S608 (the store's own name)
    return int.from_bytes(root[:2], "big")


def test_the_walk_finds_what_measuring_every_feature_finds(big_sqlite: tuple[Any, list[Any]]) -> None:
    """In towns, between them, at sea, in Shetland and across the world: pages of 1, 50 and 500, ties in load order."""
    store, features = big_sqlite
    assert tree_depth(store) >= 2  # the walk goes down through inner nodes to leaves
    generator = random.Random(5)  # noqa: S311 (test data, not secrets)
    points = [(-2.24, 53.48), (-0.13, 51.51), (2.5, 56.5), (-1.14, 60.15), (-9.5, 49.0), (151.2, -33.9), (0.0, 89.9)]
    points += [(generator.uniform(-7.0, 2.0), generator.uniform(49.5, 59.5)) for _ in range(12)]
    for lon, lat in points:
        expected = brute_nearest(features, lon, lat)
        for limit, offset in [(1, 0), (50, 0), (50, 50), (500, 0)]:
            found = store.nearest(COLLECTION, lon, lat, limit=limit, offset=offset)
            assert [feature for feature, _ in found] == expected[offset : offset + limit], (lon, lat, limit)
            assert [metres for _, metres in found] == pytest.approx(
                [distance(lon, lat, f.lon, f.lat) for f in expected[offset : offset + limit]]
            )


@pytest.mark.parametrize(
    "box",
    [(-7.0, 49.0, 2.0, 60.0), (-2.5, 51.0, 0.5, 54.0), (-3.0, 52.0, 0.0, 54.0), (-2.5, 53.0, -0.1, 56.0)],
    ids=["everything", "three-towns", "two-towns", "one-town"],
)
def test_the_share_of_a_tree_inside_a_box_is_near_the_share_of_its_features(
    big_sqlite: tuple[Any, list[Any]], box: tuple[float, float, float, float]
) -> None:
    """From the cells two levels below the root, of a tree of towns and a scatter: within a tenth of the truth,
    which is what choosing between counting a box's inside and its outside asks."""
    store, features = big_sqlite
    assert tree_depth(store) >= 2
    located = [feature for feature in features if feature.lon is not None]
    truth = sum(box[0] <= f.lon <= box[2] and box[1] <= f.lat <= box[3] for f in located) / len(located)
    db = sqlite3.connect(store.path)
    with contextlib.closing(db):
        (table,) = db.execute("SELECT table_name FROM _collections WHERE collection = ?", [COLLECTION]).fetchone()
        share = rtree.share_inside(rtree.Nodes(), db, table, box)
    assert share == pytest.approx(truth, abs=0.1)


def test_a_set_whose_read_a_deadline_stopped_is_not_read_again_and_searches_answer_without_it(
    worded_sqlite: tuple[str, Path, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read is interrupted by SQLite as a request's deadline interrupts it; the next search reads no set."""
    url, folder, features = worded_sqlite
    real, narrowed = postings.read, []

    def out_of_time(db: sqlite3.Connection, table: str, match: str, most: int, meeting: Any = ((), ())) -> Any:
        if not meeting[0]:
            return real(db, table, match, most, meeting)
        narrowed.append(match)
        with deadline.within(0.0):  # the request's time runs out while its set is read
            return real(db, table, match, most, meeting)

    monkeypatch.setattr(postings, "read", out_of_time)
    point, only = (-2.24, 53.48), {"BabyChange": True}
    kept = [feature for feature in holding(features, "park") if feature.properties["BabyChange"]]
    store = open_store(url, folder)
    try:
        with pytest.raises(sqlite3.OperationalError, match="interrupt"):
            store.search(COLLECTION, ["park"], limit=5, filters=only, near=point)
        for _ in range(2):
            found = store.search(COLLECTION, ["park"], limit=5, filters=only, near=point)
            assert found is not None
            assert [feature for feature, _ in found.page] == brute_nearest(kept, *point)[:5]
            assert found.matched == len(kept)
        assert len(narrowed) == 1  # tried once, in the request it stopped
    finally:
        store.close()


def test_the_branches_of_a_set_are_the_nodes_with_one_of_its_features_below(big_sqlite: tuple[Any, list[Any]]) -> None:
    """Read from the tree's own tables, they are what going down from the root through every node finds."""
    store, _ = big_sqlite
    db = sqlite3.connect(store.path)
    with contextlib.closing(db):
        (table,) = db.execute("SELECT table_name FROM _collections WHERE collection = ?", [COLLECTION]).fetchone()
        below: dict[int, set[int]] = {}  # node number: the _rowids below it

        def down(number: int, level: int) -> set[int]:
            node = rtree._node(db, table, number)
            found = {cell[0] for cell in rtree.cells(node)} if level == 0 else set()
            for cell in rtree.cells(node) if level > 0 else ():
                found |= down(cell[0], level - 1)
            below[number] = found
            return found

        root = rtree._node(db, table, rtree.ROOT)
        every = down(rtree.ROOT, int.from_bytes(root[:2], "big"))
        generator = random.Random(3)  # noqa: S311 (test data, not secrets)
        for size in (0, 1, 10, 300, len(every)):
            chosen = set(generator.sample(sorted(every), size))
            expected = {number for number, rowids in below.items() if rowids & chosen}
            assert rtree.branches(db, table, chosen) == expected, size
        assert len(below) > 100  # several levels, and many leaves to leave out


def test_a_bound_is_never_above_the_distance_to_any_point_of_its_box() -> None:
    """Boxes of every size, from a feature's to a country's, east, west, north and south of the point and around it."""
    generator = random.Random(11)  # noqa: S311 (test data, not secrets)
    for number in range(4000):
        tiny = number % 4 == 0  # a feature's box: its position, rounded outwards
        width = 10 ** generator.uniform(-7, -4.1 if tiny else 1.3)
        height = 10 ** generator.uniform(-7, -4.1 if tiny else 1.3)
        min_lon, min_lat = generator.uniform(-12, 4), generator.uniform(48, 62)
        cell = (0, min_lon, min_lon + width, min_lat, min_lat + height)
        lon, lat = generator.uniform(-15, 8), generator.uniform(45, 65)
        bound = rtree.lower_bound(lon, lat, cell)
        samples = [(min_lon + width * a, min_lat + height * b) for a in (0, 0.25, 0.5, 0.75, 1) for b in (0, 0.5, 1)]
        samples += [(generator.uniform(min_lon, min_lon + width), generator.uniform(min_lat, min_lat + height))]
        samples += [(min(max(lon, min_lon), min_lon + width), min(max(lat, min_lat), min_lat + height))]
        nearest = min(distance(lon, lat, x, y) for x, y in samples)
        assert bound <= nearest, (lon, lat, cell, bound, nearest)
        assert rtree.PointBounds(lon, lat).of_feature(cell) <= nearest, (lon, lat, cell, nearest)


def test_a_node_s_bound_is_within_a_hundredth_of_the_distance_to_its_box() -> None:
    """A tight bound opens few nodes: a box of up to half a degree, on any side of the point, is bounded closely."""
    generator = random.Random(12)  # noqa: S311 (test data, not secrets)
    lon, lat = -2.3, 53.4
    for _ in range(400):
        width, height = generator.uniform(0.001, 0.5), generator.uniform(0.001, 0.5)
        min_lon, min_lat = lon + generator.uniform(-1.0, 0.5), lat + generator.uniform(-1.0, 0.5)
        max_lon, max_lat = min_lon + width, min_lat + height
        cell = (0, min_lon, max_lon, min_lat, max_lat)
        steps = [step / 400 for step in range(401)]
        edges = [(min_lon + width * step, y) for step in steps for y in (min_lat, max_lat)]
        edges += [(x, min_lat + height * step) for step in steps for x in (min_lon, max_lon)]
        edges.append((min(max(lon, min_lon), max_lon), min(max(lat, min_lat), max_lat)))
        nearest = min(distance(lon, lat, x, y) for x, y in edges)
        for bound in (rtree.lower_bound(lon, lat, cell), rtree.PointBounds(lon, lat).of_node(cell)):
            assert 0.99 * nearest <= bound <= nearest, (cell, bound, nearest)


def test_a_feature_s_bound_is_within_metres_of_its_distance() -> None:
    """A point's box bounds tightly, so the walk takes few features beyond the ones it wants."""
    lon, lat = -2.3, 53.4
    for east, north in [(0.1, 0.0), (0.0, 0.2), (0.3, -0.4), (-1.5, 2.0)]:
        x, y = lon + east, lat + north
        cell = (0, math.nextafter(x, -math.inf), math.nextafter(x, math.inf), y, y)
        for bound in (rtree.lower_bound(lon, lat, cell), rtree.PointBounds(lon, lat).of_feature(cell)):
            assert distance(lon, lat, x, y) - rtree.POINT_RADIUS - 1 <= bound <= distance(lon, lat, x, y)


def test_an_empty_tree_has_no_candidates(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    try:
        load(store, [make_feature(1, None, None)])
        assert store.nearest(COLLECTION, -2.3, 53.4, limit=10) == []
    finally:
        store.close()


def test_counting_every_row_reads_the_load_s_own_count(database_url: str, tmp_path: Path) -> None:
    """Without a box or filters the count is the load's, from the catalogue, and agrees with the rows (both stores)."""
    store = open_store(database_url, tmp_path)
    try:
        features = clustered(300, seed=3)
        load(store, features, batch=100)
        assert store.count(COLLECTION) == len(features)
        babies = sum(feature.properties["BabyChange"] for feature in features)
        assert store.count(COLLECTION, filters={"BabyChange": True}) == babies
        load(store, features[:120], batch=100)  # a new load, with its own count
        assert store.count(COLLECTION) == 120
    finally:
        store.close()


def test_a_load_the_catalogue_has_no_count_for_is_counted(tmp_path: Path) -> None:
    """A table loaded before the catalogue kept counts (rows_loaded empty) is counted row by row."""
    store = open_store(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    try:
        features = [make_feature(number, -2.0, 53.0 + number / 1000) for number in range(40)]
        with store.replacing(COLLECTION, FIELDS) as staging:
            staging.add(features)
            staging.commit(make_provenance(rows=len(features)))
        with contextlib.closing(sqlite3.connect(store.path)) as db, db:
            db.execute("UPDATE _collections SET rows_loaded = NULL")
        assert store.count(COLLECTION) == 40
    finally:
        store.close()


def test_the_walk_keeps_to_filters_and_a_box_in_a_deep_tree(big_sqlite: tuple[Any, list[Any]]) -> None:
    """Common and rare filters, a box away from the point, and both: the same as measuring every match."""
    store, features = big_sqlite
    box = (-2.4, 53.3, -2.1, 53.6)

    def inside(feature: Any) -> bool:
        return feature.lon is not None and box[0] <= feature.lon <= box[2] and box[1] <= feature.lat <= box[3]

    for filters, bbox in [
        ({"BabyChange": True}, None),
        ({"Cubicles": 4321}, None),
        ({}, box),
        ({"BabyChange": False}, box),
    ]:
        matches = [
            feature
            for feature in features
            if all(feature.properties[name] == value for name, value in filters.items())
            and (bbox is None or inside(feature))
        ]
        for lon, lat in [(-2.24, 53.48), (-0.13, 51.51), (2.5, 56.5)]:
            expected = brute_nearest(matches, lon, lat)[:60]
            found = store.nearest(COLLECTION, lon, lat, limit=60, bbox=bbox, filters=filters)
            assert [feature for feature, _ in found] == expected, (filters, bbox, lon, lat)


# --- Word search near a point: the walk with sets of the features holding the words -----------------------------

# Words of a place's name, from common to rare, each feature's name having one or two of them.
PLACE_WORDS = ["park"] * 12 + ["station"] * 6 + ["pier"] * 3 + ["library", "gwledig"]

# The ways a word search near a point finds its candidates: a walk that passes over the features outside a set of
# those holding the words; a walk that asks SQLite about every feature (no word held by few enough for a set); a
# walk with room for two R*Tree nodes in memory; and a walk that gives up at once, so that boxes grow instead.
SEARCH_WAYS = {
    "sets": {},
    "no-sets": {(postings, "MOST_HELD"): 0},
    "two-nodes": {(rtree, "MOST_NODE_BYTES"): 2 * 1228},
    "give-up": {(rtree, "MOST_SEEN"): -1, (rtree, "MOST_EXAMINED"): -1},
}


@pytest.fixture(scope="module")
def worded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, list[Any]]:
    """A SQLite database of 6,000 features named with PLACE_WORDS, in towns and scattered: its URL, folder, features."""
    folder = tmp_path_factory.mktemp("worded")
    generator = random.Random(7)  # noqa: S311 (test data, not secrets)
    features = []
    for feature in clustered(6000, seed=20261207):
        name = " ".join(dict.fromkeys(generator.choice(PLACE_WORDS) for _ in range(generator.choice([1, 2]))))
        features.append(make_feature(feature.row - 1, feature.lon, feature.lat, LocationText=f"{name} {feature.row}"))
    url = f"sqlite:///{folder / 'app.db'}"
    store = open_store(url, folder)
    load(store, features, batch=1000)
    store.close()
    return url, folder, features


@pytest.mark.parametrize("way", SEARCH_WAYS)
def test_word_search_near_a_point_finds_the_nearest_holders(
    worded_sqlite: tuple[str, Path, list[Any]], monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    """Rare, common and two words, with a filter and a box, near towns and far: as measuring every match finds."""
    url, folder, features = worded_sqlite
    monkeypatch.setattr(sqlite_store, "RANK_ALL_UP_TO", 10)  # the walk, not every match ranked at once
    for (module, name), value in SEARCH_WAYS[way].items():
        monkeypatch.setattr(module, name, value)
    box = (-2.4, 53.3, -2.1, 53.6)
    store = open_store(url, folder)
    try:
        for words, filters, bbox in [
            (["gwledig"], None, None),
            (["library"], {"BabyChange": True}, None),
            (["pier", "park"], None, None),
            (["station"], {"BabyChange": False}, box),
            (["gwledig", "1"], None, None),  # a set for one word, each row's words for the other (it begins many)
        ]:
            matches = [
                feature
                for feature in holding(features, *words)
                if all(feature.properties[name] == value for name, value in (filters or {}).items())
                and (bbox is None or (feature.lon is not None and bbox[0] <= feature.lon <= bbox[2]))
                and (bbox is None or (feature.lat is not None and bbox[1] <= feature.lat <= bbox[3]))
            ]
            for lon, lat in [(-2.24, 53.48), (-0.13, 51.51), (2.5, 56.5)]:
                expected = brute_nearest(matches, lon, lat)[:25]
                found = store.search(COLLECTION, words, limit=25, filters=filters, bbox=bbox, near=(lon, lat))
                assert found is not None
                assert [feature for feature, _ in found.page] == expected, (words, filters, bbox, lon, lat)
                assert found.matched == min(len(matches), 10_000)
    finally:
        store.close()


def test_a_filter_narrows_a_words_features_into_a_set_only_when_few_enough_rows_hold_the_word(
    worded_sqlite: tuple[str, Path, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rare word's features are narrowed to the filter once and kept; a common word's many rows are never read."""
    url, folder, features = worded_sqlite
    rare, common = holding(features, "library"), holding(features, "park")
    monkeypatch.setattr(postings, "MOST_READ", (len(rare) + len(common)) // 2)
    baby_change = {
        word: [f for f in found if f.properties["BabyChange"]] for word, found in [("library", rare), ("park", common)]
    }
    store = open_store(url, folder)
    try:
        for word, kept in baby_change.items():
            for _ in range(2):  # the second time from the set kept, for the rare word
                found = store.search(COLLECTION, [word], limit=5, filters={"BabyChange": True}, near=(-2.24, 53.48))
                assert found is not None
                assert [feature for feature, _ in found.page] == brute_nearest(kept, -2.24, 53.48)[:5]
                assert found.matched == len(kept)
        narrowed = [key for key in store._postings.shelf._kept if key[2][0]]  # (table, FTS5 query, (clauses, _))
        assert len(narrowed) == 1
        assert "library" in narrowed[0][1]
        assert len(store._postings.shelf.kept(narrowed[0]) or ()) == len(baby_change["library"])
    finally:
        store.close()
