"""The OpenAPI document at /api/openapi.json: valid OpenAPI 3.0, its paging bounds declared, served as its link says.

tests/test_openapi_fuzz.py holds the app's answers to the document; these
tests hold the document to the OpenAPI 3.0 specification, with
openapi-spec-validator, for every theme the engine ships.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Served, get, write_project
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from local_data_app import schemas
from local_data_app.config import load_settings
from local_data_app.ogc.parameters import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET
from local_data_app.web import create_app
from local_data_app.web.openapi import closed

ITEMS_PATHS = ("/api/collections/{name}/items", "/api/collections/{name}/items.csv")


def served_document(served: Served) -> dict[str, Any]:
    document: dict[str, Any] = get(served.base + "/api/openapi.json").json()
    return document


def items_parameter(document: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    """The operation's parameter of this name, following a ``$ref`` to ``components/parameters``."""
    parameters = document["components"].get("parameters", {})
    declared = [
        parameters[item["$ref"].rsplit("/", 1)[1]] if "$ref" in item else item
        for item in document["paths"][path]["get"]["parameters"]
    ]
    (found,) = [item for item in declared if item["name"] == name]
    return found


def keys(value: Any) -> Iterator[str]:
    """Every key of every object in a JSON document, however deep."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys(item)


def test_the_served_document_passes_the_openapi_validator(served: Served) -> None:
    """openapi-spec-validator finds nothing wrong with the document the app serves."""
    validate(served_document(served))


@pytest.mark.parametrize("theme", sorted(schemas.themes()))
def test_every_themes_document_passes_the_openapi_validator(tmp_path: Path, theme: str) -> None:
    """Each shipped theme's fields make a valid document too: the feature schema and filters differ by theme."""
    app = create_app(load_settings(write_project(tmp_path / "project", theme=theme)))
    validate(app.openapi())


@pytest.mark.parametrize(
    ("fault", "where"),
    [
        ("ge", "limit"),  # pydantic's name for a minimum, which OpenAPI does not know
        ("required", "extent"),  # an empty list of required properties
    ],
)
def test_the_validator_refuses_the_faults_the_document_once_had(served: Served, fault: str, where: str) -> None:
    """The validation has teeth: the document with either past fault put back fails it."""
    document = copy.deepcopy(served_document(served))
    if where == "limit":
        items_parameter(document, ITEMS_PATHS[0], "limit")["schema"]["ge"] = 1
    else:
        document["components"]["schemas"]["Collection"]["properties"]["extent"]["required"] = []
    with pytest.raises(OpenAPIValidationError):
        validate(document)


@pytest.mark.parametrize("path", ITEMS_PATHS)
def test_limit_declares_its_default_and_its_maximum(served: Served, path: str) -> None:
    """limit says it is 1 to MAX_LIMIT, default 10, so that GDAL and QGIS ask for the largest pages."""
    schema = items_parameter(served_document(served), path, "limit")["schema"]
    assert (schema["type"], schema["minimum"], schema["maximum"], schema["default"]) == (
        "integer",
        1,
        MAX_LIMIT,
        DEFAULT_LIMIT,
    )
    assert (DEFAULT_LIMIT, MAX_LIMIT) == (10, 1000)
    offset = items_parameter(served_document(served), path, "offset")["schema"]
    assert (offset["minimum"], offset["maximum"], offset["default"]) == (0, MAX_OFFSET, 0)


def test_limit_is_declared_once_where_qgis_reads_its_maximum(served: Served) -> None:
    """Both items operations refer to components/parameters/limit, the one place QGIS reads the maximum from."""
    document = served_document(served)
    for path in ITEMS_PATHS:
        assert {"$ref": "#/components/parameters/limit"} in document["paths"][path]["get"]["parameters"]
    assert document["components"]["parameters"]["limit"]["schema"]["maximum"] == MAX_LIMIT


def test_no_schema_holds_pydantics_own_constraint_names(served: Served) -> None:
    """ge, le, gt and lt are pydantic's: the document states bounds as minimum and maximum only."""
    assert not {"ge", "le", "gt", "lt"} & set(keys(served_document(served)))


def test_an_object_whose_properties_are_all_optional_lists_none_as_required() -> None:
    """OpenAPI 3.0 wants required to name at least one property, so it is left out rather than empty."""
    assert "required" not in closed({"a": {"type": "string"}}, optional=["a"])
    assert closed({"a": {"type": "string"}, "b": {"type": "string"}}, optional=["b"])["required"] == ["a"]


def test_the_collection_extent_requires_nothing(served: Served) -> None:
    """A collection without located or dated features has an extent with neither box nor interval."""
    extent = served_document(served)["components"]["schemas"]["Collection"]["properties"]["extent"]
    assert "required" not in extent
    assert set(extent["properties"]) == {"spatial", "temporal"}


def test_the_document_is_served_with_the_media_type_its_link_gives(served: Served) -> None:
    """The landing page's service-desc link and the document's Content-Type agree: OpenAPI 3.0 in JSON."""
    (link,) = [item for item in get(served.base + "/api").json()["links"] if item["rel"] == "service-desc"]
    answer = get(link["href"])
    assert answer.status == 200
    assert answer.headers["Content-Type"] == link["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert answer.json()["openapi"].startswith("3.0.")
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


def test_each_collection_has_its_own_items_path_where_gdal_looks(served: Served) -> None:
    """/collections/toilets/items, under a server of /api, is the items operation with the name fixed.

    GDAL reads which fields it may send as filters, and from 3.8 limit's
    maximum, only from this path; a request to the address it names answers
    as the templated path does.
    """
    document = served_document(served)
    item = document["paths"]["/collections/toilets/items"]
    assert item["servers"] == [{"url": "/api"}]
    own, templated = item["get"], document["paths"]["/api/collections/{name}/items"]["get"]
    assert own["responses"] == templated["responses"]
    assert own["operationId"] != templated["operationId"]
    assert [p for p in templated["parameters"] if p.get("in") != "path"] == own["parameters"]
    assert {"$ref": "#/components/parameters/limit"} in own["parameters"]
    assert {"Category", "BabyChange"} <= {p.get("name") for p in own["parameters"]}
    answer = get(served.base + item["servers"][0]["url"] + "/collections/toilets/items?Category=Unisex&limit=5")
    assert answer.status == 200
    assert answer.json()["features"]
    assert {feature["properties"]["Category"] for feature in answer.json()["features"]} == {"Unisex"}
