"""The live app's /api/datapackage.json, read as frictionless reads it, on each kind of store.

The collection holds more records than the API's largest page, so its CSV
download is a multipart resource: ``frictionless validate`` must read every
page the descriptor lists over HTTP and find every record, each as typed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import frictionless
import pytest
from conftest import Served, get, serving, toilet_rows
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from local_data_app.ogc.parameters import MAX_LIMIT

RECORDS = 2 * MAX_LIMIT + 100  # three pages of items.csv

# rdflib's own JSON-LD parser still builds a ConjunctiveGraph inside, which rdflib 7 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def many_rows() -> list[dict[str, str]]:
    """RECORDS toilets: the 23 test toilets again and again, each with its own id and place."""
    rows = toilet_rows()
    return [
        {
            **rows[index % len(rows)],
            "Ref": f"M{index}",
            "GeoX": f"{-2.4 + (index % 100) / 500:.5f}",
            "GeoY": f"{53.3 + (index // 100) / 500:.5f}",
        }
        for index in range(RECORDS)
    ]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("many"), many_rows(), web_database_url) as served:
        yield served


def test_frictionless_validates_the_live_datapackage_over_http(served: Served) -> None:
    """frictionless validate <app>/api/datapackage.json reads every page of the CSV download and finds it valid."""
    report = frictionless.validate(served.base + "/api/datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    (task,) = report.tasks
    assert task.stats["rows"] == RECORDS


def test_its_paths_are_the_csv_downloads_pages(served: Served) -> None:
    """One absolute address per page of items.csv, at the API's largest limit, in order; each answers CSV."""
    answer = get(served.base + "/api/datapackage.json")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    (resource,) = answer.json()["resources"]
    items = served.base + "/api/collections/toilets/items.csv"
    assert resource["path"] == [f"{items}?limit={MAX_LIMIT}&offset={offset}" for offset in (0, 1000, 2000)]
    last = get(resource["path"][-1])
    assert last.status == 200
    assert last.text.count("\n") == 1 + RECORDS - 2 * MAX_LIMIT  # the header and the last 100 records
    assert resource["schema"]["primaryKey"] == ["id"]


def test_the_landing_page_and_the_catalogue_link_it(served: Served) -> None:
    """The landing page links it as describedby (JSON, beside the DCAT); the DCAT's CSV conforms to it."""
    own = served.base + "/api/datapackage.json"
    links = get(served.base + "/api").json()["links"]
    described = {link["type"]: link["href"] for link in links if link["rel"] == "describedby"}
    assert described == {"application/ld+json": served.base + "/api/catalogue", "application/json": own}
    text = get(served.base + "/api/catalogue").text
    graph = Graph().parse(data=text, format="json-ld", publicID=served.base + "/api/catalogue")
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    conforming = {
        str(graph.value(item, DCAT.mediaType)): graph.value(item, DCTERMS.conformsTo)
        for item in graph.objects(dataset, DCAT.distribution)
    }
    assert conforming == {
        "https://www.iana.org/assignments/media-types/text/csv": URIRef(own),
        "https://www.iana.org/assignments/media-types/application/geo+json": None,
    }
    assert graph.value(URIRef(own), RDF.type) == DCTERMS.Standard


def test_it_answers_in_json_only(served: Served) -> None:
    """f=json is the same document; another format, or a parameter it does not take, is a 400 naming it."""
    assert get(served.base + "/api/datapackage.json?f=json").json() == get(served.base + "/api/datapackage.json").json()
    answer = get(served.base + "/api/datapackage.json?f=xml")
    assert answer.status == 400
    assert answer.json()["description"] == "f: 'xml' is not a format of this address; use f=json or leave f out"
    answer = get(served.base + "/api/datapackage.json?limit=5")
    assert answer.status == 400
    assert answer.json()["description"].startswith("'limit': not a parameter of this address.")


def test_the_openapi_document_declares_it(served: Served) -> None:
    """The route is in the OpenAPI document, its answer the DataPackage schema."""
    document = json.loads(get(served.base + "/api/openapi.json").text)
    operation = document["paths"]["/api/datapackage.json"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/DataPackage"}
