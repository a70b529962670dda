"""The API in Welsh under /cy/api: its pages, its documents' titles and its 400 messages, linked to the English.

A project with ``languages = ["en", "cy"]`` serves the same API at /api and
/cy/api: the pages (``f=html``) and the titles in the JSON documents are in
the address's language, the links stay within it, the data is the same, and
a mistake in a parameter is explained in that language, in JSON, on the
API's error page and on the Welsh home page. The app is test_languages.py's,
in uvicorn on 127.0.0.1, on each kind of store.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import test_languages as shared
from conftest import Page, Served, get

# test_languages.py's app of 23 toilets in English and Welsh, a fixture found by pytest by its name here.
welsh = shared.welsh
html_lang, switch = shared.html_lang, shared.switch

# Each page of the API, and a sentence of its own Welsh (from its template or from ogc/html.py).
PAGES = {
    "/api?f=html": "Beth sydd yn yr API",
    "/api/conformance?f=html": "Dosbarthiadau cydymffurfio",
    "/api/collections?f=html": "Am y casgliad toilets",
    "/api/collections/toilets?f=html": "Eitemau toilets, mewn tabl ac ar fap",
    "/api/collections/toilets/items?f=html": "Yn dangos 1 i 10 o 23.",
    "/api/collections/toilets/queryables?f=html": "Meysydd ymholi toilets",
}
FEATURE = "/api/collections/toilets/items/{id}?f=html"


def first_feature(served: Served) -> str:
    """The address of the first toilet's page in the API, in English."""
    items = get(served.base + "/api/collections/toilets/items?limit=1").json()
    return FEATURE.format(id=quote(str(items["features"][0]["id"]), safe=""))


def is_api(path: str) -> bool:
    """Whether a path is the API's (in any language), but its page for people (/api.html, /cy/api.html)."""
    return path in {"/api", "/cy/api"} or path.startswith(("/api/", "/cy/api/"))


def same_page(href: str, english: str) -> None:
    """``href`` is the page at ``english`` (path and query, the query in any order)."""
    wanted = urlsplit(english)
    found = urlsplit(href)
    assert found.path == wanted.path, (href, english)
    assert sorted(parse_qsl(found.query)) == sorted(parse_qsl(wanted.query)), (href, english)


@pytest.mark.parametrize("path", [*PAGES, FEATURE])
def test_each_api_page_is_in_welsh_under_cy_and_links_to_its_english(welsh: Served, path: str) -> None:
    """/cy/api/... says lang="cy", speaks Welsh, links within /cy/api, and links to its English page and back."""
    if path == FEATURE:
        path = first_feature(welsh)
    answer = get(welsh.base + "/cy" + path)
    assert answer.status == 200, answer.text[:300]
    assert html_lang(answer.text) == "cy"
    found = Page(answer.text)
    assert "API data" in found.title
    assert "Y dudalen hon fel data" in found.text
    assert PAGES.get(path, "Manylion") in found.text
    assert "This page as data" not in found.text
    (link,) = switch(found)
    assert link["hreflang"] == "en-GB"
    same_page(link["href"], path)
    (alternate,) = found.find("link", rel="alternate", hreflang="en-GB")
    same_page(alternate["href"], path)
    within = [  # the links to the API's pages and documents, but the switch's and the page for people
        a["href"] for a in found.find("a") if "hreflang" not in a and is_api(urlsplit(a.get("href", "")).path)
    ]
    assert within
    assert all(urlsplit(href).path.startswith("/cy/api") for href in within), within
    english = get(welsh.base + path)
    assert html_lang(english.text) == "en-GB"
    found = Page(english.text)
    assert "This page as data" in found.text
    assert "Y dudalen hon" not in found.text
    (link,) = switch(found)
    assert link["hreflang"] == "cy"
    same_page(link["href"], "/cy" + path)


def test_the_welsh_documents_have_welsh_titles_and_the_same_data(welsh: Served) -> None:
    """JSON under /cy/api: Welsh titles and links under /cy/api; the features themselves are the English ones."""
    landing = get(welsh.base + "/cy/api").json()
    assert landing["title"] == "Toiledau cyhoeddus yn ardal Testshire"
    assert landing["description"].startswith("Data agored am Testshire")
    links = {link["rel"]: link for link in landing["links"]}
    assert links["data"] == {
        "href": welsh.base + "/cy/api/collections",
        "rel": "data",
        "type": "application/json",
        "title": "Y casgliadau o ddata",
    }
    assert links["service-doc"] == {
        "href": welsh.base + "/cy/api.html",  # the page describing the API, in Welsh too
        "rel": "service-doc",
        "type": "text/html",
        "title": "Disgrifiad o'r API i bobl, gydag enghreifftiau",
    }
    collection = get(welsh.base + "/cy/api/collections/toilets").json()
    english = get(welsh.base + "/api/collections/toilets").json()
    assert collection["title"] == "Toiledau cyhoeddus yn ardal Testshire"
    assert "Llwythwyd" in collection["description"]
    assert collection["provenance"] == english["provenance"]
    assert collection["extent"] == english["extent"]
    quality = {link["rel"]: link for link in get(welsh.base + "/cy/api/collections/toilets/quality").json()["links"]}
    assert quality["alternate"]["href"] == welsh.base + "/cy/quality#quality-toilets"  # the Welsh quality page
    assert quality["alternate"]["title"] == "Hwn fel tudalen"
    welsh_items = get(welsh.base + "/cy/api/collections/toilets/items?limit=5").json()
    english_items = get(welsh.base + "/api/collections/toilets/items?limit=5").json()
    assert [(f["id"], f["properties"], f["geometry"]) for f in welsh_items["features"]] == [
        (f["id"], f["properties"], f["geometry"]) for f in english_items["features"]
    ]
    assert {link["rel"]: link["href"] for link in welsh_items["links"]}["next"].startswith(
        welsh.base + "/cy/api/collections/toilets/items?"
    )


def test_english_documents_are_unchanged(welsh: Served) -> None:
    landing = get(welsh.base + "/api").json()
    assert landing["title"] == "Public toilets in Testshire"
    assert landing["description"] == "Open data about Testshire from Testshire Council, served as OGC API - Features."
    assert {link["rel"]: link["title"] for link in landing["links"]}["data"] == "The collections of data"


# A parameter's mistake: the English message, and a phrase the Welsh one holds.
MISTAKES = {
    "bbox=1,2,3": ("bbox: '1,2,3' is not four numbers", "bbox: nid yw '1,2,3' yn bedwar rhif"),
    "datetime=yesterday": ("datetime: 'yesterday' is not a date", "datetime: nid yw 'yesterday' yn ddyddiad"),
    "limit=0": (
        "limit: Input should be greater than or equal to 1 (got '0')",
        "limit: dylai fod yn 1 neu fwy (rhoddwyd '0')",
    ),
    "offset=x": (
        "offset: Input should be a whole number",
        "offset: dylai fod yn rhif cyfan wedi'i ysgrifennu mewn digidau",
    ),
    "sortby=Nothing": ("is not a field of this collection", "nid yw 'Nothing' yn un o feysydd y casgliad hwn"),
    "area=X": ("area: 'X' is not an ONS GSS code", "area: nid yw 'X' yn god GSS yr ONS"),
    "open_now=maybe": ("open_now: 'maybe' is not true or false", "nid yw 'maybe' yn true nac yn false"),
    # A holds box of the theme's resident filters (ogc/boxes.py).
    "accessible=maybe": ("give accessible=true, or leave it out", "rhowch accessible=true, neu gadewch ef allan"),
    "crs=EPSG:3857": ("is not a coordinate system of this API", "nid yw 'EPSG:3857' yn un o systemau cyfesurynnau"),
    "filter=Category%3D'Unisex'&filter-lang=sql": (
        "filter-lang: 'sql' is not a filter language here",
        "nid yw 'sql' yn iaith hidlo yma",
    ),
    "filter=Nothing%3D1": (
        "'Nothing' is not a queryable of this collection",
        "nid yw 'Nothing' yn un o feysydd ymholi",
    ),
    "filter=Category%3D": (
        "ends before its condition does",
        "yn gorffen cyn diwedd ei amod; fel Category = 'Unisex'",
    ),
    "colour=red": ("'colour': not a parameter of this address", "'colour': nid yw'n un o baramedrau'r cyfeiriad hwn"),
    # A field's filter: why the value cannot be read as the field's type, as ingest reads it (normalise.py).
    "BabyChange=perhaps": ("'perhaps' is not yes or no", "nid yw 'perhaps' yn ie neu na"),
    "Category=Shed": ("'Shed' is not one of", "nid yw 'Shed' yn un o"),
}


@pytest.mark.parametrize("query", MISTAKES)
def test_a_welsh_mistake_is_explained_in_welsh_in_json_and_on_the_page(welsh: Served, query: str) -> None:
    """The same 400 under /api and /cy/api: the same code and parameter, its message in each one's language."""
    english_words, welsh_words = MISTAKES[query]
    items = "/api/collections/toilets/items?" + query
    english = get(welsh.base + items)
    assert english.status == 400
    assert english_words in english.json()["description"]
    answer = get(welsh.base + "/cy" + items)
    assert answer.status == 400
    assert answer.json()["code"] == english.json()["code"] == "InvalidParameterValue"
    assert welsh_words in answer.json()["description"]
    page = get(welsh.base + "/cy" + items + "&f=html")
    assert page.status == 400
    assert html_lang(page.text) == "cy"
    assert welsh_words in Page(page.text).text
    assert "Mae'n ddrwg gennym, mae problem" in Page(page.text).text


def test_a_missing_collection_is_a_welsh_404(welsh: Served) -> None:
    answer = get(welsh.base + "/cy/api/collections/nothing")
    assert answer.status == 404
    assert answer.json()["description"].startswith("Nid oes casgliad o'r enw 'nothing'.")


@pytest.mark.parametrize(
    ("query", "english_words", "welsh_words"),
    [
        ("datetime=yesterday", "'yesterday' is not a date", "nid yw 'yesterday' yn ddyddiad"),
        ("open_now=maybe", "'maybe' is not true or false", "nid yw 'maybe' yn true nac yn false"),
        ("near=91,0", "'91,0' is not on Earth", "Nid yw '91,0' ar y Ddaear"),
    ],
)
def test_the_welsh_home_page_shows_the_api_s_messages_in_welsh(
    welsh: Served,
    query: str,
    english_words: str,
    welsh_words: str,
) -> None:
    """The search form's error summary holds the OGC layer's message, in the page's language."""
    answer = get(welsh.base + "/cy/?" + query)
    assert answer.status == 400
    assert welsh_words in Page(answer.text).text
    assert english_words not in Page(answer.text).text
    answer = get(welsh.base + "/?" + query)
    assert answer.status == 400
    assert english_words in Page(answer.text).text


def test_the_api_s_page_for_people_is_in_welsh_under_cy(welsh: Served) -> None:
    """/cy/api.html says lang="cy", speaks Welsh, and links to /api.html and back, as the other pages do."""
    answer = get(welsh.base + "/cy/api.html")
    assert answer.status == 200, answer.text[:300]
    assert html_lang(answer.text) == "cy"
    found = Page(answer.text)
    assert found.title.startswith("Yr API data - ")
    assert "Paramedrau" in found.text
    assert "Yn yr ymholiad, dewisol: rhif cyfan, o 1 i" in found.text  # limit's schema in words
    assert "Parameters" not in found.texts
    assert found.find("a", href="/cy/api.html", aria_current="page")  # the footer's link, in Welsh
    (link,) = switch(found)
    assert (link["hreflang"], link["href"]) == ("en-GB", "/api.html")
    (alternate,) = found.find("link", rel="alternate", hreflang="en-GB")
    assert alternate["href"] == "/api.html"
    english = Page(get(welsh.base + "/api.html").text)
    assert [(link["hreflang"], link["href"]) for link in switch(english)] == [("cy", "/cy/api.html")]
    assert "Parameters" in english.texts


def test_the_welsh_page_lists_every_route_with_welsh_summaries_and_descriptions(welsh: Served) -> None:
    """Each route's summary, description and parameters' descriptions in Welsh; the OpenAPI document stays English."""
    document = get(welsh.base + "/api/openapi.json").json()
    assert document == get(welsh.base + "/cy/api/openapi.json").json()
    found = Page(get(welsh.base + "/cy/api.html").text)
    headings = [text.strip() for text in found.texts if text.strip()]
    listed = {path: operations["get"] for path, operations in document["paths"].items() if "servers" not in operations}
    assert len(listed) > 8
    for path, operation in listed.items():
        assert f"GET {path}" in found.text
        assert operation["summary"] not in headings, path  # the English summary is not shown
        assert operation["description"] not in found.text, path
    assert "Tudalen lanio" in headings
    assert "Eitemau casgliad" in headings
    assert "Gwiriad iechyd" in headings
    assert "Sawl nodwedd sy'n cyfateb i'w hepgor." in found.text  # offset
    # A field filter's description: its pattern in Welsh with the field's name; a resident filter's with its label.
    assert "Dim ond y nodweddion y mae eu Category yn hafal i'r gwerth hwn" in found.text
    assert "Only features whose" not in found.text
    assert 'yr hidlydd "Toiled hygyrch" ar y tudalennau' in found.text
    assert "Mae'r storfa'n ateb: cyfrif pob casgliad." in found.text  # a status's description


def test_the_welsh_page_s_examples_are_under_cy_api_and_answer(welsh: Served) -> None:
    """The API's examples are its Welsh addresses (/cy/api/...); the health checks are the same in every language."""
    found = Page(get(welsh.base + "/cy/api.html").text)
    examples = [attrs["href"] for attrs in found.find("a") if attrs["href"].startswith(welsh.base)]
    assert welsh.base + "/cy/api/collections/toilets" in examples
    assert welsh.base + "/healthz" in examples
    api = [href for href in examples if is_api(urlsplit(href).path.removeprefix("/cy"))]
    assert len(api) > 5
    assert all(urlsplit(href).path.startswith("/cy/api") for href in api), api
    for href in examples:
        assert get(href).status == 200, href


def test_the_welsh_api_s_landing_page_for_people_links_the_welsh_page(welsh: Served) -> None:
    """The Welsh landing page (f=html) links /cy/api.html, not marked as English; the English one links /api.html."""
    for base, page in ((welsh.base + "/cy", "/cy/api.html"), (welsh.base, "/api.html")):
        answer = get(base + "/api?f=html")
        pages = [urlsplit(a["href"]).path for a in Page(answer.text).find("a") if a["href"].endswith("api.html")]
        assert len(pages) == 2, pages  # the service-doc link, and the footer's
        assert set(pages) == {page}
        assert "(yn Saesneg)" not in answer.text
    english = {link["rel"]: link for link in get(welsh.base + "/api").json()["links"]}
    assert english["service-doc"]["href"] == welsh.base + "/api.html"
    assert english["service-doc"]["title"] == "The API described for people, with examples"


def test_an_english_only_project_s_api_pages_have_no_switch(served: Served) -> None:
    """Without Welsh in languages: no language switch on the API's pages, and /cy/api is not found."""
    found = Page(get(served.base + "/api/collections?f=html").text)
    assert not switch(found)
    assert not found.find("link", rel="alternate", hreflang="")
    assert get(served.base + "/cy/api/collections").status == 404
    assert get(served.base + "/cy/api.html").status == 404


def test_the_welsh_api_is_open_data_like_the_english(welsh: Served) -> None:
    """Other sites' scripts may read /cy/api as they read /api: CORS on its answers and on its preflight."""
    answer = get(welsh.base + "/cy/api/collections")
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    preflight = get(
        welsh.base + "/cy/api/collections",
        "OPTIONS",
        Origin="https://elsewhere.example",
        **{"Access-Control-Request-Method": "GET"},
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in get(welsh.base + "/cy/about").headers
