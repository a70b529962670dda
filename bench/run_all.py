"""Run every benchmark in one go and summarise them against the targets, at one size or several.

``python3 bench/run_all.py [--rows N] [--sizes A,B,...] [--postgres auto|yes|no]`` (default 1,000,000 rows):

1. writes (or reuses) the seeded CSV and bakes the working tree once, and
   starts a throwaway PostgreSQL server (scripts/postgres.py, which installs
   Debian's server with apt-get if need be) unless ``--postgres no``; with
   ``auto`` (the default) a machine that cannot run one leaves PostgreSQL out
   and says so;
2. **ingest** (bench/ingest.py): the app's ingest, the app's re-ingest of the
   unchanged file over its first load, the sqlite3 shell's ``.import``,
   ``sqlite-utils insert --csv`` and the same with ``--no-detect-types``;
   then the app's ingest into PostgreSQL and ``psql \\copy`` of the same file;
3. **serve** (bench/peers.py): the app's database from step 2 served by the
   app (bbox, near, item, word search, word search near a point with a
   filter, and bbox and near with each box a resident ticks: "Unisex",
   "Open now", "Free", "Accessible toilet"), Datasette (the same bbox query
   through the same R*Tree, with and without a count, and its row page for
   the features the app's item scenario asks for), pygeoapi (the same OGC
   API items request, with its OGR and SQLiteGPKG providers) and the app on
   PostgreSQL as the deployment recipe runs it, three processes behind nginx
   (bench/deployment.py: bbox, near, item, and bbox and near with each box),
   taking turns in rounds;
4. **generation** (bench/generation.py): baking a project with cookiecutter
   and with copier;
5. with ``--sizes``, the same CSV generator at every other size, and at each
   the app's ingest beside the sqlite3 shell's ``.import`` and the app alone
   serving bbox, near and item: how long each size took, the ingest's rows
   per second and peak memory at each size against ``--rows``'s, and the
   throughput at the largest size against ``--rows``'s;
6. prints Markdown tables with the ratios and every target, met or not, and
   writes them with every figure and version to
   build/bench/all-<rows>-<time>.md and .json.

Everything the peers need is installed by the scripts: sqlite-utils, Datasette
and pygeoapi with uv into virtual environments under build/bench/venvs/, and
the sqlite3 shell, wrk, nginx, PostgreSQL, GDAL's Python bindings and
SpatiaLite with apt-get (as root). Exits with status 1 if a check failed (the
app's counts, its answers against the database on either store, the peers'
answers against the app's).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import deployment
import generation
import ingest
import make_toilets_csv as toilets_csv
import peer_setup
import peers
import serve

ROOT, BENCH = ingest.ROOT, ingest.BENCH
MB = 1e6 / 2**20  # MiB in a megabyte
PARTS = ("ingest", "serve", "generation")
GROWTH_TOOLS = ("app", "sqlite3")  # ingest at the other sizes: the app and the floor beside it
GROWTH_SCENARIOS = ("bbox", "near", "item")  # serving at the other sizes, the app alone
FLAT = 0.2  # "flat" and "within 20%": a ratio between 0.8 and 1.2 (throughput: 0.8 or more)
PG_APP, PG_COPY = "app (PostgreSQL)", "psql \\copy (PostgreSQL)"  # bench/ingest.py's labels


def sizes(text: str) -> list[int]:
    """``--sizes``: comma-separated numbers of rows."""
    try:
        found = [toilets_csv.positive(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole numbers of rows separated by commas, not {text!r}") from None
    if not found:
        raise argparse.ArgumentTypeError("expected numbers of rows separated by commas, such as 100000,1000000")
    return found


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=toilets_csv.positive, default=toilets_csv.DEFAULT_ROWS, help="rows (1000000)")
    parser.add_argument(
        "--sizes",
        type=sizes,
        default=[],
        help="also run the app's ingest and serving at these sizes, for the growth targets "
        "(e.g. 100000,1000000,5000000; --rows is the one compared against and runs everything)",
    )
    parser.add_argument(
        "--postgres",
        choices=deployment.POSTGRES_CHOICES,
        default="auto",
        help="ingest into and serve from a throwaway PostgreSQL server: auto (if one can be started), yes, no",
    )
    parser.add_argument("--seed", type=int, default=toilets_csv.DEFAULT_SEED, help="seed of the CSV and requests")
    parser.add_argument("--repeat", type=toilets_csv.positive, default=1, help="ingest runs per tool (1)")
    parser.add_argument(
        "--duration", type=float, default=15.0, help="seconds of load per server and scenario, over all rounds (15)"
    )
    parser.add_argument("--concurrency", type=toilets_csv.positive, default=16, help="open connections (16)")
    parser.add_argument(
        "--rounds", type=toilets_csv.positive, default=3, help="rounds the serving load is split into (3)"
    )
    parser.add_argument("--bakes", type=toilets_csv.positive, default=5, help="bakes per generator (5)")
    parser.add_argument(
        "--pygeoapi-provider", choices=peer_setup.PROVIDERS, default="both", help="pygeoapi's providers to run (both)"
    )
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto", help="load generator (auto)")
    parser.add_argument("--no-bake", action="store_true", help=f"reuse build/bench/{ingest.SLUG} as it is")
    parser.add_argument(
        "--skip", default="", help="comma-separated parts to leave out, from ingest, serve, generation (none)"
    )
    return parser


def adopt_database(project: Path, csv_path: Path) -> None:
    """Move the database the ingest benchmark just made to where the serving benchmark looks for it."""
    made = project / "data" / "app.db"
    if serve.loaded_rows(made, csv_path) is None:
        return
    target = serve.SERVE / f"{csv_path.stem}.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in target.parent.glob(f"{target.name}*"):
        leftover.unlink()
    for part in made.parent.glob("app.db*"):
        shutil.move(part, target.with_name(target.name + part.name.removeprefix("app.db")))


# --- one size ----------------------------------------------------------------


def part_args(args: argparse.Namespace, rows: int, **options: Any) -> argparse.Namespace:
    """The arguments of one part (ingest.py's, peers.py's) at ``rows``: the run's seed, the project baked once."""
    return argparse.Namespace(rows=rows, seed=args.seed, no_bake=True, **options)


def run_size(
    args: argparse.Namespace, rows: int, project: Path | None, skip: set[str], postgres_url: str | None
) -> dict[str, dict[str, Any]]:
    """Every benchmark at ``--rows``; at another size only what the growth targets need."""
    full = rows == args.rows
    csv_path, _ = ingest.ensure_csv(rows, args.seed, toilets_csv.DEFAULT_BAD_FRACTION)
    reports: dict[str, dict[str, Any]] = {}
    if "ingest" not in skip:
        print(f"\n== Ingest, {rows:,} rows ==", flush=True)
        ingest_args = part_args(
            args,
            rows,
            bad_fraction=toilets_csv.DEFAULT_BAD_FRACTION,
            repeat=args.repeat,
            tools=",".join(ingest.TOOLS if full else GROWTH_TOOLS),
            database_url=postgres_url,
        )
        reports["ingest"] = ingest.run(ingest_args, project)
        adopt_database(project, csv_path)
    if "serve" not in skip:
        print(f"\n== Serve, {rows:,} rows ==", flush=True)
        serve_args = part_args(
            args,
            rows,
            duration=args.duration,
            concurrency=args.concurrency,
            rounds=args.rounds,
            peers=",".join(peers.PEER_NAMES) if full else "",
            scenarios=",".join(serve.SCENARIOS if full else GROWTH_SCENARIOS),
            pygeoapi_provider=args.pygeoapi_provider,
            client=args.client,
            postgres_url=postgres_url if "ingest" not in skip else None,  # its database is filled by the ingest
        )
        reports["serve"] = peers.run(serve_args, project)
    if full and "generation" not in skip:
        print("\n== Generation ==", flush=True)
        reports["generation"] = generation.run(argparse.Namespace(repeat=args.bakes))
    return reports


# --- the figures -------------------------------------------------------------


def by(results: list[dict], key: str, value: str) -> dict | None:
    return next((r for r in results if r.get(key) == value), None)


def app_ingest(reports: dict) -> dict | None:
    """The app's first ingest into SQLite at one size, if it ran and worked."""
    results = reports.get("ingest", {}).get("results", [])
    return by([r for r in results if r["ok"]], "tool", ingest.LABELS["app"])


def with_rate(results: list[dict]) -> list[dict]:
    """Serving loads with their requests per second over all rounds."""
    return [r | {"requests_per_second": r["requests"] / r["seconds"] if r["seconds"] else 0.0} for r in results]


def load_of(reports: dict, server: str, scenario: str) -> dict | None:
    results = with_rate(reports.get("serve", {}).get("results", []))
    return next((r for r in results if r["server"] == server and r["scenario"] == scenario), None)


def markdown_table(heading: list[str], rows: list[list[str]], text_columns: int = 1) -> str:
    align = ["---" if i < text_columns else "---:" for i in range(len(heading))]
    lines = [heading, align, *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def verdict(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "**not met**")


def flat(ratio: float) -> bool:
    return abs(ratio - 1) <= FLAT


# --- the targets -------------------------------------------------------------

Found = dict[str, tuple[str, bool]]  # a target's key -> what was measured, and whether that meets it


def target_names(args: argparse.Namespace, largest: int) -> dict[str, str]:
    """Every target, in the order the summary lists them, by key."""
    c, rows = args.concurrency, f"{args.rows:,}"
    big = f"{largest:,} rows" if largest > args.rows else "the largest size"  # without --sizes, none larger is run
    return {
        "ingest-sqlite3": "ingest into SQLite ≥ 0.5x the sqlite3 shell's `.import`",
        "ingest-sqlite-utils": "ingest into SQLite ≥ 10x `sqlite-utils insert --csv`",
        "ingest-memory": "ingest peak memory ≤ 300 MB",
        "reingest": "re-ingest of an unchanged file ≤ 0.2x the first",
        "ingest-postgres": "ingest into PostgreSQL ≥ 0.5x `psql \\copy`",
        "bbox-datasette": f"bbox page of 50 ≥ 2x Datasette's query (one process, {c} connections)",
        "bbox-p99": f"bbox p99 ≤ 50 ms at {c} connections",
        "near-bbox": "near ≥ 0.5x the app's bbox",
        "item-datasette": "item ≥ 2x Datasette's row page",
        "bbox-pygeoapi": "bbox ≥ 10x pygeoapi (OGR)",
        "search-near-p99": f"word search with a point and a filter, {rows} records: p99 ≤ 50 ms",
        "errors-app": "no failed requests (app on SQLite)",
        "errors-postgres": f"no failed requests ({deployment.NAME})",
        "growth-rate": f"ingest rows/s flat: every size within 20% of {rows} rows'",
        "growth-memory": f"ingest peak memory flat: every size within 20% of {rows} rows'",
        "growth-bbox": f"bbox at {big} within 20% of {rows}",
        "growth-near": f"near at {big} within 20% of {rows}",
        "growth-item": f"item at {big} within 20% of {rows}",
    }


def ingest_targets(report: dict) -> Found:
    results = [r for r in report["results"] if r["ok"]]
    app = by(results, "tool", ingest.LABELS["app"])
    found: Found = {}
    if app is None:
        return found
    for key, label, floor in (("ingest-sqlite3", "sqlite3", 0.5), ("ingest-sqlite-utils", "sqlite-utils", 10)):
        if (other := by(results, "tool", ingest.LABELS[label])) and other["rows_per_second"]:
            ratio = app["rows_per_second"] / other["rows_per_second"]
            found[key] = (f"{ratio:.2f}x", ratio >= floor)
    peak_mb = app["peak_rss_mib"] / MB
    found["ingest-memory"] = (f"{peak_mb:,.0f} MB", peak_mb <= 300)
    if reingest := by(results, "tool", ingest.LABELS["reingest"]):
        share = reingest["seconds"] / app["seconds"]
        found["reingest"] = (f"{share:.2f}x of the first", share <= 0.2)
    postgres, copy = by(results, "tool", PG_APP), by(results, "tool", PG_COPY)
    if postgres and copy and copy["rows_per_second"]:
        ratio = postgres["rows_per_second"] / copy["rows_per_second"]
        found["ingest-postgres"] = (f"{ratio:.2f}x", ratio >= 0.5)
    return found


def serve_targets(report: dict) -> Found:
    results = with_rate(report["results"])
    found: Found = {}
    app = by_load(results, "app", "bbox")
    if app is None:
        return found
    for key, server, scenario, floor in (
        ("bbox-datasette", "datasette", "bbox", 2),
        ("item-datasette", "datasette", "item", 2),
        ("bbox-pygeoapi", "pygeoapi (OGR)", "bbox", 10),
    ):
        if (other := by_load(results, server, scenario)) and (ratio := peers.app_ratio(results, other)) is not None:
            found[key] = (f"{ratio:.2f}x", ratio >= floor)
    found["bbox-p99"] = (f"{app['p99_ms']:.1f} ms", app["p99_ms"] <= 50)
    near = by_load(results, "app", "near")
    if near and (ratio := peers.round_ratio(near["rounds"], app["rounds"])) is not None:
        found["near-bbox"] = (f"{ratio:.2f}x", ratio >= 0.5)
    if search := by_load(results, "app", "search-near"):
        found["search-near-p99"] = (f"{search['p99_ms']:.1f} ms", search["p99_ms"] <= 50)
    for key, server in (("errors-app", "app"), ("errors-postgres", deployment.NAME)):
        if any(r["server"] == server for r in results):
            errors = sum(r["errors"] for r in results if r["server"] == server)
            found[key] = (f"{errors:,}", errors == 0)
    return found


def by_load(results: list[dict], server: str, scenario: str) -> dict | None:
    return next((r for r in results if r["server"] == server and r["scenario"] == scenario), None)


def growth_targets(runs: list[dict], reference: int) -> Found:
    """Ingest rate and memory at every size against the reference's; throughput at the largest against it."""
    ref = next(run for run in runs if run["rows"] == reference)
    others = [run for run in runs if run["rows"] != reference]
    found: Found = {}
    base = app_ingest(ref["reports"])
    if others and base:
        for key, field in (("growth-rate", "rows_per_second"), ("growth-memory", "peak_rss_mib")):
            ratios = [(run["rows"], app[field] / base[field]) for run in others if (app := app_ingest(run["reports"]))]
            if ratios:
                shown = "; ".join(f"{ratio:.2f}x at {rows:,}" for rows, ratio in ratios)
                found[key] = (shown, all(flat(ratio) for _, ratio in ratios))
    largest = max(runs, key=lambda run: run["rows"])
    if largest is ref:
        return found
    for scenario in GROWTH_SCENARIOS:
        mine, theirs = load_of(ref["reports"], "app", scenario), load_of(largest["reports"], "app", scenario)
        if mine and theirs and mine["requests_per_second"]:
            ratio = theirs["requests_per_second"] / mine["requests_per_second"]
            found[f"growth-{scenario}"] = (f"{ratio:.2f}x", ratio >= 1 - FLAT)
    return found


def why_not_measured(key: str, args: argparse.Namespace, skip: set[str], notes: list[str]) -> str:
    """Why a target has no figure: the part was skipped, PostgreSQL or the growth sizes were not run, or a tool."""
    if key.startswith("growth"):
        return "run with --sizes (e.g. 100000,1000000,5000000)" if not args.sizes else "no larger size than --rows"
    if "postgres" in key and any(note.startswith("PostgreSQL left out") for note in notes):
        return "PostgreSQL left out (see the notes)"
    part = "ingest" if key.startswith(("ingest", "reingest")) else "serve"
    if part in skip:
        return f"--skip {part}"
    return "its tool or server did not run (see the notes)"


def targets_table(args: argparse.Namespace, runs: list[dict], skip: set[str], notes: list[str]) -> list[list[str]]:
    """Every target in a fixed order: its measured figure and verdict, or why it was not measured."""
    reports = next(run["reports"] for run in runs if run["rows"] == args.rows)
    found: Found = {}
    if "ingest" in reports:
        found |= ingest_targets(reports["ingest"])
    if "serve" in reports:
        found |= serve_targets(reports["serve"])
    found |= growth_targets(runs, args.rows)
    rows = []
    for key, name in target_names(args, max(run["rows"] for run in runs)).items():
        if key in found:
            measured, met = found[key]
            rows.append([name, measured, verdict(met)])
        else:
            rows.append([name, "not measured", f"n/a: {why_not_measured(key, args, skip, notes)}"])
    return rows


# --- the summary -------------------------------------------------------------


def ingest_summary(report: dict) -> str:
    """The ingest table: each tool's figures, and the app's rows/s as a multiple of each (into the same store)."""
    results = [r for r in report["results"] if r["ok"]]
    rows = []
    for r in results:
        mine = by(results, "tool", PG_APP if "PostgreSQL" in r["tool"] else ingest.LABELS["app"])
        ratio = f"{mine['rows_per_second'] / r['rows_per_second']:.2f}" if mine and r["rows_per_second"] else "-"
        rows.append(
            [
                r["tool"],
                f"{r['loaded']:,}" if r["loaded"] is not None else "?",
                f"{r['rejected']:,}" if r["rejected"] is not None else "?",
                f"{r['seconds']:.1f}",
                f"{r['rows_per_second']:,}",
                f"{r['peak_rss_mib']:,.0f}",
                ratio,
            ]
        )
    heading = ["tool", "stored", "rejected", "seconds", "rows/s", "peak RSS MiB", "app rows/s ÷ this"]
    return markdown_table(heading, rows)


def serve_summary(report: dict) -> str:
    """The serving table: each server and scenario, and the app's throughput as a multiple of each other's."""
    results = with_rate(report["results"])
    rows = []
    for r in results:
        ratio = peers.app_ratio(results, r)
        rows.append(
            [
                r["server"],
                r["scenario"],
                f"{r['requests']:,}",
                f"{r['requests_per_second']:,.1f}",
                f"{r['p50_ms']:.1f}",
                f"{r['p99_ms']:.1f}",
                f"{r['errors']:,}",
                f"{r['peak_rss_mib']:,.0f}",
                "-" if ratio is None else f"{ratio:.2f}",
            ]
        )
    heading = ["server", "scenario", "requests", "req/s", "p50 ms", "p99 ms", "errors", "peak RSS MiB", "app ÷ this"]
    return markdown_table(heading, rows, text_columns=2)


def generation_summary(report: dict) -> str:
    rows = [
        [r["tool"], f"{r['median']:.2f}", f"{min(r['runs']):.2f}", f"{max(r['runs']):.2f}", str(r["files"])]
        for r in report["results"]
        if r["ok"] and r["runs"]
    ]
    return markdown_table(["tool", "median s", "fastest s", "slowest s", "files"], rows)


def growth_summary(runs: list[dict], reference: int) -> str:
    """One row per size: its time, the app's ingest rate and memory and its throughput, each ÷ the reference's."""
    ref = next(run for run in runs if run["rows"] == reference)
    base = app_ingest(ref["reports"])

    def against(value: float | None, reference_value: float | None) -> str:
        return f"{value / reference_value:.2f}" if value and reference_value else "-"

    rows = []
    for run in runs:
        app = app_ingest(run["reports"])
        line = [f"{run['rows']:,}", f"{run['seconds'] / 60:.1f}"]
        for field, scale in (("rows_per_second", 1.0), ("peak_rss_mib", MB)):
            value = app[field] if app else None
            line += ["-" if value is None else f"{value / scale:,.0f}", against(value, base[field] if base else None)]
        for scenario in GROWTH_SCENARIOS:
            load, mine = load_of(run["reports"], "app", scenario), load_of(ref["reports"], "app", scenario)
            value = load["requests_per_second"] if load else None
            shown = "-" if value is None else f"{value:,.1f}"
            line += [shown, against(value, mine["requests_per_second"] if mine else None)]
        rows.append(line)
    heading = ["rows", "minutes", "ingest rows/s", "÷ ref", "ingest peak MB", "÷ ref"]
    for scenario in GROWTH_SCENARIOS:
        heading += [f"{scenario} req/s", "÷ ref"]
    return markdown_table(heading, rows)


def summary(
    args: argparse.Namespace, command: str, runs: list[dict], targets: list[list[str]], notes: list[str], seconds: float
) -> str:
    parts = [f"`{command}` ({seconds / 60:.1f} minutes in all)\n"]
    reports = next(run["reports"] for run in runs if run["rows"] == args.rows)
    if "ingest" in reports:
        file = reports["ingest"]["file"]
        parts.append(
            f"### Ingest\n\n{file['rows']:,} rows ({file['bytes'] / 1e6:.0f} MB), "
            f"{args.repeat} run(s) per tool, median time:\n"
        )
        parts.append(ingest_summary(reports["ingest"]) + "\n")
        parts.append(
            "psql is set beside the app's ingest into PostgreSQL, every other loader beside its ingest into SQLite.\n"
        )
    if "serve" in reports:
        report = reports["serve"]
        parts.append(
            f"### Serve\n\n{report['duration']:g} s per server and scenario in {report['rounds']} rounds, "
            f"{report['concurrency']} connections, "
            f"2 km squares ({report['squares_compared']} sampled squares compared across servers, "
            f"{report['squares_with_features']} of them holding features):\n"
        )
        parts.append(serve_summary(report) + "\n")
        parts.append(
            "app ÷ this: the app's requests per second on SQLite, one process, in the same scenario (for "
            "Datasette's bbox+count, the app's bbox, whose answer counts too), as a multiple of this server's: "
            "the median of the rounds' ratios.\n"
        )
        if report["notes"]:
            parts.append("\n".join(f"- {note}" for note in report["notes"]) + "\n")
    if "generation" in reports:
        parts.append(f"### Generation\n\n{reports['generation']['repeat']} bakes per tool:\n")
        parts.append(generation_summary(reports["generation"]) + "\n")
    if len(runs) > 1:
        parts.append(
            f"### Growth\n\nEach size as run, in minutes; the app's ingest and its serving alone "
            f"({', '.join(GROWTH_SCENARIOS)}), each ÷ the {args.rows:,}-row run's (ref):\n"
        )
        parts.append(growth_summary(runs, args.rows) + "\n")
    parts.append("### Targets measured\n")
    parts.append(markdown_table(["target", "measured", "verdict"], targets, text_columns=3) + "\n")
    if notes:
        parts.append("\n".join(f"- {note}" for note in notes) + "\n")
    versions: dict[str, str] = {}
    for run in runs:
        for report in run["reports"].values():
            versions.update(report.get("versions", {}))
    parts.append("### Versions\n\n" + "\n".join(f"- {name}: {version}" for name, version in versions.items()))
    return "\n".join(parts) + "\n"


# --- the run -----------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    if unknown := skip - set(PARTS):
        raise SystemExit(f"unknown part {', '.join(sorted(unknown))}: choose from {', '.join(PARTS)}")
    every_size = sorted({*args.sizes, args.rows})
    started = time.perf_counter()
    BENCH.mkdir(parents=True, exist_ok=True)
    project = ingest.bench_project(args.no_bake) if {"ingest", "serve"} - skip else None
    if "ingest" not in skip and not shutil.which("sqlite3") and not peer_setup.apt_install("sqlite3"):
        print("  the sqlite3 shell could not be installed with apt-get; its row is left out")
    if "ingest" in skip:  # the app on PostgreSQL serves what its ingest stored
        postgres_url, stop_postgres, notes = None, lambda: None, ["PostgreSQL left out: --skip ingest"]
    else:
        postgres_url, stop_postgres, notes = deployment.start_postgres(args.postgres)
    runs: list[dict[str, Any]] = []
    try:
        for rows in every_size:
            if len(every_size) > 1:
                print(f"\n===== {rows:,} rows =====", flush=True)
            began = time.perf_counter()
            reports = run_size(args, rows, project, skip, postgres_url if rows == args.rows else None)
            runs.append({"rows": rows, "seconds": time.perf_counter() - began, "reports": reports})
    finally:
        stop_postgres()

    command = " ".join(["python3 bench/run_all.py", *(sys.argv[1:] if argv is None else argv)])
    targets = targets_table(args, runs, skip, notes)
    text = summary(args, command, runs, targets, notes, time.perf_counter() - started)
    print("\n" + text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (BENCH / f"all-{args.rows}-{stamp}.md").write_text(text, encoding="utf-8")
    reference = next(run["reports"] for run in runs if run["rows"] == args.rows)
    problems = [
        f"{run['rows']:,} rows, {part}: {problem}"
        for run in runs
        for part, report in run["reports"].items()
        for problem in report["problems"]
    ]
    result = {
        "reports": reference,
        "sizes": [{"rows": run["rows"], "seconds": round(run["seconds"], 1)} for run in runs],
        "growth": {str(run["rows"]): run["reports"] for run in runs if run["rows"] != args.rows},
        "targets": [dict(zip(("target", "measured", "verdict"), row, strict=True)) for row in targets],
        "notes": notes,
        "postgres": postgres_url is not None,
        "problems": problems,
    }
    ok = ingest.save_report(result, f"all-{args.rows}")
    if ok:
        print("Every check passed.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
