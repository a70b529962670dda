"""An app of many areas in three countries, one national source, in Chromium: axe-core finds nothing on its pages.

The app is the engine of this working tree serving a small national project
written by bench/national.py's own generator (areas with E, W and S codes, one
CSV with an area column): the home page's area chooser, grouped by country, an
area chosen, and the about page that credits the source once. Then one area's
5,000 places on the home page's map, at phone and desktop widths: every marker
and group a button of 24 CSS px or more that no other covers, checked by their
boxes in the page and by axe-core with nothing excused. The browser, axe-core
and the local tile server are test_accessibility.py's.
"""

from __future__ import annotations

import contextlib
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_accessibility as shared
from conftest import ROOT
from playwright.sync_api import BrowserContext, Locator, Page

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
    folder: Path, areas: list, per_area: int, rng: random.Random, tile_server: str, more_settings: str = ""
) -> Iterator[str]:
    """bench/national.py's project of these areas (national with several, one area alone), ingested and served.

    ``more_settings`` is TOML added at the end of its place.toml, such as a ``[brand]`` table.
    """
    csv_path = folder / "toilets.csv"
    national.write_csv(csv_path, areas, per_area, rng)
    config = folder / "place.toml"
    several = len(areas) > 1
    settings = national.place_toml(folder / "app.db", csv_path, areas, national=several)
    config.write_text(settings + more_settings, encoding="utf-8")
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


# Every marker and group on the map as drawn: its box in CSS pixels, its classes and its accessible name. Only
# those inside the map's frame: markercluster also keeps icons just beyond it, which the frame hides.
TARGETS = """
(map) => {
  const frame = map.getBoundingClientRect();
  return [...map.querySelectorAll(".leaflet-marker-icon")]
    .map((icon) => ({ box: icon.getBoundingClientRect(), icon }))
    .filter(({ box }) => box.right > frame.left && box.left < frame.right)
    .filter(({ box }) => box.bottom > frame.top && box.top < frame.bottom)
    .map(({ box, icon }) => ({
      left: box.left, top: box.top, right: box.right, bottom: box.bottom,
      classes: icon.className, label: icon.getAttribute("aria-label") || icon.title, text: icon.innerText,
      button: icon.tabIndex === 0 && icon.getAttribute("role") === "button",
    }));
}
"""
# axe-core's WCAG A and AA rules with nothing excused: no marker may hide behind another, listed or not.
STRICT_AXE = """
async (tags) => {
  const options = { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] };
  const results = await axe.run(document, options);
  const where = (node) => `  ${node.target.join(" ")}: ${node.failureSummary}`;
  const told = (violation) => `${violation.id}: ${violation.help}\\n` + violation.nodes.map(where).join("\\n");
  return results.violations.map(told);
}
"""
DESKTOP = {"width": 1280, "height": 900}
LISTED = re.compile(r"with number ([\d, ]+) of the list")


def overlapping(targets: list[dict]) -> list[tuple[str, str]]:
    """The pairs of targets whose boxes share any area: one would lie over the other."""
    found = []
    for index, one in enumerate(targets):
        for other in targets[index + 1 :]:
            wide = min(one["right"], other["right"]) - max(one["left"], other["left"])
            high = min(one["bottom"], other["bottom"]) - max(one["top"], other["top"])
            if wide > 0 and high > 0:
                found.append((one["label"], other["label"]))
    return found


def grouped_numbers(targets: list[dict]) -> list[int]:
    """The list's numbers that the groups among these targets name as theirs."""
    return [
        int(number) for target in targets for found in LISTED.findall(target["label"]) for number in found.split(", ")
    ]


def settled_targets(page: Page, drawn: Locator) -> list[dict]:
    """The map's targets once Leaflet and markercluster have stopped moving them."""
    page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim')")
    return drawn.evaluate(TARGETS)


def check_targets(targets: list[dict]) -> None:
    """Each target is a focusable button of 24 CSS px or more, and none lies over another (WCAG 2.2's 2.5.8)."""
    assert targets
    small = [
        target["label"]
        for target in targets
        if min(target["right"] - target["left"], target["bottom"] - target["top"]) < 24
    ]
    assert not small, f"targets under 24 px: {small}"
    assert all(target["button"] and target["label"] for target in targets)
    assert not overlapping(targets), overlapping(targets)


@pytest.mark.parametrize("screen", [shared.PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_map_clusters_5000_records_and_no_target_covers_another(
    five_thousand: str, context: BrowserContext, axe: str, screen: dict[str, int]
) -> None:
    """The list's 20 numbered, the other 4,980 read from the API and grouped: no target hides another; axe is clean."""
    page = context.new_page()
    page.set_viewport_size(screen)
    visit = shared.watch(page)
    page.goto(five_thousand)
    drawn = page.locator("[data-map][data-items]").first
    drawn.scroll_into_view_if_needed()
    page.wait_for_function("() => (document.querySelector('.map-status') || {}).textContent", timeout=60_000)
    assert f"the other {RECORDS - 20:,} places found" in page.locator(".map-status").inner_text()
    targets = settled_targets(page, drawn)
    check_targets(targets)
    clusters = [target for target in targets if "marker-cluster" in target["classes"]]
    numbered = [target for target in targets if "marker-number" in target["classes"]]
    singles = [target for target in targets if "marker-place" in target["classes"]]
    assert clusters, "5,000 places and no group"
    assert len(clusters) + len(numbered) + len(singles) == len(targets) < 500  # drawn, of 5,000 places
    assert sum(int(cluster["text"].replace(",", "")) for cluster in clusters) + len(singles) + len(numbered) <= RECORDS
    # Each of the list's numbers is on the map once: as its own marker, or named by the group that holds it.
    shown = sorted([int(target["text"]) for target in numbered] + grouped_numbers(clusters))
    assert shown == list(range(1, 21))
    shared.check_visit(page, visit)
    strict_axe(page, axe)


def strict_axe(page: Page, axe: str) -> None:
    """axe-core finds no WCAG A or AA violation, not even a crowded marker of a listed place."""
    page.evaluate(axe)
    violations = page.evaluate(STRICT_AXE, shared.WCAG_TAGS)
    assert not violations, "\n".join(violations)


def near_the_middle(page: Page, url: str) -> Locator:
    """The home page searched near its map's centre, scrolled to the map once every place is on it; the map."""
    page.goto(url)
    drawn = page.locator("[data-map][data-items]").first
    page.goto(f"{url}?near={drawn.get_attribute('data-lat')},{drawn.get_attribute('data-lon')}")
    drawn.scroll_into_view_if_needed()
    page.wait_for_function("() => (document.querySelector('.map-status') || {}).textContent", timeout=60_000)
    return drawn


def tile_zoom(page: Page) -> int:
    """The map's zoom, read from the address of a tile it shows (…/{z}/{x}/{y}.png)."""
    return int(page.evaluate("() => document.querySelector('.leaflet-tile-loaded').src").split("/")[-3])


def test_after_a_near_search_enter_on_a_group_zooms_in_and_focus_follows(
    five_thousand: str, context: BrowserContext, axe: str
) -> None:
    """On a phone, near a point among 5,000: axe is clean; Enter on a group zooms in with focus on one of its places."""
    page = context.new_page()
    page.set_viewport_size(shared.PHONE)
    visit = shared.watch(page)
    drawn = near_the_middle(page, five_thousand)
    targets = settled_targets(page, drawn)
    check_targets(targets)
    assert any("marker-number" in target["classes"] for target in targets)  # near a point, some drawn on their own
    assert page.get_by_text("You are here").count() == 1
    shared.check_visit(page, visit)
    strict_axe(page, axe)
    group = drawn.locator(".marker-cluster").first
    assert re.match(r"[\d,]+ places", group.get_attribute("aria-label") or "")
    assert group.get_attribute("role") == "button"
    zoom = tile_zoom(page)
    pressed = group.element_handle()
    pressed.press("Enter")
    page.wait_for_function(shared.FOCUS_MOVED_IN_MAP, arg=pressed)
    page.wait_for_function(shared.SETTLED)
    assert tile_zoom(page) > zoom
    check_targets(settled_targets(page, drawn))
    # Enter again while focus is on a group, until it is on a place (spread out at the closest zoom, if need be).
    for _ in range(20):
        if not page.evaluate("() => document.activeElement.matches('.marker-cluster')"):
            break
        pressed = page.evaluate_handle("() => document.activeElement")
        page.keyboard.press("Enter")
        page.wait_for_function(shared.FOCUS_MOVED_IN_MAP, arg=pressed)
    place = page.evaluate_handle("() => document.activeElement")
    assert page.evaluate("() => document.activeElement.matches('.marker-place, .marker-number')")
    # The place's popup takes focus, on its link; Escape closes it and gives focus back to the place.
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup").wait_for()
    assert page.evaluate("() => document.activeElement.matches('.leaflet-popup a.popup-title, .popup-title a')")
    page.keyboard.press("Escape")
    page.locator(".leaflet-popup").wait_for(state="detached")
    assert page.evaluate("(place) => document.activeElement === place", place)
    shared.check_visit(page, visit)


@pytest.mark.parametrize("screen", [shared.PHONE, DESKTOP], ids=["phone", "desktop"])
def test_near_a_point_the_first_view_draws_the_nearest_places_on_their_own(
    five_thousand: str, context: BrowserContext, screen: dict[str, int]
) -> None:
    """Near a point among 5,000, the map opens round "You are here" and the nearest, most of them as numbers.

    Fitting all 20 listed places drew one of them on its own, at either width,
    and grouped the rest with the other 4,980.
    """
    page = context.new_page()
    page.set_viewport_size(screen)
    drawn = near_the_middle(page, five_thousand)
    targets = settled_targets(page, drawn)
    check_targets(targets)
    alone = [int(target["text"]) for target in targets if "marker-number" in target["classes"]]
    assert len(alone) >= 6, f"on their own: {alone}"
    # The nearest is in the view, on its own or named by the group that holds it, and so is "You are here".
    assert 1 in alone + grouped_numbers(targets)
    here, frame = page.get_by_text("You are here").bounding_box(), drawn.bounding_box()
    assert here
    assert frame
    assert frame["x"] <= here["x"]
    assert here["x"] + here["width"] <= frame["x"] + frame["width"]
    assert frame["y"] <= here["y"]
    assert here["y"] + here["height"] <= frame["y"] + frame["height"]
