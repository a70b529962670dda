"""A council's brand in Chromium: axe-core finds no contrast or other WCAG problem on its branded pages.

The app is the engine of this working tree serving one area's toilets (bench/national.py's generator) with
``[brand]`` in place.toml: a colour only just dark enough for white text (the engine's own suggestion for a
bright orange, so the engine's contrast arithmetic and axe-core's are compared where they matter) and an SVG logo.
The browser, axe-core and the local tile server are test_accessibility.py's; its checks also fail on any CSP
violation, so the colour must reach the page without an inline style.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
import test_accessibility as shared
from local_data_app.contrast import contrast_ratio, darker_passing
from playwright.sync_api import BrowserContext
from test_accessibility_areas import national, served_bench_project

# test_accessibility.py's fixtures, found by pytest by their names here: Chromium, axe-core, the local tile server.
axe, browser, context, tile_server = shared.axe, shared.browser, shared.context, shared.tile_server

COLOUR = darker_passing("#ff8800")  # bright orange, darkened just far enough: about 4.5:1 with white
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="40" height="10" fill="#fff"/></svg>'
ROWS = 6


@pytest.fixture(scope="module")
def branded(tmp_path_factory: pytest.TempPathFactory, tile_server: str) -> Iterator[str]:
    """One area's toilets with a brand colour and logo, ingested and served on 127.0.0.1; its URL."""
    folder = tmp_path_factory.mktemp("branded")
    rng = random.Random(5)
    areas = national.make_areas(1, rng)
    (folder / "static").mkdir()
    (folder / "static" / "logo.svg").write_text(LOGO, encoding="utf-8")
    brand = f'\n[brand]\ncolour = "{COLOUR}"\nlogo = "static/logo.svg"\n'
    with served_bench_project(folder, areas, ROWS, rng, tile_server, more_settings=brand) as url:
        yield url


def test_the_colour_is_only_just_dark_enough() -> None:
    """The page under test sits at the threshold, where a mistake in either contrast formula would show."""
    assert 4.5 <= contrast_ratio(COLOUR, "#ffffff") < 4.7


@pytest.mark.parametrize("path", ["", "about", "accessibility"])
def test_branded_pages_pass_axe(branded: str, context: BrowserContext, axe: str, path: str) -> None:
    """The header band in the brand's colour, with the logo: no WCAG A or AA violation, no CSP violation."""
    page = context.new_page()
    visit = shared.watch(page)
    assert page.goto(branded + path).status == 200
    shared.check_visit(page, visit)
    shared.check_axe(page, axe)
    band = page.eval_on_selector(".site-header", "header => getComputedStyle(header).backgroundColor")
    red, green, blue = (int(COLOUR[index : index + 2], 16) for index in (1, 3, 5))
    assert band == f"rgb({red}, {green}, {blue})"
    logo = page.locator(".site-logo img")
    assert logo.get_attribute("alt") == "Bench Council"
    assert logo.evaluate("image => image.complete && image.naturalWidth > 0")
