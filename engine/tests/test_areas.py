"""Many areas, one app: [[areas]] in place.toml, each source's area, and records filtered by area.

The served part ingests two areas' sources (one CSV each, around two points)
into one store and serves them side by side, once on SQLite and once on
PostgreSQL (see ``web_database_url`` in conftest.py).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    MADE_UP_PLACE,
    STORES,
    Page,
    WritePlaceToml,
    clean_settings_environment,
    get,
    listed,
    postgres_schema,
    running,
    toilet_rows,
    toml_text,
    write_csv,
)

from local_data_app.config import Area, effective_settings, load_settings
from local_data_app.errors import ConfigError
from local_data_app.ingest import ingest
from local_data_app.store import open_store
from local_data_app.web import create_app

NORTH = {"code": "E07000901", "name": "Northdale"}
SOUTH = {"code": "E07000902", "name": "Southmere"}
UNKNOWN_CODE = "E07000999"


def source(name: str, area: str | None = None, **more: Any) -> dict[str, Any]:
    entry = {"name": name, "adapter": "csv", "location": f"data/raw/{name}.csv", **more}
    return entry if area is None else {**entry, "area": area}


# Settings


def test_one_area_by_default_is_the_place(write_place_toml: WritePlaceToml, place_values: dict[str, Any]) -> None:
    """Without [[areas]], the app has one area, [place], and a source without an area covers it."""
    settings = load_settings(write_place_toml({**place_values, "sources": [source("toilets")]})).settings
    assert settings.all_areas == (Area(code="E06000999", name="Testshire"),)
    assert settings.area_of(settings.sources[0]) == settings.all_areas[0]


def test_with_one_area_a_source_may_name_it_but_no_other(
    write_place_toml: WritePlaceToml, place_values: dict[str, Any]
) -> None:
    """With one area a source may give its code; any other code is refused, naming the one allowed."""
    settings = load_settings(write_place_toml({**place_values, "sources": [source("toilets", "E06000999")]}))
    assert settings.settings.area_of(settings.settings.sources[0]).name == "Testshire"
    with pytest.raises(ConfigError) as raised:
        load_settings(write_place_toml({**place_values, "sources": [source("toilets", UNKNOWN_CODE)]}))
    assert "'toilets'" in str(raised.value)
    assert UNKNOWN_CODE in str(raised.value)
    assert "E06000999" in str(raised.value)


def test_with_several_areas_each_source_names_its_own(
    write_place_toml: WritePlaceToml, place_values: dict[str, Any]
) -> None:
    """With several areas, each source's records belong to the area it names."""
    values = {
        **place_values,
        "areas": [NORTH, SOUTH],
        "sources": [source("north", NORTH["code"]), source("south", SOUTH["code"])],
    }
    settings = load_settings(write_place_toml(values)).settings
    assert [area.code for area in settings.all_areas] == [NORTH["code"], SOUTH["code"]]
    assert [settings.area_of(entry).name for entry in settings.sources] == [NORTH["name"], SOUTH["name"]]
    assert settings.sources[0].options == {}  # area is a setting of the source, not an adapter option


def test_with_several_areas_a_source_without_one_is_refused(
    write_place_toml: WritePlaceToml, place_values: dict[str, Any]
) -> None:
    """It names the source and the codes it may use."""
    values = {**place_values, "areas": [NORTH, SOUTH], "sources": [source("north", NORTH["code"]), source("south")]}
    with pytest.raises(ConfigError) as raised:
        load_settings(write_place_toml(values))
    message = str(raised.value)
    assert "'south' has no area" in message
    assert f"{NORTH['code']}, {SOUTH['code']}" in message


def test_an_unknown_area_is_refused(write_place_toml: WritePlaceToml, place_values: dict[str, Any]) -> None:
    """It names the source, its value and the codes of [[areas]]."""
    values = {**place_values, "areas": [NORTH, SOUTH], "sources": [source("north", UNKNOWN_CODE)]}
    with pytest.raises(ConfigError) as raised:
        load_settings(write_place_toml(values))
    message = str(raised.value)
    assert f"'north' has area = '{UNKNOWN_CODE}'" in message
    assert f"{NORTH['code']}, {SOUTH['code']}" in message


@pytest.mark.parametrize(
    ("areas", "words"),
    [
        ([NORTH, {**SOUTH, "code": NORTH["code"]}], f"two [[areas]] have the code '{NORTH['code']}'"),
        ([NORTH, {**SOUTH, "code": "E0790"}], "areas.1.code"),
        ([NORTH, {"code": SOUTH["code"]}], "areas.1.name: missing"),
        ([NORTH, {**SOUTH, "website": "https://example.org"}], "areas.1.website"),
    ],
    ids=["duplicate-code", "malformed-code", "missing-name", "unknown-key"],
)
def test_bad_areas_are_refused(
    write_place_toml: WritePlaceToml, place_values: dict[str, Any], areas: list[dict[str, str]], words: str
) -> None:
    """Area codes are GSS codes, unique; each area has a name and no other keys."""
    with pytest.raises(ConfigError) as raised:
        load_settings(write_place_toml({**place_values, "areas": areas}))
    assert words in str(raised.value)


def test_areas_can_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, write_place_toml: WritePlaceToml, place_values: dict[str, Any]
) -> None:
    """APP_AREAS, as JSON, replaces [[areas]], and the config command says where they came from."""
    values = {**place_values, "sources": [source("north", NORTH["code"]), source("south", SOUTH["code"])]}
    path = write_place_toml(values)
    with pytest.raises(ConfigError):
        load_settings(path)  # the sources name areas that place.toml does not have
    monkeypatch.setenv("APP_AREAS", json.dumps([NORTH, SOUTH]))
    loaded = load_settings(path)
    assert [area.name for area in loaded.settings.all_areas] == [NORTH["name"], SOUTH["name"]]
    origins = {key: origin for key, _, origin in effective_settings(loaded)}
    assert origins["areas.0.code"] == "environment (APP_AREAS)"


# Two areas served side by side


@dataclass
class TwoAreas:
    base: str
    config: Path
    database_url: str
    reports: list[Any]

    def json(self, path: str) -> Any:
        answer = get(self.base + path)
        assert answer.status == 200, answer.text
        return answer.json()


def rows_around(prefix: str, lon: float, lat: float, count: int) -> list[dict[str, str]]:
    """``count`` toilets named ``<prefix> <n>`` on a line east of a point."""
    rows = toilet_rows()[:count]
    return [
        {
            **row,
            "Ref": f"{prefix[0]}{index}",
            "LocationText": f"{prefix} {index}",
            "GeoX": f"{lon + index * 0.01:.5f}",
            "GeoY": f"{lat:.5f}",
        }
        for index, row in enumerate(rows)
    ]


NORTH_ROWS = rows_around("Northdale toilet", -2.3, 53.9, 5)
SOUTH_ROWS = rows_around("Southmere toilet", -2.3, 53.1, 3)


@pytest.fixture(scope="module")
def two_areas(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[TwoAreas]:
    """A region of two areas, each with one CSV source, ingested into one store and served."""
    folder = tmp_path_factory.mktemp("region")
    sources = [
        {**source("north", NORTH["code"]), "location": write_csv(folder, "north", NORTH_ROWS), "fields": {"id": "Ref"}},
        {
            **source("south", SOUTH["code"], licence="CC-BY-4.0", attribution="Southmere Council"),
            "location": write_csv(folder, "south", SOUTH_ROWS),
            "fields": {"id": "Ref"},
        },
    ]
    config = folder / "place.toml"
    text = toml_text({**MADE_UP_PLACE, "areas": [NORTH, SOUTH], "sources": sources})
    config.write_text(f"database_url = {json.dumps(web_database_url)}\n\n{text}", encoding="utf-8")
    with clean_settings_environment():
        loaded = load_settings(config)
        reports = ingest(loaded)
        with running(create_app(loaded)) as base:
            yield TwoAreas(base, config, web_database_url, reports)


def test_each_areas_source_is_ingested(two_areas: TwoAreas) -> None:
    """Both sources load in full."""
    assert [(r.name, r.loaded, r.rejected, r.error) for r in two_areas.reports] == [
        ("north", 5, 0, None),
        ("south", 3, 0, None),
    ]


def test_the_store_keeps_each_records_area_and_filters_on_it(two_areas: TwoAreas) -> None:
    """Every stored record carries its area; a filter on area_code is answered by the database."""
    store = open_store(two_areas.database_url, two_areas.config.parent)
    try:
        by_name = {p.collection: p for p in store.provenance()}
        assert (by_name["north"].area_code, by_name["north"].area_name) == (NORTH["code"], NORTH["name"])
        assert (by_name["south"].area_code, by_name["south"].area_name) == (SOUTH["code"], SOUTH["name"])
        for name, area, count in (("north", NORTH, 5), ("south", SOUTH, 3)):
            features = store.features(name, limit=100)
            assert {(f.properties["area_code"], f.properties["area_name"]) for f in features} == {
                (area["code"], area["name"])
            }
            assert store.count(name, filters={"area_code": area["code"]}) == count
            other = SOUTH if area is NORTH else NORTH
            assert store.count(name, filters={"area_code": other["code"]}) == 0
            assert store.features(name, filters={"area_code": other["code"]}) == []
    finally:
        store.close()


def test_items_carry_their_area(two_areas: TwoAreas) -> None:
    """Each feature's GeoJSON properties hold its area's code and name."""
    for name, area in (("north", NORTH), ("south", SOUTH)):
        body = two_areas.json(f"/api/collections/{name}/items?limit=100")
        assert {(f["properties"]["area_code"], f["properties"]["area_name"]) for f in body["features"]} == {
            (area["code"], area["name"])
        }


@pytest.mark.parametrize(("name", "area", "expected"), [("north", NORTH, 5), ("north", SOUTH, 0), ("south", SOUTH, 3)])
def test_area_filters_items(two_areas: TwoAreas, name: str, area: dict[str, str], expected: int) -> None:
    """?area= keeps the features of that area, in lower case too, and the paging links keep it."""
    body = two_areas.json(f"/api/collections/{name}/items?area={area['code'].lower()}&limit=2")
    assert body["numberMatched"] == expected
    assert all(f["properties"]["area_code"] == area["code"] for f in body["features"])
    if expected > 2:
        (following,) = [link["href"] for link in body["links"] if link["rel"] == "next"]
        assert f"area={area['code']}" in following


def test_area_filters_csv_which_has_area_columns(two_areas: TwoAreas) -> None:
    """The CSV has area_code and area_name columns, and ?area= narrows it as it does GeoJSON."""
    answer = get(two_areas.base + f"/api/collections/south/items.csv?area={SOUTH['code']}")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(row["area_code"], row["area_name"]) for row in rows] == [(SOUTH["code"], SOUTH["name"])] * 3
    answer = get(two_areas.base + f"/api/collections/south/items?f=csv&area={NORTH['code']}")
    assert list(csv.DictReader(io.StringIO(answer.text))) == []


@pytest.mark.parametrize("value", ["nowhere", "E0790", UNKNOWN_CODE, ""])
def test_a_bad_area_is_a_400_naming_it(two_areas: TwoAreas, value: str) -> None:
    """A malformed code, or one that is not an area of the app, is refused with the codes there are."""
    answer = get(two_areas.base + f"/api/collections/north/items?area={value}")
    assert answer.status == 400
    description = answer.json()["description"]
    assert description.startswith("area: ")
    assert f"{NORTH['code']}, {SOUTH['code']}" in description


def test_each_collection_says_which_area_it_covers(two_areas: TwoAreas) -> None:
    """The collection documents name their area, and their titles use its name."""
    found = {c["id"]: c for c in two_areas.json("/api/collections")["collections"]}
    assert found["north"]["areas"] == [NORTH]
    assert found["south"]["areas"] == [SOUTH]
    assert NORTH["name"] in found["north"]["title"]
    assert f"Area: {SOUTH['name']} ({SOUTH['code']})" in two_areas.json("/api/collections/south")["description"]


def test_openapi_lists_the_area_parameter(two_areas: TwoAreas) -> None:
    """The items routes declare area as a query parameter."""
    paths = two_areas.json("/api/openapi.json")["paths"]
    for path in ("/api/collections/{name}/items", "/api/collections/{name}/items.csv"):
        names = [parameter.get("name") for parameter in paths[path]["get"]["parameters"]]  # limit is a $ref
        assert names.count("area") == 1, path


def page(two_areas: TwoAreas, path: str, status: int = 200) -> Page:
    answer = get(two_areas.base + path)
    assert answer.status == status, answer.text
    return Page(answer.text)


def test_home_lists_both_areas_side_by_side(two_areas: TwoAreas) -> None:
    """Without an area chosen, both areas' collections are listed, each headed with its area."""
    found = page(two_areas, "/")
    assert listed(found) == [row["LocationText"] for row in NORTH_ROWS + SOUTH_ROWS]
    assert f"north ({NORTH['name']})" in found.text
    assert f"south ({SOUTH['name']})" in found.text


def test_home_has_a_labelled_area_filter(two_areas: TwoAreas) -> None:
    """A select of the areas, labelled, sent with the form's GET, so it works without JavaScript."""
    found = page(two_areas, "/")
    (select,) = found.find("select", name="area")
    assert found.find("label", **{"for": select["id"]})
    (form,) = found.find("form", method="get")
    assert form["action"] == "/#results"
    values = [option["value"] for option in found.find("option") if option["value"] in {NORTH["code"], SOUTH["code"]}]
    assert values == [NORTH["code"], SOUTH["code"]]
    assert "Every area" in found.text


@pytest.mark.parametrize(("area", "rows"), [(NORTH, NORTH_ROWS), (SOUTH, SOUTH_ROWS)])
def test_home_filters_by_area(two_areas: TwoAreas, area: dict[str, str], rows: list[dict[str, str]]) -> None:
    """Choosing an area lists only its features; the area stays chosen and its data links carry it."""
    found = page(two_areas, f"/?area={area['code']}")
    assert listed(found) == [row["LocationText"] for row in rows]
    (chosen,) = found.find("option", value=area["code"])
    assert "selected" in chosen
    links = [a["href"] for a in found.find("a", href="") if "/api/collections/" in a["href"]]
    assert links
    assert all(f"area={area['code']}" in href for href in links)


def test_home_explains_an_unknown_area(two_areas: TwoAreas) -> None:
    """An area that is not one of the app's is a 400 page with the problem beside the field."""
    found = page(two_areas, f"/?area={UNKNOWN_CODE}", status=400)
    assert found.find("a", href="#field-area")
    assert found.find("p", id="area-error")
    assert listed(found) == []


def test_feature_page_shows_its_area(two_areas: TwoAreas) -> None:
    """A record's page names its area."""
    found = page(two_areas, "/features/south/S0")
    assert f"Area {SOUTH['name']} ({SOUTH['code']})" in found.text


def test_about_lists_every_area_with_its_sources(two_areas: TwoAreas) -> None:
    """Each area is a section with its sources' provenance and licences."""
    found = page(two_areas, "/about")
    text = found.text
    north_at = text.index(f"{NORTH['name']} ({NORTH['code']})")
    south_at = text.index(f"{SOUTH['name']} ({SOUTH['code']})")
    assert north_at < text.index("data/raw/north.csv") < south_at < text.index("data/raw/south.csv")
    assert "CC-BY-4.0" in text[south_at:]
    assert "Southmere Council" in text[south_at:]
    assert "OGL-UK-3.0" in text[north_at:south_at]
    assert found.find("h3", id=f"area-{NORTH['code']}")
    assert found.find("h4", id="about-south")


# A store made by the first release, before areas and load digests were recorded

OLD_CATALOGUE = (
    "CREATE TABLE _collections (collection TEXT PRIMARY KEY, table_name TEXT NOT NULL, fields {fields} NOT NULL, "
    "theme TEXT, adapter TEXT, location TEXT, licence TEXT, attribution TEXT, fetched_at TEXT, rows_read BIGINT, "
    "rows_loaded BIGINT, rows_rejected BIGINT)"
)


@pytest.fixture(params=STORES)
def old_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store whose catalogue has neither area nor digest columns, as the first release made it."""
    if request.param == "sqlite":
        path = tmp_path / "old.db"
        with sqlite3.connect(path) as db:
            db.execute(OLD_CATALOGUE.format(fields="TEXT"))
        yield f"sqlite:///{path}"
        return
    import psycopg

    with postgres_schema(request.getfixturevalue("postgres_server_url")) as url:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(OLD_CATALOGUE.format(fields="jsonb"))
        yield url


def test_an_old_catalogue_gains_the_columns_added_since(
    old_store_url: str, write_place_toml: WritePlaceToml, place_values: dict[str, Any]
) -> None:
    """Opening it adds them, and the next ingest records the area and the load's digest."""
    store = open_store(old_store_url, Path.cwd())
    assert store.provenance() == []
    store.close()
    folder = write_place_toml().parent
    rows = rows_around("Toilet", -1.5, 52.5, 2)
    entry = {**source("toilets"), "location": write_csv(folder, "toilets", rows), "fields": {"id": "Ref"}}
    config = folder / "place.toml"
    text = toml_text({**place_values, "sources": [entry]})
    config.write_text(f"database_url = {json.dumps(old_store_url)}\n\n{text}", encoding="utf-8")
    (report,) = ingest(load_settings(config))
    assert report.loaded == 2
    store = open_store(old_store_url, folder)
    try:
        (provenance,) = store.provenance()
        assert (provenance.area_code, provenance.area_name) == ("E06000999", "Testshire")
        assert provenance.source_digest is not None
        assert store.count("toilets", filters={"area_code": "E06000999"}) == 2
    finally:
        store.close()
