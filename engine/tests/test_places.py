"""Finding places near a postcode, a partial postcode or a place name, from gazetteers the project loads.

The served part ingests the 23 made-up toilets with two gazetteers beside
them (postcodes in the ONS Postcode Directory's columns, place names in OS
Open Names' columns and British National Grid), once on SQLite and once on
PostgreSQL, and asks the API and the pages with ``near=``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from conftest import (
    MADE_UP_PLACE,
    Page,
    WritePlaceToml,
    clean_settings_environment,
    get,
    running,
    toilet_rows,
    toml_text,
    write_csv,
)
from pyproj import Transformer

from local_data_app.adapters import RawRecord
from local_data_app.config import load_settings
from local_data_app.errors import ConfigError
from local_data_app.gazetteer import (
    MOST_CANDIDATES,
    NoGazetteer,
    Postcode,
    full_postcode,
    locate,
    narrow,
    read_postcode,
)
from local_data_app.ingest import SourceReport, ingest
from local_data_app.store import AREA_CODE, AREA_NAME, Feature, distance, open_store
from local_data_app.web import create_app

AREA = MADE_UP_PLACE["place"]["code"]  # Testshire
TO_GRID = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def toilet_at(index: int) -> tuple[float, float]:
    """Where the made-up toilet of that index is (lon, lat): a grid of 5 a row from -2.3, 53.45."""
    return -2.3 + (index % 5) * 0.01, 53.45 + (index // 5) * 0.01


def postcode_row(postcode: str, lon: float, lat: float, authority: str = AREA) -> dict[str, str]:
    return {"pcds": postcode, "oslaua": authority, "lat": f"{lat:.6f}", "long": f"{lon:.6f}", "doterm": ""}


def grid_postcode_row(postcode: str, lon: float, lat: float) -> dict[str, str]:
    """A postcode placed by eastings and northings, as Code-Point Open places them, in the same columns."""
    easting, northing = TO_GRID.transform(lon, lat)
    return {"pcds": postcode, "oslaua": AREA, "lat": f"{northing:.0f}", "long": f"{easting:.0f}", "doterm": ""}


POSTCODE_ROWS = [
    postcode_row("M33 7ZR", *toilet_at(12)),
    postcode_row("m33 7ab", *toilet_at(14)),  # any case: stored as on a letter
    grid_postcode_row("M33 4XY", *toilet_at(0)),
    postcode_row("WA14 1AA", *toilet_at(22)),
    postcode_row("M1 1AA", -2.24, 53.48, authority="E08000003"),  # outside the app's area: rejected
    postcode_row("NOT A CODE", *toilet_at(1)),  # rejected
]
SECTOR_M33_7 = ((toilet_at(12)[0] + toilet_at(14)[0]) / 2, (toilet_at(12)[1] + toilet_at(14)[1]) / 2)


def place_row(ident: str, name: str, local_type: str, index: int, district: str = "Testshire") -> dict[str, str]:
    """A row of OS Open Names, at a toilet's place, in British National Grid as Open Names gives it."""
    easting, northing = TO_GRID.transform(*toilet_at(index))
    return {
        "ID": ident,
        "NAME1": name,
        "NAME2": "",
        "TYPE": "populatedPlace" if local_type != "Named Road" else "transportNetwork",
        "LOCAL_TYPE": local_type,
        "GEOMETRY_X": f"{easting:.0f}",
        "GEOMETRY_Y": f"{northing:.0f}",
        "POSTCODE_DISTRICT": "M33",
        "DISTRICT_BOROUGH": district,
        "COUNTY_UNITARY": "",
    }


PLACE_ROWS = [
    place_row("osgb1", "Sale Road", "Named Road", 4),  # a road's name begins with Sale: not the town
    place_row("osgb2", "Sale", "Other Settlement", 20),  # the same name, a smaller place
    place_row("osgb3", "Sale", "Town", 3),
    place_row("osgb4", "Sale Moor", "Suburban Area", 16),
    place_row("osgb5", "Altrincham", "Town", 9),
    place_row("osgb6", "Salford", "City", 2, district="Salford"),  # outside the app's area: rejected
]


@dataclass
class Gazetteered:
    base: str
    config: Path
    reports: list[SourceReport]

    def json(self, path: str) -> Any:
        answer = get(self.base + path)
        assert answer.status == 200, answer.text
        return answer.json()


def gazetteer_sources(folder: Path) -> list[dict[str, Any]]:
    return [
        {
            "name": "postcodes",
            "role": "postcodes",
            "adapter": "csv",
            "location": write_csv(folder, "onspd", POSTCODE_ROWS),
            "fields": {"postcode": "pcds", "local_authority": "oslaua", "x": "long", "y": "lat"},
            "licence": "OGL-UK-3.0",
            "attribution": "Contains OS data © Crown copyright and database right 2026",
        },
        {
            "name": "names",
            "role": "places",
            "adapter": "csv",
            "location": write_csv(folder, "open-names", PLACE_ROWS),
            "crs": "EPSG:27700",
        },
    ]


@pytest.fixture(scope="module")
def gazetteered(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Gazetteered]:
    """The 23 toilets with a postcode gazetteer and a place-name gazetteer, ingested and served."""
    folder = tmp_path_factory.mktemp("gazetteered")
    toilets = {"name": "toilets", "adapter": "csv", "location": write_csv(folder, "toilets", toilet_rows())}
    toilets["fields"] = {"id": "Ref"}
    text = toml_text({**MADE_UP_PLACE, "sources": [toilets, *gazetteer_sources(folder)]})
    config = folder / "place.toml"
    config.write_text(f"database_url = {json.dumps(web_database_url)}\n\n{text}", encoding="utf-8")
    with clean_settings_environment():
        loaded = load_settings(config)
        reports = ingest(loaded)
        with running(create_app(loaded)) as base:
            yield Gazetteered(base, config, reports)


# Reading what was typed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M33 7ZR", Postcode("M33", "7", "ZR")),
        ("m33 7zr", Postcode("M33", "7", "ZR")),
        ("M337ZR", Postcode("M33", "7", "ZR")),
        ("  sw1a   1aa ", Postcode("SW1A", "1", "AA")),
        ("M33 7", Postcode("M33", "7")),
        ("M33", Postcode("M33")),
        ("m33", Postcode("M33")),
        ("M337", None),  # M33 7 or M3 37: a sector needs its space
        ("Sale", None),
        ("M33 7ZRX", None),
        ("", None),
    ],
)
def test_postcodes_are_read_in_any_case_and_spacing(text: str, expected: Postcode | None) -> None:
    """A whole postcode, a sector or an outward code is read however it is spaced; anything else is not one."""
    assert read_postcode(text) == expected


def test_a_whole_postcode_is_written_as_on_a_letter() -> None:
    """The stored form has one space before the inward code; only a whole postcode is one."""
    assert full_postcode("wa141aa") == Postcode("WA14", "1", "AA")
    assert full_postcode("wa141aa").text == "WA14 1AA"  # type: ignore[union-attr]
    assert full_postcode("WA14 1") is None


# Settings


def test_a_role_must_be_postcodes_or_places(write_place_toml: WritePlaceToml, place_values: dict[str, Any]) -> None:
    """Another role is refused, naming the key and the roles there are."""
    source = {"name": "streets", "adapter": "csv", "location": "data/streets.csv", "role": "streets"}
    with pytest.raises(ConfigError) as raised:
        load_settings(write_place_toml({**place_values, "sources": [source]}))
    assert "sources.0.role" in str(raised.value)
    assert "'postcodes'" in str(raised.value)
    assert "'places'" in str(raised.value)


def test_a_gazetteers_mapping_is_checked_against_its_own_schema(
    write_place_toml: WritePlaceToml, place_values: dict[str, Any]
) -> None:
    """A gazetteer maps its own schema's fields (not the theme's), and a mistake names that schema's fields."""
    good = {"name": "pc", "adapter": "csv", "location": "p.csv", "role": "postcodes", "fields": {"x": "long"}}
    settings = load_settings(write_place_toml({**place_values, "sources": [good]})).settings
    assert settings.collection_sources == ()
    bad = {**good, "fields": {"LocationText": "name"}}
    with pytest.raises(ConfigError) as raised:
        load_settings(write_place_toml({**place_values, "sources": [bad]}))
    assert "postcodes gazetteer's schema" in str(raised.value)
    assert "local_authority" in str(raised.value)


def test_a_gazetteer_needs_no_area_among_several(
    write_place_toml: WritePlaceToml, place_values: dict[str, Any]
) -> None:
    """With several areas each collection names its area, but a gazetteer covers them all."""
    areas = [{"code": "E07000901", "name": "Northdale"}, {"code": "E07000902", "name": "Southmere"}]
    source = {"name": "names", "adapter": "csv", "location": "n.csv", "role": "places"}
    settings = load_settings(write_place_toml({**place_values, "areas": areas, "sources": [source]})).settings
    assert settings.sources[0].role == "places"


# Loading


def test_each_gazetteer_row_is_given_the_area_it_lies_in(
    write_place_toml: WritePlaceToml, place_values: dict[str, Any]
) -> None:
    """Among several areas a row takes the one its code or name gives; the region's own name is inside too."""
    areas = [{"code": "E07000901", "name": "Northdale"}, {"code": "E07000902", "name": "Southmere"}]
    source = {"name": "names", "adapter": "csv", "location": "n.csv", "role": "places"}
    settings = load_settings(write_place_toml({**place_values, "areas": areas, "sources": [source]})).settings

    def feature(row: int, **properties: Any) -> Feature:
        return Feature(str(row), -2.3, 53.4, dict(properties), {}, row)

    postcodes = [feature(2, postcode="ab1 2cd", local_authority="E07000901"), feature(3, postcode="AB1 2CE")]
    kept, rejected = narrow("postcodes", postcodes, [RawRecord(2, {"pcds": "ab1 2cd"})], settings)
    assert rejected == []
    assert [(f.properties["postcode"], f.properties["sector"], f.properties["outward"]) for f in kept] == [
        ("AB1 2CD", "AB1 2", "AB1"),
        ("AB1 2CE", "AB1 2", "AB1"),
    ]
    assert kept[0].properties[AREA_NAME] == "Northdale"
    assert AREA_NAME not in kept[1].properties  # no code: kept, in the area ingest gives it
    places = [
        feature(2, name1="Sale", district_borough="SOUTHMERE"),
        feature(3, name1="Hale", county_unitary="Testshire"),  # the region [place] names
        feature(4, name1="Elsewhere", district_borough="Otherby"),
    ]
    kept, rejected = narrow("places", places, [RawRecord(4, {"NAME1": "Elsewhere"})], settings)
    assert [f.properties["name1"] for f in kept] == ["Sale", "Hale"]
    assert kept[0].properties[AREA_CODE] == "E07000902"
    assert AREA_CODE not in kept[1].properties
    (outside,) = rejected
    assert (outside.row, outside.values) == (4, {"NAME1": "Elsewhere"})  # the row as read, for the rejects file
    assert "'Otherby' is not one of the app's areas (Northdale, Southmere, Testshire)" in outside.reasons[0]


def test_the_whole_name_is_found_behind_many_that_begin_with_it(tmp_path: Path, database_url: str) -> None:
    """A whole name is one exact match, however many names that begin with it were loaded before it."""
    rows = [place_row(f"osgb{index}", f"Sale Lane {index}", "Hamlet", 0) for index in range(MOST_CANDIDATES + 50)]
    rows.append(place_row("osgb-sale", "Sale", "Town", 3))
    source = {"name": "names", "role": "places", "adapter": "csv", "location": write_csv(tmp_path, "names", rows)}
    config = tmp_path / "place.toml"
    text = toml_text({**MADE_UP_PLACE, "sources": [source]})
    config.write_text(f"database_url = {json.dumps(database_url)}\n\n{text}", encoding="utf-8")
    loaded = load_settings(config)
    (report,) = ingest(loaded)
    assert report.loaded == len(rows)
    store = open_store(database_url, tmp_path)
    try:
        found = locate(store, store.provenance(), "SALE", "Testshire")
        assert (found.name, found.kind) == ("Sale, Testshire", "place")
        assert distance(found.lon, found.lat, *toilet_at(3)) < 1
        assert locate(store, store.provenance(), "sale lane 7", "Testshire").name == "Sale Lane 7, Testshire"
        with pytest.raises(NoGazetteer) as raised:  # names but no postcodes
            locate(store, store.provenance(), "m33 7zr", "Testshire")
        assert raised.value.parameter == "near"
        assert "looks like a postcode, but this app has no postcode gazetteer" in raised.value.message
        assert "Give the name of a town or village in Testshire" in raised.value.resident
    finally:
        store.close()


def test_gazetteers_load_narrowed_to_the_area_with_reasons(gazetteered: Gazetteered) -> None:
    """Rows outside the app's area, and postcodes that are not postcodes, are rejected with their reasons."""
    reports = {report.name: report for report in gazetteered.reports}
    assert all(report.error is None for report in reports.values())
    assert (reports["postcodes"].read, reports["postcodes"].loaded, reports["postcodes"].rejected) == (6, 4, 2)
    assert (reports["names"].read, reports["names"].loaded, reports["names"].rejected) == (6, 5, 1)
    assert reports["postcodes"].rejects_file is not None
    reasons = {row["pcds"]: row["reasons"] for row in rejected_rows(reports["postcodes"].rejects_file)}
    assert "E08000003 is not one of the app's areas" in reasons["M1 1AA"]
    assert "is not a whole UK postcode" in reasons["NOT A CODE"]
    assert reports["names"].rejects_file is not None
    (outside,) = rejected_rows(reports["names"].rejects_file)
    assert outside["NAME1"] == "Salford"
    assert "not one of the app's areas (Testshire)" in outside["reasons"]


def rejected_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_gazetteers_are_not_collections(gazetteered: Gazetteered) -> None:
    """The API lists only the dataset's collections; a gazetteer's address is a 404, on the pages too."""
    listed = [collection["id"] for collection in gazetteered.json("/api/collections")["collections"]]
    assert listed == ["toilets"]
    for path in ("/api/collections/postcodes", "/api/collections/names/items", "/features/postcodes/M33%207ZR"):
        assert get(gazetteered.base + path).status == 404
    home = get(gazetteered.base + "/").text
    assert "Not loaded yet" not in home


def test_the_about_page_credits_the_gazetteers(gazetteered: Gazetteered) -> None:
    """Where the postcodes and names came from, with their licence and attribution."""
    page = Page(get(gazetteered.base + "/about").text)
    assert "Postcodes and place names" in page.text
    assert "data/raw/onspd.csv: 4 postcodes, under OGL-UK-3.0. Contains OS data © Crown copyright" in page.text
    assert "5 place names" in page.text


# The API


def first_distance(body: dict[str, Any]) -> float:
    return body["features"][0]["properties"]["distance"]


@pytest.mark.parametrize("typed", ["M33 7ZR", "m33 7zr", "M337ZR", "  m33   7ZR  "])
def test_near_a_full_postcode_in_any_spacing(gazetteered: Gazetteered, typed: str) -> None:
    """The toilet at the postcode comes first, at no distance; the response says which postcode was used."""
    body = gazetteered.json(f"/api/collections/toilets/items?limit=5&near={quote(typed)}")
    assert body["features"][0]["id"] == "T12"
    assert first_distance(body) < 1
    distances = [feature["properties"]["distance"] for feature in body["features"]]
    assert distances == sorted(distances)
    assert body["near"]["name"] == "M33 7ZR"
    assert body["near"]["kind"] == "postcode"
    assert body["near"]["text"] == " ".join(typed.split())
    following = next(link["href"] for link in body["links"] if link["rel"] == "next")
    assert "near=" in following  # the next page is near the same postcode


def test_near_a_postcode_gives_the_same_order_as_its_point(gazetteered: Gazetteered) -> None:
    """near=<postcode> answers exactly as near=lon,lat of that postcode does."""
    by_postcode = gazetteered.json("/api/collections/toilets/items?limit=23&near=WA14%201AA")
    lon, lat = toilet_at(22)
    by_point = gazetteered.json(f"/api/collections/toilets/items?limit=23&near={lon},{lat}")
    assert [f["id"] for f in by_postcode["features"]] == [f["id"] for f in by_point["features"]]
    assert "near" not in by_point


def test_a_postcode_in_grid_references_is_placed_by_pyproj(gazetteered: Gazetteered) -> None:
    """A postcode given in eastings and northings is converted to WGS84 at load, to within a metre."""
    body = gazetteered.json("/api/collections/toilets/items?limit=1&near=M33%204XY")
    lon, lat = body["near"]["coordinates"]
    assert distance(lon, lat, *toilet_at(0)) < 1
    assert body["features"][0]["id"] == "T00"


def test_near_a_sector_is_the_middle_of_its_postcodes(gazetteered: Gazetteered) -> None:
    """M33 7 means the middle of the postcodes of that sector, named as a sector."""
    body = gazetteered.json("/api/collections/toilets/items?limit=3&near=m33%207")
    assert body["near"]["kind"] == "sector"
    assert body["near"]["name"] == "the M33 7 postcode sector"
    assert distance(*body["near"]["coordinates"], *SECTOR_M33_7) < 1
    assert body["features"][0]["id"] == "T13"  # halfway between T12 and T14


def test_near_an_outward_code_is_the_middle_of_its_postcodes(gazetteered: Gazetteered) -> None:
    """M33 means the middle of all its postcodes."""
    body = gazetteered.json("/api/collections/toilets/items?limit=1&near=M33")
    assert body["near"]["kind"] == "outward"
    points = [toilet_at(12), toilet_at(14), toilet_at(0)]
    middle = (sum(p[0] for p in points) / 3, sum(p[1] for p in points) / 3)
    assert distance(*body["near"]["coordinates"], *middle) < 1


@pytest.mark.parametrize(
    ("typed", "name", "toilet"),
    [
        ("Sale", "Sale, Testshire", "T03"),  # the town, not the smaller place of that name, nor Sale Road
        ("sale", "Sale, Testshire", "T03"),
        ("SALE moor", "Sale Moor, Testshire", "T16"),
        ("Altrincham", "Altrincham, Testshire", "T09"),
        ("Altrin", "Altrincham, Testshire", "T09"),  # a name it begins
    ],
)
def test_near_a_place_name_picks_the_best_and_says_which(
    gazetteered: Gazetteered, typed: str, name: str, toilet: str
) -> None:
    """A whole name before a name it begins, a town before a smaller place; the answer names the place used."""
    body = gazetteered.json(f"/api/collections/toilets/items?limit=2&near={quote(typed)}")
    assert body["near"] == {**body["near"], "name": name, "kind": "place"}
    assert body["features"][0]["id"] == toilet


def error_of(gazetteered: Gazetteered, typed: str) -> dict[str, Any]:
    answer = get(gazetteered.base + f"/api/collections/toilets/items?near={quote(typed)}")
    assert answer.status == 400, answer.text
    body = answer.json()
    assert body["code"] == "InvalidParameterValue"
    assert body["description"].startswith("near: ")
    return body


def test_a_postcode_not_found_says_so_with_a_suggestion(gazetteered: Gazetteered) -> None:
    """A postcode or sector of a known outward code that is not there: check it, or give its first part."""
    description = error_of(gazetteered, "M33 9ZZ")["description"]
    assert "could not find the postcode M33 9ZZ" in description
    assert "such as M33" in description
    description = error_of(gazetteered, "wa14 9")["description"]
    assert "could not find the postcode sector WA14 9" in description
    assert "such as WA14" in description


@pytest.mark.parametrize("typed", ["M1 1AA", "M1", "M1 1"])
def test_a_postcode_outside_the_area_says_so(gazetteered: Gazetteered, typed: str) -> None:
    """A postcode rejected at load as outside the area (or any other not there) says the service covers the area."""
    description = error_of(gazetteered, typed)["description"]
    assert "covers Testshire only" in description


def test_a_place_not_found_says_so(gazetteered: Gazetteered) -> None:
    """An unknown name (and one outside the area) is a 400 suggesting a check of the spelling or a postcode."""
    for typed in ("Atlantis", "Salford"):
        description = error_of(gazetteered, typed)["description"]
        assert f"could not find a place called '{typed}' in Testshire" in description
        assert "give a postcode" in description


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE postcodes; --",
        "Sale" * 30,
        "Sale\x00",
        "%",
        "M33 7ZR' OR '1'='1",
        "x" * 5000,
    ],
)
def test_hostile_text_is_a_400_naming_near(gazetteered: Gazetteered, typed: str) -> None:
    """Markup, SQL, NUL bytes and long text are refused or not found, never a server error."""
    assert error_of(gazetteered, typed)["description"].startswith("near: ")


def test_a_point_still_works(gazetteered: Gazetteered) -> None:
    """lon,lat is read as before, and a bad point is still a 400 saying what a point is."""
    lon, lat = toilet_at(7)
    assert gazetteered.json(f"/api/collections/toilets/items?near={lon},{lat}")["features"][0]["id"] == "T07"
    assert "lon,lat" in error_of(gazetteered, "1,2,3")["description"]


def test_the_csv_is_nearest_the_postcode_too(gazetteered: Gazetteered) -> None:
    """items.csv takes the same near= and gives the distance column."""
    answer = get(gazetteered.base + "/api/collections/toilets/items.csv?limit=2&near=M33%207ZR")
    assert answer.status == 200
    header, first = answer.text.splitlines()[:2]
    assert "distance" in header
    assert "T12" in first


def test_the_api_page_of_items_is_nearest_the_place_too(gazetteered: Gazetteered) -> None:
    """items?f=html takes a place name as the JSON does, its first row the nearest."""
    answer = get(gazetteered.base + "/api/collections/toilets/items?f=html&limit=3&near=Altrincham")
    assert answer.status == 200
    text = Page(answer.text).text
    assert text.index("Toilet 9") < text.index("Toilet 8")


def test_the_openapi_document_says_what_near_takes(gazetteered: Gazetteered) -> None:
    """The near parameter's description names postcodes, partial postcodes and place names."""
    document = gazetteered.json("/api/openapi.json")
    shared = document["components"].get("parameters", {})
    parameters = [
        shared[item["$ref"].rsplit("/", 1)[1]] if "$ref" in item else item
        for item in document["paths"]["/api/collections/{name}/items"]["get"]["parameters"]
    ]
    (near,) = [parameter for parameter in parameters if parameter["name"] == "near"]
    for words in ("M33 7ZR", "outward code (M33)", "sector (M33 7)", "place name", "never another service"):
        assert words in near["description"]
    assert "near" in document["components"]["schemas"]["FeatureCollection"]["properties"]


# The pages


def test_the_home_page_finds_places_near_a_postcode(gazetteered: Gazetteered) -> None:
    """The Postcode or place box takes a postcode: nearest first, saying which postcode."""
    page = Page(get(gazetteered.base + "/").text)
    assert "Postcode or place (optional)" in page.text
    answer = get(gazetteered.base + "/?near=m33+7zr")
    assert answer.status == 200
    page = Page(answer.text)
    assert "Showing places nearest M33 7ZR." in page.text
    names = [attributes["data-name"] for tag, attributes in page.elements if "data-feature" in attributes]
    assert names[:2] == ["Toilet 12", "Toilet 13"]
    assert "nearest first" in page.text


def test_the_home_page_finds_places_near_a_place_name(gazetteered: Gazetteered) -> None:
    """A place name picks the best match and says which place was used; the next page keeps it."""
    page = Page(get(gazetteered.base + "/?near=Sale").text)
    assert "Showing places nearest Sale, Testshire." in page.text
    names = [attributes["data-name"] for tag, attributes in page.elements if "data-feature" in attributes]
    assert names[0] == "Toilet 3"
    following = [attributes["href"] for tag, attributes in page.elements if attributes.get("rel") == "next"]
    assert following
    assert "near=Sale" in following[0]


def test_the_home_page_says_a_postcode_is_outside_the_area(gazetteered: Gazetteered) -> None:
    """The error summary links to the box, whose message says what to do; the title starts Error:."""
    answer = get(gazetteered.base + "/?near=M1+1AA")
    assert answer.status == 400
    page = Page(answer.text)
    assert page.title.startswith("Error:")
    links = [attributes["href"] for tag, attributes in page.elements if tag == "a"]
    assert "#field-near" in links
    assert "Postcode or place: M1 1AA is not a postcode in Testshire" in page.text
    near = next(attributes for tag, attributes in page.elements if attributes.get("id") == "field-near")
    assert near["aria-invalid"] == "true"
    assert near["value"] == "M1 1AA"


def test_the_home_page_escapes_hostile_text(gazetteered: Gazetteered) -> None:
    """Markup typed in the box comes back as text, in the box and in the message."""
    answer = get(gazetteered.base + "/?near=" + quote("<script>alert(1)</script>"))
    assert answer.status == 400
    assert "<script>alert(1)</script>" not in answer.text
    assert "&lt;script&gt;" in answer.text


# Without a gazetteer


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[str]:
    """The toilets alone, in a store of their own: a project with no gazetteer."""
    folder = tmp_path_factory.mktemp("plain")
    toilets = {"name": "toilets", "adapter": "csv", "location": write_csv(folder, "toilets", toilet_rows())}
    config = folder / "place.toml"
    url = web_database_url.replace("app.db", "plain.db") if web_database_url.startswith("sqlite") else None
    store = f"database_url = {json.dumps(url)}\n\n" if url else ""
    config.write_text(store + toml_text({**MADE_UP_PLACE, "sources": [toilets]}), encoding="utf-8")
    with clean_settings_environment():
        loaded = load_settings(config)
        ingest(loaded)
        with running(create_app(loaded)) as base:
            yield base


def test_without_a_gazetteer_a_word_is_a_400_saying_so(plain: str) -> None:
    """near=Sale on a project with no gazetteer says there is none and asks for a point."""
    answer = get(plain + "/api/collections/toilets/items?near=Sale")
    assert answer.status == 400
    description = answer.json()["description"]
    assert "this app has no gazetteer" in description
    assert 'role = "postcodes"' in description
    assert "lon,lat" in description
    page = Page(get(plain + "/?near=M33+7ZR").text)
    assert "Postcode or place: This site cannot look up postcodes or place names yet." in page.text
    assert "place.toml" not in page.text  # the settings are for whoever runs the app, not a resident
