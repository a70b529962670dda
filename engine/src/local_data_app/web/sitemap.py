"""sitemap.xml and robots.txt: the people's pages, listed for search engines, so residents find the service.

The sitemap lists the home, about, accessibility and privacy pages and every
record's page, by its full address, as the sitemaps protocol
(sitemaps.org) requires. One file holds at most :data:`URLS_PER_FILE` (the
protocol's limit of 50,000); with more, ``sitemap.xml`` is a sitemap index
naming ``sitemap-1.xml``, ``sitemap-2.xml`` and so on, each read from the
store a page of records at a time, so no request or export holds them all.
Records are listed in load order, collection by collection, as the store
pages them; a record's ``lastmod`` is the day its collection was last loaded.
With more than one language, each page's entry names its version in each
(``xhtml:link`` with ``hreflang``), as search engines read them.

robots.txt names the sitemap and keeps crawlers to the pages: off the API
(``/api/``), whose pages hold the same records for programs, and off
addresses with a query (searches and later pages of results), which are
endless variations of the home page.

The live app (:data:`router`) writes addresses from the request's base URL,
which the Host check (hosts.py) has made the public address or a host the app
serves; the static export from ``[export] public_url``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from ..errors import not_found, shown
from ..language import LANGUAGES
from ..ogc.state import ApiState
from .api import State
from .links import LIVE, Links

URLS_PER_FILE = 50_000  # the sitemaps protocol's limit per file
# Records read a query at a time: each later query skips those before it, so fewer, larger ones are quicker
# (a file of 50,000 records took 2.4 s in 10,000s and 4.6 s in 1,000s, on SQLite on a busy 2-core machine).
BATCH = 10_000
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"  # its link element names a page's version in each language (hreflang)
XML_MEDIA_TYPE = "application/xml"
SITEMAP = "sitemap.xml"


@dataclass(frozen=True)
class Entry:
    """One page of the sitemap: its address (from the top of the site) and the day it last changed, if known."""

    path: str
    lastmod: str | None = None
    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, path) of each language's version, itself included


def entry(state: ApiState, links: Links, address: Callable[[Links], str], lastmod: str | None = None) -> Entry:
    """A page's entry, naming its version in each of the project's languages when it has more than one."""
    languages = state.settings.place.languages
    alternates = tuple(
        (LANGUAGES[code].tag, address(links.translated(LANGUAGES[code]))) for code in languages if len(languages) > 1
    )
    return Entry(address(links), lastmod, alternates)


def fixed_pages(state: ApiState, links: Links) -> list[Entry]:
    """The pages every site has: home, about, accessibility statement and privacy notice."""
    pages: list[Callable[[Links], str]] = [
        lambda each: each.home(),
        lambda each: each.about(),
        lambda each: each.accessibility(),
        lambda each: each.privacy(),
    ]
    return [entry(state, links, address) for address in pages]


def total(state: ApiState, links: Links) -> int:
    """How many pages the sitemap lists."""
    return len(fixed_pages(state, links)) + sum(state.store.count(p.collection) for p in state.collections())


def files(state: ApiState, links: Links, per_file: int | None = None) -> int:
    """How many sitemap files the pages need, ``per_file`` (:data:`URLS_PER_FILE`) each; more than 1 needs an index."""
    return max(1, math.ceil(total(state, links) / (per_file or URLS_PER_FILE)))


def entries(state: ApiState, links: Links, start: int, stop: int) -> Iterator[Entry]:
    """The pages from ``start`` to ``stop`` (excluded) in the sitemap's order: fixed pages, then each record's."""
    fixed = fixed_pages(state, links)
    yield from fixed[start:stop]
    position = len(fixed)
    for provenance in state.collections():
        name = provenance.collection
        count = state.store.count(name)
        first, last = max(start, position), min(stop, position + count)
        day = provenance.fetched_at[:10]
        offset = first - position
        while offset < last - position:
            batch = state.store.ids(name, limit=min(BATCH, last - position - offset), offset=offset)
            if not batch:
                break
            for feature_id in batch:
                yield entry(state, links, lambda each, c=name, f=feature_id: each.feature(c, f), day)
            offset += len(batch)
        position += count
        if position >= stop:
            return


def urlset(site_url: str, pages: Iterator[Entry]) -> str:
    """A sitemap file of these pages under ``site_url`` (which ends with /)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{NAMESPACE}" xmlns:xhtml="{XHTML}">']
    for page in pages:
        lastmod = f"<lastmod>{escape(page.lastmod)}</lastmod>" if page.lastmod else ""
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{tag}" href="{escape(absolute(site_url, path))}"/>'
            for tag, path in page.alternates
        )
        lines.append(f"<url><loc>{escape(absolute(site_url, page.path))}</loc>{lastmod}{alternates}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def index(site_url: str, count: int) -> str:
    """A sitemap index naming ``count`` sitemap files under ``site_url``."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{NAMESPACE}">']
    for number in range(1, count + 1):
        lines.append(f"<sitemap><loc>{escape(site_url + part_name(number))}</loc></sitemap>")
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def part_name(number: int) -> str:
    return f"sitemap-{number}.xml"


def absolute(site_url: str, path: str) -> str:
    """A page's full address: the live app's paths start with /, the export's are relative to its top."""
    return site_url + path.lstrip("/")


def sitemap_files(state: ApiState, links: Links, site_url: str, per_file: int | None = None) -> dict[str, str]:
    """Every sitemap file by name: ``sitemap.xml`` alone, or it as an index and the files it names."""
    per_file = per_file or URLS_PER_FILE
    count = files(state, links, per_file)
    if count == 1:
        return {SITEMAP: urlset(site_url, entries(state, links, 0, per_file))}
    written = {SITEMAP: index(site_url, count)}
    for number in range(1, count + 1):
        start = (number - 1) * per_file
        written[part_name(number)] = urlset(site_url, entries(state, links, start, start + per_file))
    return written


def robots(site_url: str | None, live: bool) -> str:
    """robots.txt: every page allowed but the API and searches (live), and where the sitemap is, when known."""
    lines = ["User-agent: *"]
    if live:
        lines += ["Disallow: /api/", "Disallow: /*?"]
    lines.append("Allow: /")
    if site_url:
        lines.append(f"Sitemap: {site_url}{SITEMAP}")
    return "\n".join(lines) + "\n"


# The live app

router = APIRouter(include_in_schema=False)


def site_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/"


@router.get("/sitemap.xml")
def sitemap(request: Request, state: State) -> Response:
    """The sitemap, or with more pages than one file holds, the index of its files."""
    base = site_url(request)

    def write() -> str:  # the count and the records from one load
        count = files(state, LIVE)
        return urlset(base, entries(state, LIVE, 0, URLS_PER_FILE)) if count == 1 else index(base, count)

    return Response(state.store.consistent(lambda: kept(state, base, SITEMAP, write)), media_type=XML_MEDIA_TYPE)


@router.get("/sitemap-{number}.xml")
def sitemap_part(number: str, request: Request, state: State) -> Response:
    """One file of a sitemap too long for one: its ``number`` counts from 1."""
    base = site_url(request)

    def write() -> str:
        count = files(state, LIVE)
        if count == 1 or not re.fullmatch(r"[1-9][0-9]{0,8}", number) or int(number) > count:
            raise not_found(f"There is no sitemap file numbered {shown(number)}: {SITEMAP} lists the sitemap's files.")
        start = (int(number) - 1) * URLS_PER_FILE
        return urlset(base, entries(state, LIVE, start, start + URLS_PER_FILE))

    return Response(
        state.store.consistent(lambda: kept(state, base, f"sitemap-{number}.xml", write)), media_type=XML_MEDIA_TYPE
    )


def kept(state: ApiState, base: str, name: str, write: Callable[[], str]) -> str:
    """A sitemap file as written before for the same loads, or ``write()``'s, kept for the next request.

    A load never changes, so neither does its sitemap, and a file of 50,000
    records takes about a third of a second to write: search engines ask for
    each file again and again, and anyone may. Call it inside the store's
    consistent read that ``write`` reads in, so that the loads named are the
    ones it lists.
    """
    return state.sitemaps.get((base, name, URLS_PER_FILE, tuple(state.collections())), write)


@router.get("/robots.txt")
def robots_txt(request: Request) -> PlainTextResponse:
    """What crawlers may read, and where the sitemap is."""
    return PlainTextResponse(robots(site_url(request), live=True))
