"""An app of many areas in three countries, one national source, in Chromium: axe-core finds nothing on its pages.

The app is the engine of this working tree serving a small national project
written by bench/national.py's own generator (areas with E, W and S codes, one
CSV with an area column): the home page's area chooser, grouped by country, an
area chosen, and the about page that credits the source once. The browser,
axe-core and the local tile server are test_accessibility.py's.
"""

from __future__ import annotations

import contextlib
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_accessibility as shared
from conftest import ROOT
from playwright.sync_api import BrowserContext

sys.path.insert(0, str(ROOT / "bench"))
import national  # bench/ is not a package: its folder is put on the path first

# test_accessibility.py's fixtures, found by pytest by their names here: Chromium, axe-core, the local tile server.
axe, browser, context, tile_server = shared.axe, shared.browser, shared.context, shared.tile_server

AREAS = 9
ROWS_PER_AREA = 6


@pytest.fixture(scope="module")
def many_areas(tmp_path_factory: pytest.TempPathFactory, tile_server: str) -> Iterator[tuple[str, list]]:
    """The national project ingested and served on 127.0.0.1, with the test's tile server; its URL and areas."""
    rng = random.Random(7)
    areas = national.make_areas(AREAS, rng)
    with served_bench_project(tmp_path_factory.mktemp("national"), areas, ROWS_PER_AREA, rng, tile_server) as url:
        yield url, areas


@contextlib.contextmanager
def served_bench_project(
    folder: Path, areas: list, per_area: int, rng: random.Random, tile_server: str
) -> Iterator[str]:
    """bench/national.py's project of these areas (national with several, one area alone), ingested and served."""
    csv_path = folder / "toilets.csv"
    national.write_csv(csv_path, areas, per_area, rng)
    config = folder / "place.toml"
    several = len(areas) > 1
    config.write_text(national.place_toml(folder / "app.db", csv_path, areas, national=several), encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "APP_MAP__TILE_URL": tile_server}
    command = [sys.executable, "-m", "local_data_app", "--config", str(config)]
    ingested = subprocess.run([*command, "ingest"], cwd=folder, env=env, capture_output=True, text=True, check=True)
    assert f"loaded {len(areas) * per_area:,}, rejected 0" in ingested.stdout, ingested.stdout + ingested.stderr
    port, log = shared.free_port(), folder / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "serve", "--port", str(port)], cwd=folder, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        shared.wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("page_of", ["home", "area", "about"])
def test_a_national_apps_pages_pass_axe(
    many_areas: tuple[str, list], context: BrowserContext, axe: str, page_of: str
) -> None:
    """The chooser of areas grouped by country, an area's records, and the about page: no WCAG A or AA violation."""
    url, areas = many_areas
    welsh = next(area for area in areas if area.code.startswith("W"))
    path = {"home": "", "area": f"?area={welsh.code}", "about": "about"}[page_of]
    page = context.new_page()
    visit = shared.watch(page)
    assert page.goto(url + path).status == 200
    shared.check_visit(page, visit)
    shared.check_axe(page, axe)
    if page_of == "home":
        labels = page.eval_on_selector_all("#field-area optgroup", "groups => groups.map((group) => group.label)")
        assert labels == ["England", "Wales", "Scotland"]


RECORDS = 5_000


@pytest.fixture(scope="module")
def five_thousand(tmp_path_factory: pytest.TempPathFactory, tile_server: str) -> Iterator[str]:
    """One area's 5,000 toilets, ingested and served on 127.0.0.1 with the test's tile server; its URL."""
    rng = random.Random(11)
    areas = national.make_areas(1, rng)
    with served_bench_project(tmp_path_factory.mktemp("five-thousand"), areas, RECORDS, rng, tile_server) as url:
        yield url


def test_on_a_phone_the_map_clusters_5000_records(five_thousand: str, context: BrowserContext) -> None:
    """The list's 20 numbered, the other 4,980 read from the API and grouped: far fewer markers drawn than places."""
    page = context.new_page()
    page.set_viewport_size(shared.PHONE)
    visit = shared.watch(page)
    page.goto(five_thousand)
    drawn = page.locator("[data-map][data-items]").first
    drawn.scroll_into_view_if_needed()
    page.wait_for_function("() => (document.querySelector('.map-status') || {}).textContent", timeout=60_000)
    assert f"the other {RECORDS - 20:,} places found" in page.locator(".map-status").inner_text()
    clusters = drawn.locator(".marker-cluster")
    assert clusters.count() >= 1
    counted = sum(int(text) for text in clusters.all_inner_texts())
    singles = drawn.locator(".leaflet-marker-icon:not(.marker-cluster):not(.marker-number)").count()
    assert drawn.locator(".marker-number").count() + clusters.count() + singles < 500  # drawn, of 5,000 places
    assert counted + singles <= RECORDS - 20  # every cluster counts places the map reads, none twice
    shared.check_visit(page, visit)
