"""National scale in one app: ~360 areas and ~2,500 records each, served beside a one-area app of the same rows.

``python3 bench/national.py [--areas N] [--rows-per-area R] [--duration S] [--concurrency C] [--rounds K]``
(defaults: 360 areas, 2,500 rows each, 10 s per project and scenario over 2 rounds, 8 connections). A quick
run: ``--areas 40 --rows-per-area 500 --duration 4``.

1. writes one seeded CSV (build/bench/national/national-<areas>x<rows>.csv)
   of LGA PublicToilets rows with a ``GeoAreaCode`` column: N areas with
   plausible GSS codes (E06, E07, E08 and E09 in England, W06 in Wales, S12 in
   Scotland, in about the shares of Great Britain's local authorities), named
   "Area <n>", each with its rows around its own centre in its country;
2. writes two projects' place.toml beside it: **national**, whose [[areas]]
   are the N areas and whose one source reads the CSV with
   ``area_column = "GeoAreaCode"``, and **one-area**, whose [place] is the
   first area and whose source reads the same CSV (the column is then an
   extra property); ingests both with the engine's own command line (the
   engine of this working tree, from the workspace's .venv), each into its own
   SQLite file; the app skips a load whose file and settings have not changed,
   so later runs reuse them;
3. serves both (``python -m local_data_app serve``, one process each) and puts
   the same load on each in turn, scenario by scenario, in rounds, with wrk
   (or a Python client when wrk cannot be had):

   - bbox: ``items?bbox=...&limit=50``, 2 km squares around the areas' centres;
   - area: ``items?area=<code>&limit=50``: a random area's records in the
     national app; in the one-area app its one area (all its records);
   - near: ``items?near=lon,lat&limit=50`` at points around the areas' centres;
   - home-area: the home page with ``area=<code>``, as for area;

4. checks a sample of answers (numberMatched of area= against the rows per
   area, the home page's count) and prints requests per second, p50 and p99
   for each app and the ratio national ÷ one-area of requests per second
   (the target: 0.8 or more, within 20%), and writes them to
   build/bench/national-<areas>x<rows>-<time>.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import ingest
import make_toilets_csv as toilets_csv
import serve

ROOT, BENCH = ingest.ROOT, ingest.BENCH
WORK = BENCH / "national"
PYTHON = ROOT / ".venv" / "bin" / "python"  # the workspace's, with the engine of this working tree
SOURCE = ingest.SOURCE
ITEMS = f"/api/collections/{SOURCE}/items"
AREA_COLUMN = "GeoAreaCode"
PAGE = 50
SCENARIOS = ("bbox", "area", "near", "home-area")
CHECKS = 10
# Great Britain's principal local authorities in 2024: 296 in England (62 E06, 164 E07, 36 E08, 34 E09), 22 W06,
# 32 S12. The codes made here follow the prefixes, not the real numbers.
ENGLAND = (("E06", 62), ("E07", 164), ("E08", 36), ("E09", 34))
WALES, SCOTLAND = 22, 32
ALL = sum(count for _, count in ENGLAND) + WALES + SCOTLAND
# Where areas' centres fall: inside each country, clear of the coasts.
BOXES = {"E": (50.8, 54.8, -3.2, 0.6), "W": (51.6, 53.1, -4.3, -3.1), "S": (55.3, 57.6, -4.8, -2.3)}
SPREAD_METRES = 4000.0  # standard deviation, per axis, of a record's distance from its area's centre
BOX_METRES = 2000.0
HEADER = [
    "AssetID",
    "ExtractDate",
    "OrganisationLabel",
    "ServiceTypeLabel",
    "LocationText",
    "CoordinateReferenceSystem",
    "GeoX",
    "GeoY",
    "Category",
    "AccessibleCategory",
    "BabyChange",
    "RADARKeyNeeded",
    "OpeningHours",
    "ChargeAmount",
    AREA_COLUMN,
    "GeoAreaLabel",
]


@dataclass(frozen=True)
class BenchArea:
    code: str
    name: str
    lat: float
    lon: float


def make_areas(count: int, rng: random.Random) -> list[BenchArea]:
    """``count`` areas in Great Britain's shares of countries and kinds, each with a centre in its country."""
    wales = max(1, round(count * WALES / ALL)) if count > 2 else 0
    scotland = max(1, round(count * SCOTLAND / ALL)) if count > 2 else 0
    england = count - wales - scotland
    prefixes: list[str] = []
    for prefix, share in ENGLAND:
        prefixes += [prefix] * round(england * share / (ALL - WALES - SCOTLAND))
    prefixes = (prefixes + ["E07"] * england)[:england] + ["W06"] * wales + ["S12"] * scotland
    numbers: dict[str, int] = {}
    areas = []
    for index, prefix in enumerate(prefixes, start=1):
        numbers[prefix] = numbers.get(prefix, 0) + 1
        south, north, west, east = BOXES[prefix[0]]
        areas.append(
            BenchArea(
                f"{prefix}{numbers[prefix]:06d}",
                f"Area {index}",
                round(rng.uniform(south, north), 5),
                round(rng.uniform(west, east), 5),
            )
        )
    return areas


def write_csv(path: Path, areas: list[BenchArea], per_area: int, rng: random.Random) -> None:
    """The records of every area, area by area (as a national file joined from councils' files is)."""
    locations = [f"{street} {place}" for street in toilets_csv.STREETS for place in toilets_csv.PLACES]
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for area in areas:
            per_degree_lon = serve.METRES_PER_DEGREE * math.cos(math.radians(area.lat))
            rows = []
            for number in range(per_area):
                lat = area.lat + rng.gauss(0, SPREAD_METRES) / serve.METRES_PER_DEGREE
                lon = area.lon + rng.gauss(0, SPREAD_METRES) / per_degree_lon
                rows.append(
                    [
                        f"{area.code}-{number:05d}",
                        f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2018, 2024)}",
                        f"{area.name} Council",
                        "Public toilets",
                        rng.choice(locations),
                        "WGS84",
                        f"{lon:.6f}",
                        f"{lat:.6f}",
                        rng.choice(toilets_csv.CATEGORIES),
                        rng.choice(toilets_csv.ACCESSIBLE),
                        rng.choice(toilets_csv.YES + toilets_csv.NO),
                        rng.choice(toilets_csv.YES + toilets_csv.NO),
                        rng.choice(toilets_csv.HOURS),
                        rng.choice(toilets_csv.CHARGES),
                        area.code,
                        area.name,
                    ]
                )
            writer.writerows(rows)
    partial.replace(path)


def place_toml(database: Path, csv_path: Path, areas: list[BenchArea], national: bool) -> str:
    """A project's settings: the N areas and an area column, or the first area alone."""
    if national:
        place = 'name = "Great Britain"\ncode = "K03000001"'
        centre, zoom = "[54.0, -2.5]", 6
    else:
        place = f"name = {json.dumps(areas[0].name)}\ncode = {json.dumps(areas[0].code)}"
        centre, zoom = f"[{areas[0].lat}, {areas[0].lon}]", 11
    lines = [
        f"database_url = {json.dumps(f'sqlite:///{database}')}",
        "",
        "[place]",
        place,
        "",
        "[organisation]",
        'name = "Bench Council"\nurl = "https://www.bench.example"\ncontact_email = "data@bench.example"',
        "",
        "[map]",
        f"centre = {centre}\nzoom = {zoom}",
        "",
        "[dataset]",
        'theme = "public_toilets"\nlicence = "OGL-UK-3.0"',
        "",
    ]
    if national:
        for area in areas:
            lines += ["[[areas]]", f"code = {json.dumps(area.code)}", f"name = {json.dumps(area.name)}", ""]
    lines += ingest.source_lines(csv_path, {"id": "AssetID"}, **({"area_column": AREA_COLUMN} if national else {}))
    return "\n".join(lines)


@dataclass
class Project:
    name: str
    config: Path
    database: Path
    server: serve.Server | None = None
    ingest_seconds: float = 0.0


def prepare(name: str, csv_path: Path, areas: list[BenchArea], national: bool, force: bool) -> Project:
    folder = WORK / name
    folder.mkdir(parents=True, exist_ok=True)
    database = (folder / "app.db").resolve()
    config = folder / "place.toml"
    config.write_text(place_toml(database, csv_path, areas, national), encoding="utf-8")
    project = Project(name, config, database)
    print(f"Ingesting {ingest.shown(csv_path)} into the {name} app ...", flush=True)
    command = [str(PYTHON), "-m", "local_data_app", "--config", str(config), "ingest", *(["--force"] if force else [])]
    run = ingest.measure(command, cwd=folder, env=ingest.clean_env(), log=BENCH / "logs" / f"national-{name}.log")
    print(ingest.indent(run.output.strip()))
    if run.status != 0:
        raise SystemExit(f"The {name} ingest failed (exit status {run.status}); see build/bench/logs/")
    project.ingest_seconds = run.seconds
    print(f"  {run.seconds:.1f} s")
    return project


def start(project: Project) -> serve.Server:
    port = serve.free_port()
    command = [str(PYTHON), "-m", "local_data_app", "--config", str(project.config), "serve"]
    command += ["--host", serve.HOST, "--port", str(port)]
    return serve.launch(
        f"The {project.name} app",
        command,
        cwd=project.config.parent,
        env=ingest.clean_env(),
        port=port,
        log=BENCH / "logs" / f"national-{project.name}-serve.log",
        ready="/healthz",
    )


def request_paths(areas: list[BenchArea], national: bool, seed: int) -> dict[str, list[str]]:
    """The same seeded requests for both apps; area= names a random area, or the one area there is."""
    rng = random.Random(seed)
    points = []
    for _ in range(serve.PATHS_PER_SCENARIO):
        area = rng.choice(areas)
        lat = area.lat + rng.gauss(0, SPREAD_METRES) / serve.METRES_PER_DEGREE
        lon = area.lon + rng.gauss(0, SPREAD_METRES) / (serve.METRES_PER_DEGREE * math.cos(math.radians(lat)))
        points.append((lon, lat))
    codes = [rng.choice(areas).code if national else areas[0].code for _ in range(serve.PATHS_PER_SCENARIO)]
    boxes = [serve.square(lon, lat, BOX_METRES) for lon, lat in points]
    return {
        "bbox": [f"{ITEMS}?bbox={','.join(f'{v:.5f}' for v in box)}&limit={PAGE}" for box in boxes],
        "area": [f"{ITEMS}?area={code}&limit={PAGE}" for code in codes],
        "near": [f"{ITEMS}?near={lon:.5f},{lat:.5f}&limit={PAGE}" for lon, lat in reversed(points)],
        "home-area": [f"/?area={code}" for code in codes],
    }


def check(project: Project, paths: dict[str, list[str]], expected: int, seed: int) -> list[str]:
    """Problems in a sample of answers: area='s numberMatched and the home page's count against the rows."""
    assert project.server is not None
    rng = random.Random(seed)
    problems = []
    for path in rng.sample(paths["area"], CHECKS):
        body = serve.get_json(project.server, path)
        code = path.split("area=")[1].split("&")[0]
        if body["numberMatched"] != expected or {f["properties"]["area_code"] for f in body["features"]} != {code}:
            problems.append(f"{project.name} {path}: numberMatched {body['numberMatched']}, expected {expected:,}")
    for path in rng.sample(paths["home-area"], CHECKS):
        with serve.urllib.request.urlopen(project.server.url(path), timeout=60) as answer:
            text = " ".join(answer.read().decode().split())
        if f"of {expected:,}" not in text:
            problems.append(f"{project.name} {path}: the page does not say 'of {expected:,}'")
    return problems


def load(project: Project, scenario: str, paths: list[str], args: argparse.Namespace, wrk: str | None):
    assert project.server is not None
    seconds = args.duration / args.rounds
    if wrk:
        return serve.load_with_wrk(wrk, project.server, scenario, paths, seconds, args.concurrency, args.seed)
    return serve.load_with_python(project.server, scenario, paths, seconds, args.concurrency, args.seed)


def combined(results: list[serve.Result]) -> dict[str, float]:
    """Rounds of one scenario as one: requests and seconds summed; the rounds' p50 and p99 at their medians."""
    requests = sum(r.requests for r in results)
    seconds = sum(r.seconds for r in results)
    middle = sorted(results, key=lambda r: r.p50_ms)[len(results) // 2]
    worst = sorted(results, key=lambda r: r.p99_ms)[len(results) // 2]
    return {
        "requests": requests,
        "requests_per_second": requests / seconds if seconds else 0.0,
        "p50_ms": middle.p50_ms,
        "p99_ms": worst.p99_ms,
        "errors": sum(r.errors for r in results),
    }


def table(figures: dict[str, dict[str, dict[str, float]]]) -> str:
    heading = ["scenario", "national req/s", "p50 ms", "p99 ms", "one-area req/s", "p50 ms", "p99 ms", "ratio"]
    lines = [heading]
    for scenario, by_app in figures.items():
        national, one = by_app["national"], by_app["one-area"]
        ratio = national["requests_per_second"] / one["requests_per_second"] if one["requests_per_second"] else 0
        lines.append(
            [
                scenario,
                f"{national['requests_per_second']:,.0f}",
                f"{national['p50_ms']:.1f}",
                f"{national['p99_ms']:.1f}",
                f"{one['requests_per_second']:,.0f}",
                f"{one['p50_ms']:.1f}",
                f"{one['p99_ms']:.1f}",
                f"{ratio:.2f}",
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(heading))]
    rendered = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |" for line in lines]
    rendered.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(rendered)


def versions() -> dict[str, str]:
    """The engine's, SQLite's and the web stack's versions, as the served apps run them."""
    probe = (
        "import json, sqlite3, sys, fastapi, uvicorn, local_data_app; "
        "print(json.dumps({'python': sys.version.split()[0], 'local-data-app': local_data_app.__version__, "
        "'sqlite': sqlite3.sqlite_version, 'fastapi': fastapi.__version__, 'uvicorn': uvicorn.__version__}))"
    )
    text = ingest.output([str(PYTHON), "-c", probe])
    return json.loads(text) if text else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--areas", type=toilets_csv.positive, default=360, help="areas of the national app (360)")
    parser.add_argument("--rows-per-area", type=toilets_csv.positive, default=2500, help="records per area (2500)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per app and scenario, all rounds (10)")
    parser.add_argument("--rounds", type=toilets_csv.positive, default=2, help="rounds the load is split into (2)")
    parser.add_argument("--concurrency", type=toilets_csv.positive, default=8, help="open connections (8)")
    parser.add_argument("--seed", type=int, default=toilets_csv.DEFAULT_SEED, help="seed of the CSV and requests")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto", help="load generator (auto)")
    parser.add_argument("--reingest", action="store_true", help="load both apps again even if their files are loaded")
    args = parser.parse_args(argv)
    if args.duration <= 0:
        parser.error(f"--duration must be more than 0 seconds, not {args.duration:g}")
    if not PYTHON.is_file():
        raise SystemExit(f"No {ingest.shown(PYTHON)}: run uv sync in {ROOT} first")

    WORK.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    areas = make_areas(args.areas, rng)
    size = f"{args.areas}x{args.rows_per_area}"
    csv_path = (WORK / f"national-{size}-{args.seed}.csv").resolve()
    rows = args.areas * args.rows_per_area
    if not csv_path.is_file():
        print(f"Writing {rows:,} rows of {args.areas} areas to {ingest.shown(csv_path)} ...", flush=True)
        started = time.perf_counter()
        write_csv(csv_path, areas, args.rows_per_area, rng)
        print(f"  {csv_path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.1f} s")
    projects = {
        "national": prepare(f"national-{size}", csv_path, areas, national=True, force=args.reingest),
        "one-area": prepare(f"one-area-{size}", csv_path, areas, national=False, force=args.reingest),
    }
    expected = {"national": args.rows_per_area, "one-area": rows}
    paths = {key: request_paths(areas, key == "national", args.seed) for key in projects}
    wrk = serve.find_wrk() if args.client != "python" else None
    if args.client == "wrk" and not wrk:
        raise SystemExit("wrk is not installed and could not be installed with apt-get; use --client python")

    results: dict[str, dict[str, list[serve.Result]]] = {s: {key: [] for key in projects} for s in SCENARIOS}
    problems: list[str] = []
    try:
        for project in projects.values():
            project.server = start(project)
        for key, project in projects.items():
            problems += check(project, paths[key], expected[key], args.seed)
        client = f"wrk ({wrk})" if wrk else "a Python client (threads, keep-alive)"
        print(
            f"\n{args.duration:g} s per app and scenario in {args.rounds} rounds, {args.concurrency} connections, "
            f"with {client}:",
            flush=True,
        )
        for number in range(args.rounds):
            for scenario in SCENARIOS:
                for key, project in projects.items():  # the two apps one after the other, never at once
                    print(f"  round {number + 1}: {scenario} on {key} ...", flush=True)
                    results[scenario][key].append(load(project, scenario, paths[key][scenario], args, wrk))
        peak = {key: project.server.peak_rss_mib() for key, project in projects.items() if project.server}
    finally:
        for project in projects.values():
            if project.server is not None:
                project.server.stop()

    figures = {s: {key: combined(results[s][key]) for key in projects} for s in SCENARIOS}
    problems += [
        f"{s} on {key}: {f['errors']:,} errors" for s, by in figures.items() for key, f in by.items() if f["errors"]
    ]
    print(f"\n{args.areas} areas x {args.rows_per_area:,} records = {rows:,} rows, in one CSV")
    print(
        f"Ingest: national {projects['national'].ingest_seconds:.1f} s, "
        f"one-area {projects['one-area'].ingest_seconds:.1f} s (a few seconds when the file was already loaded)"
    )
    print(f"Peak RSS: national {peak.get('national', 0):,.0f} MiB, one-area {peak.get('one-area', 0):,.0f} MiB\n")
    print(table(figures))
    ratios = [
        by["national"]["requests_per_second"] / by["one-area"]["requests_per_second"]
        for by in figures.values()
        if by["one-area"]["requests_per_second"]
    ]
    met = all(ratio >= 0.8 for ratio in ratios)
    verdict = "met" if met else "not met"
    print(f"\nTarget, national within 20% of one-area in every scenario (ratio 0.8 or more): {verdict}")
    found_versions = versions()
    ingest.print_versions(found_versions)
    report = {
        "areas": args.areas,
        "rows_per_area": args.rows_per_area,
        "rows": rows,
        "duration": args.duration,
        "rounds": args.rounds,
        "concurrency": args.concurrency,
        "client": "wrk" if wrk else "python",
        "ingest_seconds": {key: round(p.ingest_seconds, 1) for key, p in projects.items()},
        "peak_rss_mib": {key: round(value, 1) for key, value in peak.items()},
        "figures": figures,
        "rounds_results": {s: {key: [asdict(r) for r in rs] for key, rs in by.items()} for s, by in results.items()},
        "target_met": met,
        "versions": found_versions,
        "problems": problems,
    }
    if not ingest.save_report(report, f"national-{size}"):
        return 1
    print(f"Check passed: no errors, and {CHECKS} answers of area= and of the home page agree with the rows per area.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
