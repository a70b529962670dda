"""Measure the generated app serving its API from a large ingested collection.

``python3 bench/serve.py [--rows N] [--duration S] [--concurrency C]`` (defaults: 1,000,000 rows, 10 s, 8):

1. gets the CSV and the baked project as bench/ingest.py does (its helpers,
   imported), then ingests the CSV into build/bench/serve/<csv name>.db,
   outside the project so that baking again keeps it; a database already
   holding this file's rows is reused;
2. starts the app, ``.venv/bin/python -m <package> serve`` on 127.0.0.1, one
   process, and waits for /healthz;
3. runs each scenario for a fixed time at a fixed number of open connections
   with ``wrk`` (installed with apt-get if missing), whose Lua script picks
   each request's path at random from a seeded list written beforehand, or
   with a Python client (threads, keep-alive) when wrk cannot be had:

   - bbox: ``items?bbox=...&limit=50`` with 2 km squares, most around the
     towns the CSV generator places points near, some anywhere in Great Britain;
   - near: ``items?near=lon,lat&limit=50`` at points picked the same way;
   - item: ``items/<id>`` for ids the database holds;
   - search: the home page's word search, ``/?q=<word>``, one word of the
     CSV's location texts (a street, a place, a park);
   - search-near: ``/?q=<word>&near=lat,lon&Category=Unisex``, the same word
     search nearest a point picked as above, with a filter;
   - bbox-filter and near-filter: the bbox and near requests with a filter,
     ``&Category=Unisex`` (about a quarter of the features), as a resident
     who ticks "Unisex" on the map asks; bbox-open and near-open with
     ``&open_now=true`` ("Open now"), bbox-free and near-free with
     ``&ChargeAmount=0`` ("Free"), bbox-accessible and near-accessible with
     ``&accessible=true`` ("Accessible toilet"): the other boxes of the map;

4. prints requests per second, median and 99th percentile latency and
   errors (non-2xx answers, failed connections, timeouts) per scenario, and
   the server's peak resident memory (VmHWM in /proc/<pid>/status, read
   before stopping it), then checks a sample of answers against the database
   directly: numberMatched of bbox requests against a count, the distances of
   near requests against a search of every nearby row, and items by id, with
   and without each box ("Open now" at the minute each answer was given, by
   the engine's own reading of each of the load's opening hours).

Results are written to build/bench/serve-<rows>-<time>.json.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

import ingest
import make_toilets_csv as toilets_csv

ROOT, BENCH, PACKAGE, SOURCE = ingest.ROOT, ingest.BENCH, ingest.PACKAGE, ingest.SOURCE
SERVE = BENCH / "serve"
HOST = "127.0.0.1"
ITEMS = f"/api/collections/{SOURCE}/items"
PATHS_PER_SCENARIO = 10_000
SHARE_NEAR_TOWNS = 0.8  # of boxes and points; the rest fall anywhere in GREAT_BRITAIN
GREAT_BRITAIN: tuple[float, float, float, float] = (-6.0, 50.0, 1.8, 58.6)  # min lon, min lat, max lon, max lat
TOWN_SPREAD_METRES = 3000.0  # standard deviation, per axis, of a box's or point's distance from its town centre
BOX_METRES = 2000.0  # the side of a bbox square
PAGE = 50  # limit of the bbox and near requests
CHECKS = 20  # answers of each scenario checked against the database
EARTH_RADIUS = 6_371_008.8  # metres, as the app's store measures
METRES_PER_DEGREE = 2 * math.pi * EARTH_RADIUS / 360
# A server may take minutes to answer: the app checks its whole file as it starts (PRAGMA quick_check), 30 s for
# the 5.4 GB of 5,000,000 rows when they are not in the page cache, longer beside the peers starting.
STARTUP_SECONDS = 180
# The boxes a resident ticks on the map, as query parameters, each with bbox and near: bbox-filter and near-filter
# (about a quarter of the features), bbox-open and near-open, and so on. "open" changes with the minute; "free" is a
# number ("Free"); "accessible" is the theme's box for a field holding a value other than one meaning none.
BOXES: dict[str, tuple[str, str]] = {
    "filter": ("Category", "Unisex"),
    "open": ("open_now", "true"),
    "free": ("ChargeAmount", "0"),
    "accessible": ("accessible", "true"),
}
BOXED = tuple(f"{kind}-{box}" for box in BOXES for kind in ("bbox", "near"))
SCENARIOS = ("bbox", "near", "item", "search", "search-near", *BOXED)
# What each box asks, for the check of its answers: of a row, as SQL over the database the app made, and of an
# answer's feature, by its properties ("open" is worked out for the minute each answer was given: Hours)
BOX_CHECKS: dict[str, tuple[str, list[object], Callable[[dict], bool]]] = {
    "filter": (' AND "Category" = ?', ["Unisex"], lambda properties: properties["Category"] == "Unisex"),
    "free": (' AND "ChargeAmount" = ?', [0], lambda properties: properties["ChargeAmount"] == 0),
    "accessible": (  # the theme's value meaning none
        ' AND "AccessibleCategory" NOT IN (?)',
        ["None"],
        lambda properties: properties["AccessibleCategory"] not in (None, "None"),
    ),
}
# The engine's own reading of opening hours at a moment, the one the pages show, run in the project's environment:
# a check of the store's answers, which it works out another way (spans of the week, and masks)
OPEN_PROBE = (
    "import datetime as dt, json, sys; from local_data_app.hours.weekly import open_at; "
    "moment = dt.datetime.fromisoformat(sys.argv[1]); "
    "print(json.dumps([n for n, osm in json.load(sys.stdin) if open_at(osm, moment)]))"
)
# Words of the CSV's location texts (make_toilets_csv.STREETS, PLACES and PARKS), common and rare, for word search.
SEARCH_WORDS = ("station", "park", "library", "pier", "gwledig", "stryd", "high", "victoria", "cemetery", "town")

# wrk's Lua script: each thread reads the list of paths and picks one at random for each request, then the
# summary is printed as one line of JSON (wrk counts status codes above 399 as errors).
WRK_SCRIPT = r"""
local threads = 0
local paths = {}

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  math.randomseed(tonumber(args[2]) + number)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.6f, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, ' ..
    '"non_2xx": %d, "socket_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, e.status, e.connect + e.read + e.write, e.timeout))
end
"""


@dataclass
class Result:
    """One scenario's load: how many requests, how fast, and how many failed."""

    scenario: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    timeouts: int
    client: str

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors + self.timeouts


@dataclass
class Server:
    """The app serving on a port, and where its output goes."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    startup_seconds: float = 0.0
    first_collection_ms: float = 0.0
    notes: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def pids(self) -> list[int]:
        """The processes that do the server's work, whose CPU time says whether it is still busy."""
        return [self.process.pid]

    def peak_rss_mib(self) -> float:
        """The largest resident memory the server has had (VmHWM), in MiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
        return 0.0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # uvicorn shuts down cleanly on Ctrl+C
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- the database ------------------------------------------------------------


def ensure_database(project: Path, csv_path: Path, rows: int, force: bool) -> Path:
    """An SQLite database holding the app's ingest of the CSV, made only if none holds this file's rows."""
    database = SERVE / f"{csv_path.stem}.db"
    found = None if force else loaded_rows(database, csv_path)
    if found is not None:
        print(f"Using {ingest.shown(database)} ({found:,} rows loaded from {rows:,}, cached)")
        return database
    for leftover in SERVE.glob(f"{database.name}*"):
        leftover.unlink()
    SERVE.mkdir(parents=True, exist_ok=True)
    print(f"Ingesting {rows:,} rows into {ingest.shown(database)} (once; later runs reuse it) ...", flush=True)
    command = [str(project / ".venv" / "bin" / "python"), "-m", PACKAGE, "ingest", "--source", SOURCE]
    env = ingest.clean_env(DATABASE_URL=database_url(database))
    run = ingest.measure(command, cwd=project, env=env, log=BENCH / "logs" / "serve-ingest.log")
    print(ingest.indent(run.output.strip()))
    if run.status != 0 or loaded_rows(database, csv_path) is None:
        raise SystemExit(f"The ingest failed (exit status {run.status}); see build/bench/logs/serve-ingest.log")
    print(f"  {run.seconds:.0f} s")
    return database


def database_url(database: Path) -> str:
    return f"sqlite:///{database.resolve()}"


def loaded_rows(database: Path, csv_path: Path) -> int | None:
    """How many rows the database loaded from the CSV, if it holds a complete ingest of that very file."""
    if not database.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            row = db.execute(
                "SELECT location, rows_read, rows_loaded FROM _collections WHERE collection = ?", [SOURCE]
            ).fetchone()
    except sqlite3.Error:
        return None
    # the app records a file outside the project by its name alone (earlier versions, its whole path)
    if row is None or row[0] not in {str(csv_path), csv_path.name} or row[1] != count_rows(csv_path):
        return None
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:  # loaded by a version with word search?
        table = live_table(db)
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [f"{table}_fts"]).fetchone() is None:
            return None
    return row[2]


def count_rows(csv_path: Path) -> int:
    summary = json.loads(toilets_csv.summary_path(csv_path).read_text(encoding="utf-8"))
    return summary["rows"]


def live_table(db: sqlite3.Connection) -> str:
    return db.execute("SELECT table_name FROM _collections WHERE collection = ?", [SOURCE]).fetchone()[0]


# --- the requests ------------------------------------------------------------


def random_point(rng: random.Random) -> tuple[float, float]:
    """A point near one of the generator's town centres, or (less often) anywhere in Great Britain."""
    if rng.random() < SHARE_NEAR_TOWNS:
        town = rng.choice(toilets_csv.TOWNS)
        lat, lon = town[3], town[4]
        north, east = rng.gauss(0, TOWN_SPREAD_METRES), rng.gauss(0, TOWN_SPREAD_METRES)
        lat += north / METRES_PER_DEGREE
        return lon + east / (METRES_PER_DEGREE * math.cos(math.radians(lat))), lat
    west, south, east, north = GREAT_BRITAIN
    return rng.uniform(west, east), rng.uniform(south, north)


def square(lon: float, lat: float, side: float) -> tuple[float, float, float, float]:
    half_lat = side / 2 / METRES_PER_DEGREE
    half_lon = half_lat / math.cos(math.radians(lat))
    return (round(lon - half_lon, 5), round(lat - half_lat, 5), round(lon + half_lon, 5), round(lat + half_lat, 5))


def request_paths(database: Path, seed: int) -> dict[str, list[str]]:
    """A seeded list of request paths for each scenario."""
    rng = random.Random(seed)
    boxes = [square(*random_point(rng), BOX_METRES) for _ in range(PATHS_PER_SCENARIO)]
    points = [random_point(rng) for _ in range(PATHS_PER_SCENARIO)]
    words = [rng.choice(SEARCH_WORDS) for _ in range(PATHS_PER_SCENARIO)]
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        table = live_table(db)
        (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()
        rowids = rng.sample(range(1, count + 1), min(PATHS_PER_SCENARIO, count))
        ids = [db.execute(f"SELECT _id FROM {table} WHERE _rowid = ?", [rowid]).fetchone()[0] for rowid in rowids]
    bbox = [f"{ITEMS}?bbox={','.join(f'{v:.5f}' for v in box)}&limit={PAGE}" for box in boxes]
    near = [f"{ITEMS}?near={lon:.5f},{lat:.5f}&limit={PAGE}" for lon, lat in points]
    boxed = {
        f"{kind}-{box}": [f"{path}&{key}={value}" for path in plain]
        for box, (key, value) in BOXES.items()
        for kind, plain in (("bbox", bbox), ("near", near))
    }
    return {
        "bbox": bbox,
        "near": near,
        **boxed,
        "item": [f"{ITEMS}/{quote(feature_id, safe='')}" for feature_id in ids],
        "search": [f"/?q={word}" for word in words],
        "search-near": [
            f"/?q={word}&near={lat:.5f},{lon:.5f}&Category=Unisex"
            for word, (lon, lat) in zip(words, points, strict=True)
        ],
    }


# --- the server --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(project: Path, database: Path) -> Server:
    """The app serving the database, once /healthz answers 200."""
    port = free_port()
    command = [str(project / ".venv" / "bin" / "python"), "-m", PACKAGE, "serve", "--host", HOST, "--port", str(port)]
    env = ingest.clean_env(DATABASE_URL=database_url(database))
    return launch(
        "The app", command, cwd=project, env=env, port=port, log=BENCH / "logs" / "serve.log", ready="/healthz"
    )


def launch(
    name: str, command: list[str], *, cwd: Path, env: dict[str, str], port: int, log: Path, ready: str
) -> Server:
    """Start a server (the app or a peer) with its output in ``log``; return it once ``ready`` answers 200."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    while time.perf_counter() - started < STARTUP_SECONDS:
        if process.poll() is not None:
            raise SystemExit(f"{name} stopped (exit status {process.returncode}); see {ingest.shown(log)}")
        try:
            with urllib.request.urlopen(server.url(ready), timeout=5) as answer:
                if answer.status == 200:
                    server.startup_seconds = time.perf_counter() - started
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    server.stop()
    raise SystemExit(f"{name} did not answer {ready} within {STARTUP_SECONDS} s; see {ingest.shown(log)}")


def get_json(server: Server, path: str) -> dict:
    with urllib.request.urlopen(server.url(path), timeout=60) as answer:
        return json.load(answer)


# --- the load ----------------------------------------------------------------


def find_wrk() -> str | None:
    """wrk, installed from Debian's archive with apt-get if it is missing and this runs as root."""
    if found := shutil.which("wrk"):
        return found
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return None
    print("Installing wrk with apt-get ...", flush=True)
    install = ["apt-get", "install", "-y", "--no-install-recommends", "-q", "wrk"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        subprocess.run(install, env=env, capture_output=True)
    return shutil.which("wrk")


def load_with_wrk(
    wrk: str, server: Server, scenario: str, paths: list[str], duration: float, concurrency: int, seed: int
) -> Result:
    work = BENCH / "work"
    work.mkdir(parents=True, exist_ok=True)
    script, paths_file = work / "serve.lua", work / f"serve-{scenario}.txt"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    threads = max(1, min(concurrency, os.cpu_count() or 1))
    command = [wrk, f"-t{threads}", f"-c{concurrency}", f"-d{duration:g}s", "--timeout", "30s"]
    command += ["-s", str(script), server.url("/"), "--", str(paths_file), str(seed)]
    run = subprocess.run(command, capture_output=True, text=True)
    line = next((text for text in run.stdout.splitlines() if text.startswith("BENCH ")), None)
    if run.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed (exit status {run.returncode}):\n{run.stdout}\n{run.stderr}")
    return Result(scenario=scenario, client="wrk", **json.loads(line[len("BENCH ") :]))


def load_with_python(server: Server, scenario: str, paths: list[str], duration: float, concurrency: int, seed: int):
    """The same load from threads, each with one keep-alive connection; slower than wrk, and on the same cores."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    failures = [[0, 0] for _ in range(concurrency)]  # non-2xx, connection errors
    deadline = time.perf_counter() + duration

    def client(number: int) -> None:
        rng = random.Random(seed + number)
        connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
        while (started := time.perf_counter()) < deadline:
            try:
                connection.request("GET", rng.choice(paths))
                answer = connection.getresponse()
                answer.read()
            except (OSError, http.client.HTTPException):
                failures[number][1] += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
                continue
            latencies[number].append(time.perf_counter() - started)
            if not 200 <= answer.status < 300:
                failures[number][0] += 1
        connection.close()

    began = time.perf_counter()
    workers = [threading.Thread(target=client, args=(number,)) for number in range(concurrency)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - began
    every = sorted(latency * 1000 for each in latencies for latency in each)
    return Result(
        scenario=scenario,
        requests=len(every),
        seconds=seconds,
        p50_ms=percentile(every, 50),
        p99_ms=percentile(every, 99),
        max_ms=every[-1] if every else 0.0,
        non_2xx=sum(non_2xx for non_2xx, _ in failures),
        socket_errors=sum(errors for _, errors in failures),
        timeouts=0,
        client="python",
    )


def percentile(ordered: list[float], percent: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, math.ceil(len(ordered) * percent / 100) - 1)]


# --- checking answers --------------------------------------------------------


def distance(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """The great-circle distance in metres (haversine), as the app's store computes it."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_chord = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(min(1.0, half_chord)))


def check_answers(
    server: Server, database: Path, paths: dict[str, list[str]], seed: int, project: Path | None = None
) -> tuple[list[str], list[int]]:
    """Problems found comparing a sample of each scenario's answers with the database, and the boxes' counts.

    ``project`` (the baked project, whose environment reads opening hours)
    is needed for the "open" scenarios' answers to be checked.
    """
    rng = random.Random(seed)
    problems, matched = [], []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        table = live_table(db)
        hours = Hours(db, table, project)
        for scenario in ("bbox", *(f"bbox-{box}" for box in BOXES)):
            box = scenario.partition("-")[2]
            for path in rng.sample(paths.get(scenario, []), CHECKS if box != "open" or project else 0):
                west, south, east, north = (float(v) for v in path.split("bbox=")[1].split("&")[0].split(","))
                body, where, params = hours.answer(server, path, box)
                (expected,) = db.execute(
                    f"SELECT count(*) FROM {table} WHERE _lon BETWEEN ? AND ? AND _lat BETWEEN ? AND ?{where}",
                    [west, east, south, north, *params],
                ).fetchone()
                if scenario == "bbox":
                    matched.append(expected)
                kept = all(
                    west <= f["geometry"]["coordinates"][0] <= east
                    and south <= f["geometry"]["coordinates"][1] <= north
                    and meets(f["properties"], box)
                    for f in body["features"]
                )
                if body["numberMatched"] != expected or body["numberReturned"] != min(expected, PAGE) or not kept:
                    problems.append(f"{path}: numberMatched {body['numberMatched']}, the database holds {expected}")
        for scenario in ("near", *(f"near-{box}" for box in BOXES)):
            box = scenario.partition("-")[2]
            for path in rng.sample(paths.get(scenario, []), CHECKS if box != "open" or project else 0):
                lon, lat = (float(v) for v in path.split("near=")[1].split("&")[0].split(","))
                body, where, params = hours.answer(server, path, box)
                got = [f["properties"]["distance"] for f in body["features"]]
                expected = nearest_distances(db, table, lon, lat, got[-1] if got else 0.0, where, params)
                kept = all(meets(f["properties"], box) for f in body["features"])
                if len(got) != PAGE or any(abs(a - b) > 0.11 for a, b in zip(got, expected, strict=False)) or not kept:
                    problems.append(f"{path}: distances {got[:3]}..., the database gives {expected[:3]}...")
        for path in rng.sample(paths["item"], CHECKS):
            body = get_json(server, path)
            if quote(body.get("id", ""), safe="") != path.rsplit("/", 1)[1]:
                problems.append(f"{path}: answered with id {body.get('id')!r}")
        for path in rng.sample(paths["search-near"], CHECKS):  # a page of results, nearest first, or none
            with urllib.request.urlopen(server.url(path), timeout=60) as answer:
                text = answer.read().decode()
            if "nearest first" not in text and "Nothing matches this search" not in text:
                problems.append(f"{path}: no results and no word saying there are none")
    return problems, matched


def meets(properties: dict, box: str) -> bool:
    """Whether a feature's properties meet a box (one of BOXES, or "" for none); "open" is checked by count."""
    return box not in BOX_CHECKS or BOX_CHECKS[box][2](properties)


class Hours:
    """A load's opening hours, and which are open at a minute, read by the engine in the project's environment."""

    def __init__(self, db: sqlite3.Connection, table: str, project: Path | None) -> None:
        self.rows = db.execute(f"SELECT hours, osm FROM {table}_hours").fetchall()
        self.project = project
        self.open: dict[str, list[int]] = {}  # minute (ISO, UTC) -> the numbers of the hours open then

    def numbers(self, minute: str) -> list[int]:
        """The numbers of the hours open at ``minute``, worked out once a minute."""
        if minute not in self.open:
            assert self.project is not None
            python = str(self.project / ".venv" / "bin" / "python")
            run = subprocess.run(
                [python, "-c", OPEN_PROBE, minute], input=json.dumps(self.rows), capture_output=True, text=True
            )
            if run.returncode:
                raise SystemExit(f"Could not read the opening hours with the engine:\n{run.stderr}")
            self.open[minute] = json.loads(run.stdout)
        return self.open[minute]

    def answer(self, server: Server, path: str, box: str) -> tuple[dict, str, list[object]]:
        """The server's answer to ``path``, and the SQL (an AND clause and its parameters) that ``box`` asks of
        a row; for "open", of the minute the answer was given (asked again if the minute turned meanwhile)."""
        if box != "open":
            where, params, _ = BOX_CHECKS.get(box, ("", [], meets))
            return get_json(server, path), where, list(params)
        for _ in range(3):
            before = this_minute()
            body = get_json(server, path)
            if this_minute() == before:
                numbers = self.numbers(before)
                return body, f" AND _hours IN ({', '.join('?' * len(numbers)) or 'NULL'})", list(numbers)
        raise SystemExit(f"{path}: the minute turned during each of three answers")


def this_minute() -> str:
    """The present minute, as ISO text in UTC: the app's clock for "open now" reads the same one."""
    now = datetime.datetime.now(datetime.UTC)
    return now.replace(second=0, microsecond=0).isoformat()


def nearest_distances(
    db: sqlite3.Connection,
    table: str,
    lon: float,
    lat: float,
    radius: float,
    where: str = "",
    params: Sequence[str] = (),
) -> list[float]:
    """The PAGE smallest distances (to 0.1 m) from a point to located rows (meeting ``where``, an AND clause),
    searching every row within ``radius``."""
    reach = (radius + 10) / METRES_PER_DEGREE
    widen = reach / max(math.cos(math.radians(min(abs(lat) + reach, 89.9))), 1e-6)
    rows = db.execute(
        f"SELECT _lon, _lat FROM {table} WHERE _lon BETWEEN ? AND ? AND _lat BETWEEN ? AND ?{where}",
        [lon - widen, lon + widen, lat - reach, lat + reach, *params],
    ).fetchall()
    return [round(metres, 1) for metres in sorted(distance(lon, lat, x, y) for x, y in rows)[:PAGE]]


# --- reporting ---------------------------------------------------------------


def versions(project: Path, wrk: str | None) -> dict[str, str]:
    found = ingest.versions(project, None, None)
    probe = (
        "import json, fastapi, starlette, uvicorn; print(json.dumps({'fastapi': fastapi.__version__, "
        "'starlette': starlette.__version__, 'uvicorn': uvicorn.__version__}))"
    )
    text = ingest.output([str(project / ".venv" / "bin" / "python"), "-c", probe])
    found.update(json.loads(text) if text else {})
    if wrk:
        run = subprocess.run([wrk, "-v"], capture_output=True, text=True)
        found["wrk"] = (run.stdout or run.stderr).split("Copyright")[0].strip()
    return found


def table(results: list[Result]) -> str:
    heading = ["scenario", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "client"]
    lines = [heading]
    for r in results:
        lines.append(
            [
                r.scenario,
                f"{r.requests:,}",
                f"{r.requests_per_second:,.0f}",
                f"{r.p50_ms:.1f}",
                f"{r.p99_ms:.1f}",
                f"{r.max_ms:.1f}",
                f"{r.errors:,}",
                r.client,
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(heading))]
    rendered = []
    for number, line in enumerate(lines):
        cells = [
            cell.ljust(w) if i in (0, 7) else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        rendered.append("  ".join(cells).rstrip())
        if number == 0:
            rendered.append("  ".join("-" * w for w in widths))
    return "\n".join(rendered)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=toilets_csv.positive, default=toilets_csv.DEFAULT_ROWS, help="rows (1000000)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per scenario (10)")
    parser.add_argument("--concurrency", type=toilets_csv.positive, default=8, help="open connections (8)")
    parser.add_argument("--seed", type=int, default=toilets_csv.DEFAULT_SEED, help="seed of the CSV and requests")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, from {', '.join(SCENARIOS)} (all)"
    )
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto", help="load generator (auto)")
    parser.add_argument("--no-bake", action="store_true", help=f"reuse build/bench/{ingest.SLUG} as it is")
    parser.add_argument("--reingest", action="store_true", help="ingest again even if a matching database exists")
    args = parser.parse_args(argv)
    scenarios = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    if unknown := set(scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenario {', '.join(sorted(unknown))}: choose from {', '.join(SCENARIOS)}")
    if args.duration <= 0:
        parser.error(f"--duration must be more than 0 seconds, not {args.duration:g}")

    BENCH.mkdir(parents=True, exist_ok=True)
    csv_path, summary = ingest.ensure_csv(args.rows, args.seed, toilets_csv.DEFAULT_BAD_FRACTION)
    project = ingest.bench_project(args.no_bake)
    ingest.point_sources_at(project / "place.toml", csv_path, summary["renamed"])
    database = ensure_database(project, csv_path, args.rows, args.reingest)
    paths = request_paths(database, args.seed)
    wrk = find_wrk() if args.client != "python" else None
    if args.client == "wrk" and not wrk:
        raise SystemExit("wrk is not installed and could not be installed with apt-get; use --client python")

    server = start_server(project, database)
    results: list[Result] = []
    try:
        print(f"\nThe app answered /healthz {server.startup_seconds:.1f} s after starting (pid {server.process.pid})")
        for attempt in ("first", "second"):
            started = time.perf_counter()
            get_json(server, f"/api/collections/{SOURCE}")
            milliseconds = (time.perf_counter() - started) * 1e3
            print(f"  {attempt} /api/collections/{SOURCE} (with its extent): {milliseconds:.1f} ms")
            server.first_collection_ms = server.first_collection_ms or milliseconds
        client = f"wrk ({wrk})" if wrk else "a Python client (threads, keep-alive)"
        print(f"\n{args.duration:g} s per scenario, {args.concurrency} connections, with {client}:", flush=True)
        for scenario in scenarios:
            print(f"  {scenario} ...", flush=True)
            if wrk:
                result = load_with_wrk(
                    wrk, server, scenario, paths[scenario], args.duration, args.concurrency, args.seed
                )
            else:
                result = load_with_python(server, scenario, paths[scenario], args.duration, args.concurrency, args.seed)
            results.append(result)
        print("  checking a sample of answers against the database ...", flush=True)
        problems, matched = check_answers(server, database, paths, args.seed, project)
        peak_rss = server.peak_rss_mib()
    finally:
        server.stop()

    problems += [f"{r.scenario}: {r.errors:,} errors" for r in results if r.errors]
    found_versions = versions(project, wrk)
    print(f"\n{args.rows:,} rows in the CSV, served from {ingest.shown(database)}\n")
    print(table(results))
    print(f"\nServer peak RSS (VmHWM): {peak_rss:,.0f} MiB")
    print(
        f"Features in the {len(matched)} bbox squares checked: median {statistics.median(matched):,.0f}, "
        f"most {max(matched):,}, {sum(1 for count in matched if not count)} empty"
    )
    ingest.print_versions(found_versions)
    report = {
        "rows": args.rows,
        "duration": args.duration,
        "concurrency": args.concurrency,
        "database": str(database),
        "startup_seconds": round(server.startup_seconds, 2),
        "first_collection_ms": round(server.first_collection_ms, 1),
        "peak_rss_mib": round(peak_rss, 1),
        "bbox_sample_matched": matched,
        "results": [
            asdict(r) | {"requests_per_second": round(r.requests_per_second, 1), "errors": r.errors} for r in results
        ],
        "versions": found_versions,
        "problems": problems,
    }
    if not ingest.save_report(report, f"serve-{args.rows}"):
        return 1
    print(f"Check passed: no errors, and {CHECKS} answers of each scenario agree with the database.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
