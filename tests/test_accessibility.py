"""A baked project's pages in a real browser: accessible, safe with hostile data, and working without JavaScript.

Each baked project ingests its sample data plus hostile and filler rows, and is
served with its own ``serve`` command. Playwright drives Debian's Chromium
(scripts/chromium.py installs it, and fetches axe-core from the npm registry)
with the app's own Content-Security-Policy in force. Map tiles come from a
local tile server, since nothing may leave 127.0.0.1 here: over HTTPS for the
served pages and over plain http for the export, as the app's policy allows
images from itself and from the configured tile server's origin alone.

On every page: axe-core finds no WCAG 2.0, 2.1 or 2.2 A or AA violation, the
console has no errors, no CSP violation is reported and no dialog opens.

The same data is also exported with the project's ``export`` command and the
files opened from disk (file:// addresses), as someone who downloads the site
would: the maps draw their markers, the links lead from file to file and the
same checks hold, with no request beyond the files and the tile server.
"""

from __future__ import annotations

import csv
import http.server
import json
import re
import socket
import ssl
import subprocess
import threading
import time
import tomllib
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from baked import PROJECTS, package_of, uv_in
from chromium import CHROMIUM_FLAGS, axe_script, chromium, openssl
from conftest import bake_with_copier, commit_all
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Dialog, Page, Request, sync_playwright

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCRIPT_NAME = "<script>alert(1)</script>"
ATTRIBUTE_NAME = '"><img src=x onerror=alert(1)>'
HOSTILE_NAMES = (SCRIPT_NAME, ATTRIBUTE_NAME)
ROWS_AT_LEAST = 25  # more than one page of the list (20), so there is a page 2
NAME_COLUMNS = ("LocationText", "name")
START_TIMEOUT = 30  # seconds
TIMEOUT = 10_000  # milliseconds, for each browser action
CERTIFICATE = "req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
# The smallest valid PNG: one transparent pixel, served for every tile.
TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
# Run before any of a page's own scripts: keeps the page's CSP violations where the test can read them.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI} (${where})`);
});
"""
# The page has drawn what it will: every image, map tiles included, has loaded or failed.
SETTLED = """
() => [...document.images].every((image) => image.complete)
  && [...document.querySelectorAll(".leaflet-tile")].every((tile) => tile.classList.contains("leaflet-tile-loaded"))
"""
# The map is not moving: no pan (to fit a popup), zoom or grouping animation under way.
MAP_STILL = """() => !document.querySelector(".leaflet-pan-anim, .leaflet-zoom-anim, .leaflet-cluster-anim")"""
RUN_AXE = """
async (tags) => {
  const options = { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"], elementRef: true };
  const results = await axe.run(document, options);
  // WCAG 2.5.8's "equivalent" exception: a map marker for a place the page also links to in its list may be
  // crowded by its neighbours, since the list gives a full-size target for the same place.
  const listed = new Set([...document.querySelectorAll("[data-feature]")].map((item) => item.dataset.name));
  const excused = (violation, node) =>
    violation.id === "target-size" && node.element.matches(".leaflet-marker-icon") && listed.has(node.element.title);
  for (const violation of results.violations) {
    violation.nodes = violation.nodes.filter((node) => !excused(violation, node));
  }
  return results.violations.filter((violation) => violation.nodes.length).map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    nodes: violation.nodes.map((node) => ({
      target: node.target.join(" "), html: node.html, summary: node.failureSummary,
    })),
  }));
}
"""


@dataclass
class Site:
    """A baked project served on 127.0.0.1, with what the tests need to know about it."""

    url: str
    project: Path
    centre: tuple[float, float]  # latitude, longitude
    tile_port: int
    log: Path


@dataclass
class Visit:
    """What happened while a page was open: console errors, CSP violations, dialogs and every request's address."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@dataclass
class Export:
    """A served project's data written by its own ``export`` command, to be opened from disk."""

    directory: Path
    tile_port: int

    def url(self, file: str = "index.html") -> str:
        return (self.directory / file).as_uri()

    def local(self, url: str) -> bool:
        """A request the opened files may make: to themselves, for inline data, or to the test's tile server."""
        parts = urlsplit(url)
        return parts.scheme in {"file", "data"} or (parts.hostname == "127.0.0.1" and parts.port == self.tile_port)


# The project, served


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_rows(project: Path) -> Path:
    """A copy of the sample CSV with the hostile rows and enough filler rows for a second page; place.toml names it."""
    place = project / "place.toml"
    text = place.read_text(encoding="utf-8")
    sample = tomllib.loads(text)["sources"][0]["location"]
    with (project / sample).open(encoding="utf-8", newline="") as opened:
        reader = csv.DictReader(opened)
        columns, rows = list(reader.fieldnames or []), list(reader)
    name = next(column for column in NAME_COLUMNS if column in columns)
    x, y = ("GeoX", "GeoY") if "GeoX" in columns else ("x", "y")
    added = [*HOSTILE_NAMES, *(f"Filler place {n}" for n in range(max(0, ROWS_AT_LEAST - len(rows) - 2)))]
    for index, label in enumerate(added, start=1):
        row = dict(rows[0])
        row[name] = label
        row[x] = f"{float(rows[0][x]) + 0.004 * index:.6f}"
        row[y] = f"{float(rows[0][y]) - 0.003 * index:.6f}"
        if "id" in row:
            row["id"] = f"browser-test-{index}"
        rows.append(row)
    written = project / "data" / "browser-test.csv"
    with written.open("w", encoding="utf-8", newline="") as opened:
        writer = csv.DictWriter(opened, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    place.write_text(text.replace(f'location = "{sample}"', 'location = "data/browser-test.csv"', 1), encoding="utf-8")
    return written


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"`serve` exited with status {server.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"`serve` did not answer within {START_TIMEOUT} s:\n{log.read_text(errors='replace')}")


class Tiles(http.server.BaseHTTPRequestHandler):
    """Every tile address answered with a tiny PNG."""

    def do_GET(self) -> None:
        found = re.fullmatch(r"/\d+/\d+/\d+\.png", urlsplit(self.path).path)
        body = TILE if found else b"Not a tile"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "image/png" if found else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


def serve_tiles(context: ssl.SSLContext | None = None) -> Iterator[str]:
    """A tile server on 127.0.0.1, over TLS with ``context``, else plain http; its URL template."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        scheme = "https" if context is not None else "http"
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def tile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An HTTPS tile server on 127.0.0.1 (with a self-signed certificate), which the served pages use."""
    folder = tmp_path_factory.mktemp("tiles")
    key, certificate = folder / "key.pem", folder / "certificate.pem"
    subprocess.run(
        [openssl(), *CERTIFICATE.split(), "-keyout", key, "-out", certificate],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    yield from serve_tiles(context)


@pytest.fixture(scope="module")
def plain_tile_server() -> Iterator[str]:
    """A tile server on plain http, which the export's maps use: the policy allows the tile server's own origin."""
    yield from serve_tiles()


@pytest.fixture(scope="module", params=PROJECTS.values(), ids=PROJECTS.keys())
def site(request, template, tmp_path_factory, tile_server) -> Iterator[Site]:
    """A baked project with its sample data plus hostile rows ingested, served by its own `serve` command."""
    tool, answers = request.param
    where = tmp_path_factory.mktemp("browser")
    if tool == "copier":
        project = bake_with_copier(template, where / "project", answers)
    else:
        from cookiecutter.main import cookiecutter

        project = Path(cookiecutter(str(template), no_input=True, output_dir=str(where), extra_context=answers))
    commit_all(project)
    uv_in(project, "sync", "--quiet")
    write_rows(project)
    package = package_of(project)
    ingested = uv_in(project, "run", "--no-sync", "python", "-m", package, "ingest").stdout
    assert ", rejected 0" in ingested, ingested
    port = free_port()
    log = where / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(project / ".venv" / "bin" / "python"), "-m", package, "serve", "--port", str(port)],
            cwd=project,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin", "APP_MAP__TILE_URL": tile_server},
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_up(url, server, log)
        centre = tuple(tomllib.loads((project / "place.toml").read_text(encoding="utf-8"))["map"]["centre"])
        yield Site(url=url, project=project, centre=centre, tile_port=urlsplit(tile_server).port, log=log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def exported(site: Site, plain_tile_server: str, tmp_path_factory: pytest.TempPathFactory) -> Export:
    """The served project's data written to a new folder by its `export` command, its maps using plain http tiles."""
    directory = tmp_path_factory.mktemp("export") / "site"
    package = package_of(site.project)
    command = ("run", "--no-sync", "python", "-m", package, "export", str(directory))
    written = uv_in(site.project, *command, env={"APP_MAP__TILE_URL": plain_tile_server}).stdout
    assert (directory / "index.html").is_file(), written
    return Export(directory, urlsplit(plain_tile_server).port)


# The browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (which never downloads a browser of its own here)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium(), headless=True, args=[flag for flag in CHROMIUM_FLAGS if flag != "--headless"]
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_script().read_text(encoding="utf-8")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser context that trusts the local tile server's self-signed certificate."""
    opened = browser.new_context(ignore_https_errors=True, locale="en-GB")
    opened.set_default_timeout(TIMEOUT)
    opened.add_init_script(CSP_LISTENER)
    yield opened
    opened.close()


@pytest.fixture
def no_script_context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(java_script_enabled=False, locale="en-GB")
    opened.set_default_timeout(TIMEOUT)
    yield opened
    opened.close()


def watch(page: Page) -> Visit:
    """Start recording the page's console errors, uncaught exceptions, failed loads, dialogs and requests."""
    visit = Visit()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            visit.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def on_dialog(dialog: Dialog) -> None:
        visit.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_failed(request: Request) -> None:
        # The map's reading of the API is cut short when the page is left before it ends: the browser aborts it.
        if request.resource_type == "fetch" and request.failure == "net::ERR_ABORTED":
            return
        visit.errors.append(f"request failed: {request.url} ({request.failure})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: visit.errors.append(f"uncaught: {error}"))
    page.on("dialog", on_dialog)
    page.on("requestfailed", on_failed)
    page.on("request", lambda request: visit.requests.append(request.url))
    return visit


def served_here(url: str) -> bool:
    return url.startswith("data:") or urlsplit(url).hostname == "127.0.0.1"


def check_visit(page: Page, visit: Visit, status: int = 200, local: Callable[[str], bool] = served_here) -> None:
    """Nothing went wrong on the page: no errors, no CSP violations, no dialogs, no request that is not ``local``."""
    page.wait_for_load_state("load")
    page.wait_for_function(SETTLED)
    errors = list(visit.errors)
    if status >= 400:  # Chromium logs the page's own error status; that is the point of an error page
        own = f"the server responded with a status of {status}"
        errors = [error for error in errors if not (own in error and f"({page.url})" in error)]
    csp = page.evaluate("window.__cspViolations || []")
    assert not errors, f"{page.url}:\n" + "\n".join(errors)
    assert not csp, f"CSP violations on {page.url}:\n" + "\n".join(csp)
    assert not visit.dialogs, f"dialogs opened on {page.url}: {visit.dialogs}"
    beyond = [url for url in visit.requests if not local(url)]
    assert not beyond, f"requests beyond this machine's test servers and files from {page.url}: {beyond}"


def check_axe(page: Page, axe: str) -> None:
    """axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation on the page as it is now."""
    page.evaluate(axe)  # through the DevTools protocol, so the page's CSP does not apply to axe itself
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    report = []
    for violation in violations:
        report.append(f"{violation['id']} ({violation['impact']}): {violation['help']} - {violation['helpUrl']}")
        for node in violation["nodes"]:
            report.append(
                f"    {node['target']}: {node['html'][:200]}\n      {node['summary']}".replace("\n", "\n      ")
            )
    assert not violations, f"axe-core found on {page.url}:\n" + "\n".join(report)


# Page types, each reached as a person would


def home(page: Page, site: Site) -> int:
    return page.goto(site.url).status


def home_filtered_near(page: Page, site: Site) -> int:
    """The search form with the first filter's first value and the map centre as the point, submitted."""
    page.goto(site.url)
    narrow(page)
    page.fill("#field-near", f"{site.centre[0]}, {site.centre[1]}")
    with page.expect_navigation():
        page.click("form.search button[type=submit]")
    assert "near=" in page.url
    assert_narrowed(page)
    return 200


def home_near_postcode(page: Page, site: Site) -> int:
    """A postcode of the sample gazetteer typed in the Postcode or place box, any case and spacing, submitted."""
    page.goto(site.url)
    page.fill("#field-near", "zz11aa")
    with page.expect_navigation():
        page.click("form.search button[type=submit]")
    assert "Showing places nearest ZZ1 1AA." in page.inner_text("main")
    assert page.locator("li[data-feature]").count() > 0
    return 200


def narrow(page: Page) -> None:
    """Choose the first filter's first value; a theme without set lists of values gets a word instead."""
    filters = page.locator("form.search select")
    if filters.count():
        if not filters.first.is_visible():  # folded under "More filters", as a resident would find it
            page.locator("form.search details:has(select) > summary").first.click()
        filters.first.select_option(index=1)
    else:
        page.fill("#field-q", "place")


def assert_narrowed(page: Page) -> None:
    filters = page.locator("form.search select")
    chosen = filters.first.input_value() if filters.count() else page.input_value("#field-q")
    assert chosen != ""
    assert page.locator("ol.features li, p:has-text('Nothing matches')").count() > 0


def home_page_two(page: Page, site: Site) -> int:
    page.goto(site.url)
    with page.expect_navigation():
        page.get_by_role("link", name="Next page").first.click()
    assert "page-" in page.url
    return 200


def detail(page: Page, site: Site) -> int:
    page.goto(site.url)
    with page.expect_navigation():
        page.locator("ol.features a").first.click()
    assert "/features/" in page.url
    return 200


def about(page: Page, site: Site) -> int:
    return page.goto(urljoin(site.url, "/about")).status


def quality(page: Page, site: Site) -> int:
    """The data quality page, from the about page's link."""
    page.goto(urljoin(site.url, "/about"))
    with page.expect_navigation():
        page.get_by_role("link", name="Data quality").click()
    assert urlsplit(page.url).path == "/quality"
    return 200


def api_docs(page: Page, site: Site) -> int:
    """The page describing the API, from the footer."""
    page.goto(site.url)
    with page.expect_navigation():
        page.get_by_role("link", name="For developers: data and API").click()
    assert urlsplit(page.url).path == "/api.html"
    return 200


def accessibility_statement(page: Page, site: Site) -> int:
    """The accessibility statement, from the footer."""
    page.goto(site.url)
    with page.expect_navigation():
        page.get_by_role("navigation", name="Support links").get_by_role("link", name="Accessibility statement").click()
    assert urlsplit(page.url).path == "/accessibility"
    return 200


def privacy_notice(page: Page, site: Site) -> int:
    """The privacy notice, from the footer."""
    page.goto(site.url)
    with page.expect_navigation():
        page.get_by_role("navigation", name="Support links").get_by_role("link", name="Privacy notice").click()
    assert urlsplit(page.url).path == "/privacy"
    return 200


def not_found(page: Page, site: Site) -> int:
    return page.goto(urljoin(site.url, "/no-such-page")).status


def bad_search(page: Page, site: Site) -> int:
    return page.goto(urljoin(site.url, "/?near=somewhere")).status


def api_landing(page: Page, site: Site) -> int:
    """The API's landing page as a browser asks for it: its Accept header prefers HTML, so the page comes."""
    status = page.goto(urljoin(site.url, "/api")).status
    assert page.locator("link[rel=alternate][type='application/json']").count() == 1
    return status


def api_collection(page: Page, site: Site) -> int:
    """A collection's page in the API, from the API's list of collections."""
    page.goto(urljoin(site.url, "/api/collections"))
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^About the .+ collection$")).first.click()
    return 200


def api_items(page: Page, site: Site) -> int:
    """A page of items in the API with every row (the hostile ones too): a table, and a map drawn from it."""
    page.goto(urljoin(site.url, "/api/collections"))
    link = page.get_by_role("link", name=re.compile(r"^The items of ")).first
    status = page.goto(urljoin(page.url, link.get_attribute("href") + "&limit=100")).status
    assert page.locator("table caption").count() == 1
    assert page.locator(".leaflet-marker-icon").count() >= len(HOSTILE_NAMES)
    return status


def api_item(page: Page, site: Site) -> int:
    """One item's page in the API, from the table of items."""
    page.goto(urljoin(site.url, "/api/collections"))
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^The items of ")).first.click()
    with page.expect_navigation():
        page.locator("table th[scope=row] a").first.click()
    assert "/items/" in page.url
    return 200


def api_bad_parameter(page: Page, site: Site) -> int:
    """A mistake in an API address, made in a browser: an error page."""
    return page.goto(urljoin(site.url, "/api/collections?limit=5")).status


def welsh(site: Site, path: str = "/cy/") -> str:
    """A Welsh page's address, for a project with Welsh pages (a Welsh area's); other projects skip."""
    languages = tomllib.loads((site.project / "place.toml").read_text(encoding="utf-8"))["place"].get("languages", [])
    if "cy" not in languages:
        pytest.skip("this project's pages are in English only")
    return urljoin(site.url, path)


def welsh_home(page: Page, site: Site) -> int:
    """The Welsh home page, from the English one's language switch."""
    welsh(site)
    page.goto(site.url)
    with page.expect_navigation():
        page.get_by_role("navigation", name="Language").get_by_role("link", name="Cymraeg").click()
    assert urlsplit(page.url).path == "/cy/"
    assert page.locator("html").get_attribute("lang") == "cy"
    return 200


def welsh_detail(page: Page, site: Site) -> int:
    page.goto(welsh(site))
    with page.expect_navigation():
        page.locator("ol.features a").first.click()
    assert urlsplit(page.url).path.startswith("/cy/features/")
    return 200


def welsh_footer_page(name: str, path: str) -> Callable[[Page, Site], int]:
    def open_page(page: Page, site: Site) -> int:
        page.goto(welsh(site))
        with page.expect_navigation():
            page.get_by_role("navigation", name="Dolenni cymorth").get_by_role("link", name=name).first.click()
        assert urlsplit(page.url).path == path
        return 200

    return open_page


def welsh_address(path: str) -> Callable[[Page, Site], int]:
    def open_page(page: Page, site: Site) -> int:
        return page.goto(welsh(site, path)).status

    return open_page


PAGE_TYPES: dict[str, tuple[Callable[[Page, Site], int], int]] = {
    "home": (home, 200),
    "home-filtered-near": (home_filtered_near, 200),
    "home-near-postcode": (home_near_postcode, 200),
    "home-page-2": (home_page_two, 200),
    "detail": (detail, 200),
    "about": (about, 200),
    "quality": (quality, 200),
    "api-docs": (api_docs, 200),
    "accessibility": (accessibility_statement, 200),
    "privacy": (privacy_notice, 200),
    "404": (not_found, 404),
    "400": (bad_search, 400),
    "api-landing": (api_landing, 200),
    "api-collection": (api_collection, 200),
    "api-items": (api_items, 200),
    "api-item": (api_item, 200),
    "api-400": (api_bad_parameter, 400),
    "cy-home": (welsh_home, 200),
    "cy-detail": (welsh_detail, 200),
    "cy-about": (welsh_footer_page("Ynglŷn â'r data", "/cy/about"), 200),
    "cy-accessibility": (welsh_footer_page("Datganiad hygyrchedd", "/cy/accessibility"), 200),
    "cy-privacy": (welsh_footer_page("Hysbysiad preifatrwydd", "/cy/privacy"), 200),
    "cy-quality": (welsh_address("/cy/quality"), 200),
    "cy-404": (welsh_address("/cy/no-such-page"), 404),
    "cy-400": (welsh_address("/cy/?near=somewhere"), 400),
}


@pytest.mark.parametrize("kind", PAGE_TYPES.keys())
def test_every_page_type_is_accessible_and_error_free(site: Site, context: BrowserContext, axe: str, kind: str) -> None:
    """axe-core finds no WCAG A/AA violation; no console error, CSP violation, dialog or outside request."""
    open_page, status = PAGE_TYPES[kind]
    page = context.new_page()
    visit = watch(page)
    assert open_page(page, site) == status
    check_visit(page, visit, status)
    check_axe(page, axe)


def test_hostile_names_are_shown_as_text_in_the_list_the_map_and_the_detail_page(
    site: Site, context: BrowserContext
) -> None:
    """Names that are markup appear literally in the list, the marker's popup and the page; nothing runs."""
    page = context.new_page()
    visit = watch(page)
    page.goto(urljoin(site.url, "/?q=alert"))
    check_visit(page, visit)
    assert any(urlsplit(url).port == site.tile_port for url in visit.requests), "the map drew no tiles"
    listed = page.locator("ol.features li[data-feature] > a").all_inner_texts()
    assert sorted(listed) == sorted(HOSTILE_NAMES)
    detail_links = {}
    for name in HOSTILE_NAMES:
        marker = page.get_by_title(name, exact=True)
        page.wait_for_function(MAP_STILL)
        # From the keyboard, as the map offers every marker: a pointer's click lands by position, and a marker near
        # the map's edge (the far end of the country) can lie outside the map's visible box until the map pans.
        marker.focus()
        marker.press("Enter")
        popup = page.locator(".leaflet-popup")
        popup.wait_for()
        assert popup.locator(".popup-title a").inner_text() == name
        assert popup.locator("script, img, iframe").count() == 0
        detail_links[name] = popup.locator(".popup-title a").get_attribute("href")
        # From the keyboard: a click lands where the button was before the map panned to fit the popup.
        page.wait_for_function(MAP_STILL)
        popup.locator(".leaflet-popup-close-button").press("Enter")
        popup.wait_for(state="detached")
    assert page.locator("img[src='x'], script:not([src])").count() == 0
    for name, href in detail_links.items():
        page.goto(urljoin(site.url, href))
        check_visit(page, visit)
        assert page.locator("h1").inner_text() == name
        assert page.get_by_text(name, exact=True).count() >= 1
        assert page.locator("img[src='x'], script:not([src])").count() == 0
    assert not visit.dialogs


def test_the_checks_see_what_they_look_for(site: Site, context: BrowserContext) -> None:
    """The harness notices a dialog, a console error, a CSP violation and a request beyond 127.0.0.1."""
    page = context.new_page()
    visit = watch(page)
    page.goto(urljoin(site.url, "/about"))
    page.evaluate("""() => {
      alert("seen");
      console.error("seen");
      const image = document.createElement("img");
      image.src = "http://192.0.2.1/blocked.png";
      document.body.append(image);
    }""")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert visit.dialogs == ["alert: seen"]
    assert any("seen" in error for error in visit.errors)
    assert page.evaluate("window.__cspViolations")[0].startswith("img-src blocked http://192.0.2.1/blocked.png")
    assert "http://192.0.2.1/blocked.png" in visit.requests  # attempted, so check_visit would refuse it even blocked


def test_the_list_filters_and_detail_links_work_without_javascript(
    site: Site, no_script_context: BrowserContext
) -> None:
    """With JavaScript off the list shows, the search form filters it, and each item links to its page."""
    page = no_script_context.new_page()
    visit = watch(page)
    page.goto(site.url)
    assert page.locator(".map-fallback").first.is_visible()
    assert page.locator("ol.features li").count() == 20
    assert page.get_by_role("link", name="Next page").count() >= 1
    page.fill("#field-q", "alert")
    with page.expect_navigation():
        page.click("form.search button[type=submit]")
    assert sorted(page.locator("ol.features li > a").all_inner_texts()) == sorted(HOSTILE_NAMES)
    page.goto(site.url)
    narrow(page)
    with page.expect_navigation():
        page.click("form.search button[type=submit]")
    assert_narrowed(page)
    page.goto(site.url)
    first = page.locator("ol.features li > a").first
    name = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert page.locator("h1").inner_text() == name
    check_visit(page, visit)


# The static export, opened from disk


def on_disk(url: str) -> Path:
    """The file a file:// address names, without its #fragment."""
    parts = urlsplit(url)
    assert parts.scheme == "file", f"{url} is not a file on disk"
    return Path(urllib.request.url2pathname(parts.path))


def check_export_page(page: Page, visit: Visit, exported: Export) -> None:
    """The page opened from the export is error-free, and each of its links to a file names one the export holds."""
    check_visit(page, visit, local=exported.local)
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map((link) => link.href)")
    missing = [href for href in hrefs if href.startswith("file:") and not on_disk(href).is_file()]
    assert not missing, f"links on {page.url} to files the export does not hold: {missing}"


def check_markers(page: Page) -> list[str]:
    """Each map draws one marker per placed record in its list; the names listed on the page."""
    maps = page.locator("[data-map][data-list]")
    assert maps.count() >= 1, f"no map of a list on {page.url}"
    for drawn in maps.all():
        items = page.locator(f"[id='{drawn.get_attribute('data-list')}'] li[data-feature]")
        placed = items.and_(page.locator("[data-lat][data-lon]")).count()
        assert placed >= 1
        assert drawn.locator(".leaflet-marker-icon").count() == placed, f"markers on {page.url}"
    return page.locator("ol.features li[data-feature] > a").all_inner_texts()


def test_the_export_from_disk_maps_each_listed_record_and_shows_hostile_names_as_text(
    exported: Export, context: BrowserContext
) -> None:
    """Every list page maps its records; names that are markup appear literally in the list and popups."""
    page = context.new_page()
    visit = watch(page)
    list_pages = [
        "index.html",
        *sorted(str(path.relative_to(exported.directory)) for path in exported.directory.glob("list/*/*.html")),
    ]
    assert len(list_pages) >= 2
    found: dict[str, str] = {}
    for file in list_pages:
        page.goto(exported.url(file))
        check_export_page(page, visit, exported)
        found.update({name: file for name in check_markers(page) if name in HOSTILE_NAMES})
    assert any(urlsplit(url).port == exported.tile_port for url in visit.requests), "the maps drew no tiles"
    assert sorted(found) == sorted(HOSTILE_NAMES)
    for name, file in found.items():
        page.goto(exported.url(file))
        check_visit(page, visit, local=exported.local)
        # A whole page's markers crowd each other, so the marker is opened from the keyboard, as it may be.
        page.get_by_title(name, exact=True).press("Enter")
        popup = page.locator(".leaflet-popup")
        popup.wait_for()
        assert popup.locator(".popup-title a").inner_text() == name
        assert popup.locator("script, img, iframe").count() == 0
        assert page.locator("img[src='x'], script:not([src])").count() == 0
        # Followed from the keyboard too: the map may still be panning to show the popup, moving the link.
        with page.expect_navigation():
            popup.locator(".popup-title a").press("Enter")
        assert "/features/" in page.url
        check_export_page(page, visit, exported)
        assert page.locator("h1").inner_text() == name
        assert page.get_by_title(name, exact=True).and_(page.locator(".leaflet-marker-icon")).count() == 1
        assert page.locator("img[src='x'], script:not([src])").count() == 0
    assert not visit.dialogs


def test_the_export_from_disk_is_followed_by_clicking_and_holds_its_data_files(
    exported: Export, context: BrowserContext
) -> None:
    """Home, page 2, a record, back home and the about page by their links; the data files are whole."""
    page = context.new_page()
    visit = watch(page)
    page.goto(exported.url())
    check_export_page(page, visit, exported)
    with page.expect_navigation():
        page.get_by_role("link", name="Next page").first.click()
    assert on_disk(page.url).name == "2.html"
    check_export_page(page, visit, exported)
    assert page.get_by_role("link", name="Previous page").count() >= 1
    first = page.locator("ol.features li > a").first
    name = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert "/features/" in page.url
    check_export_page(page, visit, exported)
    assert page.locator("h1").inner_text() == name
    with page.expect_navigation():
        page.get_by_role("link", name="Back to the list").click()
    assert on_disk(page.url) == exported.directory / "index.html"
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="About the data").click()
    assert on_disk(page.url) == exported.directory / "about.html"
    check_export_page(page, visit, exported)
    data_files = {
        link.inner_text(): on_disk(link.evaluate("(link) => link.href"))
        for link in page.locator("#data-files ~ ul a").all()
    }
    assert {"GeoJSON", "CSV", "collections.json"} <= data_files.keys(), data_files
    geojson = json.loads(data_files["GeoJSON"].read_text(encoding="utf-8"))
    with data_files["CSV"].open(encoding="utf-8", newline="") as opened:
        rows = list(csv.DictReader(opened))
    records = len(list((exported.directory / "features" / data_files["GeoJSON"].stem).glob("*.html")))
    assert len(geojson["features"]) == geojson["numberMatched"] == len(rows) == records >= ROWS_AT_LEAST
    for name in HOSTILE_NAMES:
        assert any(name in row.values() for row in rows), name
        assert any(name in feature["properties"].values() for feature in geojson["features"]), name


def exported_home(page: Page, exported: Export) -> None:
    page.goto(exported.url())


def exported_detail(page: Page, exported: Export) -> None:
    page.goto(exported.url())
    with page.expect_navigation():
        page.locator("ol.features a").first.click()
    assert "/features/" in page.url


def exported_about(page: Page, exported: Export) -> None:
    page.goto(exported.url())
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="About the data").click()


def exported_quality(page: Page, exported: Export) -> None:
    exported_about(page, exported)
    with page.expect_navigation():
        page.get_by_role("link", name="Data quality").click()


def exported_footer_page(name: str) -> Callable[[Page, Export], None]:
    """A page the export's footer links (the statement, the notice), reached by its link from the home page."""

    def open_page(page: Page, exported: Export) -> None:
        page.goto(exported.url())
        with page.expect_navigation():
            page.get_by_role("navigation", name="Support links").get_by_role("link", name=name).click()

    return open_page


EXPORTED_PAGES: dict[str, Callable[[Page, Export], None]] = {
    "home": exported_home,
    "detail": exported_detail,
    "about": exported_about,
    "quality": exported_quality,
    "accessibility": exported_footer_page("Accessibility statement"),
    "privacy": exported_footer_page("Privacy notice"),
}


@pytest.mark.parametrize("kind", EXPORTED_PAGES.keys())
def test_the_exported_pages_are_accessible_from_disk(
    exported: Export, context: BrowserContext, axe: str, kind: str
) -> None:
    """axe-core finds no WCAG A/AA violation on the exported page opened from disk, which runs error-free."""
    page = context.new_page()
    visit = watch(page)
    EXPORTED_PAGES[kind](page, exported)
    check_export_page(page, visit, exported)
    check_axe(page, axe)


def test_the_home_map_adds_every_place_found_grouped_and_gives_focus_back(
    site: Site, context: BrowserContext, axe: str
) -> None:
    """Numbered markers for the list's page, the rest of the search clustered from the API; popups keep focus."""
    page = context.new_page()
    visit = watch(page)
    page.goto(site.url)
    drawn = page.locator("[data-map][data-items]").first
    drawn.scroll_into_view_if_needed()  # the map reads the rest of the places once it is on the screen
    page.wait_for_function("() => (document.querySelector('.map-status') || {}).textContent")
    listed = page.locator(f"[id='{drawn.get_attribute('data-list')}'] li[data-feature]")
    placed = listed.and_(page.locator("[data-lat][data-lon]")).count()
    assert placed >= 1
    listed_ids = {item.get_attribute("data-id") for item in listed.all()}
    with urllib.request.urlopen(urljoin(site.url, drawn.get_attribute("data-items")), timeout=20) as answer:
        features = json.load(answer)["features"]
    others = [feature for feature in features if feature["geometry"] and feature["id"] not in listed_ids]
    assert others, "the sample data has more places than one page lists"
    assert f"the other {len(others):,} places found" in page.locator(".map-status").inner_text()
    # The list's places numbered, each drawn or named by the group that holds it; with the others, none twice.
    numbered = [int(text) for text in drawn.locator(".marker-number").all_inner_texts()]
    labels = drawn.locator(".marker-cluster-listed").evaluate_all("(all) => all.map((g) => g.ariaLabel)")
    named = [int(n) for label in labels for n in re.search(r"number ([\d, ]+) of the list", label)[1].split(", ")]
    assert sorted(numbered + named) == list(range(1, placed + 1))
    grouped = sum(int(text) for text in drawn.locator(".marker-cluster").all_inner_texts())
    singles = drawn.locator(".marker-place").count()
    assert grouped + singles + len(numbered) <= len(others) + placed
    # From the keyboard: Enter on a group zooms in, with focus on one of its places, until a numbered one is drawn.
    while not drawn.locator(".marker-number").count():
        group = drawn.locator(".marker-cluster-listed").first.element_handle()
        group.press("Enter")
        page.wait_for_function(FOCUS_MOVED_IN_MAP, arg=group)
    # A numbered marker opens its popup with focus on its link, and Escape gives focus back.
    drawn.locator(".marker-number").first.press("Enter")
    popup = page.locator(".leaflet-popup")
    popup.wait_for()
    assert page.evaluate("() => document.activeElement.closest('.leaflet-popup') !== null")
    page.keyboard.press("Escape")
    popup.wait_for(state="detached")
    assert page.evaluate("() => document.activeElement.classList.contains('marker-number')")
    check_visit(page, visit)
    check_axe(page, axe)


# Focus has left the group pressed for another marker or group, and the map has stopped moving.
FOCUS_MOVED_IN_MAP = """
(pressed) => document.activeElement !== pressed && document.activeElement.matches(".leaflet-marker-icon")
  && !document.querySelector(".leaflet-zoom-anim, .leaflet-cluster-anim")
"""
PHONE = {"width": 390, "height": 844}  # CSS pixels: a common phone's screen


def test_on_a_phone_a_postcode_search_opens_at_the_nearest_results_and_a_record_answers_first(
    site: Site, context: BrowserContext, axe: str
) -> None:
    """At 390 px: results in the first screen, focus on their heading; a record's hours, directions and report links."""
    page = context.new_page()
    page.set_viewport_size(PHONE)
    visit = watch(page)
    page.goto(site.url)
    page.fill("#field-near", "zz11aa")
    with page.expect_navigation():
        page.click("form.search button[type=submit]")
    assert urlsplit(page.url).fragment == "results"
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('#results h2')")
    heading = page.locator("#results h2").first.bounding_box()
    first = page.locator("ol.features li[data-feature] > a").first
    placed = first.bounding_box()
    assert heading is not None
    assert placed is not None
    assert 0 <= heading["y"] < placed["y"]
    assert placed["y"] + placed["height"] <= PHONE["height"]
    assert "nearest first" in page.locator("#results p.count").first.inner_text()
    check_visit(page, visit)
    check_axe(page, axe)
    with page.expect_navigation():
        first.click()
    for heading_name in ("Get directions", "Report a problem with this place"):
        assert page.get_by_role("heading", name=heading_name).is_visible()
    assert page.get_by_role("link", name="Directions on OpenStreetMap").is_visible()
    theme = tomllib.loads((site.project / "place.toml").read_text(encoding="utf-8"))["dataset"]["theme"]
    if theme == "public_toilets":  # the theme with opening hours: the first answers say whether it is open
        answers = page.locator("dl.answers").inner_text()
        assert re.search(r"Open now|Closed|Open 24 hours|Hours not known", answers), answers
    check_visit(page, visit)
    check_axe(page, axe)


def test_on_a_phone_the_map_reads_the_other_places_only_once_it_is_seen(site: Site, context: BrowserContext) -> None:
    """The results come first; the map, below them, asks the API for the rest of the places when scrolled to."""
    page = context.new_page()
    page.set_viewport_size(PHONE)
    visit = watch(page)
    page.goto(site.url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    assert not [url for url in visit.requests if "/api/collections/" in url]
    page.locator("[data-map][data-items]").first.scroll_into_view_if_needed()
    page.wait_for_function("() => (document.querySelector('.map-status') || {}).textContent")
    assert [url for url in visit.requests if "/api/collections/" in url and "limit=1000" in url]
    check_visit(page, visit)
