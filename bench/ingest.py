"""Measure the generated app's ingest against plain loaders, on one large CSV.

``python3 bench/ingest.py [--rows N]`` (default 1,000,000 rows):

1. writes an LGA PublicToilets-shaped CSV with bench/make_toilets_csv.py, or
   reuses the one already under build/bench/ for the same rows, seed and bad
   fraction;
2. bakes a project from the working tree (as scripts/demo.py does), installs
   it with ``uv sync`` and points its place.toml at the CSV, with the
   ``[sources.fields]`` mapping the CSV's renamed columns need;
3. runs, one after another on the same file, each as a fresh child process:
   the app's ``ingest`` (validating, converting OSGB36 to WGS84, storing); the
   app's ``ingest`` again over what the first stored (a re-ingest of an
   unchanged file, which it skips once the file's SHA-256 matches the
   load's); the ``sqlite3`` shell's ``.import --csv`` (no checks at all: the
   floor); ``sqlite-utils insert --csv`` (a popular Python loader,
   installed into a throwaway venv under build/bench/venvs/) with its defaults
   and with ``--no-detect-types`` (every column kept as text, no second pass);
4. prints one row per tool: seconds, rows per second, peak resident memory,
   and each as a multiple of the app's, then checks that the app's loaded
   plus rejected rows add up to the rows it read.

Wall time runs from starting the child to reaping it, so interpreter start-up
and imports count. CPU time is the child's own user plus system time, also
from ``os.wait4``: on a machine shared with other work, wall time stretches
with the others' load while CPU time moves far less, so both are shown. Peak
memory is the child's own ``ru_maxrss`` from ``os.wait4``: the app runs as ``.venv/bin/python -m <package> ingest``, not
through ``uv run``, so the figure is the ingest's and not uv's. Results are
also written to build/bench/results-<rows>-<time>.json. ``BENCH_DIR=<folder>``
keeps every file in that folder instead of build/bench/ (the virtual
environments stay in build/bench/venvs/).

``--database-url postgresql://...`` adds a run of the app's ingest into
PostgreSQL and, when ``psql`` is installed, a ``\\copy`` floor beside it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import make_toilets_csv as toilets_csv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from clean_copy import clean_copy  # noqa: E402
from dev_env import run_in_dev_env, uv  # noqa: E402
from engine_wheel import engine_environment  # noqa: E402

BENCH = toilets_csv.bench_dir()  # build/bench/, or $BENCH_DIR
VENVS = ROOT / "build" / "bench" / "venvs"  # the peers' virtual environments, shared whatever BENCH is
PROJECT_NAME = "Bench Toilets"
SLUG = "bench-toilets"
PACKAGE = "bench_toilets"
SOURCE = "toilets"
TABLE = "toilets"
TOOLS = ("app", "reingest", "sqlite3", "sqlite-utils", "sqlite-utils-text")
# What each tool is called in the results.
LABELS = {
    "app": "app",
    "reingest": "app re-ingest (unchanged file)",
    "sqlite3": "sqlite3 .import",
    "sqlite-utils": "sqlite-utils insert --csv",
    "sqlite-utils-text": "sqlite-utils insert --csv --no-detect-types",
}
# Variables that would point the app somewhere other than the benchmark's place.toml and database.
APP_ENV = ("APP_SOURCES", "PLACE_TOML", "DATABASE_URL", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")


@dataclass
class Measurement:
    """One tool's runs on the file: the median wall time and the largest peak RSS."""

    tool: str
    rows_in_file: int
    seconds: float
    peak_rss_mib: float
    cpu_seconds: float = 0.0  # median user + system time of the runs
    loaded: int | None = None
    rejected: int | None = None
    read: int | None = None
    runs: list[float] = field(default_factory=list)
    command: list[str] = field(default_factory=list)
    ok: bool = True
    note: str = ""

    @property
    def rows_per_second(self) -> float:
        return self.rows_in_file / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Run:
    """What one child process did."""

    status: int
    seconds: float
    peak_rss_mib: float
    output: str
    cpu_seconds: float = 0.0  # user + system


def measure(command: Sequence[str], *, cwd: Path, env: dict[str, str], log: Path) -> Run:
    """Run ``command`` as a fresh child; return its wall time and its own peak RSS.

    ``os.wait4`` reports the resource use of exactly this child (and any
    children it reaped), unlike ``RUSAGE_CHILDREN``, which keeps the maximum
    over every child this process has ever waited for.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        child = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, wait_status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(wait_status)  # reaped here, so Popen must not wait again
    output = log.read_text(encoding="utf-8", errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(child.returncode, seconds, usage.ru_maxrss / 1024, output, cpu)  # ru_maxrss is in KiB on Linux


def shown(path: Path) -> str:
    """A path as printed: relative to the template repository when it lies inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in APP_ENV}
    env.update(extra)
    return env


def output(command: Sequence[str], **kwargs) -> str:
    """A command's standard output, stripped; an empty string if it cannot run."""
    try:
        result = subprocess.run(list(command), capture_output=True, text=True, check=True, **kwargs)
    except (OSError, subprocess.CalledProcessError):
        return ""
    return result.stdout.strip()


# --- the CSV -----------------------------------------------------------------


def ensure_csv(rows: int, seed: int, bad_fraction: float) -> tuple[Path, dict]:
    """The benchmark file and its summary, generated only if not cached under build/bench/."""
    path = toilets_csv.default_path(rows, seed, bad_fraction)
    summary_file = toilets_csv.summary_path(path)
    if path.is_file() and summary_file.is_file():
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
        if summary.get("bytes") == path.stat().st_size:
            print(f"Using {shown(path)} ({summary['bytes'] / 1e6:.0f} MB, cached)")
            return path, summary
    print(f"Writing {rows:,} rows to {shown(path)} ...", flush=True)
    summary = asdict(toilets_csv.generate(path, rows, seed, bad_fraction))
    print(f"  {summary['bytes'] / 1e6:.0f} MB in {summary['seconds']:.1f} s")
    return path, summary


# --- the app -----------------------------------------------------------------


def bench_project(no_bake: bool) -> Path:
    """The project the benchmarks run: baked afresh from the working tree, or with --no-bake the last one."""
    project = BENCH / SLUG
    if no_bake and (project / ".venv").is_dir():
        print(f"Using {shown(project)} as it is")
        return project
    print(f"Baking the working tree into {shown(project)} ...", flush=True)
    return bake_project()


def bake_project() -> Path:
    """Bake the working tree into build/bench/<slug> and install it with uv; return its folder."""
    target = BENCH / SLUG
    with tempfile.TemporaryDirectory() as scratch:
        template = clean_copy(Path(scratch) / "template")
        baked = Path(scratch) / "baked"
        answers = [f"project_name={PROJECT_NAME}", "dataset_theme=public_toilets"]
        status = run_in_dev_env("cookiecutter", str(template), "--no-input", "--output-dir", str(baked), *answers)
        if status != 0:
            raise SystemExit(f"cookiecutter failed (exit status {status}) baking the working tree")
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(baked / SLUG, target)
    wheels = engine_environment(BENCH / "engine-wheel")  # the engine built from the working tree
    # The wheel is rebuilt at the same path with the same version, which uv may answer from its cache with an
    # earlier build's files: reinstalling the engine makes the bake run the working tree's.
    sync = [*uv(), "sync", "--quiet", "--reinstall-package", "local-data-app"]
    subprocess.run(sync, cwd=target, env=clean_env(**wheels), check=True)
    return target


def source_lines(csv_path: Path, fields: dict[str, str], **options: str) -> list[str]:
    """The place.toml lines of a [[sources]] entry for the benchmark CSV: its options, then its field mapping."""
    return [
        "[[sources]]",
        f"name = {json.dumps(SOURCE)}",
        'adapter = "csv"',
        f"location = {json.dumps(str(csv_path))}",
        *(f"{key} = {json.dumps(value)}" for key, value in options.items()),
        "",
        "[sources.fields]",
        *(f"{canonical} = {json.dumps(column)}" for canonical, column in fields.items()),
        "",
    ]


def point_sources_at(place_toml: Path, csv_path: Path, renamed: dict[str, str]) -> None:
    """Replace every [[sources]] entry in place.toml with one for the benchmark CSV."""
    kept, skipping = [], False
    for line in place_toml.read_text(encoding="utf-8").splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("["):
            table = stripped.strip("[]").strip()
            skipping = table == "sources" or table.startswith("sources.")
        if not skipping:
            kept.append(line)
    block = [
        "",
        "# Written by bench/ingest.py: the benchmark CSV, with its renamed columns mapped back.",
        *source_lines(csv_path, renamed),
    ]
    text = "".join(kept).rstrip("\n") + "\n" + "\n".join(block)
    tomllib.loads(text)  # fail here, not in the app, if the rewrite broke the file
    place_toml.write_text(text, encoding="utf-8")


COUNT = r"([0-9][0-9,_]*)"


def parse_counts(text: str) -> dict[str, int]:
    """The rows read, loaded and rejected that ingest printed, in either "read: 10" or "10 read" order."""
    counts = {}
    for word in ("read", "loaded", "rejected"):
        found = re.search(rf"\b{word}\b[^0-9\n]{{0,12}}?{COUNT}", text, re.IGNORECASE) or re.search(
            rf"{COUNT}\s+(?:rows?\s+|records?\s+)?{word}\b", text, re.IGNORECASE
        )
        if found:
            counts[word] = int(found.group(1).replace(",", "").replace("_", ""))
    return counts


def count_csv_rows(path: Path) -> int | None:
    if not path.is_file():
        return None
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def sqlite_tables(path: Path) -> dict[str, int]:
    """Every table in an SQLite database and its row count."""
    if not path.is_file():
        return {}
    with sqlite3.connect(path) as db:
        names = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def run_app(
    project: Path, rows: int, repeat: int, database_url: str | None, label: str, fresh: bool = True
) -> Measurement:
    """Run the app's ingest ``repeat`` times, each into a fresh SQLite file (or the given database).

    With ``fresh`` False the SQLite file is kept, so each run is given the
    same file again over the data an earlier run stored: a re-ingest of an
    unchanged source, which the app skips after reading the file's digest.
    """
    python = project / ".venv" / "bin" / "python"
    command = [str(python), "-m", PACKAGE, "ingest", "--source", SOURCE]
    if fresh:  # a database kept between runs (PostgreSQL) would otherwise see the file unchanged and skip it
        command.append("--force")
    env = clean_env(DATABASE_URL=database_url) if database_url else clean_env()
    database = project / "data" / "app.db"
    rejects = project / "data" / "rejects" / f"{SOURCE}.csv"
    runs = []
    for attempt in range(repeat):
        if fresh:
            if not database_url:
                for leftover in database.parent.glob("app.db*"):
                    leftover.unlink()
            rejects.unlink(missing_ok=True)  # a re-ingest that skips the load keeps the first load's
        print(f"  {label} run {attempt + 1}/{repeat}: {' '.join(command[1:])}", flush=True)
        run = measure(command, cwd=project, env=env, log=BENCH / "logs" / f"{label}.log")
        runs.append(run)
        if run.status != 0:
            break
    last = runs[-1]
    result = summarise(label, rows, runs, command)
    print(indent(last.output.strip() or "(no output)"))
    if last.status != 0:
        result.ok = False
        result.note = f"exit status {last.status}; output in {shown(BENCH / 'logs' / f'{label}.log')}"
        return result
    line = next((text for text in last.output.splitlines() if text.startswith(f"{SOURCE}:")), last.output)
    counts = parse_counts(line)
    result.read, result.loaded, result.rejected = counts.get("read"), counts.get("loaded"), counts.get("rejected")
    notes = []
    if len(counts) < 3:
        notes.append(f"could not find {', '.join(w for w in ('read', 'loaded', 'rejected') if w not in counts)}")
    reject_rows = count_csv_rows(rejects)
    if reject_rows is not None and result.rejected is not None and reject_rows != result.rejected:
        notes.append(f"{rejects.name} holds {reject_rows} rows but ingest reported {result.rejected} rejected")
    if database_url:
        notes.append("the app's memory only; the PostgreSQL server's is not counted")
    else:
        tables = sqlite_tables(database)
        notes.append("tables: " + ", ".join(f"{name} {count:,}" for name, count in tables.items()))
    result.note = "; ".join(notes)
    return result


# --- the other loaders -------------------------------------------------------


def sqlite_utils_venv() -> Path:
    """sqlite-utils installed into its own venv under build/bench/, made once."""
    venv = VENVS / "sqlite-utils"
    executable = venv / "bin" / "sqlite-utils"
    if not executable.is_file():
        print("Installing sqlite-utils into a throwaway venv ...", flush=True)
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([*uv(), "venv", "--quiet", str(venv)], check=True, env=clean_env())
        subprocess.run(
            [*uv(), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), "sqlite-utils"],
            check=True,
            env=clean_env(),
        )
    return executable


def run_loader(
    label: str, command_for: Callable[[Path], list[str]], database: Path, rows: int, repeat: int
) -> Measurement:
    """Run a plain loader ``repeat`` times into a fresh SQLite file and count what it stored."""
    database.parent.mkdir(parents=True, exist_ok=True)
    runs = []
    for attempt in range(repeat):
        database.unlink(missing_ok=True)
        command = command_for(database)
        print(f"  {label} run {attempt + 1}/{repeat}: {Path(command[0]).name} {' '.join(command[1:])}", flush=True)
        run = measure(command, cwd=BENCH, env=clean_env(), log=BENCH / "logs" / f"{label}.log")
        runs.append(run)
        if run.status != 0:
            break
    result = summarise(label, rows, runs, command)
    if runs[-1].status != 0:
        result.ok = False
        result.note = f"exit status {runs[-1].status}: {runs[-1].output.strip()[-500:]}"
        return result
    result.loaded = sqlite_tables(database).get(TABLE)
    result.rejected = 0
    if result.loaded != rows:
        result.note = f"stored {result.loaded} rows, expected {rows}"
    database.unlink()  # as large as the CSV: keep only the app's database
    return result


def run_psql_copy(database_url: str, csv_path: Path, header: list[str], rows: int, repeat: int) -> Measurement:
    """PostgreSQL's floor: psql \\copy into an all-text table."""
    table = "bench_floor_toilets"
    columns = ", ".join(f'"{name}" text' for name in header)
    script = (
        f"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} ({columns});\n"
        f"\\copy {table} FROM '{csv_path}' WITH (FORMAT csv, HEADER true)\n"
    )
    script_file = BENCH / "psql-copy.sql"
    script_file.write_text(script, encoding="utf-8")
    command = ["psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-f", str(script_file), database_url]
    runs = []
    for attempt in range(repeat):
        print(f"  psql \\copy run {attempt + 1}/{repeat} ...", flush=True)
        runs.append(measure(command, cwd=BENCH, env=clean_env(), log=BENCH / "logs" / "psql.log"))
    result = summarise("psql \\copy (PostgreSQL)", rows, runs, command)
    result.ok = runs[-1].status == 0
    result.note = "the psql client's memory only; the server's is not counted"
    if not result.ok:
        result.note = runs[-1].output.strip()[-500:]
    counted = output(["psql", "-At", "-c", f"SELECT count(*) FROM {table}", database_url])
    result.loaded = int(counted) if counted.isdigit() else None
    result.rejected = 0
    output(["psql", "-q", "-c", f"DROP TABLE IF EXISTS {table}", database_url])
    return result


def summarise(label: str, rows: int, runs: list[Run], command: Sequence[str]) -> Measurement:
    return Measurement(
        tool=label,
        rows_in_file=rows,
        seconds=statistics.median(run.seconds for run in runs),
        peak_rss_mib=max(run.peak_rss_mib for run in runs),
        cpu_seconds=statistics.median(run.cpu_seconds for run in runs),
        runs=[round(run.seconds, 2) for run in runs],
        command=list(command),
    )


# --- reporting ---------------------------------------------------------------


def versions(project: Path | None, sqlite_utils: Path | None, database_url: str | None) -> dict[str, str]:
    found = {
        "machine": f"{os.cpu_count()} cores, {cpu_model()}, {memory_gib():.0f} GiB RAM, Linux {platform.release()}",
        "python (harness)": platform.python_version(),
        "uv": output([*uv(), "--version"]),
    }
    if project is not None:
        probe = (
            "import json, platform, sqlite3, pydantic, pyproj; print(json.dumps({"
            "'python (app)': platform.python_version(), 'sqlite (app)': sqlite3.sqlite_version, "
            "'pyproj': pyproj.__version__ + ' (PROJ ' + pyproj.proj_version_str + ')', "
            "'pydantic': pydantic.VERSION}))"
        )
        text = output([str(project / ".venv" / "bin" / "python"), "-c", probe])
        found.update(json.loads(text) if text else {"app": "could not import pyproj/pydantic"})
    if shutil.which("sqlite3"):
        found["sqlite3 shell"] = output(["sqlite3", "--version"]).split(" ")[0]
    if sqlite_utils is not None:
        found["sqlite-utils"] = output([str(sqlite_utils), "--version"]).rsplit(" ", 1)[-1]
        python = sqlite_utils.parent / "python"
        found["sqlite (sqlite-utils)"] = output([str(python), "-c", "import sqlite3; print(sqlite3.sqlite_version)"])
    if database_url and shutil.which("psql"):
        found["postgresql"] = output(["psql", "-At", "-c", "SHOW server_version", database_url])
    return found


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_gib() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return 0.0


def indent(text: str, prefix: str = "    | ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def table(results: list[Measurement]) -> str:
    """The results, one row per tool, with time and memory as multiples of the app's."""
    app = next((r for r in results if r.tool == "app" and r.ok), None)
    heading = [
        "tool",
        "rows",
        "loaded",
        "rejected",
        "seconds",
        "rows/s",
        "CPU s",
        "peak RSS MiB",
        "time / app",
        "CPU / app",
        "RSS / app",
    ]
    lines = [heading]
    for r in results:
        lines.append(
            [
                r.tool if r.ok else f"{r.tool} (FAILED)",
                f"{r.rows_in_file:,}",
                "?" if r.loaded is None else f"{r.loaded:,}",
                "?" if r.rejected is None else f"{r.rejected:,}",
                *(
                    [
                        f"{r.seconds:.1f}",
                        f"{r.rows_per_second:,.0f}",
                        f"{r.cpu_seconds:.1f}",
                        f"{r.peak_rss_mib:,.0f}",
                        f"{r.seconds / app.seconds:.2f}" if app else "-",
                        f"{r.cpu_seconds / app.cpu_seconds:.2f}" if app and app.cpu_seconds else "-",
                        f"{r.peak_rss_mib / app.peak_rss_mib:.2f}" if app else "-",
                    ]
                    if r.ok
                    else ["-"] * 7
                ),
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(heading))]
    rendered = []
    for number, line in enumerate(lines):
        cells = [
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        rendered.append("  ".join(cells))
        if number == 0:
            rendered.append("  ".join("-" * w for w in widths))
    return "\n".join(rendered)


def check_app(app: Measurement, rows: int, expected_bad: int) -> list[str]:
    """Problems with the app's counts: loaded + rejected must equal read, and read the rows in the file."""
    if not app.ok:
        return [f"{app.tool}: {app.note}"]
    if None in (app.read, app.loaded, app.rejected):
        return [f"{app.tool}: could not read its counts from the output ({app.note})"]
    problems = []
    if app.loaded + app.rejected != app.read:
        problems.append(f"{app.tool}: loaded {app.loaded:,} + rejected {app.rejected:,} != read {app.read:,}")
    if app.read != rows:
        problems.append(f"{app.tool}: read {app.read:,} rows, the file holds {rows:,}")
    if app.rejected != expected_bad:
        problems.append(f"{app.tool}: rejected {app.rejected:,}, the generator wrote {expected_bad:,} bad rows")
    return problems


def print_versions(versions: dict[str, str]) -> None:
    """The versions of every tool measured, as each benchmark prints them at its end."""
    print("\nVersions:")
    for name, version in versions.items():
        print(f"  {name}: {version}")


def save_report(report: dict[str, Any], name: str) -> bool:
    """Write a run's figures to build/bench/<name>-<time>.json and print its problems; whether there were none."""
    results_file = BENCH / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    results_file.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nResults written to {shown(results_file)}")
    if report["problems"]:
        print("\nProblems:")
        print("\n".join(f"  {problem}" for problem in report["problems"]))
        return False
    return True


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=toilets_csv.positive, default=toilets_csv.DEFAULT_ROWS, help="rows in the CSV (1000000)"
    )
    parser.add_argument(
        "--seed", type=int, default=toilets_csv.DEFAULT_SEED, help=f"the generator's seed ({toilets_csv.DEFAULT_SEED})"
    )
    parser.add_argument(
        "--bad-fraction",
        type=toilets_csv.fraction,
        default=toilets_csv.DEFAULT_BAD_FRACTION,
        help=f"share of rows to break ({toilets_csv.DEFAULT_BAD_FRACTION})",
    )
    parser.add_argument(
        "--repeat", type=toilets_csv.positive, default=1, help="runs per tool; the median time is shown (1)"
    )
    parser.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help=f"comma-separated tools to run, from {', '.join(TOOLS)} (default: all); reingest needs app",
    )
    parser.add_argument("--no-bake", action="store_true", help=f"reuse build/bench/{SLUG} as it is")
    parser.add_argument("--database-url", help="also ingest into this PostgreSQL database (postgresql://...)")
    return parser


def run(args: argparse.Namespace, project: Path | None = None) -> dict[str, Any]:
    """Load the file with every tool asked for; the report (the file, figures, versions, problems)."""
    tools = [tool.strip() for tool in args.tools.split(",") if tool.strip()]
    if unknown := set(tools) - set(TOOLS):
        raise SystemExit(f"unknown tool {', '.join(sorted(unknown))}: choose from {', '.join(TOOLS)}")
    if "reingest" in tools and "app" not in tools:
        raise SystemExit("reingest loads the file again over the app's first ingest: add app to --tools")

    BENCH.mkdir(parents=True, exist_ok=True)
    csv_path, summary = ensure_csv(args.rows, args.seed, args.bad_fraction)
    with csv_path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))

    sqlite_utils = None
    if project is None and ("app" in tools or args.database_url):
        project = bench_project(args.no_bake)
    if project is not None:
        point_sources_at(project / "place.toml", csv_path, summary["renamed"])
    if "sqlite-utils" in tools or "sqlite-utils-text" in tools:
        sqlite_utils = sqlite_utils_venv()

    results: list[Measurement] = []
    print(f"\nLoading {args.rows:,} rows, {args.repeat} run(s) per tool:", flush=True)
    if "app" in tools:
        results.append(run_app(project, args.rows, args.repeat, None, LABELS["app"]))
    if "reingest" in tools:
        results.append(run_app(project, args.rows, args.repeat, None, LABELS["reingest"], fresh=False))
    if args.database_url:
        results.append(run_app(project, args.rows, args.repeat, args.database_url, "app (PostgreSQL)"))
        if shutil.which("psql"):
            results.append(run_psql_copy(args.database_url, csv_path, header, args.rows, args.repeat))
    if "sqlite3" in tools:
        if shutil.which("sqlite3"):
            results.append(
                run_loader(
                    LABELS["sqlite3"],
                    lambda db: ["sqlite3", str(db), f".import --csv {csv_path} {TABLE}"],
                    BENCH / "work" / "sqlite3.db",
                    args.rows,
                    args.repeat,
                )
            )
        else:
            print("  sqlite3 is not installed (on Debian: apt-get install sqlite3); skipped")
    loader = str(sqlite_utils)
    for tool, extra in (("sqlite-utils", []), ("sqlite-utils-text", ["--no-detect-types"])):
        if tool in tools:
            results.append(
                run_loader(
                    LABELS[tool],
                    lambda db, extra=extra: [loader, "insert", str(db), TABLE, str(csv_path), "--csv", *extra],
                    BENCH / "work" / f"{tool}.db",
                    args.rows,
                    args.repeat,
                )
            )

    found_versions = versions(project, sqlite_utils, args.database_url)
    print(f"\nFile: {shown(csv_path)}")
    print(
        f"  {summary['rows']:,} rows, {summary['bytes'] / 1e6:.0f} MB: {summary['wgs84_rows']:,} WGS84 "
        f"({summary['blank_crs_rows']:,} with a blank CRS), {summary['osgb36_rows']:,} OSGB36, "
        f"{summary['bad_rows']:,} bad"
    )
    print("\n" + table(results) + "\n")
    for r in results:
        if r.note:
            print(f"  {r.tool}: {r.note}")

    problems = [
        problem for r in results if r.tool.startswith("app") for problem in check_app(r, args.rows, summary["bad_rows"])
    ]
    problems += [f"{r.tool}: {r.note}" for r in results if not r.tool.startswith("app") and not r.ok]
    return {
        "file": summary,
        "results": [asdict(r) | {"rows_per_second": round(r.rows_per_second)} for r in results],
        "versions": found_versions,
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    report = run(args)
    print_versions(report["versions"])
    if not save_report(report, f"results-{args.rows}"):
        return 1
    if any(r["tool"].startswith("app") for r in report["results"]):
        print("Check passed: the app's loaded + rejected rows equal the rows it read.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
