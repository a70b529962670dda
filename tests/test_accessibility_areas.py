"""An app of many areas in three countries, one national source, in Chromium: axe-core finds nothing on its pages.

The app is the engine of this working tree serving a small national project
written by bench/national.py's own generator (areas with E, W and S codes, one
CSV with an area column): the home page's area chooser, grouped by country, an
area chosen, and the about page that credits the source once. The browser,
axe-core and the local tile server are test_accessibility.py's.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator

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
    folder = tmp_path_factory.mktemp("national")
    rng = random.Random(7)
    areas = national.make_areas(AREAS, rng)
    csv_path = folder / "national.csv"
    national.write_csv(csv_path, areas, ROWS_PER_AREA, rng)
    config = folder / "place.toml"
    config.write_text(national.place_toml(folder / "app.db", csv_path, areas, national=True), encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "APP_MAP__TILE_URL": tile_server}
    command = [sys.executable, "-m", "local_data_app", "--config", str(config)]
    ingested = subprocess.run([*command, "ingest"], cwd=folder, env=env, capture_output=True, text=True, check=True)
    assert f"loaded {AREAS * ROWS_PER_AREA}, rejected 0" in ingested.stdout, ingested.stdout + ingested.stderr
    port, log = shared.free_port(), folder / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "serve", "--port", str(port)], cwd=folder, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        shared.wait_until_up(url, server, log)
        yield url, areas
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
