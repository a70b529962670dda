"""The OGC API - Features under /api, the health check and the security headers, against a real server.

Starlette's TestClient needs an HTTP client package the app does not otherwise
use (and warns with some versions), so these tests run the app in uvicorn on
127.0.0.1 in a thread and talk to it with urllib, as any client would, once
on SQLite and once on PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import csv
import io
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from conftest import (
    HOSTILE_NAME,
    Answer,
    Served,
    get,
    running,
    write_project,
)

from local_data_app.config import load_settings
from local_data_app.ingest import ingest
from local_data_app.ogc.documents import CONFORMANCE
from local_data_app.ogc.parameters import MAX_LIMIT
from local_data_app.store import distance
from local_data_app.web import create_app
from local_data_app.web.security import security_headers


def headers_of(served: Served) -> dict[str, str]:
    """The security headers the served app sends, its policy allowing images from its tile server."""
    return security_headers(served.app.state.api.settings.map.tile_source)


def api(served: Served, path: str) -> Answer:
    return get(served.base + "/api" + path)


def assert_error(answer: Answer, status: int, *words: str) -> dict[str, Any]:
    """A JSON error of this status whose description holds these words, with no stack trace."""
    assert answer.status == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"code", "description"}
    for word in words:
        assert word in body["description"]
    assert "Traceback" not in answer.text
    assert ".py" not in answer.text
    return body


def links(body: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {(item["rel"] + ":" + item["type"]): item for item in body["links"]}


# The landing page, conformance and the API definition


def test_landing_page_links_the_api_definition_conformance_and_data(served: Served) -> None:
    """It answers /api with a title and links to itself, the API's definition and page, conformance and the data."""
    answer = api(served, "")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert body["title"] == "Public toilets in Testshire"
    found = {item["rel"]: item for item in body["links"]}
    assert found["self"]["href"] == served.base + "/api"
    assert found["service-desc"]["href"] == served.base + "/api/openapi.json"
    assert found["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert (found["service-doc"]["href"], found["service-doc"]["type"]) == (served.base + "/api.html", "text/html")
    assert found["conformance"]["href"] == served.base + "/api/conformance"
    assert found["data"]["href"] == served.base + "/api/collections"
    assert api(served, "/").json() == body  # with a trailing slash too, as clients often add one


def test_conformance_lists_core_geojson_and_oas30(served: Served) -> None:
    """It declares the Core, GeoJSON and OpenAPI 3.0 conformance classes, and those of test_filters.py."""
    body = api(served, "/conformance").json()
    assert body["conformsTo"] == list(CONFORMANCE)
    assert {uri.rsplit("/", 1)[1] for uri in body["conformsTo"]} >= {"core", "oas30", "geojson", "html", "crs"}


def test_openapi_document_is_openapi_30_with_every_route(served: Served) -> None:
    """It serves an OpenAPI 3.0 document listing every route, with 400s and no 422s."""
    document = api(served, "/openapi.json").json()
    assert document["openapi"].startswith("3.0.")
    assert set(document["paths"]) >= {
        "/api",
        "/api/conformance",
        "/api/collections",
        "/api/collections/{name}",
        "/api/collections/{name}/items",
        "/api/collections/{name}/items.csv",
        "/api/collections/{name}/items/{feature_id}",
        "/healthz",
    }
    assert '{"type": "null"}' not in json.dumps(document)
    items = document["paths"]["/api/collections/{name}/items"]["get"]
    assert "422" not in items["responses"]
    assert "400" in items["responses"]
    shared = document["components"]["parameters"]  # limit, declared once where QGIS reads its maximum
    declared = [shared[item["$ref"].rsplit("/", 1)[1]] if "$ref" in item else item for item in items["parameters"]]
    parameters = {parameter["name"] for parameter in declared}
    assert {"bbox", "datetime", "limit", "offset", "near", "f", "Category", "BabyChange"} <= parameters
    (when,) = [parameter for parameter in declared if parameter["name"] == "datetime"]
    assert (when["in"], when["required"], when["schema"]["type"]) == ("query", False, "string")


def test_interactive_docs_are_not_served(served: Served) -> None:
    """FastAPI's docs pages load scripts from a CDN, which the security policy forbids, so they are off."""
    assert get(served.base + "/docs").status == 404
    assert get(served.base + "/redoc").status == 404


# Collections


def test_collections_list_the_ingested_source_with_its_extent(served: Served) -> None:
    """It lists each ingested source as a collection, with a bbox worked out from the data."""
    body = api(served, "/collections").json()
    (toilets,) = body["collections"]
    assert toilets["id"] == "toilets"
    assert toilets["title"] == "Public toilets in Testshire"
    assert "OGL-UK-3.0" in toilets["description"]
    assert toilets["extent"]["spatial"]["bbox"] == [[-2.3, 53.45, -2.26, 53.49]]
    assert toilets["extent"]["temporal"] == {
        "interval": [["2024-01-05T00:00:00Z", "2025-11-05T23:59:59Z"]],
        "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
    }
    assert toilets["crs"][0] == toilets["storageCrs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"  # test_crs.py
    found = links(toilets)
    assert found["items:application/geo+json"]["href"] == served.base + "/api/collections/toilets/items"
    assert found["items:text/csv"]["href"] == served.base + "/api/collections/toilets/items?f=csv"
    assert api(served, "/collections/toilets").json() == toilets


@pytest.mark.parametrize(
    "path",
    [
        "/collections/nowhere",
        "/collections/nowhere/items",
        "/collections/nowhere/items.csv",
        "/collections/nowhere/items/T01",
        "/collections/%3Cscript%3E",
        "/collections/toilets%27%20OR%201%3D1",
    ],
)
def test_an_unknown_collection_is_404(served: Served, path: str) -> None:
    """It answers 404 in JSON for a collection that does not exist; a name holding HTML stays inert JSON text."""
    answer = api(served, path)
    assert_error(answer, 404, "/api/collections")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


# Items


def test_items_are_a_geojson_feature_collection(served: Served) -> None:
    """It answers items with a GeoJSON FeatureCollection of 10 points, counts, a time stamp and links."""
    answer = api(served, "/collections/toilets/items")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/geo+json"
    body = answer.json()
    assert body["type"] == "FeatureCollection"
    assert (body["numberMatched"], body["numberReturned"]) == (23, 10)
    assert body["timeStamp"].endswith("Z")
    first = body["features"][0]
    assert first["id"] == "T00"
    assert first["geometry"] == {"type": "Point", "coordinates": [-2.3, 53.45]}
    assert first["properties"]["LocationText"] == "Toilet 0"
    assert first["properties"]["BabyChange"] is True
    assert first["properties"]["ExtractDate"] == "2024-01-05"
    found = links(body)
    assert parse_qs(urlsplit(found["self:application/geo+json"]["href"]).query) == {"limit": ["10"]}
    assert parse_qs(urlsplit(found["alternate:text/csv"]["href"]).query) == {"limit": ["10"], "f": ["csv"]}
    assert parse_qs(urlsplit(found["next:application/geo+json"]["href"]).query) == {"limit": ["10"], "offset": ["10"]}
    assert "prev:application/geo+json" not in found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 23),
        ("bbox=-2.305,53.445,-2.285,53.465", 4),
        ("bbox=-2.305,53.445,0,-2.285,53.465,100", 4),
        ("bbox=0,0,1,1", 0),
        ("Category=unisex", 8),
        ("BabyChange=YES", 12),
        ("Category=Unisex&BabyChange=no", 4),
        ("bbox=-2.305,53.445,-2.285,53.465&Category=UNISEX", 2),
        ("LocationText=Toilet%203", 1),
        ("near=-2.3,53.45&Category=Unisex", 8),
        ("datetime=2024-03-05", 1),
        ("datetime=2024-03-05T12:00:00Z", 1),
        ("datetime=2024-03-05T00:30:00%2B01:00", 0),  # 23:30 on the 4th in UTC
        ("datetime=2024-03-05T00:30:00+01:00", 0),  # the same, its + unencoded (so a space)
        ("datetime=2024-03-04T23:30:00-01:00", 1),
        ("datetime=2024-01-01/2024-06-30", 6),
        ("datetime=../2024-06-30", 6),
        ("datetime=/2024-06-30", 6),
        ("datetime=2025-01-01/..", 11),
        ("datetime=2025-01-01/", 11),
        ("datetime=2024-12-05T00:00:00Z/2025-01-05T00:00:00Z", 2),
        ("datetime=2030-01-01/..", 0),
        ("datetime=2024-01-01/2024-12-31&Category=Unisex", 4),
        ("datetime=2024-01-01/2024-06-30&ExtractDate=05/03/2024", 1),
        ("datetime=2025-01-01/..&ExtractDate=05/03/2024", 0),
        ("datetime=2025-01-01/..&near=-2.3,53.45", 11),
        ("datetime=2025-01-01/..&bbox=-2.305,53.445,-2.285,53.465", 0),
        ("datetime=2024-01-01/..&bbox=-2.305,53.445,-2.285,53.465", 4),
    ],
)
def test_paging_visits_every_matching_feature_once(served: Served, query: str, expected: int) -> None:
    """Following next links from the first page visits every matching feature exactly once, and numberMatched agrees."""
    url = f"{served.base}/api/collections/toilets/items?limit=3&{query}"
    seen: list[str] = []
    pages = 0
    while url:
        body = get(url).json()
        assert body["numberMatched"] == expected
        assert body["numberReturned"] == len(body["features"]) <= 3
        seen.extend(feature["id"] for feature in body["features"])
        found = links(body)
        if pages:
            assert "prev:application/geo+json" in found
        url = found.get("next:application/geo+json", {}).get("href", "")
        pages += 1
    assert len(seen) == len(set(seen)) == expected
    assert pages == max(1, -(-expected // 3))


def test_prev_link_goes_back_one_page(served: Served) -> None:
    """The prev link of a page points at the page before it, never below offset 0."""
    body = api(served, "/collections/toilets/items?limit=5&offset=7").json()
    prev = links(body)["prev:application/geo+json"]["href"]
    assert parse_qs(urlsplit(prev).query) == {"limit": ["5"], "offset": ["2"]}
    body = api(served, "/collections/toilets/items?limit=5&offset=2").json()
    prev = links(body)["prev:application/geo+json"]["href"]
    assert parse_qs(urlsplit(prev).query) == {"limit": ["5"]}


def test_filters_compare_normalised_values(served: Served) -> None:
    """A field filter is read as ingest reads values: any case for an enum, yes/no words for a flag."""
    body = api(served, "/collections/toilets/items?Category=unisex&limit=100").json()
    assert {feature["properties"]["Category"] for feature in body["features"]} == {"Unisex"}
    body = api(served, "/collections/toilets/items?BabyChange=N&limit=100").json()
    assert {feature["properties"]["BabyChange"] for feature in body["features"]} == {False}
    body = api(served, "/collections/toilets/items?ExtractDate=05/01/2024&limit=1").json()
    assert body["numberMatched"] == 1


def test_datetime_keeps_the_features_dated_within_it(served: Served) -> None:
    """datetime keeps the features whose extract date falls in it; every link of the page keeps the parameter."""
    body = api(served, "/collections/toilets/items?datetime=2025-06-01/..&limit=2").json()
    assert [feature["properties"]["ExtractDate"] for feature in body["features"]] == ["2025-06-05", "2025-07-05"]
    for rel in ("self:application/geo+json", "alternate:text/csv", "next:application/geo+json"):
        assert parse_qs(urlsplit(links(body)[rel]["href"]).query)["datetime"] == ["2025-06-01/.."]


def test_datetime_on_a_collection_without_dates_matches_every_feature(tmp_path: Path) -> None:
    """A schema without a date field has no temporal geometry, so datetime matches every feature (but is checked)."""
    rows = [
        {"Ref": f"P{number}", "name": f"Place {number}", "x": "-2.3", "y": f"{53.4 + number / 100}"}
        for number in range(3)
    ]
    loaded = load_settings(write_project(tmp_path / "project", rows, name="places", theme="generic_points"))
    assert ingest(loaded)[0].loaded == 3
    with running(create_app(loaded)) as base:
        assert get(base + "/api/collections/places/items?datetime=2030-01-01").json()["numberMatched"] == 3
        assert get(base + "/api/collections/places/items.csv?datetime=../2000-01-01").text.count("Place") == 3
        assert get(base + "/api/collections/places/items?datetime=soon").status == 400
        assert "temporal" not in get(base + "/api/collections/places").json()["extent"]


def test_near_sorts_by_distance_and_adds_it(served: Served) -> None:
    """near=lon,lat returns the nearest features first, each with its distance in metres."""
    point = (-2.28, 53.49)
    body = api(served, "/collections/toilets/items?near=-2.28,53.49&limit=23").json()
    distances = [feature["properties"]["distance"] for feature in body["features"]]
    assert distances == sorted(distances)
    assert body["features"][0]["id"] == "T/22"
    assert distances[0] == 0
    for feature in body["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["properties"]["distance"] == pytest.approx(distance(*point, lon, lat), abs=0.1)
    assert body["numberMatched"] == 23
    next_page = links(api(served, "/collections/toilets/items?near=-2.26,53.49&limit=5").json())
    assert "near=-2.26%2C53.49" in next_page["next:application/geo+json"]["href"]


def test_limit_above_the_maximum_is_clamped(served: Served) -> None:
    """A limit above the documented maximum is treated as the maximum, as OGC API - Features allows."""
    body = api(served, f"/collections/toilets/items?limit={MAX_LIMIT * 10}").json()
    assert body["numberReturned"] == 23
    assert f"limit={MAX_LIMIT}" in links(body)["self:application/geo+json"]["href"]
    body = api(served, "/collections/toilets/items?limit=" + "9" * 40).json()
    assert body["numberReturned"] == 23


def test_offset_past_the_end_is_an_empty_page(served: Served) -> None:
    """An offset beyond the last feature returns no features and no next link."""
    body = api(served, "/collections/toilets/items?offset=100").json()
    assert (body["numberMatched"], body["numberReturned"], body["features"]) == (23, 0, [])
    assert "next:application/geo+json" not in links(body)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("bbox=1,2,3", ["bbox", "four numbers"]),
        ("bbox=a,b,c,d", ["bbox", "four numbers"]),
        ("bbox=", ["bbox"]),
        ("bbox=nan,0,1,1", ["bbox"]),
        ("bbox=-2,53,-3,54", ["bbox", "longitude"]),
        ("bbox=-3,54,-2,53", ["bbox", "latitude"]),
        ("bbox=-300,0,1,1", ["bbox", "outside"]),
        ("limit=0", ["limit", "greater than or equal to 1", "'0'"]),
        ("limit=-5", ["limit"]),
        ("limit=ten", ["limit"]),
        ("limit=1.5", ["limit"]),
        # Found by fuzzing the OpenAPI document, which declares integers: pydantic alone read each as a number.
        ("limit=10.0", ["limit", "whole number written in digits", "'10.0'"]),
        ("offset=0.0", ["offset", "whole number written in digits"]),
        ("limit=1_0", ["limit", "whole number written in digits"]),
        ("limit=%2B5", ["limit", "whole number written in digits"]),
        ("offset=-1", ["offset"]),
        ("offset=" + "9" * 30, ["offset"]),
        ("near=1", ["near", "lon,lat"]),
        ("near=a,b", ["near"]),
        ("near=200,0", ["near", "outside"]),
        ("near=inf,0", ["near"]),
        ("f=xml", ["f"]),
        ("colour=blue", ["colour", "not a parameter"]),
        ("category=unisex", ["category", "not a parameter"]),
        ("limit=1&limit=2", ["limit", "more than once"]),
        ("BabyChange=maybe", ["BabyChange", "maybe"]),
        ("BabyChange=", ["BabyChange"]),
        ("Category=Palace", ["Category", "Palace"]),
        ("ExtractDate=31/02/2024", ["ExtractDate"]),
        ("GeoX=%27%3B%20DROP%20TABLE%20x%3B--", ["GeoX"]),
        ("%3Cscript%3E=1", ["not a parameter"]),
        ("datetime=2024-13-01", ["datetime", "2024-13-01"]),
        ("datetime=2024-1-5", ["datetime", "a date, a date-time or an interval"]),
        ("datetime=2024-01-05T12:00:00", ["datetime", "offset"]),
        ("datetime=2024-01-05T25:00:00Z", ["datetime", "no such time"]),
        ("datetime=2024-01-05T12:00:00%2B25:00", ["datetime", "no such offset"]),
        ("datetime=yesterday", ["datetime"]),
        ("datetime=", ["datetime"]),
        ("datetime=..", ["datetime"]),
        ("datetime=../..", ["datetime"]),
        ("datetime=/", ["datetime"]),
        ("datetime=2024-01-01/2024-02-01/2024-03-01", ["datetime"]),
        ("datetime=2024-06-30/2024-01-01", ["datetime", "ends before it starts"]),
        ("datetime=2024-01-01&datetime=2024-01-02", ["datetime", "more than once"]),
        ("datetime=9999-12-31T23:59:59-23:59", ["datetime", "outside the years 0001 to 9999"]),
        ("near=-2.3,53.45&limit=1000&offset=9001", ["offset", "at most 10,000"]),
        ("datetime=0001-01-01T00:00:00%2B23:59", ["datetime", "outside the years 0001 to 9999"]),
    ],
)
def test_bad_item_parameters_are_400s_naming_the_parameter(served: Served, query: str, words: list[str]) -> None:
    """It answers a bad or unknown parameter with a JSON 400 whose message names it, never a stack trace."""
    body = assert_error(api(served, "/collections/toilets/items?" + query), 400, *words)
    assert body["code"] == "InvalidParameterValue"
    assert "<script>" not in body["description"] or query.startswith("%3C")


@pytest.mark.parametrize(
    "path",
    ["", "/", "/conformance", "/collections", "/collections/toilets", "/collections/toilets/items/T00"],
)
def test_other_routes_refuse_unknown_parameters(served: Served, path: str) -> None:
    """Routes without parameters answer one with a 400, and accept only f=json."""
    assert_error(api(served, path + "?limit=5"), 400, "limit")
    assert_error(api(served, path + "?f=csv"), 400, "f")
    assert api(served, path + "?f=json").status == 200


@pytest.mark.parametrize(
    "value",
    ["' OR '1'='1", "1; DROP TABLE toilets; --", "<script>alert(1)</script>", "Unisex\x00", "%", "_"],
)
def test_hostile_filter_values_match_nothing_or_are_refused(served: Served, value: str) -> None:
    """SQL-looking and HTML values are plain values: they match nothing, or are refused as not a category."""
    answer = api(served, "/collections/toilets/items?LocationText=" + quote(value))
    assert answer.status == 200
    assert answer.json()["numberMatched"] == 0
    answer = api(served, "/collections/toilets/items?Category=" + quote(value))
    if answer.status == 200:  # a NUL byte is dropped, as ingest drops it
        assert answer.json()["numberMatched"] == 8
    else:
        assert_error(answer, 400, "Category")


def test_stored_html_comes_back_as_json_text(served: Served) -> None:
    """A value holding HTML is returned as JSON text under a JSON content type, and can be filtered on."""
    answer = api(served, "/collections/toilets/items?LocationText=" + quote(HOSTILE_NAME))
    body = answer.json()
    assert body["numberMatched"] == 1
    assert body["features"][0]["properties"]["LocationText"] == HOSTILE_NAME
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


# One item


def test_one_item_is_a_geojson_feature(served: Served) -> None:
    """It answers an item's address with that feature, including ids that hold a slash."""
    answer = api(served, "/collections/toilets/items/T03")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/geo+json"
    feature = answer.json()
    assert (feature["type"], feature["id"]) == ("Feature", "T03")
    assert feature["geometry"]["coordinates"] == [-2.27, 53.45]
    slashed = api(served, "/collections/toilets/items?offset=22").json()["features"][0]
    assert slashed["id"] == "T/22"
    assert get(slashed["links"][0]["href"]).json()["id"] == "T/22"


@pytest.mark.parametrize(
    "feature_id",
    ["missing", "T99", "..%2F..%2Fetc%2Fpasswd", "../../place.toml", "%00", "T01'%20OR%20'1'='1", "%3Cb%3E"],
)
def test_a_missing_or_odd_item_id_is_404(served: Served, feature_id: str) -> None:
    """It answers 404 in JSON for an id no feature has, whatever the id holds."""
    assert_error(api(served, "/collections/toilets/items/" + feature_id), 404)


# CSV


@pytest.mark.parametrize("path", ["/collections/toilets/items?f=csv", "/collections/toilets/items.csv"])
def test_csv_holds_the_same_query_as_the_geojson(served: Served, path: str) -> None:
    """f=csv and items.csv answer the same query as CSV: schema fields, then id, lon and lat."""
    query = "&Category=Unisex&datetime=2024-02-01/..&limit=5&offset=1"
    answer = api(served, path + ("&" if "?" in path else "?") + query.lstrip("&"))
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    geojson = api(served, "/collections/toilets/items?" + query.lstrip("&")).json()
    assert [row["id"] for row in rows] == [feature["id"] for feature in geojson["features"]]
    header = next(csv.reader(io.StringIO(answer.text)))
    assert header[:2] == ["ExtractDate", "OrganisationURI"]
    assert header[-3:] == ["id", "lon", "lat"]
    assert rows[0]["Category"] == "Unisex"
    assert rows[0]["BabyChange"] in {"true", "false"}
    assert float(rows[0]["lon"]) == geojson["features"][0]["geometry"]["coordinates"][0]


def test_csv_with_near_adds_the_distance(served: Served) -> None:
    """With near, the CSV has a distance column, nearest first."""
    answer = api(served, "/collections/toilets/items.csv?near=-2.3,53.45&limit=3")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert rows[0]["id"] == "T00"
    assert [float(row["distance"]) for row in rows] == sorted(float(row["distance"]) for row in rows)


def test_items_csv_refuses_another_format(served: Served) -> None:
    """items.csv with f=json is a contradiction, answered with a 400."""
    assert_error(api(served, "/collections/toilets/items.csv?f=json"), 400, "f")


# Health, headers and errors


def test_healthz_reports_counts(served: Served) -> None:
    """/healthz answers 200 with the status and each collection's count."""
    answer = get(served.base + "/healthz")
    assert answer.status == 200
    assert answer.json() == {"status": "ok", "collections": {"toilets": 23}}


def test_healthz_is_503_when_the_store_cannot_be_read(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    """/healthz answers 503, without details, when the store fails."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk /srv/secret/app.db unreadable")

    monkeypatch.setattr(served.app.state.api.store, "provenance", broken)
    answer = get(served.base + "/healthz")
    assert answer.status == 503
    assert answer.json() == {"status": "unavailable"}


def test_an_unexpected_error_is_a_bare_500(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash answers a JSON 500 with security headers and no detail; the error is logged, not shown."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk /srv/secret/app.db unreadable")

    monkeypatch.setattr(served.app.state.api.store, "count", broken)
    answer = api(served, "/collections/toilets/items")
    body = assert_error(answer, 500)
    assert body["code"] == "ServerError"
    assert "secret" not in answer.text
    for name, value in headers_of(served).items():
        assert answer.headers[name] == value


@pytest.mark.parametrize(
    "path",
    [
        "/api",
        "/api/conformance",
        "/api/openapi.json",
        "/api/collections",
        "/api/collections/toilets",
        "/api/collections/toilets/items",
        "/api/collections/toilets/items.csv",
        "/api/collections/toilets/items/T01",
        "/api/collections/toilets/items/missing",
        "/api/collections/toilets/items?limit=0",
        "/healthz",
        "/",
        "/no/such/page",
    ],
)
def test_every_response_carries_the_security_headers(served: Served, path: str) -> None:
    """Every response, error or not, has the security policy and the anti-framing and anti-sniffing headers."""
    answer = get(served.base + path)
    for name, value in headers_of(served).items():
        assert answer.headers[name] == value, name
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "Server" not in answer.headers or "uvicorn" not in answer.headers["Server"]


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as each directive's list of sources."""
    found = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        found[name] = sources
    return found


def test_images_come_only_from_the_app_and_its_tile_server(served: Served) -> None:
    """The policy allows images from the app, the configured tile server's origin and data: (Leaflet's), no more."""
    policy = directives(api(served, "").headers["Content-Security-Policy"])
    assert policy["img-src"] == ["'self'", "https://tile.openstreetmap.org", "data:"]
    assert policy["default-src"] == policy["script-src"] == ["'self'"]


def test_a_tile_server_on_plain_http_is_allowed_by_its_origin_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tiles over http draw, since the policy names the tile server's own origin, not https: in general."""
    monkeypatch.setenv("APP_MAP__TILE_URL", "http://tiles.example.org:8080/{z}/{x}/{y}.png")
    with running(create_app(load_settings(write_project(tmp_path / "project")))) as base:
        policy = directives(get(base + "/").headers["Content-Security-Policy"])
    assert policy["img-src"] == ["'self'", "http://tiles.example.org:8080", "data:"]
    sources = [source for listed in policy.values() for source in listed]
    assert not {"https:", "http:", "*", "https://tile.openstreetmap.org", "'unsafe-inline'"} & set(sources)


def test_the_api_is_open_to_other_sites(served: Served) -> None:
    """The API allows any site's scripts to read it, as open data should be."""
    assert api(served, "/collections").headers["Access-Control-Allow-Origin"] == "*"


def test_other_methods_are_405_in_json(served: Served) -> None:
    """A POST to the API is refused with a JSON 405, not an HTML page."""
    request = urllib.request.Request(served.base + "/api/collections", data=b"{}", method="POST")  # noqa: S310
    try:
        urllib.request.urlopen(request, timeout=20)  # noqa: S310 (the test server)
    except urllib.error.HTTPError as error:
        with error:
            assert_error(Answer(error.code, error.headers, error.read()), 405)
    else:
        pytest.fail("POST was accepted")


def test_create_app_does_not_open_the_store(tmp_path: Path) -> None:
    """Building the app touches no database: the store opens when the server starts."""
    config = write_project(tmp_path / "project")
    app = create_app(load_settings(config))
    assert not (tmp_path / "project" / "data" / "app.db").exists()
    with running(app) as base:
        assert get(base + "/healthz").json() == {"status": "ok", "collections": {}}
        assert get(base + "/api/collections").json()["collections"] == []
    assert (tmp_path / "project" / "data" / "app.db").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_command_runs_the_app(tmp_path: Path) -> None:
    """python -m <package> serve --port N serves the API on 127.0.0.1 until stopped."""
    config = write_project(tmp_path / "project")
    assert ingest(load_settings(config))[0].loaded == 23
    port = free_port()
    command = [sys.executable, "-m", "local_data_app", "--config", str(config), "serve"]
    server = subprocess.Popen(  # noqa: S603
        [*command, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = get(f"http://127.0.0.1:{port}/healthz")
                break
            except urllib.error.URLError:
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        assert answer.json() == {"status": "ok", "collections": {"toilets": 23}}
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"Serving the app at http://127.0.0.1:{port}/ and its API at /api" in output
