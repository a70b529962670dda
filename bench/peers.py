"""Serve the same features with the generated app, Datasette and pygeoapi, side by side in one run.

``python3 bench/peers.py [--rows N] [--duration S] [--rounds R] [--concurrency C]``
(defaults: 1,000,000 rows, 15 s in 3 rounds, 16 connections):

1. gets the CSV, the baked project and the app's ingested database as
   bench/serve.py does (a database already holding this file's rows is reused);
2. writes the same seeded request lists as bench/serve.py: 2 km bbox squares
   (most around the towns the CSV places points near, some anywhere in Great
   Britain), points for ``near`` and ids for ``item``; every server is asked
   about the very same squares;
3. starts every server, each as one process on 127.0.0.1, and loads them
   with wrk (installed with apt-get if missing) at a fixed number of
   connections, in rounds: in each round every server and scenario gets the
   same share of the duration, one after another, and after each load the
   script waits until that server has finished what was still queued, so a
   change in what else the machine does touches every server alike; it then
   reads each server's peak resident memory (VmHWM) and stops them:

   - **app**: ``python -m <package> serve``; ``items?bbox=...&limit=50``,
     ``items?near=...`` and ``items/<id>``, the home page's word search, and
     bbox and near with each box of the map (bench/serve.py's scenarios);
   - **datasette**: ``datasette serve -i`` on the app's own database file (the
     same rows and the same R*Tree), answering a canned query that selects the
     50 features in the square through the R*Tree, in load order, as JSON;
     a second canned query that also counts every feature in the square,
     as the app's numberMatched does; and its row page as JSON
     (``/<db>/<table>/<rowid>.json``) for the very features the app's item
     scenario asks for, by the rowid that is the table's primary key;
   - **pygeoapi**: its Starlette app under uvicorn, answering
     ``/collections/toilets/items?bbox=...&limit=50`` from a GeoPackage of the
     same features (written by bench/geopackage.py, with its R*Tree), through
     its OGR provider when GDAL's Python bindings can be had (Debian's
     python3-gdal, installed with apt-get) and otherwise through its
     SQLiteGPKG provider (with Debian's SpatiaLite module);
   - **the app on PostgreSQL**, when a PostgreSQL URL is given (bench/run_all.py
     passes the server its ingest filled): three app processes behind nginx
     with the recipe's own site file (bench/deployment.py), asked the app's
     bbox, near and item requests, and bbox and near with each box;

4. checks a sample of squares: the app's answer against the database, then
   each peer's answer against the app's (the same ids in the same order from
   Datasette, the same count from its counting query, the same id and
   position from its row page, and from pygeoapi the same ids where the square
   holds 50 features or fewer, otherwise 50 ids from the square; the app on
   PostgreSQL against the SQLite database, as bench/serve.py checks the app);
   prints requests per second (over all rounds), p50 and p99 latency (the
   medians of the rounds'), errors, peak RSS and the app's throughput in the
   same scenario as a multiple of each peer's (the median of the rounds' ratios).

Datasette and pygeoapi are installed (by bench/peer_setup.py) with uv into
their own virtual environments under build/bench/venvs/ (pygeoapi's on Debian's Python 3, with
its system packages, which is where python3-gdal lives), made once.
Results are written to build/bench/peers-<rows>-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import deployment
import ingest
import make_toilets_csv as toilets_csv
import peer_setup
import serve

ROOT, BENCH, SOURCE = ingest.ROOT, ingest.BENCH, ingest.SOURCE
PEERS = peer_setup.PEERS
PROVIDERS = peer_setup.PROVIDERS
DATASETTE_DB = peer_setup.DATASETTE_DB
HOST = serve.HOST
PAGE = serve.PAGE
PEER_NAMES = ("datasette", "pygeoapi")
CHECKS = 20  # squares whose answers are compared across servers
WARM_UP = 5  # requests sent to each server before its load, so first-request costs are not measured
# The app on PostgreSQL behind nginx: every scenario but the word searches, which the app alone measures
DEPLOYMENT_SCENARIOS = ("bbox", "near", "item", *serve.BOXED)
IDLE_LIMIT = 60.0  # seconds to wait for a server to finish its queued requests after a round


@dataclass
class Load:
    """One server's load in one scenario, with what the server was."""

    server: str
    scenario: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    peak_rss_mib: float
    client: str
    rounds: list[dict[str, float]] = field(default_factory=list)  # each round's requests/s, p50 and p99
    # The errors by kind, so that a failure says what failed: answers above 399, connections, timeouts.
    kinds: dict[str, int] = field(default_factory=lambda: {"non_2xx": 0, "socket_errors": 0, "timeouts": 0})

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def add(self, result: serve.Result) -> None:
        """Count one round's load: requests and time add up; p50 and p99 are the rounds' medians."""
        self.requests += result.requests
        self.seconds += result.seconds
        self.errors += result.errors
        for kind in self.kinds:
            self.kinds[kind] += getattr(result, kind)
        self.max_ms = max(self.max_ms, result.max_ms)
        self.client = result.client
        self.rounds.append(
            {"requests_per_second": result.requests_per_second, "p50_ms": result.p50_ms, "p99_ms": result.p99_ms}
        )
        self.p50_ms = statistics.median(r["p50_ms"] for r in self.rounds)
        self.p99_ms = statistics.median(r["p99_ms"] for r in self.rounds)


@dataclass
class Peer:
    """How to start one server and what to ask it."""

    name: str
    port: int
    command: list[str]
    env: dict[str, str]
    cwd: Path
    ready: str  # a path that answers 200 once the server is up
    scenarios: dict[str, list[str]]
    check: Callable[[serve.Server], list[str]]  # compares a sample of its answers; returns the problems
    notes: list[str] = field(default_factory=list)
    server: serve.Server | None = None
    starter: Callable[[], serve.Server] | None = None  # starts a server of several processes instead of command


# --- the requests ------------------------------------------------------------


def boxes_of(bbox_paths: list[str]) -> list[tuple[float, float, float, float]]:
    """The squares in bench/serve.py's bbox paths, as (west, south, east, north)."""
    boxes = []
    for path in bbox_paths:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        west, south, east, north = (float(v) for v in query["bbox"][0].split(","))
        boxes.append((west, south, east, north))
    return boxes


def bbox_text(box: tuple[float, float, float, float]) -> str:
    return ",".join(f"{v:.5f}" for v in box)


def datasette_path(query: str, box: tuple[float, float, float, float]) -> str:
    west, south, east, north = (f"{v:.5f}" for v in box)
    return f"/{DATASETTE_DB}/{query}.json?west={west}&south={south}&east={east}&north={north}&_shape=array"


def item_id(path: str) -> str:
    """The feature id an app item path asks for."""
    return urllib.parse.unquote(path.rsplit("/", 1)[1])


def datasette_row_paths(database: Path, item_paths: list[str]) -> list[str]:
    """Datasette's row page, as JSON, of each feature the app's item paths ask for, found by its rowid."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        table = serve.live_table(db)
        paths = []
        for path in item_paths:
            (rowid,) = db.execute(f"SELECT _rowid FROM {table} WHERE _id = ?", [item_id(path)]).fetchone()
            paths.append(f"/{DATASETTE_DB}/{table}/{rowid}.json?_shape=array")
    return paths


def pygeoapi_path(box: tuple[float, float, float, float]) -> str:
    return f"/collections/{SOURCE}/items?bbox={bbox_text(box)}&limit={PAGE}&f=json"


# --- running a server --------------------------------------------------------


def on(port: int) -> list[str]:
    """The options that put a server on the loopback address and a port."""
    return ["--host", HOST, "--port", str(port)]


def start(peer: Peer) -> serve.Server:
    """Start ``peer`` on a free port and wait until its ready path answers 200."""
    if peer.starter is not None:
        return peer.starter()
    slug = "".join(c if c.isalnum() else "-" for c in peer.name.lower()).strip("-").replace("--", "-")
    log = BENCH / "logs" / f"peer-{slug}.log"
    return serve.launch(peer.name, peer.command, cwd=peer.cwd, env=peer.env, port=peer.port, log=log, ready=peer.ready)


def get_json(server: serve.Server, path: str) -> object:
    with urllib.request.urlopen(server.url(path), timeout=120) as answer:
        return json.load(answer)


def cpu_seconds(pids: list[int]) -> float:
    """The CPU time processes have used so far (user and system), from /proc/<pid>/stat."""
    used = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        used += int(fields[11]) + int(fields[12])
    return used / os.sysconf("SC_CLK_TCK")


def wait_idle(server: serve.Server, limit: float = IDLE_LIMIT) -> None:
    """Wait until a server has finished the requests still queued when the load stopped (at most ``limit`` s).

    A slow server goes on answering requests that the load generator has
    given up on; waiting keeps that work out of the next server's round.
    """
    deadline = time.perf_counter() + limit
    used = cpu_seconds(server.pids())
    while time.perf_counter() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(server.pids())
        if now - used < 0.02:
            return
        used = now


def load_round(peer: Peer, scenario: str, seconds: float, args: argparse.Namespace, wrk: str | None) -> serve.Result:
    """One round of load on one server and scenario, then a wait until the server is idle again."""
    name = f"{peer.name}-{scenario}"
    paths = peer.scenarios[scenario]
    if wrk:
        result = serve.load_with_wrk(wrk, peer.server, name, paths, seconds, args.concurrency, args.seed)
    else:
        result = serve.load_with_python(peer.server, name, paths, seconds, args.concurrency, args.seed)
    wait_idle(peer.server)
    return result


def run_rounds(peers: list[Peer], args: argparse.Namespace, wrk: str | None) -> list[Load]:
    """Load every server in every scenario, round after round, the servers taking turns within each round.

    Each round gives every server and scenario ``duration / rounds`` seconds
    (rounded to whole seconds, as wrk takes them),
    so a change in what else the machine is doing touches every server alike,
    and each round's ratios compare servers measured minutes apart at most.
    """
    seconds = max(1, round(args.duration / args.rounds))  # wrk takes whole seconds
    loads = {
        (peer.name, scenario): Load(peer.name, scenario, 0, 0.0, 0.0, 0.0, 0.0, 0, 0.0, "")
        for peer in peers
        for scenario in peer.scenarios
    }
    for number in range(args.rounds):
        print(f"\nRound {number + 1}/{args.rounds}: {seconds:g} s each at {args.concurrency} connections", flush=True)
        for peer in peers:
            for scenario in peer.scenarios:
                result = load_round(peer, scenario, seconds, args, wrk)
                loads[peer.name, scenario].add(result)
                print(
                    f"  {peer.name} {scenario}: {result.requests_per_second:,.1f} req/s, p50 {result.p50_ms:.1f} ms, "
                    f"p99 {result.p99_ms:.1f} ms, {result.errors} failed",
                    flush=True,
                )
    return list(loads.values())


# --- checking answers --------------------------------------------------------


@dataclass
class Expected:
    """What the app answered for one square: how many features it holds and the first page of ids."""

    box: tuple[float, float, float, float]
    matched: int
    ids: list[str]
    every_id: set[str]


def app_answers(
    server: serve.Server, database: Path, boxes: list[tuple[float, float, float, float]]
) -> tuple[list[Expected], list[str]]:
    """The app's answers for the sampled squares, each checked against the database."""
    expected, problems = [], []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        table = serve.live_table(db)
        for box in boxes:
            west, south, east, north = box
            rows = db.execute(
                f"SELECT _id FROM {table} WHERE _lon BETWEEN ? AND ? AND _lat BETWEEN ? AND ? ORDER BY _rowid",
                [west, east, south, north],
            ).fetchall()
            body = get_json(server, f"{serve.ITEMS}?bbox={bbox_text(box)}&limit={PAGE}")
            ids = [feature["id"] for feature in body["features"]]
            every = [row[0] for row in rows]
            if body["numberMatched"] != len(every) or ids != every[:PAGE]:
                problems.append(
                    f"app bbox={bbox_text(box)}: numberMatched {body['numberMatched']} and {len(ids)} ids, "
                    f"the database holds {len(every)}"
                )
            expected.append(Expected(box, len(every), every[:PAGE], set(every)))
    return expected, problems


@dataclass
class ExpectedItem:
    """What the app answered for one feature of its item scenario, and Datasette's row page of it."""

    row_path: str
    id: str
    position: list[float] | None


def app_items(
    server: serve.Server, item_paths: list[str], row_paths: list[str], seed: int
) -> tuple[list[ExpectedItem], list[str]]:
    """The app's answers for a sample of the item scenario's features, each checked to be the feature asked for."""
    expected, problems = [], []
    for index in random.Random(seed).sample(range(len(item_paths)), min(CHECKS, len(item_paths))):
        body = get_json(server, item_paths[index])
        wanted = item_id(item_paths[index])
        if not isinstance(body, dict) or body.get("id") != wanted:
            problems.append(f"app {item_paths[index]}: answered with another feature")
            continue
        geometry = body.get("geometry") or {}
        expected.append(ExpectedItem(row_paths[index], wanted, geometry.get("coordinates")))
    return expected, problems


def answer(server: serve.Server, name: str, path: str, failures: list[str]) -> object | None:
    """A peer's JSON answer, asked twice if need be; None, with the failure noted, if it gave none.

    A peer's failed request is one of its figures (reported beside its load),
    not a wrong answer, so it is kept apart from the checks' problems.
    """
    for attempt in range(2):
        try:
            return get_json(server, path)
        except (OSError, ValueError) as error:  # URLError and HTTPError are OSErrors; bad JSON a ValueError
            if attempt:
                failures.append(f"{name}: {path} failed when checked ({error})")
            time.sleep(1)
    return None


def check_datasette(server: serve.Server, expected: list[Expected], failures: list[str]) -> list[str]:
    problems: list[str] = []
    for want in expected:
        rows = answer(server, "datasette", datasette_path("bbox", want.box), failures)
        counted = answer(server, "datasette", datasette_path("bbox_count", want.box), failures)
        if rows is None or counted is None:
            continue
        ids = [row["id"] for row in rows]
        if ids != want.ids:
            problems.append(f"datasette bbox={bbox_text(want.box)}: {len(ids)} ids, not the app's {len(want.ids)}")
        matched = counted[0]["matched"] if counted else 0
        if matched != want.matched or [row["id"] for row in counted] != want.ids:
            problems.append(f"datasette bbox_count={bbox_text(want.box)}: matched {matched}, the app {want.matched}")
    return problems


def same_position(row: list, position: list[float] | None) -> bool:
    """Whether a row's longitude and latitude are the app's feature's (both absent counts as the same)."""
    if position is None:
        return row == [None, None]
    return None not in row and all(abs(a - b) < 1e-7 for a, b in zip(row, position[:2], strict=True))


def check_datasette_rows(server: serve.Server, expected: list[ExpectedItem], failures: list[str]) -> list[str]:
    """Datasette's row page must hold the one row with the app's id and position."""
    problems: list[str] = []
    for want in expected:
        rows = answer(server, "datasette", want.row_path, failures)
        if rows is None:
            continue
        row = rows[0] if isinstance(rows, list) and len(rows) == 1 else {}
        position = [row.get("_lon"), row.get("_lat")]
        if row.get("_id") != want.id or not same_position(position, want.position):
            problems.append(f"datasette {want.row_path}: not the app's feature {want.id} at {want.position}")
    return problems


def check_pygeoapi(server: serve.Server, expected: list[Expected], name: str, failures: list[str]) -> list[str]:
    """pygeoapi returns the square's features in its index's order, not load order: compare sets."""
    problems: list[str] = []
    for want in expected:
        body = answer(server, name, pygeoapi_path(want.box), failures)
        if body is None:
            continue
        ids = [feature["id"] for feature in body["features"]]
        if len(ids) != min(want.matched, PAGE) or len(set(ids)) != len(ids):
            problems.append(f"{name} bbox={bbox_text(want.box)}: {len(ids)} features, the app {len(want.ids)}")
        elif not set(ids) <= want.every_id:
            problems.append(f"{name} bbox={bbox_text(want.box)}: ids outside the square")
        elif want.matched <= PAGE and set(ids) != set(want.ids):
            problems.append(f"{name} bbox={bbox_text(want.box)}: other ids than the app's")
        if "numberMatched" in body and body["numberMatched"] != want.matched:
            problems.append(f"{name} bbox={bbox_text(want.box)}: numberMatched {body['numberMatched']}")
    return problems


# --- reporting ---------------------------------------------------------------


def round_ratio(app_rounds: list[dict[str, float]], rounds: list[dict[str, float]]) -> float | None:
    """The median over rounds of one load's requests/s (the app's) divided by another's in the same round."""
    ratios = [
        mine["requests_per_second"] / theirs["requests_per_second"]
        for mine, theirs in zip(app_rounds, rounds, strict=False)
        if theirs["requests_per_second"]
    ]
    return statistics.median(ratios) if ratios else None


def app_ratio(results: list[dict], result: dict) -> float | None:
    """The app's (on SQLite) requests/s in the same scenario as a multiple of another server's, over rounds.

    Datasette's counting query is set beside the app's bbox, whose answer
    counts too; the app's own loads have no ratio.
    """
    if result["server"] == "app":
        return None
    scenario = "bbox" if result["scenario"].startswith("bbox") else result["scenario"]
    mine = next((r for r in results if r["server"] == "app" and r["scenario"] == scenario), None)
    return round_ratio(mine["rounds"], result["rounds"]) if mine else None


def table(loads: list[Load]) -> str:
    """One row per server and scenario, with the app's throughput as a multiple of each other load's."""
    results = [asdict(load) for load in loads]
    heading = ["server", "scenario", "requests", "req/s", "p50 ms", "p99 ms", "errors", "peak RSS MiB", "app / this"]
    lines = [heading]
    for load, result in zip(loads, results, strict=True):
        found = app_ratio(results, result)
        ratio = "-" if found is None else f"{found:.2f}"
        lines.append(
            [
                load.server,
                load.scenario,
                f"{load.requests:,}",
                f"{load.requests_per_second:,.1f}",
                f"{load.p50_ms:.1f}",
                f"{load.p99_ms:.1f}",
                f"{load.errors:,}",
                f"{load.peak_rss_mib:,.0f}",
                ratio,
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(heading))]
    rendered = []
    for number, line in enumerate(lines):
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        rendered.append("  ".join(cells).rstrip())
        if number == 0:
            rendered.append("  ".join("-" * w for w in widths))
    return "\n".join(rendered)


# --- the run -----------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=toilets_csv.positive, default=toilets_csv.DEFAULT_ROWS, help="rows (1000000)")
    parser.add_argument(
        "--duration", type=float, default=15.0, help="seconds of load per server and scenario, over all rounds (15)"
    )
    parser.add_argument("--concurrency", type=toilets_csv.positive, default=16, help="open connections (16)")
    parser.add_argument(
        "--rounds",
        type=toilets_csv.positive,
        default=3,
        help="rounds the duration is split into, servers taking turns (3)",
    )
    parser.add_argument("--seed", type=int, default=toilets_csv.DEFAULT_SEED, help="seed of the CSV and requests")
    parser.add_argument(
        "--peers", default=",".join(PEER_NAMES), help=f"servers beside the app, from {', '.join(PEER_NAMES)} (all)"
    )
    parser.add_argument(
        "--scenarios",
        default=",".join(serve.SCENARIOS),
        help=f"the app's scenarios, from {', '.join(serve.SCENARIOS)}; bbox always runs (all)",
    )
    parser.add_argument(
        "--pygeoapi-provider",
        choices=PROVIDERS,
        default="auto",
        help="OGR (GDAL), SQLiteGPKG, both, or auto: OGR if python3-gdal can be had, else SQLiteGPKG (auto)",
    )
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto", help="load generator (auto)")
    parser.add_argument("--no-bake", action="store_true", help=f"reuse build/bench/{ingest.SLUG} as it is")
    parser.add_argument(
        "--postgres-url",
        help="also serve from this PostgreSQL database, holding the app's ingest of the same file, with "
        f"{deployment.PROCESSES} app processes behind nginx (postgresql://...)",
    )
    return parser


def run(args: argparse.Namespace, project: Path | None = None) -> dict:
    """Serve the same data from every server asked for; the report (figures, versions, problems)."""
    servers = [name.strip() for name in args.peers.split(",") if name.strip()]
    if unknown := set(servers) - set(PEER_NAMES):
        raise SystemExit(f"unknown peer {', '.join(sorted(unknown))}: choose from {', '.join(PEER_NAMES)}")
    scenarios = ["bbox", *(name.strip() for name in args.scenarios.split(",") if name.strip() not in ("", "bbox"))]
    if unknown := set(scenarios) - set(serve.SCENARIOS):
        raise SystemExit(f"unknown scenario {', '.join(sorted(unknown))}: choose from {', '.join(serve.SCENARIOS)}")
    if args.duration < args.rounds:
        raise SystemExit(f"--duration must give each of the {args.rounds} rounds at least 1 s, not {args.duration:g}")
    BENCH.mkdir(parents=True, exist_ok=True)
    csv_path, summary = ingest.ensure_csv(args.rows, args.seed, toilets_csv.DEFAULT_BAD_FRACTION)
    if project is None:
        project = ingest.bench_project(args.no_bake)
    ingest.point_sources_at(project / "place.toml", csv_path, summary["renamed"])
    database = serve.ensure_database(project, csv_path, args.rows, False)
    paths = serve.request_paths(database, args.seed)
    boxes = boxes_of(paths["bbox"])
    sample = random.Random(args.seed).sample(boxes, min(CHECKS, len(boxes)))
    wrk = serve.find_wrk() if args.client != "python" else None
    if args.client == "wrk" and not wrk:
        raise SystemExit("wrk is not installed and could not be installed with apt-get; use --client python")

    problems: list[str] = []
    notes: list[str] = []
    datasette_python = pygeoapi_python_path = nginx = None
    expected: list[Expected] = []
    items: list[ExpectedItem] = []
    row_paths = datasette_row_paths(database, paths["item"]) if "item" in scenarios and "datasette" in servers else []

    def check_app(server: serve.Server) -> list[str]:
        more, _ = serve.check_answers(server, database, paths, args.seed, project)
        return more

    app_port = serve.free_port()
    everyone = [
        Peer(
            name="app",
            port=app_port,
            command=[str(project / ".venv" / "bin" / "python"), "-m", ingest.PACKAGE, "serve", *on(app_port)],
            env=ingest.clean_env(DATABASE_URL=serve.database_url(database)),
            cwd=project,
            ready="/healthz",
            scenarios={scenario: paths[scenario] for scenario in scenarios},
            check=check_app,
        )
    ]
    if "datasette" in servers:
        datasette_python = peer_setup.venv_with("datasette", ["datasette"], "import datasette")
        link, meta = peer_setup.datasette_files(database)
        port = serve.free_port()
        datasette = [str(datasette_python.parent / "datasette"), "serve", "-i", str(link), "--metadata", str(meta)]
        everyone.append(
            Peer(
                name="datasette",
                port=port,
                command=[*datasette, *on(port)],
                env=ingest.clean_env(),
                cwd=PEERS,
                ready="/-/versions.json",
                scenarios={
                    "bbox": [datasette_path("bbox", box) for box in boxes],
                    "bbox+count": [datasette_path("bbox_count", box) for box in boxes],
                    **({"item": row_paths} if row_paths else {}),
                },
                check=lambda server: (
                    check_datasette(server, expected, notes) + check_datasette_rows(server, items, notes)
                ),
            )
        )
    if "pygeoapi" in servers:
        providers, provider_notes = peer_setup.resolve_providers(args.pygeoapi_provider)
        notes += provider_notes
        gpkg = peer_setup.ensure_geopackage(database)
        for provider in providers:
            pygeoapi_python_path = peer_setup.pygeoapi_python(provider)
            name = f"pygeoapi ({'OGR' if provider == 'ogr' else 'SQLiteGPKG'})"
            port = serve.free_port()
            env = peer_setup.pygeoapi_files(pygeoapi_python_path, gpkg, provider, port)
            everyone.append(
                Peer(
                    name=name,
                    port=port,
                    command=[str(pygeoapi_python_path), "-m", "uvicorn", "pygeoapi.starlette_app:APP", *on(port)],
                    env=env,
                    cwd=PEERS,
                    ready="/collections?f=json",
                    scenarios={"bbox": [pygeoapi_path(box) for box in boxes]},
                    check=lambda server, name=name: check_pygeoapi(server, expected, name, notes),
                )
            )

    if postgres_url := getattr(args, "postgres_url", None):
        nginx = deployment.nginx_program()
        if nginx is None:
            notes.append(f"nginx could not be installed with apt-get: {deployment.NAME} was left out")
        else:
            everyone.append(
                Peer(
                    name=deployment.NAME,
                    port=0,
                    command=[],
                    env={},
                    cwd=project,
                    ready="/healthz",
                    scenarios={s: paths[s] for s in scenarios if s in DEPLOYMENT_SCENARIOS},
                    check=lambda server: serve.check_answers(server, database, paths, args.seed, project)[0],
                    starter=lambda: deployment.start(project, postgres_url, nginx),
                )
            )

    startup: dict[str, float] = {}
    peaks: dict[str, float] = {}
    try:
        for peer in everyone:
            peer.server = start(peer)
            startup[peer.name] = peer.server.startup_seconds
            print(f"{peer.name} answered {peer.ready} {peer.server.startup_seconds:.1f} s after starting", flush=True)
            for paths_of_scenario in peer.scenarios.values():
                for path in paths_of_scenario[:WARM_UP]:  # JSON, or the home page's HTML for a word search
                    with urllib.request.urlopen(peer.server.url(path), timeout=120) as answer:
                        answer.read()
        # The app's answers for the sampled squares are what the peers' answers are compared with.
        expected, app_problems = app_answers(everyone[0].server, database, sample)
        problems += app_problems
        if row_paths:
            items, item_problems = app_items(everyone[0].server, paths["item"], row_paths, args.seed)
            problems += item_problems
        loads = run_rounds(everyone, args, wrk)
        print("\nChecking a sample of every server's answers ...", flush=True)
        for peer in everyone:
            problems += peer.check(peer.server)
            peaks[peer.name] = peer.server.peak_rss_mib()
    finally:
        for peer in everyone:
            if peer.server is not None:
                peer.server.stop()
    for load in loads:
        load.peak_rss_mib = peaks[load.server]
        if load.errors:
            kinds = ", ".join(f"{kind} {count:,}" for kind, count in load.kinds.items())
            failed = f"{load.server} {load.scenario}: {load.errors:,} failed requests under load ({kinds})"
            # The app must not fail; a peer's failures are a finding, reported beside its figures.
            (problems if load.server.startswith("app") else notes).append(failed)

    found_versions = serve.versions(project, wrk) | peer_setup.peer_versions(datasette_python, pygeoapi_python_path)
    found_versions |= deployment.nginx_version(nginx)
    compared = sum(1 for want in expected if want.matched)
    print(f"\n{args.rows:,} rows in the CSV, served from {ingest.shown(database)}")
    print(f"{args.duration:g} s per server and scenario in {args.rounds} round(s), {args.concurrency} connections\n")
    print(table(loads))
    print(f"\nAnswers compared for {len(expected)} squares ({compared} holding features).")
    for note in notes:
        print(f"  {note}")
    return {
        "rows": args.rows,
        "duration": args.duration,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "database": str(database),
        "startup_seconds": {name: round(seconds, 2) for name, seconds in startup.items()},
        "squares_compared": len(expected),
        "squares_with_features": compared,
        "results": [asdict(load) | {"requests_per_second": round(load.requests_per_second, 1)} for load in loads],
        "notes": notes,
        "versions": found_versions,
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    report = run(args)
    ingest.print_versions(report["versions"])
    if not ingest.save_report(report, f"peers-{args.rows}"):
        return 1
    print("Check passed: no errors, and the sampled answers of every server agree with the app's.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
