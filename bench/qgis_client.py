"""Read a served app with headless QGIS, as tests/test_gdal.py does with GDAL, and print what QGIS saw.

``uv run python bench/qgis_client.py [--features N]`` (default 2,345; not run in CI)

1. writes a project of N made-up toilets on a grid in a temporary folder,
   ingests it into SQLite and serves it on 127.0.0.1, recording every request
   the server receives;
2. runs QGIS's OAPIF provider in Debian's Python (``/usr/bin/python3`` with
   the ``python3-qgis`` package, offscreen) on the landing page: every feature,
   a box (QGIS's filter rectangle), an attribute filter (a QGIS expression) and
   every feature in British National Grid (EPSG:27700);
3. compares each with the API's own answer (every id, the bbox and field
   filters, pyproj's conversion to within a metre) and prints QGIS's version,
   the page size it asked for and the requests it sent, as JSON.

Without QGIS it says how to install it (``apt-get install python3-qgis``) and exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from local_data_app.config import load_settings
from local_data_app.ingest import ingest
from local_data_app.testing import running
from local_data_app.web import create_app
from pyproj import Transformer
from starlette.types import ASGIApp, Receive, Scope, Send

QGIS_PYTHON = Path("/usr/bin/python3")  # Debian's python3-qgis is built for Debian's own Python
CENTRE = (-2.3, 53.45)
STEP, COLUMNS = 0.002, 50
CATEGORIES = ("Unisex", "Female and Male", "Male urinal")
BOX = (-2.2705, 53.4695, -2.2395, 53.4805)
WHERE = ("Category", "Unisex")
PLACE = """\
[place]
name = "Testshire"
code = "E06000999"

[organisation]
name = "Testshire Council"
url = "https://www.testshire.example"
contact_email = "open-data@testshire.example"

[map]
centre = [52.5, -1.5]
zoom = 11

[dataset]
theme = "public_toilets"
licence = "OGL-UK-3.0"

[[sources]]
name = "toilets"
adapter = "csv"
location = "data/raw/toilets.csv"

[sources.fields]
id = "Ref"
"""
# Runs inside Debian's Python with QGIS: reads the layer four ways and prints what it got as JSON.
QGIS_SCRIPT = """
import json, os, sys
from qgis.core import (Qgis, QgsApplication, QgsCoordinateReferenceSystem, QgsFeatureRequest, QgsProject,
                       QgsRectangle, QgsVectorLayer)
landing, box, where = sys.argv[1], [float(v) for v in sys.argv[2].split(",")], sys.argv[3]
app = QgsApplication([], False)
app.initQgis()
layer = QgsVectorLayer(f"url='{landing}' typename='toilets'", "toilets", "OAPIF")
if not layer.isValid():
    print(json.dumps({"error": layer.error().summary()}))
    sys.exit(1)
def read(request):
    return {f["id"]: [f.geometry().asPoint().x(), f.geometry().asPoint().y()] for f in layer.getFeatures(request)}
bng = QgsFeatureRequest().setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:27700"),
                                             QgsProject.instance().transformContext())
print(json.dumps({
    "version": Qgis.version(),
    "all": read(QgsFeatureRequest()),
    "box": sorted(read(QgsFeatureRequest().setFilterRect(QgsRectangle(*box)))),
    "where": sorted(read(QgsFeatureRequest().setFilterExpression(where))),
    "bng": read(bng),
}), flush=True)
os._exit(0)  # QGIS 3.22 can crash in exitQgis() once the layer is gone; what it read is already printed
"""


class RequestLog:
    """ASGI middleware that keeps the path and query of every request, in order."""

    def __init__(self, app: ASGIApp, requests: list[str]) -> None:
        self.app, self.requests = app, requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope["query_string"].decode("latin-1")
            self.requests.append(scope["path"] + (f"?{query}" if query else ""))
        await self.app(scope, receive, send)


def write_project(folder: Path, count: int) -> Path:
    """A project of ``count`` toilets on a grid; returns its place.toml."""
    raw = folder / "data" / "raw"
    raw.mkdir(parents=True)
    lines = ["Ref,ExtractDate,OrganisationLabel,ServiceTypeLabel,LocationText,GeoX,GeoY,Category,BabyChange"]
    for index in range(count):
        lon, lat = CENTRE[0] + (index % COLUMNS) * STEP, CENTRE[1] + (index // COLUMNS) * STEP
        category, baby = CATEGORIES[index % len(CATEGORIES)], "yes" if index % 2 == 0 else "no"
        lines.append(f"G{index:04d},05/01/2024,Testshire,Toilets,Toilet {index},{lon:.5f},{lat:.5f},{category},{baby}")
    (raw / "toilets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = folder / "place.toml"
    config.write_text(f'database_url = "sqlite:///{folder / "app.db"}"\n\n' + PLACE, encoding="utf-8")
    return config


def api_features(landing: str, **parameters: str) -> dict[str, list[float]]:
    """Every feature the API gives for these parameters: id to [lon, lat]."""
    url: str | None = f"{landing}/collections/toilets/items?{urlencode({'limit': 1000, **parameters})}"
    found: dict[str, list[float]] = {}
    while url:
        with urllib.request.urlopen(url, timeout=30) as response:
            page = json.load(response)
        found |= {feature["id"]: feature["geometry"]["coordinates"] for feature in page["features"]}
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    return found


def run_qgis(landing: str) -> dict[str, Any]:
    if not QGIS_PYTHON.is_file() or subprocess.run([str(QGIS_PYTHON), "-c", "import qgis.core"]).returncode:
        sys.exit("QGIS's Python modules were not found: install them with `sudo apt-get install python3-qgis`.")
    box = ",".join(str(value) for value in BOX)
    where = f"\"{WHERE[0]}\" = '{WHERE[1]}'"
    outcome = subprocess.run(
        [str(QGIS_PYTHON), "-c", QGIS_SCRIPT, landing, box, where],
        capture_output=True,
        text=True,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir()},
        timeout=600,
    )
    last = (outcome.stdout.strip().splitlines() or ["{}"])[-1]
    if outcome.returncode:
        sys.exit(f"QGIS failed ({outcome.returncode}): {last[:2000]}\n{outcome.stderr[-2000:]}")
    return json.loads(last)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=2_345)
    count = parser.parse_args().features
    requests: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        loaded = load_settings(write_project(Path(folder), count))
        ingest(loaded)
        app = create_app(loaded)
        app.add_middleware(RequestLog, requests=requests)
        with running(app) as base:
            landing = base + "/api"
            started = time.monotonic()
            seen = run_qgis(landing)
            seconds = time.monotonic() - started
            asked = list(requests)
            api = api_features(landing)
            box = sorted(api_features(landing, bbox=",".join(str(value) for value in BOX)))
            where = sorted(api_features(landing, **{WHERE[0]: WHERE[1]}))
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    worst = max(
        math.dist(seen["bng"][key], to_bng.transform(*point)) for key, point in api.items() if key in seen["bng"]
    )
    items = [parse_qs(urlsplit(path).query) for path in asked if path.startswith("/api/collections/toilets/items")]
    report = {
        "qgis": seen["version"],
        "features": count,
        "seconds (four reads)": round(seconds, 2),
        "requests": len(asked),
        "items requests": len(items),
        "limits asked": dict(Counter(query.get("limit", ["(none)"])[0] for query in items)),
        "every feature": sorted(seen["all"]) == sorted(api),
        "bbox agrees": seen["box"] == box,
        "filter agrees": seen["where"] == where,
        "filter sent to the server": any(WHERE[0] in query for query in items),
        "all in EPSG:27700": len(seen["bng"]) == len(api),
        "worst distance from pyproj (m)": round(worst, 4),
        "first requests": asked[:6],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
