"""The store contract, run alike on SQLite and PostgreSQL.

Every test that takes the ``store`` or ``database_url`` fixture runs once per
kind of store, each on a new SQLite file or a new PostgreSQL schema. The
PostgreSQL runs need ``TEST_DATABASE_URL`` (see conftest.py): without it they
skip, unless ``REQUIRE_POSTGRES=1``, when they fail.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import json
import math
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import opened, postgres_schema

import local_data_app.store as stores
import local_data_app.store.postgres as postgres
import local_data_app.store.sqlite as sqlite_store
from local_data_app import deadline as deadline_module
from local_data_app.errors import ClientError, ConfigError, StoreError
from local_data_app.store import Between, Feature, Provenance, distance, masks, open_store, opening, rtree

PACKAGE = "local_data_app"

FIELDS = [
    {"name": "LocationText", "type": "string"},
    {"name": "BabyChange", "type": "boolean"},
    {"name": "ChargeAmount", "type": "number"},
    {"name": "Cubicles", "type": "integer"},
    {"name": 'Opening "hours"; DROP TABLE x', "type": "string"},
    {"name": "Share 100% {table}", "type": "string"},  # % means something to psycopg, {table} to the stores once
]
COLLECTION = "public_toilets"
ODD_COLLECTION = "Toiledau Môn / \"Anglesey\"; DROP TABLE _collections; -- 100% 'open' \\ {x}"
# Metres per degree of latitude on the sphere the stores measure on.
METRES_PER_DEGREE = 2 * math.pi * stores.EARTH_RADIUS / 360
MIDLANDS = (-1.5, 52.5)  # lon, lat
NO_PROPERTIES = dict.fromkeys(field["name"] for field in FIELDS)
READER_THREADS = 6


# --- Fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture
def open_test_store(database_url: str, tmp_path: Path) -> Iterator[Callable[[], Any]]:
    """A function that opens the test store (again); every store it opened is closed afterwards."""
    opened: list[Any] = []

    def opener() -> Any:
        opened.append(open_store(database_url, tmp_path))
        return opened[-1]

    yield opener
    for each in opened:
        each.close()


@pytest.fixture
def store(open_test_store: Callable[[], Any]) -> Any:
    """An open, empty store of each kind."""
    return open_test_store()


class StoreInspector:
    """Looks at a test store's database from outside the store: its tables, and loads still running."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite:")

    def tables(self) -> set[str]:
        """The names of the tables in the store's database (for PostgreSQL, in its schema)."""
        if self.is_sqlite:
            with contextlib.closing(sqlite3.connect(self.url.removeprefix("sqlite:///"))) as db:
                return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            rows = db.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
            return {name for (name,) in rows}

    def wait_for_other_transactions(self, timeout: float = 30) -> None:
        """Wait until no other session holds a transaction open (PostgreSQL ends a dead client's by itself)."""
        if self.is_sqlite:
            return  # the operating system releases a dead process's locks at once
        import psycopg

        deadline = time.monotonic() + timeout
        with psycopg.connect(self.url, autocommit=True) as db:
            while True:
                (still_open,) = db.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                    "AND datname = current_database() AND xact_start IS NOT NULL"
                ).fetchone()
                if still_open == 0:
                    return
                if time.monotonic() > deadline:
                    pytest.fail(f"{still_open} other transaction(s) still open after {timeout} s")
                time.sleep(0.05)

    def app_sessions(self) -> int:
        """PostgreSQL: the sessions open in the test database that the app's stores opened (named by the package)."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            (sessions,) = db.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
                [PACKAGE],
            ).fetchone()
        return sessions

    def wait_for_app_sessions(self, at_most: int, timeout: float = 30) -> None:
        """PostgreSQL: wait until the app's stores hold at most ``at_most`` sessions (a closed one ends soon after)."""
        deadline = time.monotonic() + timeout
        while (sessions := self.app_sessions()) > at_most:
            if time.monotonic() > deadline:
                pytest.fail(f"{sessions} sessions of the app still open after {timeout} s; expected {at_most}")
            time.sleep(0.05)


@pytest.fixture
def inspect_store(database_url: str) -> StoreInspector:
    """An inspector for the test store's database."""
    return StoreInspector(database_url)


# --- Helpers ----------------------------------------------------------------------------------------------------


def make_feature(number: int, lon: float | None, lat: float | None, **overrides: Any) -> Any:
    """A feature with every kind of property, numbered ``number``."""
    properties = {
        "LocationText": f"Toilet {number}",
        "BabyChange": number % 2 == 0,
        "ChargeAmount": number / 5,
        "Cubicles": number,
        'Opening "hours"; DROP TABLE x': None,
        "Share 100% {table}": f"share {number % 3}",
    }
    properties.update(overrides)
    return Feature(f"id-{number}", lon, lat, properties, {"Ward": f"Ward {number % 3}"}, number + 1)


def make_provenance(collection: str = COLLECTION, rows: int = 0, location: str = "data/toilets.csv") -> Any:
    """The provenance of a load of ``rows`` features (one more read, and rejected)."""
    return Provenance(
        collection=collection,
        theme="public_toilets",
        adapter="csv",
        location=location,
        licence="OGL-UK-3.0",
        attribution="Contains public sector information licensed under the Open Government Licence v3.0.",
        fetched_at="2025-01-31T09:30:00+00:00",
        rows_read=rows + 1,
        rows_loaded=rows,
        rows_rejected=1,
    )


def load(store: Any, features: Sequence[Any], collection: str = COLLECTION, batch: int = 3) -> Any:
    """Load ``features`` as one collection, in batches, and commit; return the provenance stored."""
    provenance = make_provenance(collection, len(features))
    with store.replacing(collection, FIELDS) as staging:
        for start in range(0, len(features), batch):
            staging.add(features[start : start + batch])
        staging.commit(provenance)
    return provenance


def load_without_commit(store: Any, features: Sequence[Any], error: Exception | None = None) -> None:
    """Stage ``features``, then leave without commit(): by raising ``error``, or quietly if there is none."""
    with store.replacing(COLLECTION, FIELDS) as staging:
        staging.add(features)
        if error:
            raise error


def load_with_duplicate_ids(store: Any) -> None:
    """Stage two features with the same id and try to commit them."""
    with store.replacing(COLLECTION, FIELDS) as staging:
        staging.add([make_feature(1, -1.0, 52.0), make_feature(1, -1.1, 52.1)])
        staging.commit(make_provenance(rows=2))


def spread(count: int, lon: float = MIDLANDS[0], lat: float = MIDLANDS[1]) -> list[Any]:
    """``count`` features a few hundred metres apart, in load order."""
    return [make_feature(number, lon + number * 0.003, lat + number * 0.002) for number in range(count)]


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point ``east_m`` metres east and ``north_m`` north of a point (close enough for a few km)."""
    return (
        lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat))),
        lat + north_m / METRES_PER_DEGREE,
    )


# --- Loading and reading ----------------------------------------------------------------------------------------


def test_a_committed_load_reads_back_as_written(store) -> None:
    """Properties keep their types, extra columns and source rows survive, provenance is stored."""
    features = [
        make_feature(1, -1.8904, 52.4862, ChargeAmount=1),
        make_feature(2, -4.3341, 53.2834, LocationText="Maes Parcio, Llangefni: \u2018Toiledau\u2019 \t\n\\ end"),
        make_feature(3, None, None, BabyChange=None, ChargeAmount=None, Cubicles=None, LocationText=None),
        Feature("id-4", 0.123456789012345, 51.987654321098765, {**NO_PROPERTIES, "BabyChange": False}, {}, 90),
        Feature(
            "id-5",
            -3.0,
            55.0,
            {**NO_PROPERTIES, "Cubicles": 2**40},
            {"nested": {"list": [1, 2.5, "three", None, True]}, "Lleoliad": "Môn", "when": datetime.date(2025, 1, 31)},
            7,
        ),
    ]
    provenance = load(store, features, batch=2)

    read = store.features(COLLECTION, limit=100)
    assert read[:4] == features[:4]
    assert read[4].properties == features[4].properties
    assert read[4].extra == {"nested": {"list": [1, 2.5, "three", None, True]}, "Lleoliad": "Môn", "when": "2025-01-31"}
    assert [feature.row for feature in read] == [2, 3, 4, 90, 7]
    first = read[0].properties
    assert isinstance(first["BabyChange"], bool)
    assert isinstance(first["ChargeAmount"], float)
    assert first["ChargeAmount"] == 1.0
    assert isinstance(first["Cubicles"], int)
    assert isinstance(read[1].properties["BabyChange"], bool)
    assert store.provenance() == [provenance]


def test_readers_see_the_old_data_until_commit(store, open_test_store, inspect_store) -> None:
    """Another connection reads the old data while a load runs, the new data once it commits; the old table goes."""
    load(store, spread(3))
    tables_before = inspect_store.tables()
    reader = open_test_store()
    with store.replacing(COLLECTION, FIELDS) as staging:
        staging.add(spread(5))
        assert reader.count(COLLECTION) == 3
        assert store.count(COLLECTION) == 3
        assert reader.provenance() == [make_provenance(rows=3)]
        staging.commit(make_provenance(rows=5, location="data/new.csv"))
        assert reader.count(COLLECTION) == 5
    assert reader.features(COLLECTION, limit=10) == spread(5)
    assert reader.provenance() == [make_provenance(rows=5, location="data/new.csv")]
    tables_after = inspect_store.tables()
    assert len(tables_after) == len(tables_before)
    assert tables_after != tables_before


def marked(load_name: str, count: int) -> list[Any]:
    """``spread(count)``, each feature's LocationText naming the load it belongs to."""
    return [
        make_feature(number, feature.lon, feature.lat, LocationText=f"{load_name} {number}")
        for number, feature in enumerate(spread(count))
    ]


def load_of(features: Sequence[Any]) -> str:
    """The name of the load these features come from; fails if they come from more than one."""
    names = {feature.properties["LocationText"].split()[0] for feature in features}
    assert len(names) == 1, f"one answer holds features of the loads {sorted(names)}"
    return names.pop()


def test_threads_reading_at_once_see_one_whole_load_while_loads_commit(store) -> None:
    """Threads read while loads commit: each answer is all old or all new data, never a mix or an error."""
    loads = {"old": marked("old", 30), "new": marked("new", 45)}
    load(store, loads["old"])
    done = threading.Event()

    def read_until_done() -> tuple[int, str]:
        reads = 0
        while True:
            last = done.is_set()  # once set, one more round, which must see the last load
            page = store.features(COLLECTION, limit=100)
            assert page == loads[load_of(page)]
            nearest = [feature for feature, _ in store.nearest(COLLECTION, *MIDLANDS, limit=10)]
            assert nearest == loads[load_of(nearest)][:10]
            assert store.count(COLLECTION) in {30, 45}
            assert store.feature(COLLECTION, "id-40") in (None, loads["new"][40])
            assert store.extent(COLLECTION) is not None
            reads += 1
            if last:
                return reads, load_of(page)

    with ThreadPoolExecutor(READER_THREADS) as readers:
        running = [readers.submit(read_until_done) for _ in range(READER_THREADS)]
        for round_number in range(9):
            load(store, loads["new" if round_number % 2 == 0 else "old"], batch=10)
        done.set()
        finished = [each.result(timeout=120) for each in running]
    assert all(reads > 1 for reads, _ in finished)
    assert {last for _, last in finished} == {"new"}


def test_a_consistent_read_counts_and_pages_the_same_load_while_loads_commit(store) -> None:
    """Inside consistent(), a count, a page and a nearest page all come from one load, whatever commits between."""
    loads = {"old": marked("old", 30), "new": marked("new", 45)}
    load(store, loads["old"])
    done = threading.Event()

    def count_and_pages() -> tuple[int, list[Any], list[Any]]:
        matched = store.count(COLLECTION)
        time.sleep(0.001)  # give a load the chance to commit in the middle
        page = store.features(COLLECTION, limit=100, offset=5)
        nearest = [feature for feature, _ in store.nearest(COLLECTION, *MIDLANDS, limit=10)]
        return matched, page, nearest

    def read_until_done() -> int:
        reads = 0
        while not done.is_set() or reads == 0:
            matched, page, nearest = store.consistent(count_and_pages)
            name = load_of(page + nearest)
            assert matched == len(loads[name])
            assert page == loads[name][5:]
            reads += 1
        return reads

    with ThreadPoolExecutor(READER_THREADS) as readers:
        running = [readers.submit(read_until_done) for _ in range(READER_THREADS)]
        for round_number in range(9):
            load(store, loads["new" if round_number % 2 == 0 else "old"], batch=10)
        done.set()
        assert all(each.result(timeout=120) > 0 for each in running)
    # Nested, it joins the outer read; an error inside leaves the store reading normally.
    assert store.consistent(lambda: store.consistent(lambda: store.count(COLLECTION))) == 45
    with pytest.raises(KeyError):
        store.consistent(lambda: store.count("no-such-collection"))
    assert store.count(COLLECTION) == 45


def test_a_thread_that_has_read_sees_each_load_once_it_commits(store) -> None:
    """A reading thread keeps no snapshot between calls: its next read after a commit sees the new data."""
    load(store, spread(3))
    with ThreadPoolExecutor(1) as reader:
        assert reader.submit(store.count, COLLECTION).result() == 3
        for count in (5, 2, 4):
            load(store, spread(count))
            assert reader.submit(store.count, COLLECTION).result() == count
            assert reader.submit(store.features, COLLECTION, None, 10).result() == spread(count)
            assert reader.submit(store.provenance).result() == [make_provenance(rows=count)]


def test_close_closes_the_connections_of_every_thread(database_url, open_test_store, inspect_store) -> None:
    """close() closes every connection the store opened, whichever thread it read in; later reads are refused."""
    sessions_before = 0 if inspect_store.is_sqlite else inspect_store.app_sessions()
    store = open_test_store()
    load(store, spread(3))
    together = threading.Barrier(READER_THREADS)

    def read(_: int) -> int:
        together.wait(timeout=30)
        return store.count(COLLECTION)

    with ThreadPoolExecutor(READER_THREADS) as readers:
        assert list(readers.map(read, range(READER_THREADS))) == [3] * READER_THREADS
    if inspect_store.is_sqlite:
        # SQLite deletes the write-ahead log when the last connection to the file closes.
        wal = Path(database_url.removeprefix("sqlite:///") + "-wal")
        assert wal.exists()
        store.close()
        assert not wal.exists()
    else:
        assert inspect_store.app_sessions() > sessions_before
        store.close()
        inspect_store.wait_for_app_sessions(at_most=sessions_before)
    with pytest.raises(StoreError, match="closed"):
        store.count(COLLECTION)


@pytest.mark.parametrize("how", ["exception", "no commit"])
def test_a_load_that_does_not_commit_keeps_the_old_data_and_leaves_nothing(store, inspect_store, how) -> None:
    """An exception inside replacing(), or leaving it without commit(), keeps the old data and no new table."""
    old = load(store, spread(3))
    tables_before = inspect_store.tables()
    if how == "exception":
        with pytest.raises(RuntimeError, match="source went away"):
            load_without_commit(store, spread(7), RuntimeError("source went away"))
    else:
        load_without_commit(store, spread(7))
    assert store.features(COLLECTION, limit=10) == spread(3)
    assert store.provenance() == [old]
    assert inspect_store.tables() == tables_before
    load(store, spread(4))  # the store is still usable
    assert store.count(COLLECTION) == 4


def test_two_features_with_one_id_fail_the_load_and_keep_the_old_data(store, inspect_store) -> None:
    """Ids must be unique within a load: a duplicate is a StoreError naming the collection, and changes nothing."""
    load(store, spread(3))
    tables_before = inspect_store.tables()
    with pytest.raises(StoreError, match=f"{COLLECTION}.*id-1"):
        load_with_duplicate_ids(store)
    assert store.features(COLLECTION, limit=10) == spread(3)
    assert inspect_store.tables() == tables_before


def test_collections_with_odd_names_are_kept_apart(store) -> None:
    """A collection's name is data, never SQL: quotes, semicolons and Welsh letters are fine."""
    odd = load(store, spread(2), collection=ODD_COLLECTION)
    plain = load(store, spread(5), collection=COLLECTION)
    assert store.count(ODD_COLLECTION) == 2
    assert store.count(COLLECTION) == 5
    assert store.feature(ODD_COLLECTION, "id-1") == spread(2)[1]
    assert store.nearest(ODD_COLLECTION, *MIDLANDS, limit=1)[0][0] == spread(2)[0]
    assert store.provenance() == sorted([odd, plain], key=lambda provenance: provenance.collection)


# --- Queries ----------------------------------------------------------------------------------------------------


def test_count_and_pages_follow_the_load_order(store) -> None:
    """count() counts every feature; pages of features() cover them all, in load order, without overlap."""
    features = spread(23)
    load(store, features, batch=10)
    assert store.count(COLLECTION) == 23
    pages = [store.features(COLLECTION, limit=5, offset=start) for start in range(0, 25, 5)]
    assert [feature for page in pages for feature in page] == features
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert store.features(COLLECTION, limit=5, offset=100) == []


def test_pages_of_ids_are_the_ids_of_the_pages_of_features(store) -> None:
    """ids() pages as features() does, in load order, though the ids were not loaded in their own order."""
    features = spread(23)[::-1]
    load(store, features, batch=10)
    pages = [store.ids(COLLECTION, limit=5, offset=start) for start in range(0, 25, 5)]
    assert [feature_id for page in pages for feature_id in page] == [feature.id for feature in features]
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert store.ids(COLLECTION, limit=5, offset=100) == []
    with pytest.raises(KeyError):
        store.ids("nothing")


def test_a_feature_is_found_by_its_id(store) -> None:
    """feature() returns the one feature with that id, or None."""
    features = spread(4)
    load(store, features)
    assert store.feature(COLLECTION, "id-2") == features[2]
    assert store.feature(COLLECTION, "id-99") is None
    assert store.feature(COLLECTION, "") is None


def test_an_unknown_collection_is_a_key_error(store) -> None:
    """Every read of a collection that was never loaded raises KeyError."""
    load(store, spread(1))
    for read in (
        lambda: store.count("nothing"),
        lambda: store.features("nothing"),
        lambda: store.feature("nothing", "id-0"),
        lambda: store.nearest("nothing", *MIDLANDS),
        lambda: store.extent("nothing"),
    ):
        with pytest.raises(KeyError):
            read()


@pytest.mark.parametrize(
    "bbox",
    [
        (-1.5, 52.0, -1.0, 52.5),  # edges exact in binary
        (-1.123456789, 52.987654321, -0.987654321, 53.123456789),  # edges that are not
        (-0.25, 51.5, 0.25, 51.75),  # across the Greenwich meridian
    ],
    ids=["round", "ragged", "greenwich"],
)
def test_a_bbox_holds_exactly_the_points_inside_it_or_on_its_edges(store, bbox) -> None:
    """Points on an edge or corner are inside; points a hair's breadth outside are not; unlocated ones never."""
    min_lon, min_lat, max_lon, max_lat = bbox
    mid_lon, mid_lat = (min_lon + max_lon) / 2, (min_lat + max_lat) / 2
    points = [(lon, lat) for lon in (min_lon, mid_lon, max_lon) for lat in (min_lat, mid_lat, max_lat)]
    for nudge in (1e-9, 1e-7, 1e-4):
        points += [(min_lon - nudge, mid_lat), (max_lon + nudge, mid_lat), (mid_lon, min_lat - nudge)]
        points += [(mid_lon, max_lat + nudge), (min_lon + nudge, min_lat + nudge), (max_lon - nudge, max_lat - nudge)]
    points += [(math.nextafter(max_lon, math.inf), mid_lat), (math.nextafter(min_lon, -math.inf), max_lat)]
    points += [(min_lon - 1, min_lat - 1), (max_lon + 1, max_lat + 1)]
    features = [make_feature(number, lon, lat) for number, (lon, lat) in enumerate(points)]
    features.append(make_feature(len(points), None, None))
    load(store, features, batch=7)

    inside = in_box(features, bbox)
    assert len(inside) == 9 + 2 * 3  # the grid, and the points nudged inward
    assert store.features(COLLECTION, bbox, limit=100) == inside
    assert store.count(COLLECTION, bbox) == len(inside)
    pages = [store.features(COLLECTION, bbox, limit=4, offset=start) for start in range(0, 20, 4)]
    assert [feature for page in pages for feature in page] == inside
    corner = (min_lon, min_lat, min_lon, min_lat)  # a point's rounded bounds straddle all four of its edges
    assert store.features(COLLECTION, corner) == [inside[0]]
    assert store.count(COLLECTION, corner) == 1


@pytest.mark.parametrize("spread", [2, 60], ids=["small", "large"])
def test_a_box_holding_most_of_the_layer_is_counted_exactly_from_the_features_outside_it(
    store, monkeypatch, spread
) -> None:
    """A box round most of the layer is counted from the features outside it, fewer to read: the same count, to the
    points on its edges and a hair's breadth either side, and the same pages."""
    bbox = (-2.0, 51.0, 0.5, 53.0)
    min_lon, min_lat, max_lon, max_lat = bbox
    rng = random.Random(spread)  # noqa: S311 (test data, not secrets)
    points = [(rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)) for _ in range(40 * spread)]
    for nudge in (0.0, 1e-9, 1e-7, 1e-4):
        for lon, lat in ((min_lon, 52.1), (max_lon, 51.3), (-1.1, min_lat), (0.2, max_lat)):
            points += [(lon - nudge, lat), (lon + nudge, lat), (lon, lat - nudge), (lon, lat + nudge)]
    points += [(math.nextafter(max_lon, math.inf), 52.0), (math.nextafter(min_lon, -math.inf), 52.0)]
    features = [make_feature(number, lon, lat) for number, (lon, lat) in enumerate(points)]
    features.append(make_feature(len(points), None, None))
    load(store, features, batch=500)
    outside_counts: list[Any] = []
    if isinstance(store, sqlite_store.SQLiteStore):
        outside = sqlite_store._outside
        monkeypatch.setattr(sqlite_store, "_outside", lambda *asked: outside_counts.append(asked) or outside(*asked))
    else:  # the located features less the four boxes round it
        outside_counts = postgres_queries(monkeypatch, lambda query: query.startswith("SELECT %s - ("))

    inside = in_box(features, bbox)
    assert len(points) > len(inside) > len(points) / 2
    assert store.count(COLLECTION, bbox) == len(inside)
    assert len(outside_counts) == 1
    pages = [store.features(COLLECTION, bbox, limit=100, offset=start) for start in range(0, len(inside), 100)]
    assert [feature for page in pages for feature in page] == inside


def box_reads(store: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The boxes the store asks its spatial index about from now on: its R*Tree on SQLite, its GiST on PostgreSQL."""
    asked: list[Any] = []
    if isinstance(store, sqlite_store.SQLiteStore):
        inside, outside, matching_rows = sqlite_store._inside, sqlite_store._outside, sqlite_store._matching

        def spied_inside(table: str, bbox: Any) -> Any:
            asked.append(bbox)
            return inside(table, bbox)

        def spied_outside(table: str, bbox: Any) -> Any:
            asked.append(bbox)
            return outside(table, bbox)

        def spied_matching(table: str, bbox: Any, *rest: Any, **named: Any) -> Any:
            if bbox is not None and named.get("indexed", True):  # not a walk in load order testing each row
                asked.append(bbox)
            return matching_rows(table, bbox, *rest, **named)

        monkeypatch.setattr(sqlite_store, "_inside", spied_inside)
        monkeypatch.setattr(sqlite_store, "_outside", spied_outside)
        monkeypatch.setattr(sqlite_store, "_matching", spied_matching)
    else:
        where, apart = postgres._where, postgres._apart

        def spied_where(collection: str, fields: Any, bbox: Any, *rest: Any, **named: Any) -> Any:
            if bbox is not None:
                asked.append(bbox)
            return where(collection, fields, bbox, *rest, **named)

        def spied_apart(bbox: Any) -> Any:
            asked.append(bbox)
            return apart(bbox)

        monkeypatch.setattr(postgres, "_where", spied_where)
        monkeypatch.setattr(postgres, "_apart", spied_apart)
    return asked


def whole_layer_set() -> tuple[list[Any], list[tuple[float, float]]]:
    """Fifteen hundred features across Great Britain and some without a position, and the positions."""
    points = uk_points()[:1500] + edge_pairs(-1.123456789012345, 54.987654321098765)
    features = [make_feature(number, lon, lat) for number, (lon, lat) in enumerate(points)]
    for place in (0, 700, len(features)):
        features.insert(place, make_feature(10_000 + place, None, None))
    return features, points


def assert_whole_layer(store: Any, box: tuple[float, float, float, float], located: list[Any]) -> None:
    """Every located feature in the box, counted, paged in load order, filtered and sorted."""
    assert store.count(COLLECTION, box) == len(located)
    pages = [store.features(COLLECTION, box, limit=250, offset=start) for start in range(0, 1750, 250)]
    assert [feature for page in pages for feature in page] == located
    assert store.features(COLLECTION, box, limit=3, offset=len(located) - 1) == located[-1:]
    even = matching(located, {"BabyChange": True})
    assert store.count(COLLECTION, box, filters={"BabyChange": True}) == len(even)
    assert store.features(COLLECTION, box, limit=2000, filters={"BabyChange": True}) == even
    by_cubicles = sorted(located, key=lambda feature: -feature.properties["Cubicles"])
    assert store.features(COLLECTION, box, limit=20, order=[("Cubicles", True)]) == by_cubicles[:20]


@pytest.mark.parametrize(
    "margin", [0.0, 1e-9, 0.5, 40.0], ids=["the-extent", "a-hair-wider", "wider", "the-whole-world-and-more"]
)
def test_a_bbox_holding_the_whole_collection_gives_every_located_feature_in_load_order(
    store, monkeypatch, margin
) -> None:
    """A box round the whole collection, as a GIS client showing the whole layer asks: every feature with a
    position, counted and paged in load order, with filters and a sort too, and the spatial index not asked."""
    features, points = whole_layer_set()
    load(store, features, batch=400)
    lons, lats = [lon for lon, _ in points], [lat for _, lat in points]
    box = (min(lons) - margin, min(lats) - margin, max(lons) + margin, max(lats) + margin)
    asked = box_reads(store, monkeypatch)
    assert_whole_layer(store, box, [feature for feature in features if feature.lon is not None])
    # SQLite's R*Tree bounds are 32-bit floats rounded outwards, up to about 5e-7 of a degree past the extent;
    # PostgreSQL's are the extent itself.
    assert bool(asked) == (isinstance(store, sqlite_store.SQLiteStore) and margin < 1e-6)
    shy = (box[0], box[1], box[2], max(lats) - 1e-6)  # a hair short of the northernmost feature
    assert store.count(COLLECTION, shy) == sum(feature.lon is not None for feature in features) - 1
    assert asked[-1] == shy


def test_a_count_asked_again_of_the_same_load_is_not_made_again(store, monkeypatch) -> None:
    """A client paging through a box has it counted once per load; other filters, and a new load, count afresh."""
    features = filtered_set()
    load(store, features)
    box = (features[2].lon, features[2].lat, features[9].lon, features[9].lat)
    inside = in_box(features, box)
    asked = box_reads(store, monkeypatch)
    assert [store.count(COLLECTION, box) for _ in range(3)] == [len(inside)] * 3
    assert len(asked) == 1
    assert store.count(COLLECTION, box, filters={"BabyChange": True}) == len(matching(inside, {"BabyChange": True}))
    assert store.count(COLLECTION, box, filters={"BabyChange": False}) == len(matching(inside, {"BabyChange": False}))
    assert len(asked) == 3
    load(store, features[:4])
    assert store.count(COLLECTION, box) == sum(feature in inside for feature in features[:4])
    assert len(asked) == 4


def test_a_page_near_the_start_of_a_large_counted_box_is_read_in_load_order(store, monkeypatch) -> None:
    """A GIS client's view of most of a layer: once the box is counted, a page near its start walks the rows in
    load order, testing each, rather than reading the whole box from the spatial index. A page deep in the box, a
    small box and a box not counted yet still use the index, and every page is the same either way."""
    features, _ = whole_layer_set()
    load(store, features, batch=400)
    box = (-5.0, 50.5, 1.5, 58.0)  # most of Great Britain, short of the whole layer
    inside = in_box(features, box)
    assert sum(f.lon is not None for f in features) > len(inside) > 1000
    asked = box_reads(store, monkeypatch)
    assert store.features(COLLECTION, box, limit=50, offset=100) == inside[100:150]  # not counted yet
    assert asked == [box]
    assert store.count(COLLECTION, box) == len(inside)
    asked.clear()
    pages = [store.features(COLLECTION, box, limit=50, offset=start) for start in range(0, len(inside), 50)]
    assert [feature for page in pages for feature in page] == inside
    assert asked == []  # each page starts where the last ended, in load order
    before = len(asked)
    assert store.features(COLLECTION, box, limit=50) == inside[:50]
    assert len(asked) == before  # the first page from the rows
    assert store.features(COLLECTION, box, limit=3, offset=len(inside) - 2) == inside[-2:]
    assert len(asked) == before + 1  # the last from the index
    small = (-1.0, 52.0, 0.0, 53.0)
    few = in_box(inside, small)
    assert store.count(COLLECTION, small) == len(few) > 0
    asked.clear()
    assert store.features(COLLECTION, small, limit=50) == few[:50]
    assert asked == [small]


def resumed_pages(store: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """How many pages the store has read, from now on in this thread, starting after a row number it kept."""
    if isinstance(store, sqlite_store.SQLiteStore):
        statements: list[str] = []
        store._reader().set_trace_callback(statements.append)

        def queries() -> list[str]:
            return statements
    else:
        asked = postgres_queries(monkeypatch, lambda query: "LIMIT" in query)

        def queries() -> list[str]:
            return [query for query, _ in asked]

    return lambda: sum("_rowid > " in sql or " id > " in sql for sql in queries())


@pytest.mark.parametrize("box", [(-5.0, 50.5, 1.5, 58.0), (-4.0, 51.0, 0.0, 55.0)], ids=["most", "a-region"])
def test_a_client_paging_through_a_box_has_each_page_start_where_the_last_ended(store, monkeypatch, box) -> None:
    """Paging through a box, each full page's end is kept, so the next page starts after its last row rather than
    stepping over every row before it, whether read in load order or through the index. A page asked out of turn,
    of another size, or of a new load of the collection, is still the right one."""
    features, _ = whole_layer_set()
    load(store, features, batch=400)
    inside = in_box(features, box)
    assert len(inside) > 300
    assert store.count(COLLECTION, box) == len(inside)
    resumed = resumed_pages(store, monkeypatch)
    pages = [store.features(COLLECTION, box, limit=100, offset=start) for start in range(0, len(inside), 100)]
    assert [feature for page in pages for feature in page] == inside
    assert resumed() == len(pages) - 1  # every page but the first
    assert store.features(COLLECTION, box, limit=7, offset=200) == inside[200:207]
    assert store.features(COLLECTION, box, limit=100, offset=250) == inside[250:350]  # no page ended at 250
    assert resumed() == len(pages)

    moved = [make_feature(number, feature.lon + 0.01, feature.lat) for number, feature in enumerate(inside)]
    load(store, moved[::-1], batch=400)  # a new load: other rows in another order
    again = in_box(moved[::-1], box)
    assert store.count(COLLECTION, box) == len(again)
    pages = [store.features(COLLECTION, box, limit=100, offset=start) for start in range(0, len(again), 100)]
    assert [feature for page in pages for feature in page] == again


@pytest.mark.parametrize(
    "box", [None, (-4.0, 51.0, 0.0, 55.0), (-40.0, 10.0, 40.0, 80.0)], ids=["no-box", "a-region", "the-whole-layer"]
)
def test_pages_of_filtered_features_start_where_the_last_ended(store, monkeypatch, box) -> None:
    """A client paging through a filter's features, in a box or none, has each page start after the last row of
    the page before, as in a plain box; a sorted page steps over the rows before it, and is right either way."""
    features, _ = whole_layer_set()
    load(store, features, batch=400)
    filters = {"BabyChange": True}
    expected = matching(features, filters) if box is None else in_box(matching(features, filters), box)
    assert len(expected) > 150
    resumed = resumed_pages(store, monkeypatch)
    pages = [store.features(COLLECTION, box, limit=50, offset=start, filters=filters) for start in range(0, 200, 50)]
    assert [feature for page in pages for feature in page] == expected[:200]
    assert resumed() == len(pages) - 1
    by_cubicles = sorted(expected, key=lambda feature: -feature.properties["Cubicles"])
    sorted_pages = [
        store.features(COLLECTION, box, limit=50, offset=start, filters=filters, order=[("Cubicles", True)])
        for start in (0, 50)
    ]
    assert sorted_pages == [by_cubicles[:50], by_cubicles[50:100]]
    assert resumed() == len(pages) - 1


def postgres_queries(monkeypatch: pytest.MonkeyPatch, wanted: Callable[[str], bool]) -> list[tuple[str, Any]]:
    """The (query, parameters) that PostgreSQL stores run from now on, of the queries ``wanted`` picks."""
    asked: list[tuple[str, Any]] = []
    execute = psycopg.Connection.execute

    def spied(db: Any, query: Any, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query, str) and wanted(query):
            asked.append((query, params))
        return execute(db, query, params, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "execute", spied)
    return asked


def test_a_postgres_word_search_counted_again_of_the_same_load_is_not_counted_again(
    postgres_server_url, tmp_path, monkeypatch
) -> None:
    """The count of a word search is kept by load, words, filters and limit, as a box's is; the page is read again.

    (SQLite counts a search from the set of its matches it keeps: test_rtree.py.)
    """
    features = searchable()
    words = ["toilet"]
    with postgres_schema(postgres_server_url) as url, opened(url, tmp_path) as store:
        load(store, features)
        counted = postgres_queries(monkeypatch, lambda query: query.startswith("SELECT count(*)") and "_words" in query)
        for filters in (None, {"BabyChange": True}):
            expected = [f for f in holding(features, *words) if filters is None or f.properties["BabyChange"]]
            for _ in range(3):
                found = store.search(COLLECTION, words, limit=2, filters=filters)
                assert ([f for f, _ in found.page], found.matched) == (expected[:2], len(expected))
            assert store.search(COLLECTION, words, limit=2, filters=filters, most=1).matched == 1  # another limit
        assert len(counted) == 4
        load(store, features[:3])
        assert store.search(COLLECTION, words, limit=2).matched == len(holding(features[:3], *words))
        assert len(counted) == 5


def catalogue_lookups(store: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The collections whose live table the store looks up in its catalogue, in order, from now on."""
    lookups: list[str] = []
    if isinstance(store, postgres.PostgresStore):
        execute = psycopg.Connection.execute

        def spy_postgres(db: Any, query: Any, params: Any = None, *args: Any, **kwargs: Any) -> Any:
            if query == postgres.LIVE_TABLE:
                lookups.append(params[0])
            return execute(db, query, params, *args, **kwargs)

        monkeypatch.setattr(psycopg.Connection, "execute", spy_postgres)
    else:
        live = sqlite_store._live

        def spy_sqlite(db: sqlite3.Connection, collection: str) -> Any:
            lookups.append(collection)
            return live(db, collection)

        monkeypatch.setattr(sqlite_store, "_live", spy_sqlite)
    return lookups


def test_a_consistent_read_looks_up_the_collection_once_and_the_next_read_sees_a_new_load(store, monkeypatch) -> None:
    """One snapshot, one look at the catalogue for the count and the page; a read after a load finds its table."""
    features = filtered_set()
    load(store, features)
    box = (features[2].lon, features[2].lat, features[9].lon, features[9].lat)
    lookups = catalogue_lookups(store, monkeypatch)

    def read() -> tuple[int, list[Feature], int]:
        return store.count(COLLECTION, box), store.features(COLLECTION, box, limit=3), store.count(COLLECTION)

    first = store.consistent(read)
    assert lookups == [COLLECTION]
    assert first == (store.count(COLLECTION, box), store.features(COLLECTION, box, limit=3), len(features))
    load(store, features[:4])
    lookups.clear()
    again = store.consistent(read)
    assert lookups == [COLLECTION]
    assert again[1:] == ([f for f in features[:4] if f in first[1]], 4)
    with pytest.raises(KeyError):
        store.consistent(lambda: store.count("no_such_collection"))


def test_as_many_consistent_reads_as_the_store_reads_at_once_each_read_the_catalogue_without_waiting(store) -> None:
    """Threads that each hold a read connection in consistent() read the loads on it, never waiting for another.

    The OGC layer reads a collection's load inside its consistent read. On
    PostgreSQL, whose read connections are limited, a read that took a second
    connection there made every thread wait for ever once all of them held one.
    """
    features = filtered_set()
    load(store, features)
    threads = store.reads_at_once
    together = threading.Barrier(threads, timeout=30)  # every thread holds its connection before it reads more
    answers: list[tuple[list[str], int]] = []

    def read() -> tuple[list[str], int]:
        together.wait()
        return [provenance.collection for provenance in store.provenance()], store.count(COLLECTION)

    def reader() -> None:
        answers.append(store.consistent(read))

    running = [threading.Thread(target=reader, daemon=True) for _ in range(threads)]  # daemon: a hang cannot stay
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(30)
    assert not any(thread.is_alive() for thread in running), "threads in consistent() waited for another connection"
    assert answers == [([COLLECTION], len(features))] * threads


def test_a_postgres_read_waits_for_a_busy_connection_no_longer_than_its_deadline(postgres_server_url, tmp_path) -> None:
    """With every read connection held, a request's read ends at its deadline with TooSlow; then it reads."""
    features = filtered_set()
    with postgres_schema(postgres_server_url) as url, opened(url, tmp_path) as store:
        load(store, features)
        held, release = threading.Barrier(store.reads_at_once + 1, timeout=30), threading.Event()

        def hold() -> None:
            store.consistent(lambda: (held.wait(), release.wait(30)))

        holders = [threading.Thread(target=hold, daemon=True) for _ in range(store.reads_at_once)]
        for thread in holders:
            thread.start()
        held.wait()  # every connection is in use
        started = time.monotonic()
        with pytest.raises(deadline_module.TooSlow), deadline_module.within(0.3):
            store.count(COLLECTION)
        assert 0.25 < time.monotonic() - started < 5
        release.set()
        for thread in holders:
            thread.join(30)
        with deadline_module.within(5):
            assert store.count(COLLECTION) == len(features)


def test_postgres_answers_a_whole_layer_box_from_a_load_made_before_it_kept_its_bounds(
    postgres_server_url, tmp_path, monkeypatch
) -> None:
    """A load made before loads kept their bounds is asked through the spatial index, with the same answers."""
    whole = (-10.0, 49.0, 3.0, 61.0)
    features, _ = whole_layer_set()
    located = [feature for feature in features if feature.lon is not None]
    with postgres_schema(postgres_server_url) as url, opened(url, tmp_path) as store:
        load(store, features, batch=400)
        with store._reader() as db:
            (table,) = db.execute("SELECT table_name FROM _collections WHERE collection = %s", [COLLECTION]).fetchone()
            db.execute(f"DROP TABLE {table}_bounds")
        asked = box_reads(store, monkeypatch)
        assert_whole_layer(store, whole, located)
        assert set(asked) == {whole}
        lons, lats = [feature.lon for feature in located], [feature.lat for feature in located]
        assert store.extent(COLLECTION) == (min(lons), min(lats), max(lons), max(lats))
        load(store, features[:5])  # a new load keeps its bounds again
        before = len(asked)
        assert store.count(COLLECTION, whole) == 4
        assert store.features(COLLECTION, whole, limit=10) == located[:4]
        assert len(asked) == before


# --- Extent -----------------------------------------------------------------------------------------------------


def edge_pairs(lon: float, lat: float) -> list[tuple[float, float]]:
    """Two points at each edge of a box around a point, closer together than a 32-bit float can tell apart."""
    pairs = []
    for east_m, north_m in ((-90_000, 0), (90_000, 0), (0, -90_000), (0, 90_000)):
        edge_lon, edge_lat = offset(lon, lat, east_m, north_m)
        pairs.append((edge_lon, edge_lat))
        if east_m:
            pairs.append((math.nextafter(edge_lon, math.copysign(math.inf, east_m)), edge_lat))
        else:
            pairs.append((edge_lon, math.nextafter(edge_lat, math.copysign(math.inf, north_m))))
    return pairs


def uk_points() -> list[tuple[float, float]]:
    """Thousands of points across Great Britain (several levels of R*Tree), with ragged edges to find exactly."""
    rng = random.Random(20250131)  # noqa: S311 (test data, not secrets)
    points = [(rng.uniform(-5.5, 1.7), rng.uniform(50.1, 58.6)) for _ in range(3000)]
    points += edge_pairs(-1.123456789012345, 54.987654321098765)
    rng.shuffle(points)
    return points


@pytest.mark.parametrize(
    "points",
    [
        uk_points(),
        [(-2.2453, 53.4794)],
        [(0.0, 51.5), (-1e-12, 51.4), (1e-300, 51.6), (math.nextafter(0.0, 1.0), 51.55)],
        [(-180.0, 0.0), (180.0, 0.0), (0.0, -90.0), (0.0, 90.0), (0.0, 0.0)],
    ],
    ids=["great-britain", "one-point", "greenwich", "world"],
)
def test_the_extent_is_the_exact_box_around_the_located_features(store, points) -> None:
    """extent() is the least and greatest longitude and latitude, to the last digit; unlocated features don't count."""
    features = [make_feature(number, lon, lat) for number, (lon, lat) in enumerate(points)]
    features.insert(len(features) // 2, make_feature(len(features), None, None))
    load(store, features, batch=500)
    lons, lats = [lon for lon, _ in points], [lat for _, lat in points]
    assert store.extent(COLLECTION) == (min(lons), min(lats), max(lons), max(lats))


def test_a_collection_without_positions_has_no_extent(store) -> None:
    """An empty collection, or one whose features have no position, has no extent."""
    load(store, [], collection=ODD_COLLECTION)
    load(store, [make_feature(number, None, None) for number in range(3)])
    assert store.extent(ODD_COLLECTION) is None
    assert store.extent(COLLECTION) is None


def test_the_extent_follows_a_new_load(store) -> None:
    """After a new load, extent() is the new data's."""
    load(store, spread(5))
    load(store, spread(3, lon=-3.0, lat=55.0))
    assert store.extent(COLLECTION) == (-3.0, 55.0, -3.0 + 2 * 0.003, 55.0 + 2 * 0.002)


# --- Filters ----------------------------------------------------------------------------------------------------

SQL_LOOKING_VALUES = ["' OR 1=1 --", "x'; DROP TABLE _collections; --", '" OR ""="', "%s", "%(x)s", "{table}", "*"]


def filtered_set() -> list[Any]:
    """Twelve features, some sharing text, hours, or a value that looks like SQL."""
    features = spread(12)
    features[3] = make_feature(3, features[3].lon, features[3].lat, LocationText="Toilet 1")
    features[5] = make_feature(5, features[5].lon, features[5].lat, **{'Opening "hours"; DROP TABLE x': "9-5"})
    features[8] = make_feature(8, features[8].lon, features[8].lat, **{'Opening "hours"; DROP TABLE x': "9-5"})
    features[9] = make_feature(9, features[9].lon, features[9].lat, LocationText=SQL_LOOKING_VALUES[0])
    features[10] = make_feature(10, None, None, BabyChange=None, ChargeAmount=None, Cubicles=None)
    return features


def in_box(features: Sequence[Any], box: tuple[float, float, float, float]) -> list[Any]:
    """The features with a position inside ``box`` (edges included), found by looking at each, in their order."""
    return [f for f in features if f.lon is not None and box[0] <= f.lon <= box[2] and box[1] <= f.lat <= box[3]]


def matching(features: Sequence[Any], filters: dict[str, Any]) -> list[Any]:
    """The features whose properties equal every filter, found by looking at each."""
    return [
        feature
        for feature in features
        if all(
            feature.properties[name] is not None and feature.properties[name] == value
            for name, value in filters.items()
        )
    ]


@pytest.mark.parametrize(
    "filters",
    [
        {"LocationText": "Toilet 1"},
        {"LocationText": "toilet 1"},
        {"LocationText": "Toilet"},
        {"BabyChange": True},
        {"BabyChange": False},
        {"ChargeAmount": 0.4},
        {"ChargeAmount": 1},
        {"Cubicles": 7},
        {"Cubicles": 0},
        {'Opening "hours"; DROP TABLE x': "9-5"},
        {"Share 100% {table}": "share 2"},
        {"BabyChange": True, "Share 100% {table}": "share 2"},
        {"BabyChange": False, "Cubicles": 4},
        {},
    ],
    ids=[
        "text",
        "text-case",
        "text-prefix",
        "true",
        "false",
        "number",
        "number-as-int",
        "integer",
        "zero",
        "odd-name",
        "percent-name",
        "two",
        "two-none",
        "none",
    ],
)
def test_filters_match_each_field_exactly_and_together(store, filters) -> None:
    """A filter keeps features whose field equals the value exactly; several must all hold; count agrees."""
    features = filtered_set()
    load(store, features, batch=5)
    expected = matching(features, filters)
    assert store.features(COLLECTION, limit=100, filters=filters) == expected
    assert store.count(COLLECTION, filters=filters) == len(expected)
    pages = [store.features(COLLECTION, limit=2, offset=start, filters=filters) for start in range(0, 14, 2)]
    assert [feature for page in pages for feature in page] == expected


def test_filters_combine_with_a_bbox(store) -> None:
    """A bbox and filters together keep the features inside the box that match, in load order."""
    features = filtered_set()
    load(store, features)
    bbox = (features[2].lon, features[2].lat, features[9].lon, features[9].lat)
    inside = [f for f in features if f.lon is not None and bbox[0] <= f.lon <= bbox[2] and bbox[1] <= f.lat <= bbox[3]]
    for filters in ({"BabyChange": True}, {'Opening "hours"; DROP TABLE x': "9-5"}, {"Cubicles": 1}):
        expected = matching(inside, filters)
        assert store.features(COLLECTION, bbox, limit=100, filters=filters) == expected
        assert store.count(COLLECTION, bbox, filters=filters) == len(expected)
    assert [f.id for f in store.features(COLLECTION, bbox, limit=100, filters={"BabyChange": True})] == [
        "id-2",
        "id-4",
        "id-6",
        "id-8",
    ]
    upside_down = (bbox[2], bbox[3], bbox[0], bbox[1])  # min above max: a box holding nothing, in either store
    assert store.features(COLLECTION, upside_down, filters={"BabyChange": True}) == []
    assert store.count(COLLECTION, upside_down) == 0


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"Colour": "blue"}, r"no field 'Colour'.*'LocationText'"),
        ({"locationtext": "Toilet 1"}, r"no field 'locationtext'"),
        ({"_id": "id-1"}, r"no field '_id'"),
        ({'LocationText" = "LocationText" OR "1': "x"}, r"no field"),
        ({"Cubicles": "3"}, r"'Cubicles'.*'3'.*integer values: pass an int$"),
        ({"Cubicles": True}, r"'Cubicles'.*integer"),
        ({"Cubicles": 2.0}, r"'Cubicles'.*integer"),
        ({"BabyChange": 1}, r"'BabyChange'.*boolean values: pass a bool$"),
        ({"ChargeAmount": "1"}, r"'ChargeAmount'.*number values: pass a float or an int$"),
        ({"LocationText": None}, r"'LocationText'.*None.*text"),
        ({"ChargeAmount": math.nan}, r"'ChargeAmount'.*a finite number"),
        ({"Cubicles": 2**63}, r"'Cubicles'.*an integer from"),
        ({"LocationText": "a\0b"}, r"'LocationText'.*without NUL"),
    ],
    ids=[
        "unknown",
        "wrong-case",
        "internal-column",
        "injected-name",
        "text-for-integer",
        "bool-for-integer",
        "float-for-integer",
        "int-for-boolean",
        "text-for-number",
        "none",
        "nan",
        "too-big",
        "nul",
    ],
)
def test_an_unknown_field_or_a_value_of_the_wrong_type_is_refused(store, filters, message) -> None:
    """Every read that takes filters raises a 400 ClientError naming the field and what it holds; nothing is run."""
    load(store, spread(3))
    for read in (
        lambda: store.count(COLLECTION, filters=filters),
        lambda: store.features(COLLECTION, filters=filters),
        lambda: store.nearest(COLLECTION, *MIDLANDS, filters=filters),
        lambda: store.nearest(COLLECTION, *MIDLANDS, limit=0, filters=filters),
    ):
        with pytest.raises(ClientError, match=message):
            read()
    assert store.count(COLLECTION) == 3


# --- Ranges -----------------------------------------------------------------------------------------------------


def dated_set() -> list[Any]:
    """Twelve features with ISO dates in LocationText, one without (and one of them a code point above the rest)."""
    features = spread(12)
    for number, feature in enumerate(features):
        text = None if number == 4 else f"2024-{number % 6 + 1:02d}-{(number * 7) % 28 + 1:02d}"
        if number == 11:
            text = "2024-02-01\u00e9"  # sorts after 2024-02-01 by code point, before it in some collations
        features[number] = make_feature(number, feature.lon, feature.lat, LocationText=text)
    return features


def in_range(features: Sequence[Any], name: str, between: Any) -> list[Any]:
    """The features whose field lies in the range, found by looking at each, as Python orders the values."""
    found = []
    for feature in features:
        value = feature.properties[name]
        if value is None:
            if between.or_missing:
                found.append(feature)
            continue
        if (between.low is None or value >= between.low) and (between.high is None or value <= between.high):
            found.append(feature)
    return found


RANGES = [
    ("LocationText", Between("2024-02-01", "2024-04-30")),
    ("LocationText", Between("2024-02-01", "2024-02-01")),
    ("LocationText", Between("2024-02-01", "2024-02-01\u00e9")),
    ("LocationText", Between(None, "2024-03-15")),
    ("LocationText", Between("2024-03-15", None)),
    ("LocationText", Between("2024-03-15", None, or_missing=True)),
    ("LocationText", Between(None, None, or_missing=True)),
    ("LocationText", Between(None, None)),
    ("LocationText", Between("2024-05-01", "2024-01-01", or_missing=True)),
    ("ChargeAmount", Between(0.4, 1.2)),
    ("ChargeAmount", Between(1, None)),
    ("Cubicles", Between(3, 7)),
    ("Cubicles", Between(None, 0)),
]


@pytest.mark.parametrize(
    ("name", "between"),
    RANGES,
    ids=[
        "dates",
        "one-date",
        "code-point-order",
        "open-start",
        "open-end",
        "open-end-or-missing",
        "any-or-missing",
        "any-present",
        "upside-down",
        "number",
        "number-from-int",
        "integer",
        "integer-open-start",
    ],
)
def test_a_range_keeps_the_values_between_its_ends(store, name, between) -> None:
    """A Between filter keeps values from low to high, both included (text by code point), in every read."""
    features = dated_set()
    load(store, features, batch=5)
    expected = in_range(features, name, between)
    filters = {name: between}
    assert store.features(COLLECTION, limit=100, filters=filters) == expected
    assert store.count(COLLECTION, filters=filters) == len(expected)
    pages = [store.features(COLLECTION, limit=3, offset=start, filters=filters) for start in range(0, 12, 3)]
    assert [feature for page in pages for feature in page] == expected
    nearest = store.nearest(COLLECTION, *MIDLANDS, limit=100, filters=filters)
    assert [feature for feature, _ in nearest] == brute_nearest(expected, *MIDLANDS)


def test_a_range_combines_with_a_bbox_and_other_filters(store) -> None:
    """A range, a box and a filter on another field must all hold."""
    features = dated_set()
    load(store, features)
    bbox = (features[1].lon, features[1].lat, features[9].lon, features[9].lat)
    between = Between("2024-02-01", None, or_missing=True)
    expected = [
        feature
        for feature in in_range(features, "LocationText", between)
        if feature.properties["BabyChange"] and bbox[0] <= feature.lon <= bbox[2] and bbox[1] <= feature.lat <= bbox[3]
    ]
    filters = {"LocationText": between, "BabyChange": True}
    assert [f.id for f in expected] == ["id-2", "id-4", "id-8"]
    assert store.features(COLLECTION, bbox, limit=100, filters=filters) == expected
    assert store.count(COLLECTION, bbox, filters=filters) == 3
    found = store.nearest(COLLECTION, *MIDLANDS, limit=100, bbox=bbox, filters=filters)
    assert [feature for feature, _ in found] == brute_nearest(expected, *MIDLANDS)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"BabyChange": Between(False, True)}, r"'BabyChange'.*boolean values, which have no order"),
        ({"Cubicles": Between("1", None)}, r"'Cubicles'.*'1'.*integer values"),
        ({"ChargeAmount": Between(None, math.inf)}, r"'ChargeAmount'.*a finite number"),
        ({"LocationText": Between("a\0", None)}, r"'LocationText'.*without NUL"),
        ({"Colour": Between("a", "b")}, r"no field 'Colour'"),
    ],
    ids=["boolean", "text-for-integer", "infinite", "nul", "unknown"],
)
def test_a_range_of_the_wrong_kind_is_refused(store, filters, message) -> None:
    """A range on a field without an order, or with an end of the wrong type, raises ValueError naming the field."""
    load(store, spread(3))
    for read in (
        lambda: store.count(COLLECTION, filters=filters),
        lambda: store.features(COLLECTION, filters=filters),
        lambda: store.nearest(COLLECTION, *MIDLANDS, filters=filters),
    ):
        with pytest.raises(ClientError, match=message):
            read()


def test_the_span_is_the_least_and_greatest_value(store) -> None:
    """span() gives a field's least and greatest values (text by code point), ignoring features without one."""
    features = dated_set()
    load(store, features)
    dates = sorted(f.properties["LocationText"] for f in features if f.properties["LocationText"] is not None)
    assert store.span(COLLECTION, "LocationText") == (dates[0], dates[-1])
    assert store.span(COLLECTION, "Cubicles") == (0, 11)
    assert store.span(COLLECTION, "ChargeAmount") == (0.0, 2.2)
    assert store.span(COLLECTION, 'Opening "hours"; DROP TABLE x') is None
    with pytest.raises(ClientError, match="no field 'Colour'"):
        store.span(COLLECTION, "Colour")
    with pytest.raises(ClientError, match=r"'BabyChange'.*no order"):
        store.span(COLLECTION, "BabyChange")
    with pytest.raises(KeyError):
        store.span("nowhere", "LocationText")


@pytest.mark.parametrize("value", SQL_LOOKING_VALUES)
def test_a_value_that_looks_like_sql_is_only_text(store, value) -> None:
    """A filter value is a parameter: it matches the feature holding that text, or none, and breaks nothing."""
    features = filtered_set()
    load(store, features)
    for name in ("LocationText", 'Opening "hours"; DROP TABLE x', "Share 100% {table}"):
        expected = matching(features, {name: value})
        assert store.features(COLLECTION, limit=100, filters={name: value}) == expected
        assert store.count(COLLECTION, (-180, -90, 180, 90), filters={name: value}) == len(expected)
        assert [f for f, _ in store.nearest(COLLECTION, *MIDLANDS, limit=100, filters={name: value})] == expected
    assert len(matching(features, {"LocationText": value})) == (value == SQL_LOOKING_VALUES[0])
    assert store.features(COLLECTION, limit=100) == features
    assert store.provenance() == [make_provenance(rows=len(features))]


# --- Nearest ----------------------------------------------------------------------------------------------------


def test_distance_is_the_great_circle_distance() -> None:
    """A degree of latitude is about 111.2 km; London to Edinburgh is about 534 km."""
    assert distance(-1.5, 52.0, -1.5, 53.0) == pytest.approx(111_195, abs=1)
    assert distance(-0.1276, 51.5072, -3.1883, 55.9533) == pytest.approx(534_000, rel=0.005)
    assert distance(-1.5, 52.5, -1.5, 52.5) == 0


def test_nearest_orders_by_distance_on_the_ground(store) -> None:
    """East-west degrees are shorter than north-south ones: the store ranks by metres, not degrees."""
    lon, lat = MIDLANDS
    east_1000 = make_feature(1, *offset(lon, lat, 1000, 0))
    north_1500 = make_feature(2, *offset(lon, lat, 0, 1500))  # fewer degrees away than east_1000
    south_west_1200 = make_feature(3, *offset(lon, lat, -1200 / math.sqrt(2), -1200 / math.sqrt(2)))
    far = make_feature(4, *offset(lon, lat, 30_000, 40_000))
    shetland = make_feature(5, -1.14, 60.15)
    unlocated = make_feature(6, None, None)
    load(store, [shetland, unlocated, far, north_1500, south_west_1200, east_1000])

    nearest = store.nearest(COLLECTION, lon, lat, limit=3)
    assert [feature for feature, _ in nearest] == [east_1000, south_west_1200, north_1500]
    assert [metres for _, metres in nearest] == pytest.approx([1000, 1200, 1500], rel=1e-3)
    everything = store.nearest(COLLECTION, lon, lat, limit=100)
    assert [feature for feature, _ in everything] == [east_1000, south_west_1200, north_1500, far, shetland]
    assert [metres for _, metres in everything] == sorted(metres for _, metres in everything)
    assert store.nearest(COLLECTION, lon, lat, limit=0) == []
    from_lerwick = store.nearest(COLLECTION, -1.145, 60.155, limit=2)  # far north of everything else
    assert [feature for feature, _ in from_lerwick] == [shetland, far]


@pytest.mark.parametrize("scale", [1, 2, 64])
def test_nearest_looks_past_the_corners_of_a_box(store, scale) -> None:
    """A feature in a box's corner is farther than one just beyond its side, whatever box a search starts with."""
    lon, lat = MIDLANDS
    corner = make_feature(1, *offset(lon, lat, 990 * scale, 990 * scale))  # about 1400 * scale metres away
    beyond_side = make_feature(2, *offset(lon, lat, -1100 * scale, 0))
    load(store, [corner, beyond_side])
    assert [feature for feature, _ in store.nearest(COLLECTION, lon, lat, limit=1)] == [beyond_side]


def test_nearest_agrees_with_a_brute_force_search_anywhere_in_the_uk(store) -> None:
    """Random points from Scilly to Shetland: nearest() finds what measuring every point would find."""
    generator = random.Random(20250131)  # noqa: S311 (test data, not secrets)
    points = [(generator.uniform(-8.2, 1.8), generator.uniform(49.9, 60.8)) for _ in range(600)]
    features = [make_feature(number, lon, lat) for number, (lon, lat) in enumerate(points)]
    load(store, features, batch=250)
    for lon, lat in [(-6.3, 49.9), (-1.2, 60.8), (1.75, 52.9), (-8.1, 54.5), (0.0, 51.48)] + [
        (generator.uniform(-8.2, 1.8), generator.uniform(49.9, 60.8)) for _ in range(15)
    ]:
        expected = sorted(features, key=lambda f: distance(lon, lat, f.lon, f.lat))[:7]
        assert [feature for feature, _ in store.nearest(COLLECTION, lon, lat, limit=7)] == expected


def destination(lon: float, lat: float, bearing: float, metres: float) -> tuple[float, float]:
    """The point ``metres`` from a point along a great circle at ``bearing`` (radians from north), on the sphere."""
    angle, phi, lam = metres / stores.EARTH_RADIUS, math.radians(lat), math.radians(lon)
    end = math.asin(math.sin(phi) * math.cos(angle) + math.cos(phi) * math.sin(angle) * math.cos(bearing))
    turn = math.atan2(
        math.sin(bearing) * math.sin(angle) * math.cos(phi), math.cos(angle) - math.sin(phi) * math.sin(end)
    )
    return (math.degrees(lam + turn) + 180) % 360 - 180, math.degrees(end)


def test_the_bands_around_a_point_hold_every_point_within_reach() -> None:
    """strips_around: points at and inside the distance, on every bearing, lie in a band; the bands fit one box."""
    generator = random.Random(20261206)  # noqa: S311 (test data, not secrets)
    for _ in range(300):
        lon, lat = generator.uniform(-170, 170), generator.uniform(-75, 75)
        metres = 10 ** generator.uniform(0, 6.3)  # a metre to 2,000 km
        strips = stores.strips_around(lon, lat, metres)
        box = stores.bbox_around(lon, lat, metres)
        assert len(strips) in (1, stores.STRIPS)
        assert all(box[0] <= w and e <= box[2] and box[1] <= s and n <= box[3] for w, s, e, n in strips)
        for bearing in [generator.uniform(0, 2 * math.pi) for _ in range(40)] + [0, math.pi / 2, math.pi]:
            for reach in (metres, metres * generator.random()):
                x, y = destination(lon, lat, bearing, reach)
                assert distance(lon, lat, x, y) <= metres * (1 + 1e-9) + 1e-6
                assert any(w <= x <= e and s <= y <= n for w, s, e, n in strips), (lon, lat, metres, bearing)
    circle = stores.strips_around(1.7, 56.77, 230_000)  # far out to sea: the bands hold a third of the box
    area = sum((e - w) * (n - s) for w, s, e, n in circle)
    west, south, east, north = stores.bbox_around(1.7, 56.77, 230_000)
    assert area < 0.85 * (east - west) * (north - south)
    assert stores.strips_around(0.0, 89.9, 50_000) == [stores.bbox_around(0.0, 89.9, 50_000)]  # near the pole
    assert stores.strips_around(179.99, 0.0, 5_000) == [stores.bbox_around(179.99, 0.0, 5_000)]  # by 180 degrees


def test_nearest_far_out_to_sea_finds_the_nearest_across_the_water(store) -> None:
    """From the sea, a coast far to the south is nearer in degrees than a nearer one to the west: metres rank.

    A town on the southern coast is fewer degrees away than the western coast
    but farther in metres; and a town beyond the western coast lies inside the
    box around the circle that holds the answer, though not inside the circle.
    """
    point = (1.7, 56.77)
    generator = random.Random(20261207)  # noqa: S311 (test data, not secrets)

    def town(lon: float, lat: float, count: int, spread: float, first: int) -> list[Any]:
        return [
            make_feature(first + n, lon + generator.gauss(0, spread), lat + generator.gauss(0, spread / 2))
            for n in range(count)
        ]

    west = town(-2.1, 57.15, 40, 0.05, 0)  # about 230 km
    south = town(-1.6, 55.2, 120, 0.1, 100)  # fewer degrees away, about 280 km
    corner = town(-2.0, 58.6, 150, 0.05, 300)  # in the bounding box's corner, beyond reach
    features = west + south + corner
    load(store, features, batch=100)
    for limit in (1, 10, 45, 60):
        expected = brute_nearest(features, *point)[:limit]
        found = store.nearest(COLLECTION, *point, limit=limit)
        assert [feature for feature, _ in found] == expected
        assert [metres for _, metres in found] == pytest.approx([distance(*point, f.lon, f.lat) for f in expected])


def test_nearest_holds_a_feature_on_the_edge_between_two_bands_once(store) -> None:
    """PostgreSQL ranks a wide circle's points band by band: a point on the edge two bands share is ranked once.

    The farthest feature sets the radius (every feature is asked for), and
    the others lie on the edges of the bands around that radius, at the
    point's longitude and at the ends of each band.
    """
    lon, lat = -1.0, 54.0
    far = make_feature(0, lon, lat + 0.9)  # about 100 km north: the radius
    bands = postgres._bands(lon, lat, distance(lon, lat, far.lon, far.lat))
    assert len(bands) > 4
    edges = [band[1] for band in bands[1:]]  # each band's southern edge, the northern edge of the band before
    reach = [
        min(band[2] - lon, lon - band[0], next_band[2] - lon, lon - next_band[0])
        for band, next_band in itertools.pairwise(bands)
    ]
    features = [far]
    for number, (edge, across) in enumerate(zip(edges, reach, strict=True)):
        features += [make_feature(10 + 3 * number + side, lon + side * across * 0.99, edge) for side in (-1, 0, 1)]
    load(store, features, batch=50)
    found = store.nearest(COLLECTION, lon, lat, limit=len(features))
    assert [feature for feature, _ in found] == brute_nearest(features, lon, lat)
    assert len({feature.id for feature, _ in found}) == len(features)


def test_postgres_looks_again_from_points_around_when_degrees_mislead() -> None:
    """_held tells when the nearest by degrees hold every feature within the radius; _anchors lie half of it away."""
    lon, lat = 1.7, 56.77
    close = {(n, lon + dx, lat + dy) for n, (dx, dy) in enumerate([(0.001, 0), (0, 0.002), (-0.003, -0.001)])}
    reach = max(distance(lon, lat, x, y) for _, x, y in close)
    far = close | {(9, lon + 0.5, lat)}
    assert postgres._held(lon, lat, stores.strips_around(lon, lat, reach / 3), far)  # a far one found: all nearer are
    assert not postgres._held(lon, lat, stores.strips_around(lon, lat, reach), close)  # the bands reach past them
    points = postgres._anchors(lon, lat, 100_000)
    assert [distance(lon, lat, x, y) for x, y in points] == pytest.approx([50_000] * 4, rel=0.01)


def test_nearest_on_an_empty_or_unlocated_collection_is_empty(store) -> None:
    """No located features: no nearest ones."""
    load(store, [make_feature(1, None, None)])
    assert store.nearest(COLLECTION, *MIDLANDS) == []


# The ways SQLite finds a filtered nearest() its candidates: a walk of the R*Tree keeping to the filters; when the
# walk gives up (made to at once here), every match ranked at once; and when there are too many, growing boxes.
NEAREST_WAYS = {
    "walk": {},
    "rank-all": {"MOST_EXAMINED": -1, "KEEP_BATCH": 1},
    "grow-boxes": {"MOST_EXAMINED": -1, "KEEP_BATCH": 1, "RANK_ALL_UP_TO": 0},
}


def nearest_way(monkeypatch: pytest.MonkeyPatch, way: str) -> None:
    """Make SQLite's nearest() find its candidates one of NEAREST_WAYS."""
    for name, value in NEAREST_WAYS[way].items():
        monkeypatch.setattr(sqlite_store if name == "RANK_ALL_UP_TO" else rtree, name, value)


def brute_nearest(features: Sequence[Any], lon: float, lat: float) -> list[Any]:
    """Every located feature, nearest first and ties in load order, found by measuring each."""
    located = [(distance(lon, lat, f.lon, f.lat), number, f) for number, f in enumerate(features) if f.lon is not None]
    return [feature for _, _, feature in sorted(located, key=lambda each: each[:2])]


def ragged_cluster(count: int, seed: int) -> list[Any]:
    """``count`` features around the Midlands, a few on the same spot and a few unlocated."""
    generator = random.Random(seed)  # noqa: S311 (test data, not secrets)
    features = []
    for number in range(count):
        if number % 17 == 5:
            lon, lat = None, None
        elif number % 9 == 4:
            lon, lat = features[number - 3].lon or MIDLANDS[0], features[number - 3].lat or MIDLANDS[1]
        else:
            lon, lat = generator.gauss(MIDLANDS[0], 0.08), generator.gauss(MIDLANDS[1], 0.05)
        features.append(make_feature(number, lon, lat))
    return features


@pytest.mark.parametrize("page", [1, 7, 50])
def test_pages_of_nearest_neither_skip_nor_repeat(store, page) -> None:
    """Paging by offset walks every located feature nearest first, ties (same spot) in load order, as measured."""
    features = ragged_cluster(160, seed=page)
    load(store, features, batch=40)
    for lon, lat in [MIDLANDS, (-1.62, 52.41), (-1.5, 53.5), (-3.0, 51.0)]:
        expected = brute_nearest(features, lon, lat)
        pages = [store.nearest(COLLECTION, lon, lat, limit=page, offset=start) for start in range(0, 170, page)]
        walked = [pair for each in pages for pair in each]
        assert [feature for feature, _ in walked] == expected
        assert [metres for _, metres in walked] == pytest.approx([distance(lon, lat, f.lon, f.lat) for f in expected])
        assert all(len(each) == page for each in pages[: len(expected) // page])
    assert store.nearest(COLLECTION, *MIDLANDS, limit=5, offset=1000) == []
    assert store.nearest(COLLECTION, *MIDLANDS, limit=0, offset=3) == []


@pytest.mark.parametrize("way", NEAREST_WAYS)
def test_nearest_keeps_to_filters_and_a_bbox(store, monkeypatch, way) -> None:
    """nearest() ranks only the features inside the bbox that match the filters, and pages through them.

    SQLite walks its R*Tree keeping to them, ranks a few features all at once, or searches for more with growing
    boxes: each way is tried.
    """
    nearest_way(monkeypatch, way)
    features = ragged_cluster(200, seed=7)
    load(store, features, batch=64)
    bbox = (-1.55, 52.45, -1.40, 52.60)
    lon, lat = -1.7, 52.3  # outside the box, so the search has to reach it

    def inside(feature: Any) -> bool:
        return feature.lon is not None and bbox[0] <= feature.lon <= bbox[2] and bbox[1] <= feature.lat <= bbox[3]

    for filters, box in [
        ({"BabyChange": True}, None),
        ({"BabyChange": False, "Share 100% {table}": "share 1"}, None),
        ({}, bbox),
        ({"BabyChange": True}, bbox),
        ({"Cubicles": 13}, None),
        ({"Cubicles": 13}, bbox),
        ({"LocationText": "nowhere"}, None),
    ]:
        candidates = [f for f in matching(features, filters) if box is None or inside(f)]
        expected = brute_nearest(candidates, lon, lat)
        found = store.nearest(COLLECTION, lon, lat, limit=500, bbox=box, filters=filters)
        assert [feature for feature, _ in found] == expected
        pages = [store.nearest(COLLECTION, lon, lat, limit=4, offset=n, bbox=box, filters=filters) for n in (0, 4, 8)]
        assert [feature for page in pages for feature, _ in page] == expected[:12]
    assert store.nearest(COLLECTION, lon, lat, bbox=(10.0, 10.0, 11.0, 11.0)) == []
    assert store.nearest(COLLECTION, lon, lat, bbox=(-1.4, 52.6, -1.55, 52.45)) == []  # min above max: no box


# --- A killed load ----------------------------------------------------------------------------------------------

KILLED_LOADER = """
import importlib, sys, time
package, url, project_dir, collection = sys.argv[1:]
store_module = importlib.import_module(package + ".store")
store = store_module.open_store(url, __import__("pathlib").Path(project_dir))
fields = [{"name": "LocationText", "type": "string"}]
with store.replacing(collection, fields) as staging:
    number = 0
    while True:
        batch = [
            store_module.Feature(f"new-{number + i}", -1.5, 52.5, {"LocationText": "new"}, {}, number + i)
            for i in range(500)
        ]
        staging.add(batch)
        number += 500
        print(number, flush=True)
        time.sleep(0.01)
"""


def test_a_load_killed_mid_way_leaves_the_old_data_serving(database_url, tmp_path, open_test_store, inspect_store):
    """SIGKILL in the middle of a load: readers still get the old data, nothing is left over, and loads still work."""
    store = open_test_store()
    old = spread(3)
    load(store, old)
    tables_before = inspect_store.tables()
    command = [sys.executable, "-c", KILLED_LOADER, PACKAGE, database_url, str(tmp_path), COLLECTION]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as loader:  # noqa: S603
        try:
            loaded = [int(loader.stdout.readline() or 0) for _ in range(3)]
            assert loaded == [500, 1000, 1500], loader.stderr.read()
            assert store.count(COLLECTION) == 3  # serving the old data during the load
        finally:
            loader.send_signal(signal.SIGKILL)
            loader.wait(timeout=30)
    assert loader.returncode == -signal.SIGKILL

    inspect_store.wait_for_other_transactions()
    assert store.features(COLLECTION, limit=10) == old
    assert open_test_store().features(COLLECTION, limit=10) == old
    assert inspect_store.tables() == tables_before
    load(store, spread(4))
    assert store.count(COLLECTION) == 4


# --- PostgreSQL URLs and errors (no server needed) --------------------------------------------------------------

CLOSED_PORT = "127.0.0.1:1"  # nothing listens on port 1, so connecting fails at once


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg", "POSTGRESQL"])
def test_each_spelling_of_a_postgresql_url_is_accepted(tmp_path, scheme) -> None:
    """postgresql://, postgres:// and SQLAlchemy's postgresql+psycopg:// all reach the server."""
    with pytest.raises(StoreError, match="Could not connect"):
        open_store(f"{scheme}://app:pw@{CLOSED_PORT}/app", tmp_path)


def test_another_driver_in_the_url_is_a_config_error(tmp_path) -> None:
    """A URL for another driver says which form to use."""
    with pytest.raises(ConfigError, match=r"postgresql://user:password@host:5432/database"):
        open_store(f"postgresql+asyncpg://app:pw@{CLOSED_PORT}/app", tmp_path)


@pytest.mark.parametrize("password", ["s3cret-pw", "p@ss:w/rd%"])
def test_a_connection_error_hides_the_password_and_says_what_to_check(tmp_path, password) -> None:
    """The message names the server and what to check, and never shows the password, plain or percent-encoded."""
    encoded = "".join(f"%{ord(c):02X}" if c in "@:/%" else c for c in password)
    with pytest.raises(StoreError) as raised:
        open_store(f"postgresql://app:{encoded}@{CLOSED_PORT}/app", tmp_path)
    message = str(raised.value)
    assert password not in message
    assert encoded not in message
    assert f"postgresql://app:***@{CLOSED_PORT}/app" in message
    assert "Check that the server is running" in message
    assert "password in DATABASE_URL" in message


def test_hide_password_covers_the_user_part_and_the_query() -> None:
    """Passwords in user:password@ and in ?password= are both replaced by ***."""
    assert postgres.hide_password("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert postgres.hide_password("postgresql://u@h/db?sslmode=require&password=pw") == (
        "postgresql://u@h/db?sslmode=require&password=***"
    )
    assert postgres.hide_password("postgresql://h/db") == "postgresql://h/db"


def test_hide_password_hides_a_password_holding_at_signs_whole() -> None:
    """The store's error messages and the config command share one function, which hides all of such a password."""
    assert postgres.hide_password("postgresql://app:s@cr@t@db/app?password=x") == (
        "postgresql://app:***@db/app?password=***"
    )


# --- Word search ------------------------------------------------------------------------------------------------

SEARCH_TEXTS = [
    "Tŷ Bach, Stryd Fawr",
    "TŶ GWYN public toilet",
    "Ŵyl Ddewi toilets (closed)",
    "Llanfairpwllgwyngyll station",
    'The "Harbour" toilet: NEAR(the pier) OR -beach*',
    "Café 24/7",
    "north-west car park",
    "Tŷ-bach Cymraeg; DROP TABLE x; --",
    "Straße toilets",
]


def searchable() -> list[Any]:
    """Features whose text (LocationText, the share field and the id) has Welsh letters, punctuation and syntax."""
    return [
        make_feature(number, -1.5 + number * 0.01, 52.5 + number * 0.005, LocationText=text)
        for number, text in enumerate(SEARCH_TEXTS)
    ]


def holding(features: Sequence[Any], *typed: str) -> list[Any]:
    """The features with a word beginning with each word typed, in any case: what a search should find.

    Written apart from the stores' own splitting: a word is a run of letters and digits, compared case folded.
    """
    parts = [part for word in typed for part in re.findall(r"[^\W_]+", word.casefold())]
    found = []
    for feature in features:
        text = " ".join(
            value for value in (feature.id, *feature.properties.values()) if isinstance(value, str)
        ).casefold()
        if all(re.search(r"(?<![^\W_])" + re.escape(part), text) for part in parts):
            found.append(feature)
    return found


@pytest.mark.parametrize(
    "words",
    [
        ["toilet"],
        ["TOILET"],
        ["tŷ"],
        ["TŶ"],
        ["tŷ", "bach"],
        ["ŵyl"],
        ["llanfair"],
        ["west"],
        ["north-west"],
        ["caf"],
        ["café", "24"],
        ["strasse"],
        ["share", "1"],
        ["id-4"],
        ["harbour", "pier", "beach"],
        ["toilet", "nowhere"],
        ["oilet"],  # inside a word: not found
    ],
)
def test_search_finds_a_word_beginning_with_each_word_in_any_case(store, words) -> None:
    """Each word must begin a word of the id or a string field, in any case (Welsh letters and ß too)."""
    features = searchable()
    load(store, features)
    found = store.search(COLLECTION, words, limit=100)
    expected = holding(features, *words)
    assert [feature for feature, metres in found.page] == expected
    assert all(metres is None for _, metres in found.page)
    assert (found.matched, found.complete) == (len(expected), True)
    assert expected or words in (["toilet", "nowhere"], ["oilet"])


@pytest.mark.parametrize(
    "words",
    [
        ['"'],
        ['"toilet'],
        ["NEAR("],
        ["NEAR(the", "pier)"],
        ["*"],
        ["beach*"],
        ["OR"],
        ["-beach"],
        [":"],
        ["LocationText:toilet"],
        ["^toilet"],
        ["\0"],
        ["toi\0let"],
        ["'"],
        ["\\"],
        ["'; DROP TABLE x; --"],
        ["100%", "{table}"],
        ["&", "|", "!", "<->"],
        ["AND", "NOT"],
        ["x" * 500],
    ],
)
def test_search_treats_every_word_as_text_never_as_query_syntax(store, words) -> None:
    """Quotes, FTS5's and tsquery's operators, NUL and long words find what their letters and digits find."""
    features = searchable()
    load(store, features)
    found = store.search(COLLECTION, words, limit=100)
    expected = holding(features, *words)
    assert [feature for feature, _ in found.page] == expected
    assert found.matched == len(expected)
    assert store.count(COLLECTION) == len(features)  # nothing was dropped


def test_search_without_words_finds_every_feature(store) -> None:
    """No words, or words with no letter or digit, match every feature, in load order."""
    features = searchable()
    load(store, features)
    for words in ([], ["", " "], ["--", "*"]):
        found = store.search(COLLECTION, words, limit=4, offset=2)
        assert [feature for feature, _ in found.page] == features[2:6]
        assert (found.matched, found.complete) == (len(features), True)


def test_search_takes_ten_words_and_pages_them(store) -> None:
    """Ten words all apply; offset and limit page the matches in load order, and the count covers them all."""
    features = [
        make_feature(number, -1.5, 52.5, LocationText=f"alpha bravo charlie delta echo foxtrot golf hotel {number}")
        for number in range(30)
    ]
    load(store, features)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "share", "2"]
    expected = holding(features, *words)
    assert 3 < len(expected) < 20  # the last two words narrow the others' 30
    found = store.search(COLLECTION, words, limit=2, offset=1)
    assert [feature for feature, _ in found.page] == expected[1:3]
    assert (found.matched, found.complete) == (len(expected), True)


def test_search_counts_up_to_most(store) -> None:
    """Past ``most`` matches the count stops there and says it is not complete; the page still comes."""
    features = spread(12)
    load(store, features)
    found = store.search(COLLECTION, ["toilet"], limit=5, offset=8, most=10)
    assert [feature for feature, _ in found.page] == features[8:12]
    assert (found.matched, found.complete) == (10, False)
    assert store.search(COLLECTION, ["toilet"], limit=5, most=12).complete


def test_search_applies_filters_a_bbox_and_nearest_first(store) -> None:
    """Filters and a bbox narrow the words' matches; with a point they come nearest first, as nearest() ranks."""
    features = spread(40)
    load(store, features)
    words = ["toilet", "share"]
    filters = {"BabyChange": True}
    point = features[20].lon + 0.0001, features[20].lat
    found = store.search(COLLECTION, words, limit=6, offset=2, filters=filters, near=point)
    expected = [(f, m) for f, m in store.nearest(COLLECTION, *point, limit=100, filters=filters)][2:8]
    assert found.page == expected
    assert (found.matched, found.complete) == (20, True)
    bbox = (features[5].lon, features[5].lat, features[15].lon, features[15].lat)
    found = store.search(COLLECTION, ["toilet", "1"], limit=100, filters=filters, bbox=bbox)
    assert [feature for feature, _ in found.page] == [features[10], features[12], features[14]]
    near = store.search(COLLECTION, ["toilet", "1"], limit=100, filters=filters, bbox=bbox, near=point)
    assert [feature for feature, _ in near.page] == [features[14], features[12], features[10]]
    assert [m for _, m in near.page] == sorted(m for _, m in near.page)


def test_search_nearest_first_over_many_features_finds_the_nearest_matches(store) -> None:
    """Past the features nearest() ranks all at once, the boxes it grows hold the nearest matching features."""
    features = [
        make_feature(number, -1.5 + (number % 50) * 0.001, 52.5 + (number // 50) * 0.001)
        for number in range(sqlite_store.RANK_ALL_UP_TO + 500)
    ]
    load(store, features, batch=500)
    point = (-1.47, 52.52)
    found = store.search(COLLECTION, ["toilet", "7"], limit=5, near=point, most=100_000)
    expected = sorted(
        ((distance(*point, f.lon, f.lat), f.row) for f in holding(features, "toilet", "7")),
    )[:5]
    assert [(round(m, 6), f.row) for f, m in found.page] == [(round(m, 6), row) for m, row in expected]
    assert found.matched == len(holding(features, "toilet", "7"))


def test_postgres_checks_a_search_s_words_in_the_rows_round_a_point_without_its_word_index(
    postgres_server_url, tmp_path, monkeypatch
) -> None:
    """Round a point the rows are few: reading the word index's every match for a word there took tens of ms."""
    features = [
        make_feature(number, -1.5 + (number % 50) * 0.001, 52.5 + (number // 50) * 0.001) for number in range(3000)
    ]
    point = (-1.47, 52.52)
    with postgres_schema(postgres_server_url) as url, opened(url, tmp_path) as store:
        load(store, features, batch=1000)
        asked = postgres_queries(monkeypatch, lambda query: "_distance" in query)
        found = store.search(COLLECTION, ["toilet", "7"], limit=5, near=point, filters={"BabyChange": True})
        monkeypatch.undo()
        kept = [f for f in holding(features, "toilet", "7") if f.properties["BabyChange"]]
        assert [feature for feature, _ in found.page] == brute_nearest(kept, *point)[:5]
        assert len(asked) == 1
        with psycopg.connect(url) as db:
            db.execute("SET enable_seqscan = off")  # the planner takes any index it may use
            plan = "\n".join(line for (line,) in db.execute("EXPLAIN " + asked[0][0], asked[0][1]))
            (table,) = db.execute("SELECT table_name FROM _collections").fetchone()
    assert f"{table}_geom" in plan or f"{table}_boxes" in plan  # a spatial index (the second holds BabyChange)
    assert f"{table}_words" not in plan, plan


def test_a_postgres_load_is_written_frozen_so_that_its_first_readers_write_nothing(
    postgres_server_url, tmp_path
) -> None:
    """Rows copied in unfrozen are marked committed by the first reads after the load, which write every page again."""
    features = [
        make_feature(number, -1.5 + (number % 50) * 0.001, 52.5 + (number // 50) * 0.001) for number in range(3000)
    ]
    with postgres_schema(postgres_server_url) as url, opened(url, tmp_path) as store:
        load(store, features, batch=1000)
        with psycopg.connect(url, autocommit=True) as db:
            (table,) = db.execute("SELECT table_name FROM _collections").fetchone()
            pages, visible = db.execute(
                "SELECT relpages, relallvisible FROM pg_class WHERE oid = to_regclass(%s)", [table]
            ).fetchone()
            # A condition no index answers, so the scan reads every row from the table's pages.
            scan = db.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM {table} WHERE _row >= 0")  # noqa: S608
            plan = "\n".join(line for (line,) in scan.fetchall())
    assert pages > 0
    assert visible == pages  # every page marked all-visible, as VACUUM would leave it
    assert "Seq Scan" in plan
    assert "dirtied" not in plan, plan


def test_postgres_asks_how_a_load_was_indexed_once_however_many_boxes_are_counted(
    postgres_server_url, tmp_path, monkeypatch
) -> None:
    """Whether the index holds row numbers is asked once a load: the counts of more boxes than a store keeps do not
    push it out, so near does not ask again."""
    monkeypatch.setattr(postgres, "MOST_ANSWERS", 4)
    features = [make_feature(n, -2.0 + (n % 10) * 0.01, 53.0 + (n // 10) * 0.01) for n in range(100)]
    with postgres_schema(postgres_server_url) as url, opened(url, tmp_path) as store:
        load(store, features, batch=100)
        asked = postgres_queries(monkeypatch, lambda query: "pg_index" in query)
        store.nearest(COLLECTION, -1.95, 53.05, limit=5)
        for n in range(8):  # twice as many counts of new boxes as the store keeps
            store.count(COLLECTION, bbox=(-2.0, 53.0, -1.99 + n * 0.01, 53.09))
        store.nearest(COLLECTION, -1.95, 53.05, limit=5)
    assert len(asked) == 1


def in_indexes(store: Any) -> list[set[str]]:
    """The columns of each of the live table's GiST indexes, as the PostgreSQL store reads them, fewest first."""
    return sorted((set(columns) for (columns,) in store._read(COLLECTION, postgres._in_index)[0]), key=len)


def test_postgres_keeps_counts_of_a_whole_collection_apart_from_boxes_and_open_now_by_the_minute(
    postgres_server_url, tmp_path, monkeypatch
) -> None:
    """A count of the features meeting filters, with no box (a page nearest a point counts them all), is not pushed
    out by the counts of more boxes than a store keeps; "open now" is kept by its minute: a minute's requests count
    once, the next minute's again, each right."""
    monkeypatch.setattr(postgres, "MOST_ANSWERS", 4)
    hours = 'Opening "hours"; DROP TABLE x'
    fields = opening.marked(FIELDS, hours)
    features = [
        make_feature(
            n, -2.0 + (n % 10) * 0.01, 53.0 + (n // 10) * 0.01, **{hours: ("24/7", "Mo-Su 08:00-18:00")[n % 2]}
        )
        for n in range(100)
    ]
    noon = datetime.datetime(2026, 12, 8, 12, 0, 5, tzinfo=datetime.UTC)
    evening = datetime.datetime(2026, 12, 8, 20, 0, 5, tzinfo=datetime.UTC)
    with postgres_schema(postgres_server_url) as url, opened(url, tmp_path) as store:
        with store.replacing(COLLECTION, fields) as staging:
            staging.add(features)
            staging.commit(make_provenance(COLLECTION, len(features)))
        counted = postgres_queries(monkeypatch, lambda query: "count(*)" in query and "_hours" in query)
        assert store.count(COLLECTION, filters={hours: opening.OpenAt(noon)}) == 100
        for n in range(8):  # twice as many counts of new boxes as the store keeps
            store.count(COLLECTION, bbox=(-2.0, 53.0, -1.99 + n * 0.01, 53.09))
        later = noon + datetime.timedelta(seconds=50)  # the same minute
        assert store.count(COLLECTION, filters={hours: opening.OpenAt(later)}) == 100
        assert len(counted) == 1
        assert store.count(COLLECTION, filters={hours: opening.OpenAt(evening)}) == 50  # "24/7" alone
        assert store.count(COLLECTION, filters={hours: opening.OpenAt(noon + datetime.timedelta(minutes=1))}) == 100
        assert len(counted) == 3


def test_postgres_counts_a_whole_collection_once_for_a_burst_of_the_same_first_request(
    postgres_server_url, tmp_path, monkeypatch
) -> None:
    """Requests arriving together with the same new filter wait for one count of the table (a pass over it, 0.7 s
    at 1,000,000 features), rather than each count it."""
    features = spread(60)
    counted: list[str] = []
    execute = psycopg.Connection.execute

    def slowly(db: Any, query: Any, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query, str) and "count(*)" in query and "BabyChange" in query:
            counted.append(query)
            time.sleep(0.3)  # long enough for every request to arrive while it is counted
        return execute(db, query, params, *args, **kwargs)

    with postgres_schema(postgres_server_url) as url, opened(url, tmp_path) as store:
        load(store, features)
        monkeypatch.setattr(psycopg.Connection, "execute", slowly)
        with ThreadPoolExecutor(postgres.READ_CONNECTIONS) as pool:
            answers = list(
                pool.map(
                    lambda _: store.count(COLLECTION, filters={"BabyChange": True}), range(postgres.READ_CONNECTIONS)
                )
            )
    assert answers == [30] * postgres.READ_CONNECTIONS
    assert len(counted) == 1


def test_postgres_ranks_near_from_the_index_of_a_load_and_from_the_rows_of_an_older_one(
    postgres_server_url, tmp_path
) -> None:
    """A load's GiST index holds row numbers, for near from the index alone; an older load's points alone still rank."""
    features = [make_feature(n, -2.0 + (n % 40) * 0.01, 53.0 + (n // 40) * 0.01) for n in range(400)]
    point = (-1.87, 53.04)
    expected = brute_nearest(features, *point)[:30]
    with postgres_schema(postgres_server_url) as url:
        with opened(url, tmp_path) as store:
            load(store, features, batch=100)
            assert in_indexes(store)[0] == {"geom", "_rowid"}
            assert [feature for feature, _ in store.nearest(COLLECTION, *point, limit=30)] == expected
        with psycopg.connect(url, autocommit=True) as db:
            (table,) = db.execute("SELECT table_name FROM _collections").fetchone()
            db.execute(f"DROP INDEX {table}_geom")
            db.execute(f"DROP INDEX {table}_boxes")
            db.execute(f"CREATE INDEX {table}_geom ON {table} USING gist (geom)")  # as loads made it before
        with opened(url, tmp_path) as older:
            assert in_indexes(older) == [{"geom"}]
            assert [feature for feature, _ in older.nearest(COLLECTION, *point, limit=30)] == expected


def test_postgres_keeps_the_columns_of_the_boxes_in_an_index_and_ranks_near_with_them_from_it(
    postgres_server_url, tmp_path, monkeypatch
) -> None:
    """A load has a second GiST index holding the columns residents' boxes filter on (a yes-or-no field, a value a
    theme's box marks, and the hours' numbers), so near with those filters ranks from an index alone; a filter on
    another column, or on a load without that index, ranks from the rows. The answers are the same every way."""
    fields = masks.boxed(opening.marked(FIELDS, 'Opening "hours"; DROP TABLE x'), [("ChargeAmount", 0.2)])
    hours = {0: "24/7", 1: "Mo-Su 08:00-18:00", 2: "off"}
    features = [
        make_feature(
            n, -2.0 + (n % 40) * 0.01, 53.0 + (n // 40) * 0.01, **{'Opening "hours"; DROP TABLE x': hours[n % 3]}
        )
        for n in range(400)
    ]
    for n in range(0, 400, 7):  # a free one now and then
        features[n].properties["ChargeAmount"] = 0.2
    point = (-1.87, 53.04)
    midnight = datetime.datetime(2026, 12, 8, 0, 30, tzinfo=datetime.UTC)  # only "24/7" open
    asked = {
        "BabyChange": ({"BabyChange": True}, lambda f: f.properties["BabyChange"] is True),
        "free": ({"ChargeAmount": 0.2}, lambda f: f.properties["ChargeAmount"] == 0.2),
        "open": (
            {'Opening "hours"; DROP TABLE x': opening.OpenAt(midnight)},
            lambda f: f.properties['Opening "hours"; DROP TABLE x'] == "24/7",
        ),
    }
    elsewhere = ({"Share 100% {table}": "share 1"}, lambda f: f.properties["Share 100% {table}"] == "share 1")
    banded = postgres_queries(monkeypatch, lambda query: "AS banded" in query)

    def ranked(store: Any, filters: dict[str, Any], kept: Callable[[Any], bool]) -> bool:
        """Whether near with ``filters`` gives the brute force's nearest that ``kept`` keeps, from the index."""
        banded.clear()
        expected = [feature for feature in brute_nearest(features, *point) if kept(feature)][:20]
        found = [feature for feature, _ in store.nearest(COLLECTION, *point, limit=20, filters=filters)]
        assert found == expected
        return bool(banded)

    with postgres_schema(postgres_server_url) as url:
        with opened(url, tmp_path) as store:
            with store.replacing(COLLECTION, fields) as staging:
                staging.add(features)
                staging.commit(make_provenance(COLLECTION, len(features)))
            assert in_indexes(store) == [{"geom", "_rowid"}, {"geom", "_rowid", "BabyChange", "ChargeAmount", "_hours"}]
            assert all(ranked(store, *box) for box in asked.values())
            assert not ranked(store, *elsewhere)
            box = (-1.9, 53.0, -1.8, 53.05)
            babies = [f for f in features if f.properties["BabyChange"] and lies_inside(f, box)]
            assert store.count(COLLECTION, bbox=box, filters={"BabyChange": True}) == len(babies)
        with psycopg.connect(url, autocommit=True) as db:
            (table,) = db.execute("SELECT table_name FROM _collections").fetchone()
            db.execute(f"DROP INDEX {table}_boxes")  # as loads made their indexes before
        with opened(url, tmp_path) as older:
            assert in_indexes(older) == [{"geom", "_rowid"}]
            assert not any(ranked(older, *box) for box in [*asked.values(), elsewhere])


def lies_inside(feature: Any, box: tuple[float, float, float, float]) -> bool:
    """Whether a feature's position lies in ``box``, its edges included."""
    return box[0] <= feature.lon <= box[2] and box[1] <= feature.lat <= box[3]


def test_search_is_none_for_a_collection_loaded_without_the_word_index(store, database_url, tmp_path) -> None:
    """A collection loaded by an earlier version has no word index: search says so with None, other reads work."""
    features = spread(5)
    load(store, features)
    if database_url.startswith("sqlite:"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            (table,) = db.execute("SELECT table_name FROM _collections").fetchone()
            db.execute(f"DROP TABLE {table}_fts")
            db.execute(f"DROP TABLE {table}_terms")
            db.commit()
    else:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as db:
            (table,) = db.execute("SELECT table_name FROM _collections").fetchone()
            db.execute(f"ALTER TABLE {table} DROP COLUMN _words")
    assert store.search(COLLECTION, ["toilet"]) is None
    assert store.features(COLLECTION, limit=10) == features
    load(store, features)  # loading again builds the index, and drops the old table
    assert store.search(COLLECTION, ["toilet"]).matched == 5


def test_a_features_other_columns_read_back_as_ingest_wrote_them() -> None:
    """orjson reads the stored JSON; what it refuses (NaN, the infinities, a number past 64 bits) is still read."""
    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode  # ingest's encoder (sqlite.py)
    for extra in [
        {},
        {"AssetID": "PT0000001", "Ward": "Sale Moor", "Note": "Caerdydd ✓"},
        {"Count": 3, "Share": 0.25, "Open": True, "Gone": None, "Parts": ["a", 1]},
        {"Reading": math.nan, "Top": math.inf, "Bottom": -math.inf},
        {"Serial": 2**70},
    ]:
        read = sqlite_store._extra(encode(extra))
        assert json.dumps(read, sort_keys=True) == json.dumps(extra, sort_keys=True)
