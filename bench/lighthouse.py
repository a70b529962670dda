"""Lighthouse's accessibility and performance scores at phone width, on the home and a record page of 5,000 records.

``python3 bench/lighthouse.py [--rows N]`` (default 5,000):

1. writes a seeded CSV of one area's toilets with bench/national.py's
   generator, and a one-area project beside it under build/bench/national/,
   ingested with the engine of this working tree (skipped when unchanged);
2. serves it (``python -m local_data_app serve``, one process);
3. installs Lighthouse from the npm registry into build/bench/lighthouse/
   (pinned below; once) and runs it with Debian's Chromium (scripts/chromium.py
   installs it) in its mobile form factor, the default (a phone's screen, about
   400 CSS pixels wide, with a throttled CPU and network), on the home page,
   a search near a point, and one record's page;
4. prints each page's accessibility and performance scores (0 to 100), and
   fails when any is under 95, the target of the issue this answers.

Map tiles come from the project's tile server (OpenStreetMap); on a machine
that cannot reach it, the tiles fail fast and are left out of the figures.
Scores move a little from run to run (Lighthouse simulates the throttling):
run it twice before reading much into a point or two. Not run in CI.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(HERE))

import national  # noqa: E402 (bench/ and scripts/ are put on the path first)
from chromium import chromium  # noqa: E402

LIGHTHOUSE_VERSION = "12.8.2"
TOOLS = ROOT / "build" / "bench" / "lighthouse"
TARGET = 95
CATEGORIES = ("accessibility", "performance")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --no-first-run"


def lighthouse() -> Path:
    """The Lighthouse command line, installed from the npm registry into build/bench/lighthouse/ once."""
    command = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not command.is_file():
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(TOOLS), f"lighthouse@{LIGHTHOUSE_VERSION}"],
            check=True,
        )
    return command


def scores(command: Path, url: str, report: Path) -> dict[str, int]:
    """Lighthouse's scores for one page, its JSON report written to ``report``."""
    subprocess.run(
        [
            str(command),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        check=True,
        env={"CHROME_PATH": str(chromium()), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    found = json.loads(report.read_text(encoding="utf-8"))["categories"]
    return {name: round(100 * found[name]["score"]) for name in CATEGORIES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000, help="records in the one area (default: 5,000)")
    args = parser.parse_args(argv)
    rng = random.Random(20261206)
    areas = national.make_areas(1, rng)
    csv_path = national.WORK / f"lighthouse-{args.rows}.csv"
    national.WORK.mkdir(parents=True, exist_ok=True)
    if not csv_path.is_file():
        national.write_csv(csv_path, areas, args.rows, rng)
    project = national.prepare(f"lighthouse-{args.rows}", csv_path, areas, national=False, force=False)
    command = lighthouse()
    server = national.start(project)
    try:
        address = server.url(f"/api/collections/{national.SOURCE}/items?limit=1")
        page = json.load(urllib.request.urlopen(address))
        record = page["features"][0]["id"]
        pages = {
            "home": "/",
            "near": f"/?near={areas[0].lat},{areas[0].lon}#results",
            "record": f"/features/{national.SOURCE}/{urllib.parse.quote(str(record), safe='')}",
        }
        found = {name: scores(command, server.url(path), TOOLS / f"{name}.json") for name, path in pages.items()}
    finally:
        server.stop()
    print(f"Lighthouse {LIGHTHOUSE_VERSION}, mobile form factor, {args.rows:,} records:")
    print(f"  {'page':<8} {'accessibility':>13} {'performance':>12}")
    for name, figures in found.items():
        print(f"  {name:<8} {figures['accessibility']:>13} {figures['performance']:>12}")
    low = [f"{name} {category} {value}" for name, figures in found.items() for category, value in figures.items()]
    low = [entry for entry in low if int(entry.rsplit(" ", 1)[1]) < TARGET]
    if low:
        print(f"Under {TARGET}: {', '.join(low)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
