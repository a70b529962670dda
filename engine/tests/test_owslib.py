"""OWSLib, the OGC client library GIS tools build on, reads the API from a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import serving, toilet_rows
from owslib.ogcapi.features import Features


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Features]:
    """OWSLib's Features client pointed at the running app for an ingested project, on each kind of store."""
    with serving(tmp_path_factory.mktemp("project"), toilet_rows(), web_database_url) as served:
        yield Features(served.base + "/api/", timeout=20)


def test_owslib_reads_the_landing_page_and_conformance(client: Features) -> None:
    """OWSLib finds the API definition from the landing page and reads the conformance classes."""
    assert {link["rel"] for link in client.links} >= {"self", "service-desc", "conformance", "data"}
    assert client.api()["openapi"].startswith("3.0")
    conforms = client.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conforms
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conforms


def test_owslib_lists_and_describes_the_collections(client: Features) -> None:
    """OWSLib lists the collection and reads its extent."""
    assert client.feature_collections() == ["toilets"]
    toilets = client.collection("toilets")
    assert toilets["title"] == "Public toilets in Testshire"
    assert toilets["extent"]["spatial"]["bbox"] == [[-2.3, 53.45, -2.26, 53.49]]


def test_owslib_reads_items_with_bbox_and_limit(client: Features) -> None:
    """OWSLib's bbox and limit arrive as the standard parameters and select the right features."""
    page = client.collection_items("toilets", bbox=[-2.305, 53.445, -2.285, 53.465], limit=3)
    assert page["type"] == "FeatureCollection"
    assert (page["numberMatched"], page["numberReturned"]) == (4, 3)
    assert [feature["id"] for feature in page["features"]] == ["T00", "T01", "T05"]
    assert page["features"][0]["geometry"]["coordinates"] == [-2.3, 53.45]
    rest = client.collection_items("toilets", bbox=[-2.305, 53.445, -2.285, 53.465], limit=3, offset=3)
    assert [feature["id"] for feature in rest["features"]] == ["T06"]
    one = client.collection_item("toilets", "T05")
    assert one["properties"]["LocationText"] == "Toilet 5"


def test_owslib_reads_queryables_and_sends_filter_and_sortby(client: Features) -> None:
    """OWSLib reads the queryables, sends a CQL2 text filter and sortby, and gets the features they select."""
    assert {"geometry", "Category", "BabyChange"} <= set(client.collection_queryables("toilets")["properties"])
    page = client.collection_items(
        "toilets", filter="Category = 'Unisex' AND BabyChange = true", sortby=("LocationText", "desc"), limit=100
    )
    # Unisex is every third toilet and baby changing every other: 0, 6, 12 and 18, by name descending.
    assert [feature["id"] for feature in page["features"]] == ["T06", "T18", "T12", "T00"]
