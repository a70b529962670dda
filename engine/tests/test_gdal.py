"""GDAL's own programs, ogrinfo and ogr2ogr, read the API from a real server on 127.0.0.1, as a GIS user would.

GDAL's OAPIF driver reads OGC API - Features for ogr2ogr and ogrinfo, GDAL's
Python bindings and the many tools built on GDAL. The served project
has enough toilets that a copy takes several pages, and the server records
every request GDAL sends, so the tests see how GDAL pages. The programs come
from Debian's gdal-bin (scripts/gdal.py installs it; scripts/test.py runs it
first); without them these tests fail. A current GDAL, as pyogrio's wheel
bundles it, reads the same server beside them.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from conftest import CATEGORIES, CENTRE, clean_settings_environment, get, running, write_project
from pyproj import Transformer
from starlette.types import ASGIApp, Receive, Scope, Send

from local_data_app.config import load_settings
from local_data_app.ingest import ingest
from local_data_app.web import create_app

# Enough toilets for several pages of the largest page the API serves.
FEATURES = 2_345
GRID_STEP = 0.002  # degrees between neighbouring toilets: about 130 m north-south
COLUMNS = 50
BOX = (-2.2705, 53.4695, -2.2395, 53.4805)  # minlon, minlat, maxlon, maxlat: a corner of the grid
WHERE = ("Category", CATEGORIES[0])
ITEMS_PATH = "/api/collections/toilets/items"
GDAL_TIMEOUT = 300  # seconds for one ogrinfo or ogr2ogr run
HOW_TO_GET_GDAL = (
    "The GDAL tests need GDAL's ogrinfo and ogr2ogr on PATH: run `python3 scripts/gdal.py`, which installs "
    "Debian's gdal-bin (as root or through sudo), or install GDAL yourself."
)
TO_BRITISH_NATIONAL_GRID = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def many_toilets(count: int = FEATURES) -> list[dict[str, str]]:
    """``count`` toilets on a grid north-east of the centre, the categories and baby changing taking turns."""
    return [
        {
            "Ref": f"G{index:04d}",
            "ExtractDate": "05/01/2024",
            "OrganisationLabel": "Testshire",
            "ServiceTypeLabel": "Toilets",
            "LocationText": f"Toilet {index}",
            "GeoX": f"{CENTRE[0] + (index % COLUMNS) * GRID_STEP:.5f}",
            "GeoY": f"{CENTRE[1] + (index // COLUMNS) * GRID_STEP:.5f}",
            "Category": CATEGORIES[index % len(CATEGORIES)],
            "BabyChange": "yes" if index % 2 == 0 else "no",
        }
        for index in range(count)
    ]


class RequestLog:
    """ASGI middleware that keeps the path and query of every request the server receives, in order."""

    def __init__(self, app: ASGIApp, requests: list[str]) -> None:
        self.app = app
        self.requests = requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope["query_string"].decode("latin-1")
            self.requests.append(scope["path"] + (f"?{query}" if query else ""))
        await self.app(scope, receive, send)


@dataclass
class Site:
    """A served app: its landing page, and the requests it has received."""

    landing: str
    requests: list[str] = field(default_factory=list)

    def items_requests(self) -> list[dict[str, list[str]]]:
        """The query of each request for the collection's items, in order."""
        return [parse_qs(urlsplit(path).query) for path in self.requests if path.startswith(ITEMS_PATH)]


@pytest.fixture(scope="module")
def gdal() -> Path:
    """The folder holding ogrinfo and ogr2ogr; the tests fail, saying how to install them, when they are missing."""
    found = [shutil.which(program) for program in ("ogrinfo", "ogr2ogr")]
    if not all(found):
        pytest.fail(HOW_TO_GET_GDAL)
    return Path(str(found[0])).parent


def gdal_version(gdal: Path) -> tuple[int, int]:
    """GDAL's major and minor version, from ``ogrinfo --version`` (``GDAL 3.6.2, released 2023/01/02``)."""
    printed = run(gdal, "ogrinfo", "--version")
    found = re.match(r"GDAL (\d+)\.(\d+)", printed)
    assert found, printed
    return int(found[1]), int(found[2])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Site]:
    """The app for a project of many toilets, on each kind of store, recording the requests it receives."""
    rows = many_toilets()
    with clean_settings_environment():
        config = write_project(tmp_path_factory.mktemp("project"), rows, database_url=web_database_url)
        loaded = load_settings(config)
        (report,) = ingest(loaded)
        assert (report.loaded, report.rejected) == (len(rows), 0)
        app = create_app(loaded)
        served = Site("")
        app.add_middleware(RequestLog, requests=served.requests)
        with running(app) as base:
            served.landing = base + "/api"
            yield served


def api_features(site: Site, **parameters: str) -> list[dict[str, Any]]:
    """Every feature the API gives for these parameters, following its next links."""
    url: str | None = f"{site.landing}/collections/toilets/items?{urlencode({'limit': 1000, **parameters})}"
    features: list[dict[str, Any]] = []
    while url:
        page = get(url).json()
        features.extend(page["features"])
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    return features


def advertised_maximum(site: Site) -> int:
    """The largest ``limit`` the API's OpenAPI document declares, where GIS clients look for it."""
    document = get(site.landing + "/openapi.json").json()
    return document["components"]["parameters"]["limit"]["schema"]["maximum"]


def run(gdal: Path, program: str, *arguments: str) -> str:
    """Run ogrinfo or ogr2ogr; return what it printed, failing the test with its messages when it fails."""
    outcome = subprocess.run(  # noqa: S603 (GDAL's own programs, found on PATH)
        [str(gdal / program), *arguments], capture_output=True, text=True, timeout=GDAL_TIMEOUT, check=False
    )
    assert outcome.returncode == 0, f"{program} failed ({outcome.returncode}):\n{outcome.stdout}\n{outcome.stderr}"
    return outcome.stdout


def copy(gdal: Path, site: Site, target: Path, *options: str, page_size: int | None = None) -> Path:
    """ogr2ogr's copy of the collection to ``target`` (its suffix picks GeoPackage or GeoJSON)."""
    driver = "GPKG" if target.suffix == ".gpkg" else "GeoJSON"
    sizing = ["-oo", f"PAGE_SIZE={page_size}"] if page_size else []
    run(gdal, "ogr2ogr", "-f", driver, str(target), f"OAPIF:{site.landing}", "toilets", *sizing, *options)
    return target


def geojson_features(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def test_ogrinfo_lists_the_layer_and_its_count(gdal: Path, site: Site) -> None:
    """ogrinfo finds the one collection from the landing page, and its feature count and extent."""
    listing = run(gdal, "ogrinfo", "-ro", f"OAPIF:{site.landing}")
    assert "1: toilets (title: Public toilets in Testshire) (Point)" in listing
    summary = run(gdal, "ogrinfo", "-ro", "-so", f"OAPIF:{site.landing}", "toilets")
    assert f"Feature Count: {FEATURES}" in summary
    assert "Extent: (-2.300000, 53.450000) - (-2.202000, 53.542000)" in summary


def test_ogr2ogr_copies_every_feature_to_a_geopackage(gdal: Path, site: Site, tmp_path: Path) -> None:
    """Following next links page after page, the GeoPackage holds every feature once, with the API's ids and attributes.

    Left to itself, GDAL before 3.8 asks for pages of 10 (the standard's
    default) and never reads the document's maximum; 3.8 and later ask for
    1,000. The first request only learns the fields.
    """
    site.requests.clear()
    package = copy(gdal, site, tmp_path / "toilets.gpkg")
    own_page = 10 if gdal_version(gdal) < (3, 8) else 1000
    pages = site.items_requests()[1:]
    assert {tuple(query["limit"]) for query in pages} == {(str(own_page),)}
    assert len(pages) == math.ceil(FEATURES / own_page)
    with closing(sqlite3.connect(package)) as db:
        rows = db.execute("SELECT id, LocationText, Category, BabyChange FROM toilets").fetchall()
    copied = {row[0]: row[1:] for row in rows}
    assert len(rows) == len(copied) == FEATURES
    expected = {
        feature["id"]: (
            feature["properties"]["LocationText"],
            feature["properties"]["Category"],
            int(feature["properties"]["BabyChange"]),
        )
        for feature in api_features(site)
    }
    assert copied == expected


def test_gdal_pages_by_the_advertised_maximum(gdal: Path, site: Site, tmp_path: Path) -> None:
    """With PAGE_SIZE set to the maximum the document declares, GDAL asks for pages of 1,000: four requests, not 236."""
    maximum = advertised_maximum(site)
    assert maximum == 1000
    site.requests.clear()
    copied = geojson_features(copy(gdal, site, tmp_path / "toilets.geojson", page_size=maximum))
    assert len(copied) == FEATURES
    _fields, *pages = site.items_requests()  # the first only learns the fields (GDAL 3.8 and later ask for 20)
    assert {tuple(query["limit"]) for query in pages} == {(str(maximum),)}
    assert len(pages) == math.ceil(FEATURES / maximum)


def test_gdal_spatial_filter_agrees_with_the_api_bbox(gdal: Path, site: Site, tmp_path: Path) -> None:
    """ogr2ogr -spat sends the box to the server and keeps the same features as the API's bbox."""
    site.requests.clear()
    box = [str(value) for value in BOX]
    copied = geojson_features(copy(gdal, site, tmp_path / "box.geojson", "-spat", *box, page_size=1000))
    expected = [feature["id"] for feature in api_features(site, bbox=",".join(box))]
    assert 0 < len(expected) < FEATURES
    assert sorted(feature["properties"]["id"] for feature in copied) == sorted(expected)
    assert any("bbox" in query for query in site.items_requests())


def test_gdal_spatial_filter_round_the_whole_layer_copies_every_feature(gdal: Path, site: Site, tmp_path: Path) -> None:
    """-spat round the whole layer (a client zoomed out to it) copies every feature, once, through the API's bbox."""
    site.requests.clear()
    box = ["-3", "53", "-2", "54"]  # wider than the extent on every side
    copied = geojson_features(copy(gdal, site, tmp_path / "whole.geojson", "-spat", *box, page_size=1000))
    _fields, *pages = site.items_requests()  # the first only learns the fields
    assert len(pages) == math.ceil(FEATURES / 1000)
    assert all(query["bbox"] == [",".join(box)] for query in pages)
    expected = [feature["id"] for feature in api_features(site)]
    assert len(expected) == FEATURES
    assert [feature["properties"]["id"] for feature in copied] == expected


def test_gdal_attribute_filter_agrees_with_the_api_filter(gdal: Path, site: Site, tmp_path: Path) -> None:
    """ogr2ogr -where on a field is sent to the server as its field filter, and keeps the same features.

    GDAL learns that it may send the field from the collection's own items
    path in the OpenAPI document (/collections/toilets/items); without it,
    GDAL read every feature and filtered them itself.
    """
    name, value = WHERE
    where = f"{name} = '{value}'"
    site.requests.clear()
    copied = geojson_features(copy(gdal, site, tmp_path / "where.geojson", "-where", where, page_size=1000))
    expected = [feature["id"] for feature in api_features(site, **{name: value})]
    assert len(expected) == math.ceil(FEATURES / len(CATEGORIES))
    assert sorted(feature["properties"]["id"] for feature in copied) == sorted(expected)
    _fields, *pages = site.items_requests()
    assert pages
    assert all(query.get(name) == [value] for query in pages), pages  # no page of the whole collection


def test_gdal_reprojects_to_british_national_grid(gdal: Path, site: Site, tmp_path: Path) -> None:
    """ogr2ogr -t_srs EPSG:27700 puts every toilet within a metre of pyproj's conversion of the API's point."""
    copied = geojson_features(copy(gdal, site, tmp_path / "bng.geojson", "-t_srs", "EPSG:27700", page_size=1000))
    api = {feature["id"]: feature["geometry"]["coordinates"] for feature in api_features(site)}
    assert len(copied) == len(api) == FEATURES
    for feature in copied:
        lon, lat = api[feature["properties"]["id"]]
        easting, northing = TO_BRITISH_NATIONAL_GRID.transform(lon, lat)
        x, y = feature["geometry"]["coordinates"]
        assert math.dist((x, y), (easting, northing)) < 1.0, feature["properties"]["id"]


# GDAL as pyogrio's wheel bundles it (3.12): run in its own process, as the app's server shares this one's GIL.
CURRENT_GDAL = """
import json, sys
import pyogrio, pyogrio.raw
_meta, _fids, _geometry, fields = pyogrio.raw.read(sys.argv[1], layer="toilets", where=sys.argv[2] or None)
print(json.dumps({"gdal": pyogrio.__gdal_version__, "features": len(fields[0])}))
"""


def read_with_current_gdal(site: Site, where: str = "") -> dict[str, Any]:
    """Read the collection with a current GDAL through pyogrio; what it printed: its version and the features read."""
    outcome = subprocess.run(  # noqa: S603 (this test environment's own Python)
        [sys.executable, "-c", CURRENT_GDAL, f"OAPIF:{site.landing}", where],
        capture_output=True,
        text=True,
        timeout=GDAL_TIMEOUT,
        check=False,
    )
    assert outcome.returncode == 0, outcome.stderr
    return json.loads(outcome.stdout)


@pytest.mark.parametrize("where", ["", f"{WHERE[0]} = '{WHERE[1]}'"])
def test_a_current_gdal_pages_by_the_advertised_maximum_and_filters_on_the_server(site: Site, where: str) -> None:
    """GDAL 3.8 and later read limit's maximum, and GDAL the fields it may send, from the collection's own path.

    With only the templated path in the document, GDAL 3.12 asked for pages
    of its own 1,000 whatever the maximum said, and read every feature for a
    -where; now each page asks for the advertised maximum and carries the
    field filter.
    """
    site.requests.clear()
    read = read_with_current_gdal(site, where)
    assert tuple(read["gdal"][:2]) >= (3, 8), read
    _fields, *pages = site.items_requests()
    expected = api_features(site, **({WHERE[0]: WHERE[1]} if where else {}))
    assert read["features"] == len(expected) > 0
    maximum = str(advertised_maximum(site))
    assert [query["limit"] for query in pages] == [[maximum]] * math.ceil(len(expected) / int(maximum))
    assert all(query.get(WHERE[0]) == ([WHERE[1]] if where else None) for query in pages), pages
