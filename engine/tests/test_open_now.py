"""Open now: the filter on the items API and the home page, answered by the store on both stores at fixed times.

The moments are fixed through the app's clock (ApiState.clock), never the
machine's. Every expected answer is written out, and checked against the
evaluator the pages use for "Open now, closes 18:00", so the filter and the
words on a page cannot disagree.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from conftest import Page, Served, get, opened, serving, tables, toilet_rows
from test_grid import spied, walks

from local_data_app import deadline
from local_data_app.errors import ClientError
from local_data_app.hours import LONDON, State, read_hours
from local_data_app.hours.weekly import WEEK, minute_of_week, open_at, weekly_spans
from local_data_app.schemas import load_schema
from local_data_app.schemas.layout import layout, layout_problems
from local_data_app.store import AREA_FIELDS, Between, Feature, Provenance, distance, grid, masks
from local_data_app.store import sqlite as sqlite_store
from local_data_app.store.opening import OpenAt, marked
from local_data_app.web import answers, pages

HOURS_FIELD = "OpeningHours"
# The kinds of hours, by the feature's number modulo their count.
HOURS = (
    "Mo-Fr 08:00-18:00",  # 0: weekdays
    "24/7",  # 1: always
    "Su 22:00-02:00",  # 2: Sunday night, across midnight into Monday
    "Apr-Sep Mo-Su 09:00-21:00; Oct-Mar Mo-Su 09:00-17:00",  # 3: a season in OpenStreetMap's syntax
    "Mon-Fri 9am-5pm, Sat-Sun closed",  # 4: council words, closed at weekends
    "dawn to dusk",  # 5: words without a time: never "open now"
    "",  # 6: not known
    "Mo-Sa 08:00-18:00; PH off",  # 7: closed on public holidays
    "S = 09:00 - 21:00 W = 09:00 - 17:00",  # 8: British Summer Time and winter, as councils write them
)


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=LONDON)


# Each moment, and the kinds of hours open then.
MOMENTS = {
    "weekday morning": (at(2025, 1, 15, 10, 0), {0, 1, 3, 4, 7, 8}),
    "Sunday night": (at(2025, 1, 12, 23, 0), {1, 2}),
    "Monday after midnight": (at(2025, 1, 13, 1, 0), {1, 2}),
    "summer evening, in season": (at(2025, 7, 16, 19, 0), {1, 3, 8}),
    "winter evening, out of season": (at(2025, 1, 15, 19, 0), {1}),
    "Saturday noon": (at(2025, 1, 18, 12, 0), {1, 3, 7, 8}),
    "Christmas Day morning": (at(2025, 12, 25, 10, 0), {0, 1, 3, 4, 8}),
}
CENTRE = (-2.3, 53.45)
COUNT = 45


def kind(number: int) -> int:
    return number % len(HOURS)


def open_numbers(kinds: set[int], count: int = COUNT) -> list[int]:
    return [number for number in range(count) if kind(number) in kinds]


def test_the_expected_answers_are_the_evaluators() -> None:
    """Each moment's kinds are those whose hours the pages call open then ("Open now" or "Open 24 hours")."""
    for moment, kinds in MOMENTS.values():
        said = {
            number
            for number, text in enumerate(HOURS)
            if read_hours(text).status(moment).state in (State.OPEN, State.ALWAYS_OPEN)
        }
        assert said == kinds, moment
        read = [read_hours(text).osm for text in HOURS]
        assert {number for number, osm in enumerate(read) if osm and open_at(osm, moment)} == kinds


def test_a_list_page_works_out_each_hours_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A list's places share a few hours texts: each is evaluated once a page, and each place still gets its own."""
    shape = layout(load_schema("public_toilets"))
    moment = dt.datetime(2026, 12, 7, 12, 30, tzinfo=LONDON)  # a Monday
    evaluated: list[Any] = []
    evaluate = answers.opening

    def counted(layout: Any, row: Any, at: Any) -> Any:
        evaluated.append(row.get(HOURS_FIELD))
        return evaluate(layout, row, at)

    monkeypatch.setattr(answers, "opening", counted)
    texts = [*HOURS, *HOURS, None, HOURS[0], None]
    rows = [{HOURS_FIELD: text} for text in texts]
    listed = pages.Listed({}, "", moment)
    said = [listed.opening(shape, row) for row in rows]
    assert said == [evaluate(shape, row, moment) for row in rows]
    assert said[:2] == ["Open now, closes 18:00", "Open 24 hours"]
    assert evaluated == [*HOURS, None, None]  # a text once; no text is not remembered, and costs nothing
    later = pages.Listed({}, "", moment + dt.timedelta(hours=6))  # another page, another moment
    assert later.opening(shape, rows[0]) == "Closed, opens 08:00 tomorrow"


def test_weekly_hours_become_spans_of_the_week() -> None:
    """Weekly hours are minutes from Monday 00:00; a Sunday night runs into Monday; seasons and holidays are not."""
    assert weekly_spans("Mo-Fr 08:00-18:00") == tuple((day * 1440 + 480, day * 1440 + 1080) for day in range(5))
    assert weekly_spans("24/7") == ((0, WEEK),)
    assert weekly_spans("Su 22:00-02:00") == ((0, 120), (6 * 1440 + 1320, WEEK))
    assert weekly_spans("Mo-Fr 08:00-18:00; Su 22:00-02:00")[0] == (480, 1080)  # Monday's own hours win
    assert weekly_spans("Mo off") == ()
    sometimes = ("Apr-Sep 09:00-21:00", "Mo-Sa 08:00-18:00; PH off", 'Mo 10:00-12:00 "ring"', "week01-53/2 Mo 10:00")
    assert [weekly_spans(hours) for hours in sometimes] == [None] * len(sometimes)
    assert minute_of_week(at(2025, 1, 13, 1, 30)) == 90
    assert minute_of_week(dt.datetime(2025, 7, 13, 22, 0, tzinfo=dt.UTC)) == 6 * 1440 + 23 * 60  # BST: 23:00 Sunday


# The store ---------------------------------------------------------------------------------------------------


def position(number: int) -> tuple[float, float]:
    """Where toilet ``number`` is: on a grid of rows of 10, 0.01 degrees apart, from the centre."""
    return CENTRE[0] + (number % 10) * 0.01, CENTRE[1] + (number // 10) * 0.01


def features(count: int = COUNT) -> list[Feature]:
    """Toilets on a grid of 10 around the centre, 0.01 degrees apart, with the kinds of hours in turn."""
    return [
        Feature(
            f"T{number:02d}",
            *position(number),
            {HOURS_FIELD: HOURS[kind(number)] or None, "Category": ("Unisex", "Female and Male")[number % 2]},
            {},
            number + 2,
        )
        for number in range(count)
    ]


def load(store: Any, rows: list[Feature], hours: str | None = HOURS_FIELD) -> None:
    """Load ``rows`` as the collection toilets, its hours field marked for indexing as ingest marks it."""
    fields = marked([*load_schema("public_toilets")["fields"], *AREA_FIELDS], hours)
    with store.replacing("toilets", fields) as staging:
        staging.add(rows)
        staging.commit(Provenance("toilets", "public_toilets", "csv", "x", "OGL-UK-3.0", None, "2025", 1, 1, 0))


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """A store on each kind of database holding the 45 toilets."""
    with opened(database_url, tmp_path) as store:
        load(store, features())
        yield store


def ids(numbers: list[int]) -> list[str]:
    return [f"T{number:02d}" for number in numbers]


@pytest.mark.parametrize("name", list(MOMENTS))
def test_the_store_counts_and_pages_the_features_open_at_a_moment(store: Any, name: str) -> None:
    """The count, the pages in load order, and the nearest first agree with each other and with the hours."""
    moment, kinds = MOMENTS[name]
    expected = ids(open_numbers(kinds))
    only = {HOURS_FIELD: OpenAt(moment)}
    assert store.count("toilets", filters=only) == len(expected)
    paged = [
        feature.id
        for offset in range(0, COUNT, 4)
        for feature in store.features("toilets", limit=4, offset=offset, filters=only)
    ]
    assert paged == expected
    nearest = store.nearest("toilets", *CENTRE, limit=COUNT, filters=only)
    assert sorted(feature.id for feature, _ in nearest) == expected
    metres = [metres for _, metres in nearest]
    assert metres == sorted(metres)


def test_open_now_combines_with_a_box_a_point_a_field_and_words(store: Any) -> None:
    """Each narrowing holds with the others: a box, nearest first, a field's value and a word search."""
    moment, kinds = MOMENTS["weekday morning"]
    only = {HOURS_FIELD: OpenAt(moment)}
    box = (CENTRE[0] - 0.001, CENTRE[1] - 0.001, CENTRE[0] + 0.041, CENTRE[1] + 0.011)  # columns 0-4, rows 0-1
    inside = [n for n in open_numbers(kinds) if n % 10 <= 4 and n // 10 <= 1]
    assert store.count("toilets", bbox=box, filters=only) == len(inside)
    assert [f.id for f in store.features("toilets", bbox=box, limit=50, filters=only)] == ids(inside)
    near = store.nearest("toilets", *CENTRE, limit=3, bbox=box, filters=only)
    ranked = sorted(inside, key=lambda n: (distance(*CENTRE, *position(n)), n))
    assert [f.id for f, _ in near] == ids(ranked[:3])
    unisex = {**only, "Category": "Unisex"}
    assert [f.id for f in store.features("toilets", limit=50, filters=unisex)] == ids(
        [n for n in open_numbers(kinds) if n % 2 == 0]
    )
    found = store.search("toilets", ["t03"], filters=only)
    assert [f.id for f, _ in found.page] == ["T03"]
    assert found.matched == 1
    found = store.search("toilets", ["t05"], filters=only)
    assert found.matched == 0  # "dawn to dusk" is never open now
    dated = {**only, "ExtractDate": Between(None, None, or_missing=True)}
    assert store.count("toilets", filters=dated) == len(open_numbers(kinds))


@pytest.mark.parametrize("walk", [False, True], ids=["all-ranked", "walked"])
def test_a_word_search_narrowed_by_a_field_and_open_now_counts_and_ranks_as_each_feature_says(
    store: Any, monkeypatch: pytest.MonkeyPatch, walk: bool
) -> None:
    """A field's value narrows the set of the words' features once; open now, which changes, is asked each time."""
    if walk:  # SQLite walks the R*Tree nearest first rather than rank every match at once
        monkeypatch.setattr(sqlite_store, "RANK_ALL_UP_TO", 0)
    moment, kinds = MOMENTS["weekday morning"]
    begun = list(range(10, 20))  # "t1" begins the ids T10 to T19
    for filters, numbers in [
        ({"Category": "Unisex"}, [n for n in begun if n % 2 == 0]),
        ({"Category": "Female and Male"}, [n for n in begun if n % 2 == 1]),
        ({"Category": "Unisex", HOURS_FIELD: OpenAt(moment)}, [n for n in begun if n % 2 == 0 and kind(n) in kinds]),
        ({HOURS_FIELD: OpenAt(moment)}, [n for n in begun if kind(n) in kinds]),
    ]:
        ranked = sorted(numbers, key=lambda n: (distance(*CENTRE, *position(n)), n))
        for _ in range(2):  # the second time from what the store kept
            found = store.search("toilets", ["t1"], limit=3, filters=filters, near=CENTRE)
            assert [feature.id for feature, _ in found.page] == ids(ranked[:3]), filters
            assert (found.matched, found.complete) == (len(numbers), True), filters
            found = store.search("toilets", ["t1"], filters=filters)
            assert [feature.id for feature, _ in found.page] == ids(numbers), filters
            assert found.matched == len(numbers), filters
    found = store.search("toilets", ["t1"], limit=3, filters={"Category": "Unisex"}, near=CENTRE, most=2)
    assert (found.matched, found.complete) == (2, False)  # counted no further than asked


def test_a_new_load_brings_its_own_hours(database_url: str, tmp_path: Path) -> None:
    """The hours swap in with the data, and the old load's hours tables go with the old table."""
    moment = MOMENTS["Sunday night"][0]
    with opened(database_url, tmp_path) as store:
        load(store, features())
        before = tables(database_url)
        assert store.count("toilets", filters={HOURS_FIELD: OpenAt(moment)}) == len(open_numbers({1, 2}))
        load(store, [Feature("only", *CENTRE, {HOURS_FIELD: "Su 20:00-23:30"}, {}, 2)])
        assert [f.id for f in store.features("toilets", filters={HOURS_FIELD: OpenAt(moment)})] == ["only"]
        after = tables(database_url)
    assert len(after) == len(before)  # one load's tables replaced another's
    assert any(name.endswith("_open") for name in after)


def test_a_load_without_indexed_hours_refuses_open_now(database_url: str, tmp_path: Path) -> None:
    """A collection whose hours were not indexed answers open_now with a 400 that says to load it again."""
    with opened(database_url, tmp_path) as store:
        load(store, features(3), hours=None)
        with pytest.raises(ClientError) as raised:
            store.count("toilets", filters={HOURS_FIELD: OpenAt(MOMENTS["weekday morning"][0])})
    assert raised.value.status == 400
    assert raised.value.parameter == "open_now"
    assert "ingest" in raised.value.message


LARGE = 1500  # toilets on 150 rows of 10, enough for a grid of many cells


@pytest.fixture
def gridded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A SQLite store holding LARGE toilets, counted as large enough for a grid, and its grid made."""
    monkeypatch.setattr(grid, "LEAST_FEATURES", 1)
    with opened(f"sqlite:///{tmp_path / 'app.db'}", tmp_path) as store:
        load(store, features(LARGE))
        store.count("toilets", (*CENTRE, CENTRE[0] + 0.05, CENTRE[1] + 0.05))
        store._grids.wait()
        yield store


@pytest.mark.parametrize("name", list(MOMENTS))
def test_a_large_load_s_features_open_at_a_moment_come_from_its_grid_and_each_feature_s_hours(
    gridded: Any, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Counts, pages in load order, boxes and pages nearest first, with open now alone and with a listed field's
    filter, are those the hours say, found from the grid and masks with no R*Tree read and no row asked about (but
    for a box's page that is read in load order, each row tested by its position, as without a filter)."""
    moment, kinds = MOMENTS[name]
    walked, asked = walks(monkeypatch), spied(monkeypatch, sqlite_store, "_matching")
    boxes = [(-2.3, 53.45, -2.26, 53.5), (-2.255, 53.6, -2.205, 54.0), (-2.3, 53.45, -2.2, 55.0), (0.0, 0.0, 1.0, 1.0)]
    now = {HOURS_FIELD: OpenAt(moment)}
    for filters, numbers in [
        (now, open_numbers(kinds, LARGE)),
        ({**now, "Category": "Unisex"}, [n for n in open_numbers(kinds, LARGE) if n % 2 == 0]),
    ]:
        assert store_count(gridded, filters) == len(numbers)
        for limit, offset in [(20, 0), (20, 3), (50, len(numbers) // 2), (50, len(numbers) - 5), (5, len(numbers))]:
            page = gridded.features("toilets", limit=limit, offset=offset, filters=filters)
            assert [feature.id for feature in page] == ids(numbers[offset:][:limit])
        for west, south, east, north in boxes:
            inside = [n for n in numbers if west <= position(n)[0] <= east and south <= position(n)[1] <= north]
            assert gridded.count("toilets", (west, south, east, north), filters=filters) == len(inside)
            page = gridded.features("toilets", (west, south, east, north), limit=20, offset=3, filters=filters)
            assert [feature.id for feature in page] == ids(inside[3:23])
        for point in [CENTRE, (-2.25, 53.9), (-2.0, 54.0), (-20.0, 50.0)]:
            ranked = sorted(numbers, key=lambda n: (distance(*point, *position(n)), n))
            found = gridded.nearest("toilets", *point, limit=20, offset=5, filters=filters)
            assert [feature.id for feature, _ in found] == ids(ranked[5:25]), (filters, point)
            assert [metres for _, metres in found] == [distance(*point, *position(n)) for n in ranked[5:25]]
    assert walked == []
    assert [named for _, named in asked if named.get("indexed", True)] == []


@pytest.mark.parametrize("name", list(MOMENTS))
def test_a_large_load_s_word_search_open_at_a_moment_keeps_to_the_features_the_masks_say_are_open(
    gridded: Any, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A word search's matches, nearest first and in load order, counted, with open now alone (the words' own set)
    and with a field's filter (the set narrowed by it), are those open: their set narrowed by the minute's mask."""
    moment, kinds = MOMENTS[name]
    narrowed: list[Any] = []
    opened = sqlite_store.SQLiteStore._opened

    def spy(self: Any, *args: Any) -> Any:
        held = opened(self, *args)
        narrowed.append(held)
        return held

    monkeypatch.setattr(sqlite_store.SQLiteStore, "_opened", spy)
    numbers = [n for n in open_numbers(kinds, LARGE) if n % 2 == 1]  # "Female and Male": each holds "male"
    now = {HOURS_FIELD: OpenAt(moment)}
    nearest = sorted(numbers, key=lambda n: (distance(*CENTRE, *position(n)), n))
    for filters in [now, {**now, "Category": "Female and Male"}]:
        for near, expected in [(CENTRE, nearest), (None, numbers)]:
            found = gridded.search("toilets", ["male"], limit=10, offset=2, filters=filters, near=near)
            assert [feature.id for feature, _ in found.page] == ids(expected[2:12]), (filters, near)
            assert (found.matched, found.complete) == (len(numbers), True)
    assert len(narrowed) == 4
    assert all(held.found is not None and held.rest == [] for held in narrowed)  # nothing left to ask of the rows


@pytest.mark.parametrize("name", ["weekday morning", "Sunday night"])
def test_a_word_too_common_for_its_set_to_be_held_is_counted_open_from_the_word_index_and_the_masks(
    gridded: Any, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Counts, to the search's limit and short of it, pages in load order and nearest first, of a word held by more
    features than a set is kept for: the index's matches tested against the masks in chunks, no row asked."""
    moment, kinds = MOMENTS[name]
    gridded._postings.most = 10  # "male" is held by 750 features: more than a set is kept for
    monkeypatch.setattr(sqlite_store, "MATCHES_AT_ONCE", 7)  # chunks that end between matches
    counted = spied(monkeypatch, sqlite_store, "_matches_meeting")
    numbers = [n for n in open_numbers(kinds, LARGE) if n % 2 == 1]
    nearest = sorted(numbers, key=lambda n: (distance(*CENTRE, *position(n)), n))
    for filters in [{HOURS_FIELD: OpenAt(moment)}, {HOURS_FIELD: OpenAt(moment), "Category": "Female and Male"}]:
        for near, expected in [(CENTRE, nearest), (None, numbers)]:
            for most in [10_000, len(numbers), len(numbers) - 1, 3]:
                found = gridded.search("toilets", ["male"], limit=5, filters=filters, near=near, most=most)
                assert (found.matched, found.complete) == (min(most, len(numbers)), most >= len(numbers)), most
                assert [feature.id for feature, _ in found.page] == ids(expected[:5]), (filters, near, most)
    assert len(counted) == 16


def store_count(store: Any, filters: dict[str, Any]) -> int:
    return int(store.count("toilets", filters=filters))


def test_a_load_s_hours_are_read_once_and_each_minute_s_mask_made_once(
    gridded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every moment's features come from one read of each feature's hours; moments with the same hours open share
    a mask; a new load's hours are read again."""
    read, made = spied(monkeypatch, masks, "hours_numbers"), spied(monkeypatch, masks, "open_mask")
    for _ in range(2):
        for moment, kinds in MOMENTS.values():
            assert store_count(gridded, {HOURS_FIELD: OpenAt(moment)}) == len(open_numbers(kinds, LARGE))
            later = moment + dt.timedelta(seconds=30)  # the same minute
            assert store_count(gridded, {HOURS_FIELD: OpenAt(later)}) == len(open_numbers(kinds, LARGE))
    assert len(read) == 1
    assert len(made) == len({tuple(sorted(kinds)) for _, kinds in MOMENTS.values()})  # two moments share one
    load(gridded, features(LARGE)[::-1])
    gridded.count("toilets", (*CENTRE, CENTRE[0] + 0.05, CENTRE[1] + 0.05))
    gridded._grids.wait()
    moment, kinds = MOMENTS["Saturday noon"]
    assert store_count(gridded, {HOURS_FIELD: OpenAt(moment)}) == len(open_numbers(kinds, LARGE))
    assert len(read) == 2


def test_a_read_of_a_load_s_hours_a_deadline_stopped_is_not_tried_again(
    gridded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request whose time ran out fails as before; later ones walk the R*Tree asking each row, and are right."""
    read, tried = masks.hours_numbers, []

    def out_of_time(db: sqlite3.Connection, table: str) -> Any:
        tried.append(table)
        with deadline.within(0.0):
            return read(db, table)

    monkeypatch.setattr(masks, "hours_numbers", out_of_time)
    walked = walks(monkeypatch)
    moment, kinds = MOMENTS["weekday morning"]
    now = {HOURS_FIELD: OpenAt(moment)}
    with pytest.raises(sqlite3.OperationalError, match="interrupt"):
        gridded.nearest("toilets", *CENTRE, limit=5, filters=now)
    ranked = sorted(open_numbers(kinds, LARGE), key=lambda n: (distance(*CENTRE, *position(n)), n))
    for _ in range(2):
        assert [f.id for f, _ in gridded.nearest("toilets", *CENTRE, limit=5, filters=now)] == ids(ranked[:5])
    assert len(tried) == 1
    assert walked == [CENTRE, CENTRE]


# The API and the pages ---------------------------------------------------------------------------------------


def rows(count: int = COUNT) -> list[dict[str, str]]:
    """Toilets as a council's CSV file has them, with the kinds of hours in turn and a name each."""
    base = toilet_rows()[0]
    return [
        {
            **base,
            "Ref": f"T{number:02d}",
            "LocationText": f"Toilet number {number:02d}",
            "GeoX": f"{CENTRE[0] + (number % 10) * 0.01:.5f}",
            "GeoY": f"{CENTRE[1] + (number // 10) * 0.01:.5f}",
            "Category": ("Unisex", "Female and Male")[number % 2],
            "BabyChange": "yes" if number % 3 == 0 else "no",
            "ChargeAmount": "0.20" if number % 4 == 0 else "0",
            HOURS_FIELD: HOURS[kind(number)],
        }
        for number in range(count)
    ]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Served]:
    """The 45 toilets ingested from a CSV file and served, on each kind of store."""
    with serving(tmp_path_factory.mktemp("project"), rows(), web_database_url) as served:
        yield served


def set_clock(served: Served, moment: dt.datetime) -> None:
    """Make the served app's "now" this moment, through its clock."""
    served.app.state.api.clock = lambda: moment


def items_url(served: Served, query: str) -> str:
    return f"{served.base}/api/collections/toilets/items?{query}"


@pytest.mark.parametrize("name", ["weekday morning", "Monday after midnight", "summer evening, in season"])
def test_the_api_pages_through_the_places_open_now(served: Served, name: str) -> None:
    """numberMatched counts the open places, and the next links, which keep open_now, walk through all of them."""
    moment, kinds = MOMENTS[name]
    set_clock(served, moment)
    url: str | None = items_url(served, "open_now=true&limit=4")
    seen: list[str] = []
    while url:
        answer = served_get(url)
        assert answer["numberMatched"] == len(open_numbers(kinds))
        seen += [feature["id"] for feature in answer["features"]]
        url = next((link["href"] for link in answer["links"] if link["rel"] == "next"), None)
        assert url is None or parse_qs(urlsplit(url).query)["open_now"] == ["true"]
    assert seen == ids(open_numbers(kinds))


def served_get(url: str) -> dict[str, Any]:
    answer = get(url)
    assert answer.status == 200, answer.text
    return answer.json()


def test_open_now_false_filters_nothing(served: Served) -> None:
    """open_now=false keeps every feature, and the value is read in any case."""
    set_clock(served, MOMENTS["winter evening, out of season"][0])
    assert served_get(items_url(served, "open_now=false"))["numberMatched"] == COUNT
    assert served_get(items_url(served, "open_now=TRUE"))["numberMatched"] == len(open_numbers({1}))


def test_the_api_combines_open_now_with_near_bbox_and_a_field(served: Served) -> None:
    """Nearest first, in a box, and with a field's value: each answer holds only places open now."""
    moment, kinds = MOMENTS["weekday morning"]
    set_clock(served, moment)
    open_ids = set(ids(open_numbers(kinds)))
    near = served_get(items_url(served, f"open_now=true&near={CENTRE[0]},{CENTRE[1]}&limit=100"))
    assert {feature["id"] for feature in near["features"]} == open_ids
    metres = [feature["properties"]["distance"] for feature in near["features"]]
    assert near["numberMatched"] == len(open_ids)
    assert metres == sorted(metres)
    box = f"{CENTRE[0] - 0.001},{CENTRE[1] - 0.001},{CENTRE[0] + 0.041},{CENTRE[1] + 0.011}"
    boxed = served_get(items_url(served, f"open_now=true&bbox={box}&limit=100"))
    inside = [n for n in open_numbers(kinds) if n % 10 <= 4 and n // 10 <= 1]
    assert [feature["id"] for feature in boxed["features"]] == ids(inside)
    assert boxed["numberMatched"] == len(inside)
    unisex = served_get(items_url(served, "open_now=true&Category=Unisex&limit=100"))
    assert [feature["id"] for feature in unisex["features"]] == ids([n for n in open_numbers(kinds) if n % 2 == 0])


def test_csv_and_html_hold_the_same_places(served: Served) -> None:
    """CSV and the items page hold the open places, and only those."""
    moment, kinds = MOMENTS["Saturday noon"]
    set_clock(served, moment)
    answer = get(items_url(served, "open_now=true&f=csv&limit=100"))
    assert answer.status == 200
    table = list(csv.DictReader(io.StringIO(answer.text)))
    assert [row["id"] for row in table] == ids(open_numbers(kinds))
    page = get(items_url(served, "open_now=true&f=html&limit=100")).text
    for number in range(COUNT):
        assert (f"Toilet number {number:02d}" in page) == (kind(number) in kinds)


@pytest.mark.parametrize("value", ["maybe", "yes", "", "1"])
def test_a_bad_value_is_a_400_naming_the_parameter(served: Served, value: str) -> None:
    """A value other than true or false is a 400 naming open_now and what it takes."""
    answer = get(items_url(served, f"open_now={quote(value)}"))
    assert answer.status == 400
    message = answer.json()["description"]
    assert "open_now" in message
    assert "true or false" in message


def test_the_home_page_box_keeps_the_search_across_pages(served: Served) -> None:
    """Ticked, the box lists only open places, each "Open now", and the next page keeps the search."""
    moment, kinds = MOMENTS["weekday morning"]
    set_clock(served, moment)
    expected = [f"Toilet number {number:02d}" for number in open_numbers(kinds)]
    page = Page(get(f"{served.base}/?open_now=true").text)
    (box,) = page.find("input", id="field-open_now")
    assert box["type"] == "checkbox"
    assert "checked" in box
    names = [item["data-name"] for item in page.find("li", data_feature="")]
    assert names == expected[:20]
    assert f"of {len(expected)}, open now" in page.text
    (next_link,) = page.find("a", rel="next")
    assert parse_qs(urlsplit(next_link["href"]).query)["open_now"] == ["true"]
    second = Page(get(served.base + next_link["href"]).text)
    assert [item["data-name"] for item in second.find("li", data_feature="")] == expected[20:]
    assert "checked" in second.find("input", id="field-open_now")[0]
    hours = [text for text in second.texts if text.startswith(("Open now, closes", "Open 24 hours"))]
    assert len(hours) == len(expected) - 20


def test_the_home_page_without_the_box_lists_every_place(served: Served) -> None:
    """Unticked, the box narrows nothing."""
    set_clock(served, MOMENTS["winter evening, out of season"][0])
    page = Page(get(f"{served.base}/").text)
    assert "checked" not in page.find("input", id="field-open_now")[0]
    assert f"of {COUNT}" in page.text


def test_a_bad_value_on_the_home_page_is_shown_by_the_box(served: Served) -> None:
    """A bad value is an error summary linking to the box, which is marked invalid."""
    answer = get(f"{served.base}/?open_now=maybe")
    assert answer.status == 400
    page = Page(answer.text)
    assert page.title.startswith("Error:")
    assert page.find("a", href="#field-open_now")
    assert page.find("input", id="field-open_now", aria_invalid="true")


# The resident filters ------------------------------------------------------------------------------------------


def test_resident_boxes_combine_with_open_now_and_keep_the_search(served: Served) -> None:
    """ "Free", "Baby changing" and "Open now" ticked: only such places, the boxes still ticked on the next page."""
    moment, kinds = MOMENTS["weekday morning"]
    set_clock(served, moment)
    wanted = [n for n in open_numbers(kinds) if n % 4 != 0 and n % 3 == 0]
    found = Page(get(f"{served.base}/?open_now=true&ChargeAmount=0&BabyChange=true").text)
    assert [item["data-name"] for item in found.find("li", data_feature="")] == [
        f"Toilet number {n:02d}" for n in wanted
    ]
    for box in ("field-open_now", "field-ChargeAmount", "field-BabyChange"):
        assert "checked" in found.find("input", id=box)[0]
    assert "checked" not in found.find("input", id="field-ChangingPlace")[0]
    (details,) = found.find("details")
    assert "open" not in details  # nothing under "More filters" is chosen
    every_free = Page(get(f"{served.base}/?ChargeAmount=0").text)  # 33 free: two pages
    (next_link,) = every_free.find("a", rel="next")
    assert parse_qs(urlsplit(next_link["href"]).query)["ChargeAmount"] == ["0"]
    assert "checked" in Page(get(served.base + next_link["href"]).text).find("input", id="field-ChargeAmount")[0]


def test_more_filters_open_when_one_of_them_is_chosen(served: Served) -> None:
    """A select under "More filters" that is chosen, or wrong, keeps the section open."""
    chosen = Page(get(f"{served.base}/?Category=Unisex").text)
    assert "open" in chosen.find("details")[0]
    wrong = get(f"{served.base}/?Category=Palace")
    assert wrong.status == 400
    assert "open" in Page(wrong.text).find("details")[0]


def test_resident_filters_come_from_the_annotation_alone() -> None:
    """public_toilets names its boxes; generic_points a box per common kind of place (test_resident_boxes.py); a
    theme without filters gets a box per yes/no feature and "Free" per money field."""
    toilets = layout(load_schema("public_toilets"))
    assert [(entry.field, entry.value, entry.label) for entry in toilets.equals()][:4] == [
        ("BabyChange", True, "Baby changing"),
        ("ChangingPlace", True, "Changing Places toilet"),
        ("ChargeAmount", 0, "Free"),
        ("RADARKeyNeeded", False, "No RADAR key needed"),
    ]
    assert [entry.field for entry in layout(load_schema("generic_points")).filters] == ["wheelchair", "category"]
    schema = load_schema("public_toilets")
    del schema["x-page"]["filters"]
    derived = [(entry.field, entry.value, entry.label) for entry in layout(schema).equals()]
    assert derived[1] == ("BabyChange", True, "Baby change")
    assert derived[-1] == ("ChargeAmount", 0, "Free")


@pytest.mark.parametrize(
    ("filters", "words"),
    [
        ("BabyChange", "filters must be a list"),
        ([{"field": "Nowhere", "value": True, "label": "x"}], "filters names no field: 'Nowhere'"),
        ([{"field": "BabyChange", "value": "yes", "label": "x"}], "must have a boolean value"),
        ([{"field": "ChargeAmount", "value": True, "label": "Free"}], "must have a number value"),
        ([{"field": "BabyChange", "value": True, "label": " "}], "needs a label in words"),
        ([{"field": "BabyChange", "value": True}], 'filters must be a list of {"field"'),
    ],
)
def test_a_badly_shaped_filter_is_refused_with_the_mistake(filters: Any, words: str) -> None:
    """Each mistake in x-page filters is named, with what it should be."""
    schema = load_schema("public_toilets")
    schema["x-page"]["filters"] = filters
    assert any(words in problem for problem in layout_problems(schema))


def test_the_api_definition_declares_open_now(served: Served) -> None:
    """The OpenAPI document declares open_now on the items operation, as true or false, with what it does."""
    document = get(served.base + "/api/openapi.json").json()
    parameters = document["paths"]["/api/collections/{name}/items"]["get"]["parameters"]
    (declared,) = [parameter for parameter in parameters if parameter.get("name") == "open_now"]
    assert declared["in"] == "query"
    assert declared["schema"]["enum"] == ["true", "false"]
    assert "Europe/London" in declared["description"]
