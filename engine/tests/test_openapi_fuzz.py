"""The OpenAPI document declares every answer, and schemathesis fuzzes every operation on each store against it.

schemathesis reads /api/openapi.json from the served app and makes requests
for each operation from its declared parameters: valid ones, then invalid
ones (a parameter of the wrong type, out of range or not in its list).
Every answer must be no server error, of a status and a media type the
document declares for the operation, with a body that the declared schema
accepts, and an invalid request must be refused (but for a limit above the
declared maximum, which is clamped as OGC API - Features allows). Hypothesis
makes up to :data:`EXAMPLES` requests per operation and kind, derandomised,
so every run sends the same requests.

Half the time a parameter that names something takes a value from the served
data (its collection, its feature ids, a box and a point around its toilets,
its area), so the requests reach the pages of features and the features
themselves, not only the 400s and 404s of made-up names.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from conftest import CENTRE, Served, get, running, write_project
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from local_data_app.config import load_settings
from local_data_app.ingest import ingest
from local_data_app.ogc.parameters import MAX_LIMIT
from local_data_app.schemas import load_schema
from local_data_app.web import create_app
from local_data_app.web.openapi import RESPONSES

EXAMPLES = 50  # requests per operation and kind (valid or invalid)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# A limit above the declared maximum is clamped, as OGC API - Features allows, not refused: no rejection is expected.
ABOVE_THE_MAXIMUM = [check for check in CHECKS if check is not negative_data_rejection]
KNOWN = 0.5  # how often a parameter with values from the data takes one of them
# Each operation with valid requests, and each that takes parameters (so declares a 400) with invalid ones too.
FUZZED = [
    (path, mode)
    for path, answers in sorted(RESPONSES.items())
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode.is_positive or "400" in answers
]


def known_values(served: Served) -> dict[str, list[Any]]:
    """Values from the served data for the parameters that name something: what a client would send."""
    (collection,) = get(served.base + "/api/collections").json()["collections"]
    features = get(f"{served.base}/api/collections/{collection['id']}/items?limit=100").json()["features"]
    lon, lat = CENTRE
    return {
        "path.name": [collection["id"]],
        "path.feature_id": [feature["id"] for feature in features],
        "query.bbox": [f"{lon - 0.01},{lat - 0.01},{lon + 0.03},{lat + 0.02}", "-180,-90,180,90"],
        "query.near": [f"{lon},{lat}", f"{lon + 0.02},{lat + 0.03}"],
        "query.datetime": ["2024-03-05", "2024-01-01/2024-06-30", "2025-01-01/..", "../2024-02-05T12:00:00Z"],
        "query.area": [area["code"] for area in collection["areas"]],
        "query.Category": ["Unisex", "male urinal"],
        "query.BabyChange": ["yes", "no"],
    }


def load_document(base: str, known: dict[str, list[Any]] | None = None) -> schemathesis.BaseSchema:
    """A served app's OpenAPI document as schemathesis loads it, drawing on these values for their parameters."""
    known = known or {}
    config = SchemathesisConfig.from_dict(
        {
            "base-url": base,
            "dictionaries": {name: {"values": values} for name, values in known.items()},
            "parameters": {name: {"dictionary": name, "probability": KNOWN} for name in known},
        }
    )
    return schemathesis.openapi.from_url(base + "/api/openapi.json", config=config)


@pytest.fixture(scope="module")
def document(served: Served) -> schemathesis.BaseSchema:
    return load_document(served.base, known_values(served))


@pytest.mark.parametrize(("path", "mode"), FUZZED)
def test_every_answer_is_declared_and_none_is_a_server_error(
    document: schemathesis.BaseSchema, path: str, mode: GenerationMode
) -> None:
    """Generated requests get a 2xx or a 4xx whose status, media type and body the document declares.

    Valid requests reach a success at least once, so its schema is checked
    too, and invalid ones are refused at least once (some invalid values,
    such as the number 5 for a text parameter, are valid once in a URL).
    """
    statuses: Counter[int] = Counter()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=document[path]["GET"].as_strategy(generation_mode=mode))
    def fuzz(case: schemathesis.Case) -> None:
        checks = ABOVE_THE_MAXIMUM if limit_above_the_maximum(case) else CHECKS
        statuses[case.call_and_validate(checks=checks).status_code] += 1

    fuzz()
    assert statuses[200 if mode.is_positive else 400] > 0, statuses


def limit_above_the_maximum(case: schemathesis.Case) -> bool:
    """Whether a request asks for more features a page than the document's maximum, in digits as the API takes it."""
    limit = str((case.query or {}).get("limit", ""))
    return limit.isascii() and limit.isdigit() and int(limit) > MAX_LIMIT


def test_the_document_declares_every_answer_of_every_operation(served: Served) -> None:
    """Each operation lists the statuses of the table in web/openapi.py, each with a media type and a schema."""
    declared = get(served.base + "/api/openapi.json").json()
    # Besides the table's paths, the collection's own items path for GDAL, answering as the templated one does.
    assert set(declared["paths"]) == {*RESPONSES, "/collections/toilets/items"}
    for path, operations in declared["paths"].items():
        assert [key for key in operations if key != "servers"] == ["get"]
        responses = operations["get"]["responses"]
        table = RESPONSES["/api/collections/{name}/items" if "servers" in operations else path]
        assert set(responses) == set(table), path
        for status, response in responses.items():
            assert response["content"], (path, status)
            assert all("schema" in body for body in response["content"].values()), (path, status)
        if "400" in responses:  # every operation that takes parameters has its format parameter, f
            assert "f" in {parameter.get("name") for parameter in operations["get"]["parameters"]}, path


def test_a_features_properties_are_the_data_schemas_fields_typed_as_stored(served: Served) -> None:
    """Each field has its stored type; only required fields are never null; nothing undeclared is allowed."""
    schemas = get(served.base + "/api/openapi.json").json()["components"]["schemas"]
    properties = schemas["FeatureProperties"]
    fields = load_schema("public_toilets")["fields"]
    assert list(properties["properties"]) == [*(spec["name"] for spec in fields), "area_code", "area_name", "distance"]
    assert properties["required"] == [spec["name"] for spec in fields]
    assert properties["additionalProperties"] is False
    declared = properties["properties"]
    assert declared["ExtractDate"] == {"type": "string", "format": "date", "title": "Extract date"}
    assert (declared["BabyChange"]["type"], declared["BabyChange"].get("nullable")) == ("boolean", True)
    assert (declared["GeoX"]["type"], declared["GeoX"].get("nullable")) == ("number", None)
    assert declared["ChargeAmount"]["minimum"] == 0
    assert declared["Category"]["enum"][-1] is None  # OpenAPI 3.0 lets a nullable enum be null only if it lists null
    assert declared["UPRN"]["pattern"] == "^(?:[0-9]{1,12})$"
    for name in ("Link", "LandingPage", "Collection", "FeatureCollection", "Feature", "NotFound"):
        assert schemas[name]["additionalProperties"] is False, name


def test_a_generic_points_collection_answers_as_its_document_says(tmp_path: Path) -> None:
    """Another theme's features match the document made from its schema, with ids from the data or made up."""
    rows = [
        {"Ref": f"P{number}", "name": f"Place {number}", "category": "Park", "x": "-2.3", "y": f"{53.4 + number / 100}"}
        for number in range(3)
    ]
    rows.append({"Ref": "", "name": "No reference", "category": "", "x": "-2.31", "y": "53.41"})
    loaded = load_settings(write_project(tmp_path / "project", rows, name="places", theme="generic_points"))
    assert ingest(loaded)[0].loaded == 4
    with running(create_app(loaded)) as base:
        document = load_document(base)
        items = document["/api/collections/{name}/items"]["GET"]
        page = items.Case(path_parameters={"name": "places"}, query={"near": "-2.3,53.4"})
        features = page.call_and_validate(checks=CHECKS).json()["features"]
        assert len(features) == 4
        assert all(feature["properties"]["id"] == feature["id"] for feature in features)
        one = document["/api/collections/{name}/items/{feature_id}"]["GET"]
        for feature in features:
            case = one.Case(path_parameters={"name": "places", "feature_id": feature["id"]})
            assert case.call_and_validate(checks=CHECKS).json()["id"] == feature["id"]
        collection = document["/api/collections/{name}"]["GET"].Case(path_parameters={"name": "places"})
        assert "temporal" not in collection.call_and_validate(checks=CHECKS).json()["extent"]
