"""The OGC API layer on its own: parameters in, documents out, no web framework, one client-error type."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Served, clean_settings_environment, get, toilet_rows, write_project

from local_data_app import ogc
from local_data_app.config import load_settings
from local_data_app.errors import ClientError
from local_data_app.export import export_site
from local_data_app.ingest import ingest
from local_data_app.store import open_store


def test_the_layer_imports_no_web_framework() -> None:
    """Importing the OGC layer loads neither FastAPI nor Starlette: the export and other frameworks can use it."""
    code = (
        "import sys, local_data_app.ogc; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'fastapi', 'starlette'}))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert shown.strip() == "[]"


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ogc.ApiState]:
    """The 23 toilets loaded into SQLite, as the routes and the export see them."""
    with clean_settings_environment():
        loaded = load_settings(write_project(tmp_path_factory.mktemp("ogc"), toilet_rows()))
        ingest(loaded)
        store = open_store(loaded.settings.database_url, loaded.project_dir)
        try:
            yield ogc.ApiState(store=store, settings=loaded.settings, schema=loaded.schema())
        finally:
            store.close()


URLS = ogc.ApiUrls("http://example.test/api")


def test_documents_come_from_parameters_without_a_request(state: ogc.ApiState) -> None:
    """The items document for checked parameters: paging links built from the Urls, counts from one snapshot."""
    query = ogc.items_query(state, {"Category": ["Unisex"], "limit": ["2"]})
    page = ogc.items(state, URLS, "toilets", query)
    assert page["numberMatched"] == 8
    assert [feature["properties"]["Category"] for feature in page["features"]] == ["Unisex", "Unisex"]
    rels = {item["rel"]: item["href"] for item in page["links"]}
    assert rels["next"] == "http://example.test/api/collections/toilets/items?Category=Unisex&limit=2&offset=2"
    assert rels["collection"] == "http://example.test/api/collections/toilets"
    assert ogc.items_csv(state, "toilets", query).count("\r\n") == 3


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ({"bbox": ["1,2"]}, "bbox", "is not four numbers"),
        ({"near": ["200,0"]}, "near", "outside the world"),
        ({"datetime": ["2024-02-01/2024-01-01"]}, "datetime", "ends before it starts"),
        ({"BabyChange": ["perhaps"]}, "BabyChange", "Give a value as the data holds it"),
        ({"area": ["E06000001"]}, "area", "not one of the app's areas"),
        ({"bbox": ["1,2,3,4", "1,2,3,4"]}, "bbox", "given more than once"),
        ({"colour": ["red"]}, "'colour'", "not a parameter of this address"),
    ],
)
def test_every_bad_parameter_is_a_400_naming_it(state: ogc.ApiState, query: dict, parameter: str, message: str) -> None:
    with pytest.raises(ClientError) as raised:
        ogc.items_query(state, query)
    assert (raised.value.status, raised.value.code, raised.value.parameter) == (400, "InvalidParameterValue", parameter)
    assert message in raised.value.message


def test_a_missing_collection_or_feature_is_a_404(state: ogc.ApiState) -> None:
    for call in (lambda: ogc.collection(state, URLS, "nothing"), lambda: ogc.item(state, URLS, "toilets", "T99")):
        with pytest.raises(ClientError) as raised:
            call()
        assert (raised.value.status, raised.value.code) == (404, "NotFound")


def test_an_item_links_to_itself_and_its_collection(served: Served) -> None:
    """A single feature has the collection link OGC API - Features asks for (/req/core/f-links)."""
    body = get(served.base + "/api/collections/toilets/items/T01").json()
    rels = {item["rel"]: item["href"] for item in body["links"]}
    assert rels["self"] == served.base + "/api/collections/toilets/items/T01"
    assert rels["collection"] == served.base + "/api/collections/toilets"


def test_the_export_and_the_live_api_describe_collections_alike(served: Served, tmp_path: Path) -> None:
    """collections.json is the live /api/collections document, but for its links (files instead of addresses).

    The data files are in CRS84 alone, so each collection lists that CRS only.
    """
    live = get(served.base + "/api/collections").json()
    with clean_settings_environment():
        export_site(load_settings(served.config), tmp_path / "site")
    exported = json.loads((tmp_path / "site" / "collections.json").read_text(encoding="utf-8"))

    def without_links(document: dict) -> dict:
        return {
            **{key: value for key, value in document.items() if key != "links"},
            "collections": [
                {k: v for k, v in one.items() if k not in {"links", "crs"}} for one in document["collections"]
            ],
        }

    assert without_links(exported) == without_links(live)
    assert [one["crs"] for one in exported["collections"]] == [["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]]
    (collection,) = exported["collections"]
    assert {item["href"] for item in collection["links"] if item["rel"] == "items"} == {
        "toilets.geojson",
        "toilets.csv",
    }
