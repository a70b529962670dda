"""The static export: pages, data files and static files with relative links that all resolve.

The export is written by the command line, in-process, from a project of
conftest.py's 23 toilets (one named with a script tag, one with a slash in
its id), on each kind of store. Pages are read with conftest.Page. That the map draws its
markers from disk is checked in a browser elsewhere; here the data it draws
is checked to be in the list, escaped.
"""

from __future__ import annotations

import contextlib
import csv
import http.server
import io
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import (
    ESCAPED_SCRIPT,
    HOSTILE_NAME,
    Page,
    clean_settings_environment,
    get,
    listed,
    toilet_rows,
    ward_rows,
    write_project,
)

from local_data_app.cli import main
from local_data_app.config import load_settings
from local_data_app.ingest import ingest
from local_data_app.ogc.tables import csv_columns
from local_data_app.schemas import load_schema
from local_data_app.web import pages
from local_data_app.web.links import StaticLinks
from local_data_app.web.security import content_security_policy

IDS = [row["Ref"] for row in toilet_rows()]
NAMES = [row["LocationText"] for row in toilet_rows()]
LINK_ATTRIBUTES = ("href", "src", "data-href")
OTHER_SITES = ("https://", "http://", "mailto:", "tel:", "geo:", "data:")  # other sites and programs
GOVUK_FRONTEND = ("vendor/govuk-frontend/govuk-frontend.min.css", "vendor/govuk-frontend/LICENSE")


@dataclass
class Exported:
    site: Path
    config: Path
    output: str


def export(config: Path, *args: str) -> tuple[int, str, str]:
    """Run the export command in-process; its exit status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["--config", str(config), "export", *args])
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Exported]:
    """An ingested project of 23 toilets, on each kind of store, exported to a new folder."""
    with clean_settings_environment():
        config = write_project(tmp_path_factory.mktemp("project"), ward_rows(), database_url=web_database_url)
        (report,) = ingest(load_settings(config))
        assert report.loaded == 23
        site = tmp_path_factory.mktemp("out") / "site"
        status, output, errors = export(config, str(site))
        assert (status, errors) == (0, "")
        yield Exported(site, config, output)


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def read(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


# Pages


def test_the_export_writes_every_page(exported: Exported) -> None:
    """Home, the list's second page, a page per record, about and 404.html, and says how many."""
    site = exported.site
    names = {path.relative_to(site).as_posix() for path in html_files(site)}
    assert {"index.html", "list/toilets/2.html", "about.html", "404.html"} <= names
    assert {"accessibility.html", "privacy.html", "quality.html"} <= names
    assert len([name for name in names if name.startswith("features/toilets/")]) == 23
    assert len(names) == 30
    assert "30 pages: 2 of lists, 23 of records, the about, accessibility and privacy pages and 404.html" in (
        exported.output
    )
    assert "data files: toilets.geojson, toilets.csv, collections.json" in exported.output
    assert " MB in all" in exported.output


def test_every_page_is_html_like_the_live_pages(exported: Exported) -> None:
    """Each file parses, with a title, one h1, a skip link, landmarks and no inline script or style."""
    for path in html_files(exported.site):
        found = read(path)
        assert found.find("html", lang="en-GB"), path
        assert found.title.endswith(("Public toilets in Testshire", "Find a public toilet in Testshire")), path
        assert found.find("a", href="#main")
        for landmark in ("header", "nav", "footer"):
            assert found.find(landmark), (path, landmark)
        assert len(found.find("h1")) == 1, path
        assert found.inline_scripts == 0, path
        assert not found.find("style"), path


def test_every_link_resolves_to_a_file_of_the_export(exported: Exported) -> None:
    """Every href, src and data-href is relative and names a file in the export (and an id there, if it has #)."""
    site = exported.site
    checked = 0
    for path in html_files(site):
        for _, attrs in read(path).elements:
            for name in LINK_ATTRIBUTES:
                address = attrs.get(name)
                if address is None or address.startswith(OTHER_SITES):
                    continue
                assert not address.startswith("/"), (path, address)
                parts = urlsplit(address)
                assert not parts.scheme, (path, address)
                assert not parts.query, (path, address)
                target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
                assert target.is_file(), (path, address)
                assert target.is_relative_to(site.resolve()), (path, address)
                if parts.fragment and target.suffix == ".html":
                    assert read(target).find(tag_with_id(target, parts.fragment), id=parts.fragment), address
                checked += 1
    assert checked > 27 * 10


def test_every_page_carries_the_apps_security_policy(exported: Exported) -> None:
    """A static host sends no policy, so each page has the app's in a meta element, before anything it loads."""
    loaded = load_settings(exported.config)
    policy = content_security_policy(loaded.settings.map.tile_source, in_page=True)
    assert "frame-ancestors" not in policy  # browsers ignore it in a meta element
    assert "img-src 'self' https://tile.openstreetmap.org data:" in policy
    for path in html_files(exported.site):
        elements = [(tag, attrs) for tag, attrs in read(path).elements if tag in {"meta", "link", "script", "base"}]
        assert elements[0] == ("meta", {"charset": "utf-8"}), path
        assert elements[1] == ("meta", {"http-equiv": "Content-Security-Policy", "content": policy}), path
        assert not read(path).find("base"), path


def tag_with_id(page: Path, element_id: str) -> str:
    """The tag of the element with this id in a page."""
    for tag, attrs in read(page).elements:
        if attrs.get("id") == element_id:
            return tag
    raise AssertionError(f"{page} has no element with the id {element_id}")


def test_the_lists_page_through_every_record(exported: Exported) -> None:
    """Following the next links from index.html lists every record once, in load order."""
    names: list[str] = []
    page: Path | None = exported.site / "index.html"
    while page is not None:
        found = read(page)
        names.extend(listed(found))
        following = found.find("a", rel="next")
        page = (page.parent / urlsplit(following[0]["href"]).path).resolve() if following else None
    assert names == NAMES


def test_the_export_has_no_search_form(exported: Exported) -> None:
    """Search needs the app, so the exported home page says so instead of showing a form that cannot work."""
    home = read(exported.site / "index.html")
    assert not home.find("form")
    assert not home.find("input")
    assert "has no search" in home.text
    assert not any(attrs.get("action") for _, attrs in home.elements)


def test_a_record_page_shows_its_fields_and_links_its_data(exported: Exported) -> None:
    """A record's page is the live page's content, with links to its collection's data files."""
    second = read(exported.site / "list/toilets/2.html")
    (item,) = [attrs for attrs in second.find("li", data_feature="") if attrs["data-name"] == "Toilet 22"]
    file = (exported.site / "list/toilets" / item["data-href"]).resolve()
    assert file.parent == (exported.site / "features/toilets").resolve()
    found = read(file)
    assert "Identifier T/22" in found.text
    assert "Ward Ward 2" in found.text
    assert found.find("a", href="../../toilets.geojson")
    assert found.find("a", href="../../toilets.csv")
    (point,) = found.find("li", data_feature="")
    assert point["data-href"] == file.name


def test_static_files_are_copied_with_leaflets_licence(exported: Exported) -> None:
    """The styles, the script, Leaflet and GOV.UK Frontend with their licences are in the export, byte for byte."""
    vendored = ("vendor/leaflet/leaflet.js", "vendor/leaflet/LICENSE", *GOVUK_FRONTEND)
    for name in ("app.css", "app.js", *vendored):
        assert (exported.site / "static" / name).read_bytes() == (pages.STATIC_DIR / name).read_bytes()


# Data files


def test_geojson_holds_every_feature_with_its_fields(exported: Exported) -> None:
    """toilets.geojson is a FeatureCollection of all 23, with the API's fields (its area's too) and page links."""
    body = json.loads((exported.site / "toilets.geojson").read_text(encoding="utf-8"))
    assert body["type"] == "FeatureCollection"
    assert [feature["id"] for feature in body["features"]] == IDS
    assert body["numberMatched"] == body["numberReturned"] == 23
    fields = {spec["name"] for spec in load_schema("public_toilets")["fields"]} | {"area_code", "area_name"}
    for feature in body["features"]:
        assert set(feature["properties"]) == fields
        assert (feature["properties"]["area_code"], feature["properties"]["area_name"]) == ("E06000999", "Testshire")
        assert feature["geometry"]["type"] == "Point"
        (page_link,) = feature["links"]
        assert (exported.site / page_link["href"]).is_file()


def test_csv_holds_every_feature_with_the_apis_columns(exported: Exported) -> None:
    """toilets.csv has the API's columns and a row per feature."""
    with (exported.site / "toilets.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == csv_columns(load_schema("public_toilets")["fields"], False)
    assert [row[rows[0].index("id")] for row in rows[1:]] == IDS


def test_collections_document_links_the_data_files(exported: Exported) -> None:
    """collections.json lists each collection with its provenance and links to its data files."""
    body = json.loads((exported.site / "collections.json").read_text(encoding="utf-8"))
    (collection,) = body["collections"]
    assert collection["id"] == "toilets"
    assert collection["provenance"]["rowsLoaded"] == 23
    for item in collection["links"]:
        if item["rel"] == "items":
            assert (exported.site / item["href"]).is_file()


# Stored HTML stays text


def test_stored_html_is_escaped_in_every_page(exported: Exported) -> None:
    """The record named with a script tag is text in every page: escaped markup, never a script."""
    for path in html_files(exported.site):
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text, path
    home = exported.site / "index.html"
    assert ESCAPED_SCRIPT in home.read_text(encoding="utf-8")
    assert HOSTILE_NAME in listed(read(home))  # what the map draws, as text in a data attribute


def test_stored_html_is_json_text_in_the_data_files(exported: Exported) -> None:
    """In the GeoJSON the name is a JSON string, which the map would show as text."""
    body = json.loads((exported.site / "toilets.geojson").read_text(encoding="utf-8"))
    assert body["features"][7]["properties"]["LocationText"] == HOSTILE_NAME


# Feature file names


def test_feature_file_names_are_safe_and_distinct() -> None:
    """Ids become file names that need no escaping and that differ even where case does not count."""
    links = StaticLinks()
    names = [links.feature_file("toilets", feature_id) for feature_id in ("T01", "t01", "T/22", "..", "CON", "é")]
    assert names[0] == "features/toilets/T01.html"
    assert len({name.lower() for name in names}) == len(names)
    for name in names:
        stem = name.removeprefix("features/toilets/").removesuffix(".html")
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", stem), stem
    assert links.at("features/toilets/T01.html").feature("toilets", "t01") == names[1].rpartition("/")[2]
    assert links.at("list/toilets/2.html").home() == "../../index.html"


# 404.html on a static host


@contextlib.contextmanager
def static_host(site: Path, prefix: str) -> Iterator[str]:
    """Serve an export under ``prefix`` as GitHub Pages does: a missing address at any depth gets 404.html."""

    class Host(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(site), **kwargs)

        def translate_path(self, path: str) -> str:
            path = urlsplit(path).path
            if not path.startswith(prefix):
                return str(site / "no such file")
            return super().translate_path("/" + path.removeprefix(prefix))

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            if code != HTTPStatus.NOT_FOUND:
                super().send_error(code, message, explain)
                return
            body = (site / "404.html").read_bytes()
            self.send_response(code)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Host)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=20)


def test_404_links_from_the_base_path_at_any_depth(
    exported: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With [export] base_path, 404.html links from it, so every link works wherever the host serves the page."""
    monkeypatch.setenv("APP_EXPORT__BASE_PATH", "/toilet-map/")
    site = tmp_path / "site"
    assert export(exported.config, str(site))[0] == 0
    assert (site / "index.html").read_text(encoding="utf-8") == (exported.site / "index.html").read_text(
        encoding="utf-8"
    )  # only 404.html changes
    with static_host(site, "/toilet-map/") as host:
        assert get(host + "/toilet-map/about.html").status == 200
        for missing in ("/toilet-map/gone.html", "/toilet-map/features/toilets/gone.html", "/toilet-map/a/b/c/d"):
            answer = get(host + missing)
            assert answer.status == 404
            found = Page(answer.text)
            assert found.title.startswith("Page not found")
            checked = 0
            for _, attrs in found.elements:
                for name in LINK_ATTRIBUTES:
                    address = attrs.get(name)
                    if address is None or address.startswith(OTHER_SITES) or address.startswith("#"):
                        continue
                    assert address.startswith("/toilet-map/"), address
                    assert get(urljoin(host + missing, address)).status == 200, (missing, address)
                    checked += 1
            assert checked >= 6  # styles, scripts, home, about and the data files' page
            assert found.find("a", href="#main")  # the skip link stays on the page


def test_404_without_a_base_path_links_from_the_top_of_the_site(exported: Exported) -> None:
    """Unset, 404.html's links are relative to the top of the site, where the file is, as every page's are."""
    found = read(exported.site / "404.html")
    assert found.find("a", href="index.html")
    assert found.find("link", href="static/app.css")
    assert found.find("link", href="static/vendor/govuk-frontend/govuk-frontend.min.css")


# Errors and --force


def test_a_folder_that_is_not_empty_is_refused(exported: Exported) -> None:
    """Exporting over anything needs --force, and the message names the folder and the option."""
    status, output, errors = export(exported.config, str(exported.site))
    assert status == 1
    assert output == ""
    assert str(exported.site) in errors
    assert "--force" in errors


def test_force_replaces_an_earlier_export(exported: Exported, tmp_path: Path) -> None:
    """--force replaces an earlier export whole: a file left over from it is gone."""
    site = tmp_path / "site"
    assert export(exported.config, str(site))[0] == 0
    (site / "features" / "toilets" / "stale.html").write_text("old", encoding="utf-8")
    status, output, _ = export(exported.config, str(site), "--force")
    assert status == 0
    assert "30 pages" in output
    assert not (site / "features" / "toilets" / "stale.html").exists()
    assert (site / "index.html").is_file()


def test_force_keeps_a_folder_it_did_not_write(exported: Exported, tmp_path: Path) -> None:
    """--force will not empty a folder that holds something other than an export, such as the project."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    status, _, errors = export(exported.config, str(folder), "--force")
    assert status == 1
    assert "does not hold an earlier export" in errors
    assert [path.name for path in folder.iterdir()] == ["notes.txt"]


def test_an_empty_folder_is_used(exported: Exported, tmp_path: Path) -> None:
    """An existing empty folder needs no --force."""
    folder = tmp_path / "empty"
    folder.mkdir()
    assert export(exported.config, str(folder))[0] == 0
    assert (folder / "index.html").is_file()


def test_an_export_before_any_ingest_says_to_run_it(tmp_path: Path) -> None:
    """With no data loaded there is nothing to export: exit 1, name the ingest command, write nothing."""
    config = write_project(tmp_path / "project", ward_rows())
    status, output, errors = export(config, str(tmp_path / "out" / "site"))
    assert status == 1
    assert output == ""
    assert f"python -m {pages.PACKAGE} ingest" in errors
    assert not (tmp_path / "out").exists()


def test_a_list_longer_than_list_pages_stops_with_a_note(tmp_path: Path) -> None:
    """With [export] list_pages = 1, 23 records (2 pages of 20) write no second list page: the first has no next
    link and says where the list stops and what holds the rest; every record still has its page and its rows."""
    with clean_settings_environment():
        config = write_project(tmp_path / "project", ward_rows())
        config.write_text(config.read_text(encoding="utf-8") + "\n[export]\nlist_pages = 1\n", encoding="utf-8")
        (report,) = ingest(load_settings(config))
        assert report.loaded == 23
        status, output, errors = export(config, str(tmp_path / "site"))
    assert (status, errors) == (0, "")
    site = tmp_path / "site"
    assert not (site / "list").exists()
    home = read(site / "index.html")
    assert listed(home) == NAMES[:20]
    assert not home.find("a", rel="next")
    assert home.find("p", id="note-toilets")
    text = (site / "index.html").read_text(encoding="utf-8")
    assert "The list stops here, at record 20 of 23. Every record is in the data files below" in text
    assert len(list((site / "features" / "toilets").iterdir())) == 23
    with (site / "toilets.csv").open(encoding="utf-8", newline="") as file:
        assert len(list(csv.DictReader(file))) == 23
    assert "toilets: 23 records make 2 list pages; the first 1 were written ([export] list_pages)" in output
    assert "1 of lists" in output
