"""The home page's map: numbered markers for the list's page and, in the live app, every place the search finds.

The map itself is drawn by static/app.js in a browser (the template's Chromium
tests open it); here the page's side of the contract: which API address the map
reads, that it reads the same places as the list, and that the static export,
which has no API, keeps to the list.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import test_languages
from conftest import Page, Served, clean_settings_environment, write_project
from test_export import export

from local_data_app.config import load_settings
from local_data_app.ingest import ingest
from local_data_app.testing import get

# test_languages.py's app of 23 toilets in English and Welsh, a fixture found by pytest by its name here.
welsh = test_languages.welsh


def the_map(base: str, query: str = "") -> dict[str, str]:
    page = Page(get(f"{base}/?{query}").text)
    (found,) = page.find("div", data_map="")
    return found


def test_the_map_reads_every_place_the_search_matches_from_the_api(served: Served) -> None:
    drawn = the_map(served.base, "BabyChange=yes&near=53.45,-2.3")
    address = urlsplit(drawn["data-items"])
    assert address.path == "/api/collections/toilets/items"
    assert parse_qs(address.query) == {
        "BabyChange": ["yes"],
        "near": ["-2.3,53.45"],
        "limit": ["1000"],
        "properties": ["LocationText"],
    }
    assert drawn["data-name-fields"] == "LocationText"
    assert drawn["data-feature-base"] == "/features/toilets/"
    assert (drawn["data-here-lon"], drawn["data-here-lat"]) == ("-2.3", "53.45")
    # The address answers the same places as the list counts: 12 toilets with baby changing, in one page.
    answer = get(served.base + drawn["data-items"]).json()
    assert answer["numberMatched"] == len(answer["features"]) == 12
    # Each marker needs only its name (and, near a point, its distance): the page of 1,000 carries nothing else.
    assert all(list(feature["properties"]) == ["LocationText", "distance"] for feature in answer["features"])
    assert {feature["id"] for feature in answer["features"]} == {
        feature["id"]
        for feature in get(f"{served.base}/api/collections/toilets/items?BabyChange=yes").json()["features"]
    } | {
        feature["id"]
        for feature in get(f"{served.base}/api/collections/toilets/items?BabyChange=yes&offset=10").json()["features"]
    }


def test_the_list_numbers_its_places_as_the_map_numbers_its_markers(served: Served) -> None:
    page = Page(get(f"{served.base}/?page-toilets=2").text)
    items = page.find("li", data_feature="")
    assert [item["data-number"] for item in items] == [str(number) for number in range(21, 24)]
    assert [item["data-id"] for item in items] == ["T20", "T21", "T/22"]
    assert page.find("ol", start="21")


def test_a_word_search_keeps_the_map_to_the_list(served: Served) -> None:
    """The API does not search words, so the map would show places the words leave out: it shows the list only."""
    drawn = the_map(served.base, "q=toilet")
    assert "data-items" not in drawn
    assert "data-here-lat" not in drawn


def test_the_static_export_maps_its_list_alone(tmp_path: Path) -> None:
    with clean_settings_environment():
        config = write_project(tmp_path / "project")
        ingest(load_settings(config))
        site = tmp_path / "site"
        assert export(config, str(site))[0] == 0
    home = html.unescape((site / "index.html").read_text(encoding="utf-8"))
    assert "data-map" in home
    assert "data-items" not in home
    assert 'data-number="1"' in home


@pytest.mark.parametrize(
    ("path", "words"),
    [
        (
            "/",
            {
                "mapGroup": "{count} places: zoom in to see them",
                "mapGroupListed": "{count} places, with number {numbers} of the list: zoom in to see them",
                "zoomIn": "Zoom in",
                "zoomOut": "Zoom out",
            },
        ),
        (
            "/cy/",
            {
                "mapGroup": "{count} o leoedd: chwyddwch i mewn i'w gweld",
                "mapGroupListed": "{count} o leoedd, gan gynnwys rhif {numbers} o'r rhestr: chwyddwch i mewn i'w gweld",
                "zoomIn": "Chwyddo i mewn",
                "zoomOut": "Chwyddo allan",
            },
        ),
    ],
    ids=["en", "cy"],
)
def test_the_maps_groups_and_zoom_buttons_speak_the_pages_language(
    welsh: Served, path: str, words: dict[str, str]
) -> None:
    """app.js names each group and its zoom buttons from the page's data-words, with {count} and {numbers} kept."""
    (body,) = Page(get(welsh.base + path).text).find("body")
    given = json.loads(body["data-words"])
    assert {key: given[key] for key in words} == words
