"""The API's HTML pages: chosen by f=html or a browser's Accept header, linked both ways to the JSON, escaped.

Like test_api.py, these run the app in uvicorn on 127.0.0.1 on each kind of
store and talk to it with urllib, sending the Accept headers that browsers
and GIS clients send. The pages are read with the standard library's parser
(conftest.Page). The data holds markup in names, notes and ids, which must
come back as text.
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from conftest import HOSTILE_NAME, Answer, Page, Served, serving, toilet_rows
from openapi_spec_validator import validate

from local_data_app.ogc.html import HTML_CONFORMANCE
from local_data_app.web import negotiation
from local_data_app.web.openapi import PAGE_PATHS

# What Chromium and Firefox send when a person follows a link.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
ATTRIBUTE_NAME = '"><img src=x onerror=alert(1)>'
SCRIPT_NOTE = "<script>alert(2)</script>"
HOSTILE_ID = '"><b>T05</b>'
# Each resource: its address, the media type of its JSON, and a heading its page has.
RESOURCES = {
    "landing": ("/api", "application/json", "Public toilets in Testshire"),
    "conformance": ("/api/conformance", "application/json", "Conformance classes"),
    "collections": ("/api/collections", "application/json", "Collections"),
    "collection": ("/api/collections/toilets", "application/json", "Public toilets in Testshire"),
    "items": ("/api/collections/toilets/items", "application/geo+json", "Items of toilets"),
    "item": ("/api/collections/toilets/items/T03", "application/geo+json", "Toilet 3"),
}


def hostile_rows() -> list[dict[str, str]]:
    """The 23 toilets, one named with an attribute-breaking tag, one with a script in its notes and a hostile id."""
    rows = [{**row, "Notes": "", "InfoURL": ""} for row in toilet_rows()]
    rows[4]["LocationText"] = ATTRIBUTE_NAME
    rows[5].update(Ref=HOSTILE_ID, Notes=SCRIPT_NOTE, InfoURL="javascript:alert(3)")
    rows[6]["InfoURL"] = "https://www.testshire.example/toilets/6"
    return rows


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Served]:
    """The app for the 23 toilets with hostile values, on each kind of store, running on 127.0.0.1."""
    with serving(tmp_path_factory.mktemp("project"), hostile_rows(), web_database_url) as served:
        yield served


def fetch(url: str, accept: str | None = None, method: str = "GET") -> Answer:
    """A request to the test server with this Accept header (none if None), whatever its status."""
    assert url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {}, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (a test server on 127.0.0.1)
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, error.headers, error.read())


def with_f(path: str, f: str) -> str:
    return path + ("&" if "?" in path else "?") + f"f={f}"


def html_page(answer: Answer, status: int = 200) -> Page:
    assert answer.status == status, answer.text[:500]
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    return Page(answer.text)


def varies(headers: Message) -> bool:
    return "accept" in {part.strip().lower() for part in (headers.get("Vary") or "").split(",")}


def alternate_link(found: Page) -> dict[str, str]:
    """The page's one <link rel="alternate">: where its data is."""
    (link,) = found.find("link", rel="alternate")
    return link


# Choosing the representation


@pytest.mark.parametrize("kind", RESOURCES)
def test_f_html_gives_each_resource_as_a_page(served: Served, kind: str) -> None:
    """f=html answers each resource with a page under the site's layout, its heading from the document."""
    path, media_type, heading = RESOURCES[kind]
    answer = fetch(served.base + with_f(path, "html"))
    found = html_page(answer)
    assert not varies(answer.headers)  # f chose, not Accept
    assert found.find("h1")
    assert heading in found.text
    assert found.find("a", href="#main")  # the skip link of the site's base template
    assert [link for link in found.find("link", rel="stylesheet") if link["href"].startswith("/static/app.css?v=")]
    assert found.inline_scripts == 0
    link = alternate_link(found)
    assert link["type"] == media_type
    assert parse_qs(urlsplit(link["href"]).query)["f"] == ["json"]
    assert found.find("a", href=link["href"])  # visible too, not only in the head


@pytest.mark.parametrize("kind", RESOURCES)
def test_a_browsers_accept_gets_the_page_and_vary(served: Served, kind: str) -> None:
    """Without f, a browser's Accept header gets the same page, marked Vary: Accept for caches."""
    path, _, heading = RESOURCES[kind]
    answer = fetch(served.base + path, BROWSER)
    found = html_page(answer)
    assert varies(answer.headers)
    assert heading in found.text
    assert found.text == html_page(fetch(served.base + with_f(path, "html"))).text


@pytest.mark.parametrize("kind", RESOURCES)
@pytest.mark.parametrize(
    "accept",
    [None, "application/json", "application/geo+json", "*/*", "text/html;q=0.5, application/json", "text/html, */*"],
)
def test_programs_still_get_json(served: Served, kind: str, accept: str | None) -> None:
    """No Accept, JSON, GeoJSON, */* or any header not preferring HTML to JSON gets the JSON as before."""
    path, media_type, _ = RESOURCES[kind]
    answer = fetch(served.base + path, accept)
    assert answer.status == 200
    assert answer.headers["Content-Type"] == media_type
    assert answer.json()
    assert varies(answer.headers)


@pytest.mark.parametrize("kind", RESOURCES)
def test_f_json_is_json_even_for_a_browser(served: Served, kind: str) -> None:
    """f=json wins over a browser's Accept header, so the pages' JSON links open the JSON, without Vary."""
    path, media_type, _ = RESOURCES[kind]
    answer = fetch(served.base + with_f(path, "json"), BROWSER)
    assert answer.headers["Content-Type"] == media_type
    assert not varies(answer.headers)
    assert answer.json() == fetch(served.base + path).json() or kind == "items"  # items carry a time stamp


def test_items_keep_geojson_and_csv(served: Served) -> None:
    """f=geojson and f=csv still choose their formats, whatever the Accept header."""
    base = served.base + "/api/collections/toilets/items"
    assert fetch(base + "?f=geojson", BROWSER).headers["Content-Type"] == "application/geo+json"
    assert fetch(base + "?f=csv", BROWSER).headers["Content-Type"] == "text/csv; charset=utf-8"


def test_head_answers_as_get_without_the_body(served: Served) -> None:
    """HEAD of a page gives GET's status and headers, Content-Length included, and no body."""
    url = served.base + "/api/collections/toilets/items?limit=5&f=html"
    got, head = fetch(url), fetch(url, method="HEAD")
    assert (head.status, head.headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert head.body == b""
    assert head.headers["Content-Length"] == got.headers["Content-Length"] == str(len(got.body))
    assert varies(fetch(served.base + "/api/collections", BROWSER, method="HEAD").headers)


# Links between the two


@pytest.mark.parametrize("kind", RESOURCES)
def test_the_json_links_its_page_and_the_page_links_back(served: Served, kind: str) -> None:
    """Each JSON document has an alternate text/html link to its page, whose alternate link is the JSON again."""
    path, media_type, heading = RESOURCES[kind]
    document = fetch(served.base + path).json()
    (own,) = [link for link in document["links"] if link["rel"] == "self"]
    (page_link,) = [link for link in document["links"] if link["type"] == "text/html" and link["rel"] == "alternate"]
    assert page_link["href"] == with_f(own["href"], "html")
    found = html_page(fetch(page_link["href"]))
    assert heading in found.text
    back = fetch(alternate_link(found)["href"], BROWSER)
    assert back.headers["Content-Type"] == media_type
    assert (back.json() == document) or kind == "items"
    if kind == "items":
        assert back.json()["features"] == document["features"]


@pytest.mark.parametrize("kind", RESOURCES)
def test_every_api_link_of_a_page_names_its_format(served: Served, kind: str) -> None:
    """A browser following any of a page's links into the API gets what the link says: each carries its f."""
    path, _, _ = RESOURCES[kind]
    found = html_page(fetch(served.base + with_f(path, "html")))
    followed = 0
    for link in found.find("a"):
        parts = urlsplit(link["href"])
        if not (parts.path == "/api" or parts.path.startswith("/api/")) or parts.path.endswith("/openapi.json"):
            continue
        f = parse_qs(parts.query).get("f")
        assert f, link["href"]
        answer = fetch(link["href"], BROWSER)
        assert answer.status == 200, link["href"]
        assert answer.headers["Content-Type"].startswith("text/html") == (f == ["html"]), link["href"]
        followed += 1
    assert followed >= 2


def test_collections_each_link_their_page(served: Served) -> None:
    """Within /api/collections, each collection has its alternate page too, which the list links to."""
    document = fetch(served.base + "/api/collections").json()
    (collection,) = document["collections"]
    (page_link,) = [link for link in collection["links"] if link["rel"] == "alternate"]
    assert page_link["href"] == served.base + "/api/collections/toilets?f=html"
    found = html_page(fetch(served.base + "/api/collections?f=html"))
    assert found.find("a", href=page_link["href"])
    assert found.find("a", href=served.base + "/api/collections/toilets/items?f=html")


def test_the_landing_page_leads_to_every_page(served: Served) -> None:
    """The landing page links the collections and conformance pages, the API definition and the page about it."""
    found = html_page(fetch(served.base + "/api?f=html"))
    hrefs = {link["href"] for link in found.find("a")}
    assert {
        served.base + "/api/collections?f=html",
        served.base + "/api/conformance?f=html",
        served.base + "/api/openapi.json",
        served.base + "/api.html",
    } <= hrefs


def test_conformance_declares_the_html_class(served: Served) -> None:
    """The conformance document lists the HTML class, and its page names it and links its definition."""
    assert HTML_CONFORMANCE in fetch(served.base + "/api/conformance").json()["conformsTo"]
    found = html_page(fetch(served.base + "/api/conformance?f=html"))
    assert found.find("a", href=HTML_CONFORMANCE)


# The items page


def test_the_items_page_is_a_captioned_table_with_a_map_and_paging(served: Served) -> None:
    """A page of items is a table (caption, column and row headers), a map drawn from it and paging links."""
    answer = fetch(served.base + "/api/collections/toilets/items?limit=5&Category=Unisex&f=html")
    found = html_page(answer)
    assert found.find("caption")
    assert len(found.find("th", scope="row")) == 5
    assert {"Name", "Identifier", "Category", "Baby change", "Position (longitude, latitude)"} <= set(
        column_headers(answer.text)
    )
    rows = found.find("tr", data_feature="")
    assert len(rows) == 5
    assert all(row["data-href"].startswith("/api/collections/toilets/items/") for row in rows)
    (drawn,) = found.find("div", data_map="")
    assert drawn["data-list"] == "items-table"
    assert found.find("table", id="items-table")
    assert "Showing 1 to 5 of 8." in found.text
    (following,) = found.find("a", rel="next")
    assert not found.find("a", rel="prev")
    query = parse_qs(urlsplit(following["href"]).query)
    assert (query["offset"], query["Category"], query["f"]) == (["5"], ["Unisex"], ["html"])
    second = html_page(fetch(following["href"]))
    assert "Showing 6 to 8 of 8." in second.text
    assert len(second.find("tr", data_feature="")) == 3
    assert second.find("a", rel="prev")
    assert not second.find("a", rel="next")


def column_headers(text: str) -> list[str]:
    """The text of each column header of a page's table."""
    return [html.unescape(found) for found in re.findall(r'<th scope="col">\s*(.*?)\s*</th>', text)]


def test_the_items_page_in_a_grid_has_no_map(served: Served) -> None:
    """With crs=EPSG:27700 the table gives eastings and northings, and no map is drawn from them."""
    grid = quote("http://www.opengis.net/def/crs/EPSG/0/27700", safe="")
    answer = fetch(served.base + f"/api/collections/toilets/items?limit=3&crs={grid}&f=html")
    found = html_page(answer)
    assert "Position (easting, northing)" in answer.text
    assert not found.find("div", data_map="")
    assert not [row for row in found.find("tr", data_feature="") if "data-lat" in row]


def test_an_item_page_shows_every_field_and_its_map(served: Served) -> None:
    """One item's page lists its fields by title, links a web address, and maps its point."""
    found = html_page(fetch(served.base + "/api/collections/toilets/items/T06?f=html"))
    assert found.find("h1")
    assert "Category" in found.text
    assert "Baby change" in found.text
    assert found.find("a", href="https://www.testshire.example/toilets/6")
    (drawn,) = found.find("div", data_map="")
    (point,) = found.find("li", data_feature="")
    assert (point["data-lat"], point["data-lon"]) == ("53.46", "-2.29")
    assert drawn["data-list"] == "item-point"


# Escaping


def test_hostile_values_are_text_on_every_page(served: Served) -> None:
    """Names, notes and ids holding markup appear as text: no element, script or handler comes from the data."""
    items = fetch(served.base + "/api/collections/toilets/items?limit=23&f=html")
    hostile_id = quote(HOSTILE_ID, safe="")
    pages = [
        items,
        fetch(served.base + "/api/collections/toilets/items/T04?f=html"),
        fetch(served.base + f"/api/collections/toilets/items/{hostile_id}?f=html"),
        fetch(served.base + "/api/collections/toilets/items/T07", BROWSER),
    ]
    for answer in pages:
        found = html_page(answer)
        assert found.inline_scripts == 0
        assert not found.find("img")
        assert not found.find("b")
        assert "<script>alert" not in answer.text
        assert "onerror=alert(1)>" not in answer.text
        assert not [link for link in found.find("a") if link["href"].lower().startswith("javascript:")]
    listed = Page(items.text)
    assert {ATTRIBUTE_NAME, HOSTILE_NAME} <= {row["data-name"] for row in listed.find("tr", data_feature="")}
    assert SCRIPT_NOTE in listed.text
    assert HOSTILE_ID in listed.text
    assert "javascript:alert(3)" in listed.text  # shown, never linked
    assert ATTRIBUTE_NAME in Page(pages[1].text).title
    assert HOSTILE_ID in Page(pages[2].text).text


def test_a_hostile_query_is_text_in_the_pages_links(served: Served) -> None:
    """A filter value holding markup stays inside the paging links' addresses, percent-encoded."""
    value = quote(ATTRIBUTE_NAME)
    answer = fetch(served.base + f"/api/collections/toilets/items?LocationText={value}&f=html")
    found = html_page(answer)
    assert "Showing 1 to 1 of 1." in found.text
    assert not found.find("img")
    assert "onerror=alert(1)>" not in answer.text
    link = alternate_link(found)
    assert parse_qs(urlsplit(link["href"]).query)["LocationText"] == [ATTRIBUTE_NAME]


# Errors


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("bbox=1", ["bbox", "'1'", "four numbers"]),
        ("limit=0", ["limit"]),
        ("colour=%3Cscript%3E", ["colour", "not a parameter"]),
        ("Category=%3Cscript%3Ealert(1)%3C/script%3E", ["Category", "<script>alert(1)</script>"]),
    ],
)
@pytest.mark.parametrize("asked", ["f=html", "browser"])
def test_a_bad_parameter_asked_for_in_html_is_an_error_page(
    served: Served, query: str, words: list[str], asked: str
) -> None:
    """A 400 asked for in HTML is a page giving the same message as the JSON error, escaped."""
    path = served.base + "/api/collections/toilets/items?" + query
    answer = fetch(with_f(path, "html")) if asked == "f=html" else fetch(path, BROWSER)
    found = html_page(answer, 400)
    message = fetch(path).json()["description"]
    assert message in found.text
    for word in words:
        assert word in found.text
    assert found.inline_scripts == 0
    assert "<script>alert" not in answer.text
    assert "Traceback" not in answer.text
    assert varies(answer.headers) == (asked == "browser")


@pytest.mark.parametrize(
    "path",
    [
        "/api/collections/nowhere?f=html",
        "/api/collections/toilets/items/missing?f=html",
        "/api/no/such/address",
    ],
)
def test_a_missing_resource_asked_for_in_html_is_a_404_page(served: Served, path: str) -> None:
    """A 404 asked for in HTML is a page; the same address asked for as JSON stays a JSON error."""
    found = html_page(fetch(served.base + path, BROWSER), 404)
    assert found.find("h1")
    plain = fetch(served.base + path.replace("?f=html", ""))
    assert (plain.status, plain.headers["Content-Type"]) == (404, "application/json")
    assert plain.json()["description"] in found.text


def test_a_format_the_route_lacks_is_refused_in_the_form_asked_for(served: Served) -> None:
    """f=xml, no format at all, is a 400 in the form Accept asks for; f=csv asked for data, so its 400 is JSON."""
    assert fetch(served.base + "/api?f=xml").headers["Content-Type"] == "application/json"
    found = html_page(fetch(served.base + "/api?f=xml", BROWSER), 400)
    assert "f=html" in found.text
    assert fetch(served.base + "/api?f=csv", BROWSER).headers["Content-Type"] == "application/json"
    answer = fetch(served.base + "/api/collections/toilets/items.csv?f=html")
    assert (answer.status, answer.headers["Content-Type"]) == (400, "text/html; charset=utf-8")


# The API definition


def test_the_api_definition_offers_html_where_it_is_served(served: Served) -> None:
    """f lists html for every operation with a page, items.csv only csv, and the document stays valid OpenAPI."""
    document = fetch(served.base + "/api/openapi.json").json()
    validate(document)
    for path, operations in document["paths"].items():
        if not path.startswith("/api"):
            continue
        operation = operations["get"]
        (f,) = [parameter for parameter in operation["parameters"] if parameter.get("name") == "f"]
        enum = f["schema"]["enum"]
        assert ("html" in enum) == (path in PAGE_PATHS), path
        if path in PAGE_PATHS:
            assert "text/html" in operation["responses"]["200"]["content"], path
        assert "text/html" in operation["responses"]["400"]["content"], path
    csv = document["paths"]["/api/collections/{name}/items.csv"]["get"]
    assert [p["schema"]["enum"] for p in csv["parameters"] if p.get("name") == "f"] == [["csv"]]


# Choosing by Accept, on its own


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (BROWSER, True),
        ("text/html", True),
        ("text/*", True),
        ("TEXT/HTML;Q=1", True),
        ("application/json;q=0.9, text/html", True),
        (None, False),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ("application/geo+json", False),
        ("text/html, application/json", False),
        ("text/html;q=0.5, application/json", False),
        ("text/html;q=0, */*", False),
        ("text/html;q=abc", False),
        ("text/html;q=2", False),
        ("application/*, text/html;q=0.9", False),
        ("garbage, /, */html", False),
        ("text/html" + ", x/y" * 10_000, True),
    ],
)
def test_accept_prefers_html_only_above_json(accept: str | None, html: bool) -> None:
    """HTML only when the header rates text/html above every JSON type; a tie, a bad q or nothing is JSON."""
    assert negotiation.prefers_html(accept) is html
    assert negotiation.wants_html(None, accept) is html
    assert negotiation.wants_html("json", accept) is False
    assert negotiation.wants_html("html", accept) is True
