"""The API's pages in Welsh (/cy/api) in Chromium: axe-core finds nothing, and each links to its English page and back.

The project is the Welsh bake of baked.py's PROJECTS (a Welsh area, so its
pages are in English and Welsh), served by its own ``serve`` command; the
browser, axe-core, the local tile server and the checks of each visit are
test_accessibility.py's. Each page is reached as a person would reach it,
from the page before it, and is checked as that module checks every page: no
WCAG A/AA violation, no console error, CSP violation, dialog or outside request.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import pytest
import test_accessibility as shared
from baked import PROJECTS
from playwright.sync_api import BrowserContext, Page

# test_accessibility.py's fixtures, found by pytest by their names here: the served project, Chromium, axe-core.
axe, browser, context, site, tile_server = shared.axe, shared.browser, shared.context, shared.site, shared.tile_server
WELSH_PROJECT = "welsh-apache-ccby-generic-by-copier"
Site = shared.Site


def collection_name(site: Site) -> str:
    """The served project's first collection, from the API's JSON."""
    with urllib.request.urlopen(urljoin(site.url, "/api/collections?f=json"), timeout=10) as answer:
        return json.load(answer)["collections"][0]["id"]


def welsh_page(page: Page) -> None:
    """The page is Welsh, and its language switch leads to the English page, whose switch leads back."""
    assert page.locator("html").get_attribute("lang") == "cy"
    welsh_url = page.url
    switch = page.get_by_role("navigation", name="Iaith").get_by_role("link", name="English")
    assert switch.get_attribute("hreflang") == "en-GB"
    with page.expect_navigation():
        switch.click()
    assert page.locator("html").get_attribute("lang") == "en-GB"
    assert urlsplit(page.url).path == urlsplit(welsh_url).path.removeprefix("/cy")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Language").get_by_role("link", name="Cymraeg").click()
    assert page.url == welsh_url


def landing(page: Page, site: Site) -> int:
    """The Welsh API's landing page, from the English one's language switch."""
    page.goto(urljoin(site.url, "/api"))
    with page.expect_navigation():
        page.get_by_role("navigation", name="Language").get_by_role("link", name="Cymraeg").click()
    assert urlsplit(page.url).path == "/cy/api"
    assert page.get_by_role("heading", name="Beth sydd yn yr API").count() == 1
    return 200


def collections(page: Page, site: Site) -> int:
    page.goto(urljoin(site.url, "/cy/api"))
    with page.expect_navigation():
        page.get_by_role("link", name="Y casgliadau o ddata").click()
    assert urlsplit(page.url).path == "/cy/api/collections"
    return 200


def collection(page: Page, site: Site) -> int:
    page.goto(urljoin(site.url, "/cy/api/collections"))
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Am y casgliad ")).first.click()
    assert page.get_by_role("heading", name="Manylion").count() == 1
    return 200


def items(page: Page, site: Site) -> int:
    """A page of items with every row: the Welsh table and its map."""
    page.goto(urljoin(site.url, "/cy/api/collections"))
    link = page.get_by_role("link", name=re.compile(r"^Eitemau .+, mewn tabl ac ar fap$")).first
    status = page.goto(urljoin(page.url, link.get_attribute("href") + "&limit=100")).status
    assert page.locator("table caption").count() == 1
    assert page.get_by_text(re.compile(r"^Yn dangos 1 i ")).count() == 1
    return status


def item(page: Page, site: Site) -> int:
    page.goto(urljoin(site.url, f"/cy/api/collections/{collection_name(site)}/items?f=html"))
    with page.expect_navigation():
        page.locator("table th[scope=row] a").first.click()
    assert urlsplit(page.url).path.startswith("/cy/api/collections/")
    assert page.get_by_role("heading", name="Manylion").count() == 1
    return 200


def conformance(page: Page, site: Site) -> int:
    page.goto(urljoin(site.url, "/cy/api"))
    with page.expect_navigation():
        page.get_by_role("link", name="Y safonau y mae'r API hwn yn cydymffurfio â nhw").click()
    assert page.get_by_role("heading", name="Dosbarthiadau cydymffurfio").count() == 1
    return 200


def queryables(page: Page, site: Site) -> int:
    return page.goto(urljoin(site.url, f"/cy/api/collections/{collection_name(site)}/queryables?f=html")).status


def bad_parameter(page: Page, site: Site) -> int:
    """A mistake in a Welsh API address, in a browser: the error page says what is wrong in Welsh."""
    status = page.goto(urljoin(site.url, f"/cy/api/collections/{collection_name(site)}/items?bbox=1,2,3")).status
    assert page.get_by_text("nid yw '1,2,3' yn bedwar rhif").count() == 1
    return status


PAGE_TYPES: dict[str, tuple[Callable[[Page, Site], int], int]] = {
    "cy-api-landing": (landing, 200),
    "cy-api-collections": (collections, 200),
    "cy-api-collection": (collection, 200),
    "cy-api-items": (items, 200),
    "cy-api-item": (item, 200),
    "cy-api-conformance": (conformance, 200),
    "cy-api-queryables": (queryables, 200),
    "cy-api-400": (bad_parameter, 400),
}
ONLY_WELSH = pytest.mark.parametrize("site", [PROJECTS[WELSH_PROJECT]], ids=[WELSH_PROJECT], indirect=True)


@ONLY_WELSH
@pytest.mark.parametrize("kind", PAGE_TYPES.keys())
def test_every_welsh_api_page_is_accessible_and_error_free(
    site: Site, context: BrowserContext, axe: str, kind: str
) -> None:
    """axe-core finds no WCAG A/AA violation; no console error, CSP violation, dialog or outside request."""
    open_page, status = PAGE_TYPES[kind]
    page = context.new_page()
    visit = shared.watch(page)
    assert open_page(page, site) == status
    assert page.locator("html").get_attribute("lang") == "cy"
    shared.check_visit(page, visit, status)
    shared.check_axe(page, axe)


@ONLY_WELSH
@pytest.mark.parametrize("kind", [kind for kind, (_, status) in PAGE_TYPES.items() if status == 200])
def test_each_welsh_api_page_links_to_its_english_page_and_back(site: Site, context: BrowserContext, kind: str) -> None:
    """The switch of each Welsh page opens the same page in English, whose switch opens the Welsh one again."""
    open_page, _ = PAGE_TYPES[kind]
    page = context.new_page()
    open_page(page, site)
    welsh_page(page)
