"""The DCAT description, read as a harvester reads it: JSON-LD parsed into RDF with rdflib, live and exported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Served, get, write_project
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF
from test_languages import welsh  # noqa: F401 (the app in Welsh and English, a fixture found by its name)

from local_data_app.config import load_settings
from local_data_app.export import export_site
from local_data_app.ingest import ingest
from local_data_app.ogc.catalogue import LANGUAGE_URI, MEDIA_TYPE_URI

# rdflib's own JSON-LD parser still builds a ConjunctiveGraph inside, which rdflib 7 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
REQUIRED = (DCTERMS.title, DCTERMS.description, DCTERMS.identifier, DCTERMS.license, DCTERMS.publisher)


def graph_of(text: str, base: str) -> Graph:
    """The RDF a harvester reads from the document, relative addresses read against ``base``."""
    return Graph().parse(data=text, format="json-ld", publicID=base)


def test_the_live_catalogue_describes_each_collection_with_what_data_gov_uk_requires(served: Served) -> None:
    """/api/catalogue is JSON-LD: one dcat:Dataset per collection, each with title, description, identifier,
    licence, publisher, contact point, area and its GeoJSON and CSV distributions served by the OGC API."""
    answer = get(served.base + "/api/catalogue")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/ld+json")
    graph = graph_of(answer.text, served.base + "/api/catalogue")
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert dataset == URIRef(served.base + "/api/collections/toilets")
    for term in REQUIRED:
        assert graph.value(dataset, term) is not None, term
    assert graph.value(dataset, DCTERMS.license) == URIRef("https://spdx.org/licenses/OGL-UK-3.0")
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert graph.value(publisher, FOAF.name) == Literal("Testshire Council")
    contact = graph.value(dataset, DCAT.contactPoint)
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:open-data@testshire.example")
    assert graph.value(dataset, DCTERMS.spatial) == URIRef(
        "http://statistics.data.gov.uk/id/statistical-geography/E06000999"
    )
    media = {str(graph.value(item, DCAT.mediaType)) for item in graph.objects(dataset, DCAT.distribution)}
    assert media == {MEDIA_TYPE_URI + "application/geo+json", MEDIA_TYPE_URI + "text/csv"}
    for distribution in graph.objects(dataset, DCAT.distribution):
        url = str(graph.value(distribution, DCAT.accessURL))
        assert get(url).status == 200  # each distribution answers
        assert graph.value(distribution, DCAT.accessService) == URIRef(served.base + "/api")
    (service,) = graph.subjects(RDF.type, DCAT.DataService)
    assert graph.value(service, DCTERMS.conformsTo) == URIRef(
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
    )
    # One language: plain text, and the catalogue says which.
    assert graph.value(dataset, DCTERMS.title) == Literal("Public toilets in Testshire (toilets)")
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    assert list(graph.objects(catalog, DCTERMS.language)) == [URIRef(LANGUAGE_URI + "en")]


TEXTS = (DCTERMS.title, DCTERMS.description, DCAT.keyword)


def texts(graph: Graph) -> dict[str, set[str]]:
    """Every title, description and keyword of a catalogue, whatever it describes, by language."""
    found: dict[str, set[str]] = {}
    for term in TEXTS:
        for literal in graph.objects(None, term):
            assert isinstance(literal, Literal)
            found.setdefault(str(literal.language), set()).add(str(literal))
    return found


def test_a_catalogue_in_welsh_and_english_says_each_text_in_both(welsh: Served) -> None:  # noqa: F811
    """Each title, description and keyword in both languages, tagged, whichever address is harvested."""
    read = []
    for path in ("/api/catalogue", "/cy/api/catalogue"):
        answer = get(welsh.base + path)
        assert answer.status == 200
        read.append(graph_of(answer.text, welsh.base + path))
    graph = read[0]
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    assert set(graph.objects(catalog, DCTERMS.language)) == {URIRef(LANGUAGE_URI + code) for code in ("en", "cy")}
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    titles = {literal.language: str(literal) for literal in graph.objects(dataset, DCTERMS.title)}
    assert titles == {
        "en": "Public toilets in Testshire (toilets)",
        "cy": "Toiledau cyhoeddus yn ardal Testshire (toilets)",
    }
    described = {literal.language: str(literal) for literal in graph.objects(dataset, DCTERMS.description)}
    assert described["en"].startswith("Public toilets, one row per toilet,")
    assert described["en"].endswith(" 23 records, loaded " + str(graph.value(dataset, DCTERMS.modified)) + ".")
    assert described["cy"].startswith("Toiledau cyhoeddus, un rhes i bob toiled,")
    assert " 23 o gofnodion, wedi'u llwytho " in described["cy"]
    names = {str(graph.value(item, DCTERMS.title)) for item in graph.objects(dataset, DCAT.distribution)}
    assert len(names) == 2  # one of each distribution's two titles; both below
    found = texts(graph)
    assert set(found) == {"en", "cy"}  # nothing untagged
    assert {"toilets as GeoJSON", "toilets as CSV", "Testshire", "Public toilets"} <= found["en"]
    assert {"toilets fel GeoJSON", "toilets fel CSV", "Testshire", "Toiledau cyhoeddus"} <= found["cy"]
    assert len(found["en"]) == len(found["cy"])  # every text in both
    assert texts(read[1]) == found  # the same texts under /cy/api


def test_the_landing_page_links_the_catalogue(served: Served) -> None:
    """Harvesters and people find it from the API's landing page."""
    links = get(served.base + "/api").json()["links"]
    assert {"href": served.base + "/api/catalogue", "rel": "describedby", "type": "application/ld+json"}.items() <= {
        **next(link for link in links if link["rel"] == "describedby")
    }.items()


def test_the_catalogue_takes_no_parameters(served: Served) -> None:
    """A parameter it does not take is a 400 naming it."""
    answer = get(served.base + "/api/catalogue?f=xml")
    assert answer.status == 400
    assert answer.json()["description"] == "'f': not a parameter of this address. It takes no parameters."


def test_the_static_export_writes_the_catalogue_beside_its_data(tmp_path: Path) -> None:
    """catalogue.jsonld in the export describes the same dataset, its distributions the export's own files."""
    config = write_project(tmp_path / "project")
    loaded = load_settings(config)
    assert ingest(loaded)[0].loaded == 23
    export_site(loaded, tmp_path / "site")
    text = (tmp_path / "site" / "catalogue.jsonld").read_text(encoding="utf-8")
    json.loads(text)
    graph = graph_of(text, "https://example.invalid/site/catalogue.jsonld")
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    for term in REQUIRED:
        assert graph.value(dataset, term) is not None, term
    files = {
        str(graph.value(item, DCAT.accessURL)).removeprefix("https://example.invalid/site/")
        for item in graph.objects(dataset, DCAT.distribution)
    }
    assert all((tmp_path / "site" / name).is_file() for name in files), files
    conforming = {str(graph.value(item, DCTERMS.conformsTo)) for item in graph.objects(dataset, DCAT.distribution)}
    assert conforming == {"https://example.invalid/site/datapackage.json", "None"}  # the CSV's, beside it
    assert (tmp_path / "site" / "datapackage.json").is_file()
    assert not list(graph.subjects(RDF.type, DCAT.DataService))  # a static site has no API
