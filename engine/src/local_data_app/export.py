"""The static export: the whole site as files that any web server serves, and that work opened from disk.

``python -m <package> export DIR`` renders the same pages as the live app,
through the same templates and the same functions of :mod:`.web.pages`, with
:class:`~.web.links.StaticLinks` making every link relative to the page, so
the site works under any sub-path (GitHub Pages project sites) and from
file://. It writes, for each collection, the list in pages of
:data:`~.web.pages.PAGE_SIZE` (the first pages on index.html) up to
``[export] list_pages`` of them, a page per record, the about page, the
accessibility statement, the privacy notice and 404.html; robots.txt, and
sitemap.xml when ``[export] public_url`` gives the site's address
(web/sitemap.py); the whole collection as GeoJSON and CSV with the API's
fields; collections.json; catalogue.jsonld, the DCAT description
for catalogues; quality.html and quality/<collection>.json, each collection's
data quality as the live app's /quality and /api/collections/{id}/quality;
datapackage.json, the CSV files described as a Frictionless Data Package that
``frictionless validate`` passes; and the static files. Maps draw
their markers from the list on the same page, as in the live app, so they
need no fetch() (which browsers refuse on file://). Every page carries the
app's Content-Security-Policy in a ``<meta>`` element, since a static host
sends no such header; 404.html, which a host serves for a missing address
at any depth, links from ``[export] base_path`` when it is set.

A collection of a million records would otherwise make 50,000 list pages,
which no one pages through and every host must store: past the limit the
last page written says where the list stops and that the data files (GeoJSON,
which links each record to its page, and CSV) hold every record; each record
still has its own page, listed in sitemap.xml.

The site is written to a new folder beside DIR and moved into place at the
end, so a failed export leaves an earlier one as it was.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import brand, ogc
from .config import LoadedSettings
from .errors import ExportError
from .language import current, using
from .language import gettext as _
from .ogc.catalogue import catalogue
from .ogc.crs import CRS84
from .ogc.datapackage import data_package
from .ogc.documents import feature_json, time_stamp
from .ogc.quality import quality_document
from .ogc.state import ApiState
from .ogc.tables import csv_columns, csv_rows
from .ogc.urls import CSV, GEOJSON, HTML, link
from .quality import quality_of
from .store import Feature, Provenance, open_store
from .web import pages, quality_pages, sitemap
from .web.links import Links, StaticLinks, data_file, language_file, list_file, quality_file
from .web.overrides import copy_static
from .web.public_pages import accessibility_context, privacy_context
from .web.security import content_security_policy
from .web.structured_data import dataset

CATALOGUE_FILE = "catalogue.jsonld"  # the DCAT description, as the live API's /api/catalogue
DATAPACKAGE_FILE = "datapackage.json"  # the CSV files described as a Frictionless Data Package (ogc/datapackage.py)
QUALITY_PAGE = "quality.html"  # each collection's data quality, as the live app's /quality
MARKER = ".static-export"  # written in every export, so that --force only ever replaces an export
BATCH = 1000


@dataclass
class ExportReport:
    """What an export wrote: pages by kind, data files and static files, and the bytes in all."""

    directory: Path
    list_pages: int = 0
    feature_pages: int = 0
    other_pages: int = 0
    data_files: list[str] = field(default_factory=list)
    static_files: int = 0
    size: int = 0
    notes: list[str] = field(default_factory=list)  # what was left out and why, for the person exporting

    @property
    def pages(self) -> int:
        return self.list_pages + self.feature_pages + self.other_pages


def export_site(loaded: LoadedSettings, directory: Path, force: bool = False) -> ExportReport:
    """Write the site for these settings' data to ``directory``, which must be new or empty unless ``force``."""
    directory = directory.resolve()
    check_target(directory, force)
    store = open_store(loaded.settings.database_url, loaded.project_dir)
    try:
        state = ApiState(store=store, settings=loaded.settings, schema=loaded.schema(), project_dir=loaded.project_dir)
        if not state.collections():
            raise ExportError(
                f"No data has been loaded yet, so there is nothing to export. Run {pages.INGEST_COMMAND} "
                "in the project folder first, then export again."
            )
        directory.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
        try:
            report = write_site(state, work)
            if directory.exists():
                shutil.rmtree(directory)
            work.rename(directory)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    finally:
        store.close()
    report.directory = directory
    return report


def check_target(directory: Path, force: bool) -> None:
    """Refuse a folder that holds anything, unless ``force`` and it holds an earlier export."""
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"{directory} is a file, not a folder. Give a folder to write the site to.")
    if not directory.exists() or not any(directory.iterdir()):
        return
    if not force:
        raise ExportError(
            f"{directory} is not empty. Give a new or empty folder, or add --force to replace an earlier export there."
        )
    if not (directory / MARKER).is_file():
        raise ExportError(
            f"{directory} is not empty and does not hold an earlier export (it has no {MARKER} file), so --force "
            "will not replace it. Give a new or empty folder."
        )


def write_site(state: ApiState, root: Path) -> ExportReport:
    report = ExportReport(root)
    links = StaticLinks()
    collections = state.collections()
    # No static host sends the app's headers, so each page carries the policy (less what a page cannot hold).
    policy = content_security_policy(state.settings.map.tile_source, in_page=True)

    def at(file: str) -> StaticLinks:
        """The links of a page's file (its English name) in the copy of the language being written."""
        return links.speaking(current()).at(language_file(current(), file))

    def write_page(file: str, template: str, path: str, context: dict[str, Any], here: Links | None = None) -> None:
        text = pages.render_text(state, template, path=path, links=here or at(file), page_policy=policy, **context)
        target = root / language_file(current(), file)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    # Every people's page in each of the project's languages: English at the top, the others in a folder each.
    for code in state.settings.place.languages:
        with using(code, state.project_dir):
            write_pages(state, root, links, collections, write_page, at, report)
    report.notes += write_discovery(state, root, links, site_url(state))
    report.notes += stopped_lists(state, collections)
    # Static hosts answer a missing address at any depth with 404.html, so its links start from the path the
    # site is published under, when that is known; otherwise they are relative to the top, as the file is.
    # It is the English page: a host serves one 404.html for every address.
    base = state.settings.export.base_path
    missing = links.at("404.html") if base is None else links.rooted(base)
    not_found = {**pages.error_context(state, 404, pages.NO_PAGE), "alternates": False}  # one file, in English
    write_page("404.html", "error.html", "", not_found, here=missing)
    report.other_pages += 1
    for provenance in collections:
        geojson, csv_file = write_data(state, root, provenance, state.store.count(provenance.collection), links)
        report.data_files += [geojson, csv_file]
    write_collections(state, root, links)
    document = catalogue(
        state, ExportUrls(links), home="index.html", own=CATALOGUE_FILE, api=None, package=DATAPACKAGE_FILE
    )
    (root / CATALOGUE_FILE).write_text(dumps(document, indent=2) + "\n", encoding="utf-8")
    report.data_files += ["collections.json", CATALOGUE_FILE]
    report.data_files += write_quality(state, root, collections, links)
    paths = {provenance.collection: data_file(provenance.collection, "csv") for provenance in collections}
    package = data_package(state, collections, paths)
    (root / DATAPACKAGE_FILE).write_text(dumps(package, indent=2) + "\n", encoding="utf-8")
    report.data_files.append(DATAPACKAGE_FILE)
    copy_static(state.project_dir, root / "static")
    # The brand's stylesheet and logo, made from the settings as the live app serves them (brand.py).
    settings = state.settings
    for name, data in brand.files(settings.brand.colour, settings.brand.logo, state.project_dir).items():
        (root / "static" / name).write_bytes(data)
    report.static_files = sum(1 for path in (root / "static").rglob("*") if path.is_file())
    (root / MARKER).write_text(
        "Written by the app's export command; export --force replaces this folder.\n", encoding="utf-8"
    )
    report.size = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
    return report


WritePage = Callable[..., None]


def write_pages(
    state: ApiState,
    root: Path,
    links: StaticLinks,
    collections: list[Provenance],
    write_page: WritePage,
    at: Callable[[str], StaticLinks],
    report: ExportReport,
) -> None:
    """The people's pages in the language being written (language.py): the lists, every record, the others."""
    search = pages.Search()
    limit = state.settings.export.list_pages
    counts = {provenance.collection: state.store.count(provenance.collection) for provenance in collections}
    written = {name: min(math.ceil(count / pages.PAGE_SIZE), limit) for name, count in counts.items()}

    def list_context(file: str, page_of: Callable[[str], int]) -> dict[str, Any]:
        """A list page's context, each list that stops on this page saying so."""
        context = pages.home_context(state, search, page_of, at(file))
        context["listings"] = [stopped(listing, written[listing.name]) for listing in context["listings"]]
        return context

    write_page("index.html", "home.html", "/", list_context("index.html", lambda name: 1))
    report.list_pages += 1
    for provenance in collections:
        name = provenance.collection
        for number in range(2, written[name] + 1):
            file = list_file(name, number)
            write_page(
                file, "home.html", "/", list_context(file, lambda other, n=number, c=name: n if other == c else 1)
            )
            report.list_pages += 1
        for feature in features(state, name):
            file = links.feature_file(name, feature.id)
            write_page(file, "feature.html", "", pages.feature_context(state, provenance, feature, at(file)))
            report.feature_pages += 1
    json_ld = dataset(state, at("about.html"), site_url(state), api=None)
    write_page("about.html", "about.html", "/about", {**pages.about_context(state), "json_ld": json_ld})
    write_page("accessibility.html", "accessibility.html", "/accessibility", accessibility_context(state))
    write_page("privacy.html", "privacy.html", "/privacy", privacy_context(state))
    write_page(QUALITY_PAGE, "quality.html", "/quality", quality_pages.quality_context(state))
    report.other_pages += 4


def stopped_lists(state: ApiState, collections: list[Provenance]) -> list[str]:
    """A note, for the person exporting, on each collection whose list stops at ``[export] list_pages``."""
    limit, notes = state.settings.export.list_pages, []
    for provenance in collections:
        name = provenance.collection
        count = state.store.count(name)
        if (needed := math.ceil(count / pages.PAGE_SIZE)) > limit:
            notes.append(
                f"{name}: {count:,} records make {needed:,} list pages; the first {limit:,} were written "
                f"([export] list_pages). Every record is in {data_file(name, 'csv')} and "
                f"{data_file(name, 'geojson')}, and has its own page."
            )
    return notes


def stopped(listing: pages.Listing, last: int) -> pages.Listing:
    """The listing as written: on the last list page written, with more records after it, no next page and a note."""
    if listing.page < last or listing.next_href is None:
        return listing
    shown = listing.first + len(listing.items) - 1
    note = _(
        "The list stops here, at record %(shown)s of %(total)s. Every record is in the data files below (GeoJSON and "
        "CSV), and each has its own page, which the GeoJSON file links to."
    ) % {"shown": f"{shown:,}", "total": f"{listing.matched:,}"}
    return replace(listing, next_href=None, note=note)


def site_url(state: ApiState) -> str | None:
    """Where the export will be published ([export] public_url), ending in /; None when not known."""
    found = state.settings.export.public_url
    return found.rstrip("/") + "/" if found else None


def write_discovery(state: ApiState, root: Path, links: StaticLinks, site_url: str | None) -> list[str]:
    """robots.txt, and sitemap.xml when the site's address is known (a sitemap lists full addresses); notes to show.

    ``links`` has named every record's file by now, so the sitemap names the same files.
    """
    (root / "robots.txt").write_text(sitemap.robots(site_url, live=False), encoding="utf-8")
    if site_url is None:
        return [
            "No sitemap.xml: a sitemap lists each page's full address, and the site's address is not known. "
            "Set [export] public_url (or APP_EXPORT__PUBLIC_URL) to the address the site is published at."
        ]
    for name, text in sitemap.sitemap_files(state, links.at("index.html"), site_url).items():
        (root / name).write_text(text, encoding="utf-8")
    return []


def features(state: ApiState, collection: str) -> Iterator[Feature]:
    """Every feature of a collection in load order, read in batches."""
    offset = 0
    while True:
        batch = state.store.features(collection, limit=BATCH, offset=offset)
        yield from batch
        if len(batch) < BATCH:
            return
        offset += len(batch)


def write_data(state: ApiState, root: Path, provenance: Provenance, count: int, links: StaticLinks) -> tuple[str, str]:
    """The collection as GeoJSON and CSV, with the API's fields, each feature linking to its page."""
    name = provenance.collection
    geojson_name, csv_name = data_file(name, "geojson"), data_file(name, "csv")
    written = 0
    with (
        (root / geojson_name).open("w", encoding="utf-8") as geojson,
        (root / csv_name).open("w", encoding="utf-8", newline="") as table,
    ):
        writer = csv.writer(table, lineterminator="\r\n")
        writer.writerow(csv_columns(state.fields, False))
        geojson.write('{"type": "FeatureCollection", "features": [\n')
        urls = ExportUrls(links)
        for feature in features(state, name):
            body = feature_json(feature, urls.feature_link(name, feature.id))
            geojson.write((",\n" if written else "") + dumps(body))
            writer.writerows(csv_rows(state.fields, [(feature, None)], False))
            written += 1
        tail = {
            "links": [
                link(geojson_name, "self", GEOJSON, "This document"),
                link(csv_name, "alternate", CSV, "This collection as CSV"),
            ],
            "numberMatched": written,
            "numberReturned": written,
            "timeStamp": time_stamp(),
        }
        geojson.write("\n], " + dumps(tail)[1:] + "\n")
    if written != count:
        raise ExportError(
            f"{name} changed while it was being exported ({count:,} rows, then {written:,}). Export again."
        )
    return geojson_name, csv_name


class ExportUrls:
    """The exported files, as the OGC API documents link to them: each collection's items are its data files."""

    def __init__(self, links: StaticLinks) -> None:
        self.links = links

    def landing(self) -> str:
        return "collections.json"

    def collections(self) -> str:
        return "collections.json"

    def collection(self, name: str) -> None:
        return None  # the export has no document per collection: collections.json holds them

    def items(self, name: str, parameters: Mapping[str, Any]) -> str:
        return data_file(name, "csv" if parameters.get("f") == "csv" else "geojson")

    def feature_link(self, name: str, feature_id: str) -> dict[str, str]:
        return link(self.links.feature_file(name, feature_id), "alternate", HTML, "Its page")

    def quality(self, name: str) -> str:
        return quality_file(name)

    def queryables(self, name: str) -> None:
        """None: the exported files cannot be filtered, so they have no queryables."""
        return None


def write_quality(state: ApiState, root: Path, collections: list[Provenance], links: StaticLinks) -> list[str]:
    """Each collection's data quality document, as the live API's /collections/{id}/quality; the files written."""
    written = []
    for provenance in collections:
        file = quality_file(provenance.collection)
        here = links.at(file)
        document = quality_document(
            quality_of(provenance, state.fields),
            here.quality_json(provenance.collection),
            here.quality(provenance.collection),
            None,  # the export has no document per collection: collections.json holds them
        )
        (root / file).parent.mkdir(parents=True, exist_ok=True)
        (root / file).write_text(dumps(document, indent=2) + "\n", encoding="utf-8")
        written.append(file)
    return written


def write_collections(state: ApiState, root: Path, links: StaticLinks) -> None:
    """collections.json: the live API's /collections document, linking to the data files and the about page."""
    document = ogc.collections(state, ExportUrls(links), crs=[CRS84])  # the data files are in CRS84 only
    document["links"].append(link(links.about(), "about", HTML, "Where the data comes from"))
    (root / "collections.json").write_text(dumps(document, indent=2) + "\n", encoding="utf-8")


def dumps(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent)
