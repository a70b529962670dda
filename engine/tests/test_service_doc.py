"""The API described for people at /api.html (web/service_doc.py): the service-doc, made from the OpenAPI document."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from conftest import ESCAPED_SCRIPT, Page, Served, get, running, write_project

from local_data_app import schemas
from local_data_app.config import load_settings
from local_data_app.language import WELSH, using
from local_data_app.ogc.parameters import MAX_LIMIT
from local_data_app.web import create_app
from local_data_app.web.links import LIVE
from local_data_app.web.pages import render_text
from local_data_app.web.service_doc import accepts, example, resolved, service_doc_context, translated


def service_doc_link(base: str) -> dict[str, str]:
    (link,) = [item for item in get(base + "/api").json()["links"] if item["rel"] == "service-doc"]
    return link


def test_the_landing_page_links_the_page_as_service_doc(served: Served) -> None:
    """The landing page's service-doc link is an HTML page that answers."""
    link = service_doc_link(served.base)
    assert (link["href"], link["type"]) == (served.base + "/api.html", "text/html")
    answer = get(link["href"])
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"


def test_the_page_lists_every_route_of_the_document_with_its_parameters(served: Served) -> None:
    """Each route of the OpenAPI document has a heading, its path and each of its parameters by name.

    A collection's own items path for GDAL (/collections/toilets/items) is
    the templated items route again, so the page does not list it twice.
    """
    document = get(served.base + "/api/openapi.json").json()
    found = Page(get(served.base + "/api.html").text)
    headings = [text for text in found.texts if text.strip()]
    assert "/collections/toilets/items" in document["paths"]
    assert "GET /collections/toilets/items" not in found.text
    for path, operations in document["paths"].items():
        if "servers" in operations:
            continue
        assert operations["get"]["summary"] in headings, path
        assert f"GET {path}" in found.text
        for declared in operations["get"].get("parameters", []):
            parameter = resolved(document, declared)  # limit is a $ref to components/parameters
            assert parameter["name"] in found.text, (path, parameter["name"])
    assert f"a whole number, from 1 to {MAX_LIMIT}, default 10" in found.text


def test_every_example_address_answers(served: Served) -> None:
    """Each route's example is filled in from the served data and answers 200: the collection and a feature."""
    found = Page(get(served.base + "/api.html").text)
    examples = [attrs["href"] for attrs in found.find("a") if attrs["href"].startswith(served.base)]
    assert served.base + "/api/collections/toilets/items/T00" in examples
    assert served.base + "/healthz" in examples
    for href in examples:
        assert get(href).status == 200, href


def test_the_page_is_one_of_the_pages_reached_from_the_navigation(served: Served) -> None:
    """The navigation's "API for developers" leads here, marked as the current page."""
    home = Page(get(served.base + "/").text)
    assert home.find("a", href="/api.html")
    here = Page(get(served.base + "/api.html").text)
    assert here.find("a", href="/api.html", aria_current="page")
    assert "The data API" in here.title
    assert all(attrs["src"].startswith("/static/") for attrs in here.find("script"))


def test_without_data_the_page_says_there_is_no_example(tmp_path: Path) -> None:
    """Before ingest there is no collection to fill an example in: the routes are listed, the examples not."""
    with running(create_app(load_settings(write_project(tmp_path / "project")))) as base:
        found = Page(get(base + "/api.html").text)
    assert "There is no data yet to make an example address from." in found.text
    assert "GET /api/collections/{name}/items" in found.text
    assert not found.find("a", href=base + "/api/collections/{name}")


def test_text_from_the_document_is_shown_as_text(served: Served) -> None:
    """Markup in a summary or a parameter's description is escaped, never run."""
    state = served.app.state.api
    document = copy.deepcopy(served.app.openapi())
    operation = document["paths"]["/api/collections/{name}/items"]["get"]
    operation["summary"] = "<script>alert(1)</script>"
    operation["parameters"][0]["description"] = "<script>alert(1)</script>"
    context = service_doc_context(state, document, "http://127.0.0.1")
    text = render_text(state, "api.html", path="/api.html", links=LIVE, **context)
    assert "<script>alert" not in text
    assert text.count(ESCAPED_SCRIPT) == 2
    assert Page(text).inline_scripts == 0


def document_texts(document: dict[str, Any]) -> set[str]:
    """Every summary and description of the document's operations, parameters and answers."""
    found = set()
    for operations in document["paths"].values():
        operation = operations["get"]
        found |= {operation.get("summary", ""), operation.get("description", "")}
        for declared in operation.get("parameters", []):
            parameter = resolved(document, declared)
            found.add(parameter.get("description") or parameter.get("schema", {}).get("description", ""))
        found |= {answer.get("description", "") for answer in operation["responses"].values()}
    return found - {""}


@pytest.mark.parametrize("theme", sorted(schemas.themes()))
def test_every_summary_and_description_of_each_theme_has_welsh(tmp_path: Path, theme: str) -> None:
    """The untranslated strings of /cy/api.html: the document's texts are not extracted by pybabel, so check each.

    Each shipped theme's document differs by its fields' filters, whose one pattern is translated.
    """
    document = create_app(load_settings(write_project(tmp_path / "project", theme=theme))).openapi()
    texts = document_texts(document)
    assert len(texts) > 40
    with using(WELSH):
        untranslated = sorted(text for text in texts if translated(text) == text)
    assert not untranslated, f"no Welsh in locale/cy/LC_MESSAGES/messages.po for {untranslated}"


def test_a_field_filter_is_translated_by_its_pattern() -> None:
    """The field's name is kept; text that only looks like the pattern's start is left as it is."""
    with using(WELSH):
        assert translated("Only features whose Postcode is this value, read as ingest reads it.") == (
            "Dim ond y nodweddion y mae eu Postcode yn hafal i'r gwerth hwn, wedi'i ddarllen fel y darllenir y data "
            "wrth ei lwytho."
        )
        assert translated("Only features whose Postcode is odd.") == "Only features whose Postcode is odd."
    assert translated("Landing page") == "Landing page"  # English outside a Welsh page


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"type": "integer", "minimum": 1, "maximum": 9, "default": 5}, "a whole number, from 1 to 9, default 5"),
        ({"type": "integer", "minimum": 0}, "a whole number, at least 0"),
        ({"type": "number", "maximum": 5}, "a number, at most 5"),
        ({"type": "string", "enum": ["json", "csv"], "nullable": True}, "text, one of json, csv"),
        ({"type": "string", "enum": ["Unisex", None]}, "text, one of Unisex"),
        ({"type": "boolean"}, "true or false"),
        ({}, "text"),
    ],
)
def test_a_parameters_schema_in_words(schema: dict[str, object], words: str) -> None:
    """Its type, its values or bounds, then its default."""
    assert accepts(schema) == words


@pytest.mark.parametrize(
    ("path", "values", "expected"),
    [
        ("/api/collections", {}, "http://h/api/collections"),
        ("/api/collections/{name}", {"name": "toilets"}, "http://h/api/collections/toilets"),
        (
            "/api/collections/{name}/items/{feature_id}",
            {"name": "t", "feature_id": "T/22"},
            "http://h/api/collections/t/items/T%2F22",
        ),
        ("/api/collections/{name}/items/{feature_id}", {"name": "t"}, None),
    ],
)
def test_an_example_fills_the_path_in_or_is_none(path: str, values: dict[str, str], expected: str | None) -> None:
    """Path parameters take the served data's values, percent-encoded; without one there is no example."""
    assert example(path, "http://h", values) == expected
