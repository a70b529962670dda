"""One source for many areas: ``area_column`` gives each row its own area, and pages and API filter rows by it.

The served part ingests a national-style CSV (rows of four areas in three
countries, and rows naming no known area) beside one area's own source, and
serves them on 127.0.0.1, once on SQLite and once on PostgreSQL (see
``web_database_url`` in conftest.py).
"""

from __future__ import annotations

import contextlib
import csv
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    MADE_UP_PLACE,
    Page,
    WritePlaceToml,
    clean_settings_environment,
    get,
    listed,
    running,
    toilet_rows,
    toml_text,
    write_csv,
)

from local_data_app.checks.sources import dry_run
from local_data_app.config import Area, load_settings
from local_data_app.errors import ConfigError
from local_data_app.ingest import ingest, load_digest
from local_data_app.store import open_store
from local_data_app.web import create_app

PLACE = {"name": "Testland", "code": "K03000999"}
MILLBROOK = {"code": "E08000901", "name": "Millbrook"}
ASHFORD = {"code": "E06000901", "name": "Ashford Vale"}
CWM = {"code": "W06000901", "name": "Cwm Prawf"}
GLEN = {"code": "S12000901", "name": "Glen Test"}
AREAS = [MILLBROOK, ASHFORD, CWM, GLEN]  # not in order of name or country: the chooser sorts them
COLUMN = "GeoAreaCode"
UNKNOWN_CODE = "E07000999"
GSS_ADDRESS = "http://statistics.data.gov.uk/id/statistical-geography/"


def rows_of(prefix: str, value: str, count: int, lat: float) -> list[dict[str, str]]:
    """``count`` toilets named ``<prefix> <n>``, each with ``value`` in the area column."""
    return [
        {**row, "Ref": f"{prefix[:3]}{index}", "LocationText": f"{prefix} {index}", "GeoY": f"{lat:.5f}", COLUMN: value}
        for index, row in enumerate(toilet_rows()[:count])
    ]


# The same code written the ways real files write it: as it is, in lower case with spaces, and as a web address.
GOOD_ROWS = (
    rows_of("Millbrook toilet", MILLBROOK["code"], 6, 53.4)
    + rows_of("Ashford toilet", f"  {ASHFORD['code'].lower()} ", 4, 51.2)
    + rows_of("Cwm toilet", GSS_ADDRESS + CWM["code"], 3, 52.4)
    + rows_of("Glen toilet", GLEN["code"], 2, 56.5)
)
BAD_ROWS = [
    {**rows_of("Blank area", "", 1, 53.0)[0], "Ref": "bad1"},
    {**rows_of("Unknown area", UNKNOWN_CODE, 1, 53.0)[0], "Ref": "bad2"},
    {**rows_of("Not a code", "nowhere", 1, 53.0)[0], "Ref": "bad3"},
    {**rows_of("No name", UNKNOWN_CODE, 1, 53.0)[0], "Ref": "bad4", "LocationText": ""},
]
OWN_ROWS = [{**row, "Ref": f"own{index}"} for index, row in enumerate(rows_of("Millbrook own", "", 2, 53.5))]


def national_source(**more: Any) -> dict[str, Any]:
    return {"name": "national", "adapter": "csv", "location": "data/raw/national.csv", "area_column": COLUMN, **more}


def region(place_values: dict[str, Any], sources: list[dict[str, Any]]) -> dict[str, Any]:
    return {**place_values, "place": PLACE, "areas": AREAS, "sources": sources}


# Settings


def test_a_source_with_an_area_column_covers_the_whole_place(
    write_place_toml: WritePlaceToml, place_values: dict[str, Any]
) -> None:
    """With several areas, area_column stands in for area; the load's area is the [place], the rows' are their own."""
    settings = load_settings(write_place_toml(region(place_values, [national_source()]))).settings
    (source,) = settings.sources
    assert source.area_column == COLUMN
    assert source.options == {}  # a setting of the source, not an adapter option
    assert settings.area_of(source) == Area(code=PLACE["code"], name=PLACE["name"])


def test_area_and_area_column_together_are_refused(
    write_place_toml: WritePlaceToml, place_values: dict[str, Any]
) -> None:
    """It names the source, both values and which to keep."""
    values = region(place_values, [national_source(area=MILLBROOK["code"])])
    with pytest.raises(ConfigError) as raised:
        load_settings(write_place_toml(values))
    message = str(raised.value)
    assert f"'national' has both area = '{MILLBROOK['code']}' and area_column = '{COLUMN}'" in message
    assert "not both" in message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"area_column": ""}, "sources.0.area_column"),
        ({"role": "postcodes", "area_column": "LocalAuthority"}, "is a gazetteer"),
    ],
    ids=["empty", "gazetteer"],
)
def test_bad_area_columns_are_refused(
    write_place_toml: WritePlaceToml, place_values: dict[str, Any], change: dict[str, Any], words: str
) -> None:
    """An empty column name, or one on a gazetteer (which finds its rows' areas itself), is refused."""
    with pytest.raises(ConfigError) as raised:
        load_settings(write_place_toml(region(place_values, [national_source(**change)])))
    assert words in str(raised.value)


def test_a_source_with_neither_is_told_of_both(write_place_toml: WritePlaceToml, place_values: dict[str, Any]) -> None:
    """With several areas, a source with no area is told it may name its area column instead."""
    source = {"name": "toilets", "adapter": "csv", "location": "data/raw/toilets.csv"}
    with pytest.raises(ConfigError) as raised:
        load_settings(write_place_toml(region(place_values, [source])))
    assert 'area_column = "<column>"' in str(raised.value)


def test_the_load_digest_holds_the_column_and_the_areas(
    write_place_toml: WritePlaceToml, place_values: dict[str, Any]
) -> None:
    """Another area column, or another list of areas, loads an unchanged file again: which rows load depends on both."""

    def digest(values: dict[str, Any]) -> str:
        loaded = load_settings(write_place_toml(values))
        settings = loaded.settings
        (source,) = settings.sources
        return load_digest("same file", source, settings, loaded.schema(), settings.area_of(source))

    first = digest(region(place_values, [national_source()]))
    assert digest(region(place_values, [national_source()])) == first
    assert digest(region(place_values, [national_source(area_column="LocalAuthority")])) != first
    fewer = {**region(place_values, [national_source()]), "areas": AREAS[:3]}
    assert digest(fewer) != first


# Loading


@pytest.fixture
def national_project(tmp_path: Path) -> Iterator[Any]:
    """A function writing a region's project with one national source of these rows into a store; its place.toml."""

    def write(rows: list[dict[str, str]], database_url: str, **more: Any) -> Path:
        folder = tmp_path / "region"
        location = write_csv(folder, "national", rows)
        source = national_source(location=location, fields={"id": "Ref"}, **more)
        config = folder / "place.toml"
        text = toml_text({**MADE_UP_PLACE, "place": PLACE, "areas": AREAS, "sources": [source]})
        config.write_text(f"database_url = {json.dumps(database_url)}\n\n{text}", encoding="utf-8")
        return config

    return write


def test_an_area_column_in_no_row_is_named(national_project: Any, database_url: str) -> None:
    """The ingest fails naming the column and the columns the source has, and loads nothing."""
    config = national_project(GOOD_ROWS, database_url, area_column="LocalAuthority")
    (report,) = ingest(load_settings(config))
    assert report.error is not None
    assert "area_column = 'LocalAuthority', but no record has such a column" in report.error
    assert COLUMN in report.error  # among the source's columns
    store = open_store(database_url, config.parent)
    try:
        assert store.provenance() == []
    finally:
        store.close()


def test_the_check_reads_rows_areas_as_ingest_does(national_project: Any, database_url: str) -> None:
    """The sources check's dry run rejects the same rows, with the same reasons."""
    loaded = load_settings(national_project(GOOD_ROWS + BAD_ROWS, database_url))
    detail, problems = dry_run(loaded, loaded.settings.sources[0])
    assert detail.startswith(f"national: read {len(GOOD_ROWS) + len(BAD_ROWS)} rows, {len(GOOD_ROWS)} would load, 4")
    ((severity, message),) = problems
    assert severity == "warning"
    assert f"{COLUMN}: blank" in message


# Served: one national source and one area's own, side by side


@dataclass
class Region:
    base: str
    config: Path
    database_url: str
    reports: list[Any]

    def json(self, path: str) -> Any:
        answer = get(self.base + path)
        assert answer.status == 200, answer.text
        return answer.json()

    def page(self, path: str, status: int = 200) -> Page:
        answer = get(self.base + path)
        assert answer.status == status, answer.text
        return Page(answer.text)


@pytest.fixture(scope="module")
def served_region(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Region]:
    """A region of four areas: a national CSV with an area column, and Millbrook's own CSV, ingested and served."""
    folder = tmp_path_factory.mktemp("national")
    own = {
        "name": "millbrook",
        "adapter": "csv",
        "location": write_csv(folder, "millbrook", OWN_ROWS),
        "fields": {"id": "Ref"},
        "area": MILLBROOK["code"],
    }
    national = national_source(location=write_csv(folder, "national", GOOD_ROWS + BAD_ROWS), fields={"id": "Ref"})
    config = folder / "place.toml"
    text = toml_text({**MADE_UP_PLACE, "place": PLACE, "areas": AREAS, "sources": [national, own]})
    config.write_text(f"database_url = {json.dumps(web_database_url)}\n\n{text}", encoding="utf-8")
    with clean_settings_environment():
        loaded = load_settings(config)
        reports = ingest(loaded)
        with running(create_app(loaded)) as base:
            yield Region(base, config, web_database_url, reports)


def names(rows: list[dict[str, str]]) -> list[str]:
    return [row["LocationText"] for row in rows]


def test_rows_naming_an_area_load_and_the_others_are_rejected(served_region: Region) -> None:
    """Read = loaded + rejected; the rows of no known area are rejected."""
    national, own = served_region.reports
    assert (national.error, national.read, national.loaded, national.rejected) == (None, 19, 15, 4)
    assert (own.error, own.loaded, own.rejected) == (None, 2, 0)


def test_each_rejected_row_says_which_column_and_value(served_region: Region) -> None:
    """The rejects file names the area column and the value, and keeps the schema's own reason beside it."""
    rejects = served_region.config.parent / "data" / "rejects" / "national.csv"
    with rejects.open(encoding="utf-8", newline="") as file:
        found = {row["Ref"]: row["reasons"] for row in csv.DictReader(file)}
    assert list(found) == ["bad1", "bad2", "bad3", "bad4"]
    assert found["bad1"] == f"{COLUMN}: blank, where each row needs the GSS code of its area"
    assert found["bad2"].startswith(f"{COLUMN}: '{UNKNOWN_CODE}' is not the code of one of the app's areas (")
    assert all(area["code"] in found["bad2"] for area in AREAS)
    assert found["bad3"].startswith(f"{COLUMN}: 'nowhere' is not the code")
    assert "LocationText" in found["bad4"]
    assert f"{COLUMN}: '{UNKNOWN_CODE}'" in found["bad4"]


def test_each_row_carries_its_own_area(served_region: Region) -> None:
    """Codes in any case, with spaces or as a web address, are stored as the area's code and name."""
    store = open_store(served_region.database_url, served_region.config.parent)
    try:
        by_name = {p.collection: p for p in store.provenance()}
        assert (by_name["national"].area_code, by_name["national"].area_name) == (PLACE["code"], PLACE["name"])
        features = store.features("national", limit=100)
        areas = {f.properties["LocationText"]: (f.properties["area_code"], f.properties["area_name"]) for f in features}
        for rows, area in ((GOOD_ROWS[:6], MILLBROOK), (GOOD_ROWS[6:10], ASHFORD), (GOOD_ROWS[10:13], CWM)):
            assert {areas[name] for name in names(rows)} == {(area["code"], area["name"])}
        assert store.count("national", filters={"area_code": GLEN["code"]}) == 2
    finally:
        store.close()


@pytest.mark.parametrize(("area", "expected"), [(MILLBROOK, 6), (ASHFORD, 4), (CWM, 3), (GLEN, 2)])
def test_the_api_filters_the_rows_of_a_collection_by_area(
    served_region: Region, area: dict[str, str], expected: int
) -> None:
    """?area= keeps the area's rows of the national collection; numberMatched counts them and paging keeps area."""
    body = served_region.json(f"/api/collections/national/items?area={area['code'].lower()}&limit=1")
    assert body["numberMatched"] == expected
    assert {f["properties"]["area_code"] for f in body["features"]} == {area["code"]}
    (following,) = [link["href"] for link in body["links"] if link["rel"] == "next"]
    assert f"area={area['code']}" in following
    everything = served_region.json("/api/collections/national/items?limit=100")
    assert everything["numberMatched"] == len(GOOD_ROWS)


def test_home_filters_the_rows_of_the_national_collection(served_region: Region) -> None:
    """Choosing an area lists its rows of the national collection and its own collection, with counts that agree."""
    found = served_region.page(f"/?area={MILLBROOK['code']}")
    assert listed(found) == names(OWN_ROWS) + names(GOOD_ROWS[:6])  # collections by name
    assert "Showing 1 to 6 of 6" in found.text
    assert "Showing 1 to 2 of 2" in found.text
    links = [a["href"] for a in found.find("a", href="") if "/api/collections/" in a["href"]]
    assert {href.split("?")[0].rsplit("/", 2)[-2] for href in links} == {"national", "millbrook"}
    assert all(f"area={MILLBROOK['code']}" in href for href in links)
    maps = [element["data-items"] for element in found.find("div", data_items="")]
    assert maps
    assert all(f"area={MILLBROOK['code']}" in href for href in maps)


def test_home_leaves_out_collections_of_other_areas(served_region: Region) -> None:
    """Wales's rows come from the national collection only; Millbrook's own collection is not shown."""
    found = served_region.page(f"/?area={CWM['code']}")
    assert listed(found) == names(GOOD_ROWS[10:13])
    assert "Showing 1 to 3 of 3" in found.text
    assert not found.find("section", id="millbrook")


def chooser(found: Page) -> list[tuple[str, str]]:
    """The area chooser's options as (group label, value), in the page's order."""
    options, group, inside = [], "", False
    for tag, attributes in found.elements:
        if tag == "select":
            inside = attributes.get("name") == "area"
        elif inside and tag == "optgroup":
            group = attributes["label"]
        elif inside and tag == "option":
            options.append((group, attributes["value"]))
        elif inside and tag not in {"option", "optgroup"}:
            inside = False
    return options


def test_the_area_chooser_groups_areas_by_country_and_sorts_them_by_name(served_region: Region) -> None:
    """England, Wales, Scotland in that order, each area by name within its country; "Every area" first."""
    found = served_region.page("/")
    assert chooser(found) == [
        ("", ""),
        ("England", ASHFORD["code"]),
        ("England", MILLBROOK["code"]),
        ("Wales", CWM["code"]),
        ("Scotland", GLEN["code"]),
    ]
    (chosen,) = served_region.page(f"/?area={GLEN['code']}").find("option", value=GLEN["code"])
    assert "selected" in chosen


def test_the_about_page_credits_the_national_source_once(served_region: Region) -> None:
    """It says the source covers many areas, credits it once, and lists no empty section per area."""
    found = served_region.page("/about")
    assert found.text.count("national.csv") == 1
    assert f"Covering many areas of {PLACE['name']}" in found.text
    assert f"{MILLBROOK['name']} ({MILLBROOK['code']})" in found.text  # its own source
    assert f"{CWM['name']} ({CWM['code']})" not in found.text  # no source of its own
    assert "No source in place.toml covers this area yet" not in found.text


def test_the_collection_says_it_covers_the_whole_place(served_region: Region) -> None:
    """The national collection's document names the [place] as its area."""
    body = served_region.json("/api/collections/national")
    assert body["areas"] == [PLACE]


def indexes_on_area_code(database_url: str, collection: str) -> int:
    """How many indexes of the collection's live table cover area_code, seen from outside the store."""
    if database_url.startswith("sqlite:"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            (table,) = db.execute("SELECT table_name FROM _collections WHERE collection = ?", [collection]).fetchone()
            names = [row[1] for row in db.execute(f"PRAGMA index_list({table})")]
            return sum(any(info[2] == "area_code" for info in db.execute(f"PRAGMA index_info({n})")) for n in names)
    import psycopg

    with psycopg.connect(database_url) as db:
        (table,) = db.execute("SELECT table_name FROM _collections WHERE collection = %s", [collection]).fetchone()
        found = db.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table]).fetchall()
        return sum('"area_code"' in definition or "(area_code)" in definition for (definition,) in found)


def test_a_collection_of_many_areas_is_indexed_by_area(served_region: Region) -> None:
    """Its rows are found by area through an index; a collection of one area, all of whose rows match, has none."""
    assert indexes_on_area_code(served_region.database_url, "national") == 1
    assert indexes_on_area_code(served_region.database_url, "millbrook") == 0
    own = served_region.json(f"/api/collections/millbrook/items?area={MILLBROOK['code']}")
    assert own["numberMatched"] == len(OWN_ROWS)
    assert served_region.json(f"/api/collections/millbrook/items?area={CWM['code']}")["numberMatched"] == 0
