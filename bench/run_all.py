"""Run every benchmark in one go, at one size, and summarise them against the targets.

``python3 bench/run_all.py [--rows N]`` (default 1,000,000 rows):

1. writes (or reuses) the seeded CSV and bakes the working tree once;
2. **ingest** (bench/ingest.py): the app's ingest, the app's re-ingest of the
   unchanged file over its first load, the sqlite3 shell's ``.import``,
   ``sqlite-utils insert --csv`` and the same with ``--no-detect-types``;
3. **serve** (bench/peers.py): the app's database from step 2 served by the
   app (bbox, near, item), Datasette (the same bbox query through the same
   R*Tree, with and without a count) and pygeoapi (the same OGC API items
   request, with its OGR and SQLiteGPKG providers), one after another;
4. **generation** (bench/generation.py): baking a project with cookiecutter
   and with copier;
5. prints Markdown tables with the ratios and which of the issue's targets
   are met, and writes them with every figure and version to
   build/bench/all-<rows>-<time>.md and .json.

Everything the peers need is installed by the scripts: sqlite-utils, Datasette
and pygeoapi with uv into virtual environments under build/bench/venvs/, and
the sqlite3 shell, wrk, GDAL's Python bindings and SpatiaLite with apt-get (as
root). Exits with
status 1 if a check failed (the app's counts, its answers against the
database, the peers' answers against the app's).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import generation
import ingest
import make_toilets_csv as toilets_csv
import peer_setup
import peers
import serve

ROOT, BENCH = ingest.ROOT, ingest.BENCH
MB = 1e6 / 2**20  # MiB in a megabyte


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=toilets_csv.positive, default=toilets_csv.DEFAULT_ROWS, help="rows (1000000)")
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


# --- the summary -------------------------------------------------------------


def by(results: list[dict], key: str, value: str) -> dict | None:
    return next((r for r in results if r.get(key) == value), None)


def markdown_table(heading: list[str], rows: list[list[str]], text_columns: int = 1) -> str:
    align = ["---" if i < text_columns else "---:" for i in range(len(heading))]
    lines = [heading, align, *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def verdict(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "**not met**")


def ingest_summary(report: dict) -> tuple[str, list[list[str]]]:
    results = [r for r in report["results"] if r["ok"]]
    app = by(results, "tool", ingest.LABELS["app"])
    rows = []
    for r in results:
        ratio = f"{app['rows_per_second'] / r['rows_per_second']:.2f}" if app and r["rows_per_second"] else "-"
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
    targets = []
    if app:
        sqlite_utils = by(results, "tool", ingest.LABELS["sqlite-utils"])
        sqlite3 = by(results, "tool", ingest.LABELS["sqlite3"])
        reingest = by(results, "tool", ingest.LABELS["reingest"])
        if sqlite_utils:
            ratio = app["rows_per_second"] / sqlite_utils["rows_per_second"]
            targets.append(["ingest ≥ 5x `sqlite-utils insert --csv`", f"{ratio:.2f}x", verdict(ratio >= 5)])
        if sqlite3:
            ratio = app["rows_per_second"] / sqlite3["rows_per_second"]
            targets.append(["ingest ≥ 0.5x the sqlite3 `.import`", f"{ratio:.2f}x", verdict(ratio >= 0.5)])
        peak_mb = app["peak_rss_mib"] / MB
        targets.append(["ingest peak memory < 300 MB", f"{peak_mb:,.0f} MB", verdict(peak_mb < 300)])
        if reingest:
            share = reingest["seconds"] / app["seconds"]
            targets.append(
                ["re-ingest of an unchanged file ≤ 0.2x the first", f"{share:.2f}x of the first", verdict(share <= 0.2)]
            )
    return markdown_table(heading, rows), targets


def serve_summary(report: dict) -> tuple[str, list[list[str]]]:
    results = [
        r | {"requests_per_second": r["requests"] / r["seconds"] if r["seconds"] else 0.0} for r in report["results"]
    ]
    app = next((r for r in results if r["server"] == "app" and r["scenario"] == "bbox"), None)
    ratios = {
        (r["server"], r["scenario"]): peers.round_ratio(app["rounds"], r["rounds"]) if app else None for r in results
    }
    rows = []
    for r in results:
        found = ratios[r["server"], r["scenario"]]
        ratio = f"{found:.2f}" if found is not None and r["scenario"].startswith("bbox") else "-"
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
                ratio,
            ]
        )
    heading = [
        "server",
        "scenario",
        "requests",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "peak RSS MiB",
        "app bbox ÷ this",
    ]
    targets = []
    if app:
        datasette = next((r for r in results if r["server"] == "datasette" and r["scenario"] == "bbox"), None)
        ogr = next((r for r in results if r["server"] == "pygeoapi (OGR)"), None)
        if datasette and (ratio := ratios["datasette", "bbox"]) is not None:
            targets.append(["bbox ≥ 2x Datasette's query", f"{ratio:.2f}x", verdict(ratio >= 2)])
        if ogr and (ratio := ratios["pygeoapi (OGR)", "bbox"]) is not None:
            targets.append(["bbox ≥ 10x pygeoapi (OGR)", f"{ratio:.2f}x", verdict(ratio >= 10)])
        concurrency = report["concurrency"]
        targets.append(
            [f"bbox p99 < 50 ms at {concurrency} connections", f"{app['p99_ms']:.1f} ms", verdict(app["p99_ms"] < 50)]
        )
        errors = sum(r["errors"] for r in results if r["server"] == "app")
        targets.append(["no failed requests (app)", f"{errors:,}", verdict(errors == 0)])
    return markdown_table(heading, rows, text_columns=2), targets


def generation_summary(report: dict) -> str:
    rows = [
        [r["tool"], f"{r['median']:.2f}", f"{min(r['runs']):.2f}", f"{max(r['runs']):.2f}", str(r["files"])]
        for r in report["results"]
        if r["ok"] and r["runs"]
    ]
    return markdown_table(["tool", "median s", "fastest s", "slowest s", "files"], rows)


def summary(args: argparse.Namespace, command: str, reports: dict[str, dict], seconds: float) -> str:
    parts = [f"`{command}` ({seconds / 60:.1f} minutes in all)\n"]
    targets: list[list[str]] = []
    if "ingest" in reports:
        file = reports["ingest"]["file"]
        parts.append(
            f"### Ingest\n\n{file['rows']:,} rows ({file['bytes'] / 1e6:.0f} MB), "
            f"{args.repeat} run(s) per tool, median time:\n"
        )
        table, found = ingest_summary(reports["ingest"])
        parts.append(table + "\n")
        targets += found
    if "serve" in reports:
        report = reports["serve"]
        parts.append(
            f"### Serve\n\n{report['duration']:g} s per server and scenario in {report['rounds']} rounds, "
            f"{report['concurrency']} connections, "
            f"2 km squares ({report['squares_compared']} sampled squares compared across servers, "
            f"{report['squares_with_features']} of them holding features):\n"
        )
        table, found = serve_summary(report)
        parts.append(table + "\n")
        if report["notes"]:
            parts.append("\n".join(f"- {note}" for note in report["notes"]) + "\n")
        targets += found
    if "generation" in reports:
        parts.append(f"### Generation\n\n{reports['generation']['repeat']} bakes per tool:\n")
        parts.append(generation_summary(reports["generation"]) + "\n")
    if targets:
        parts.append("### Targets\n")
        parts.append(markdown_table(["target", "measured", "verdict"], targets, text_columns=3) + "\n")
    versions: dict[str, str] = {}
    for report in reports.values():
        versions.update(report.get("versions", {}))
    parts.append("### Versions\n\n" + "\n".join(f"- {name}: {version}" for name, version in versions.items()))
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    if unknown := skip - {"ingest", "serve", "generation"}:
        raise SystemExit(f"unknown part {', '.join(sorted(unknown))}: choose from ingest, serve, generation")
    started = time.perf_counter()
    BENCH.mkdir(parents=True, exist_ok=True)
    csv_path, _ = ingest.ensure_csv(args.rows, args.seed, toilets_csv.DEFAULT_BAD_FRACTION)
    reports: dict[str, dict[str, Any]] = {}
    project = None
    if {"ingest", "serve"} - skip:
        project = ingest.bench_project(args.no_bake)

    if "ingest" not in skip:
        print("\n== Ingest ==", flush=True)
        if not shutil.which("sqlite3") and not peer_setup.apt_install("sqlite3"):
            print("  the sqlite3 shell could not be installed with apt-get; its row is left out")
        ingest_args = argparse.Namespace(
            rows=args.rows,
            seed=args.seed,
            bad_fraction=toilets_csv.DEFAULT_BAD_FRACTION,
            repeat=args.repeat,
            tools=",".join(ingest.TOOLS),
            no_bake=True,
            database_url=None,
        )
        reports["ingest"] = ingest.run(ingest_args, project)
        adopt_database(project, csv_path)
    if "serve" not in skip:
        print("\n== Serve ==", flush=True)
        serve_args = argparse.Namespace(
            rows=args.rows,
            seed=args.seed,
            duration=args.duration,
            concurrency=args.concurrency,
            rounds=args.rounds,
            peers=",".join(peers.PEER_NAMES),
            scenarios=",".join(serve.SCENARIOS),
            pygeoapi_provider=args.pygeoapi_provider,
            client=args.client,
            no_bake=True,
        )
        reports["serve"] = peers.run(serve_args, project)
    if "generation" not in skip:
        print("\n== Generation ==", flush=True)
        reports["generation"] = generation.run(argparse.Namespace(repeat=args.bakes))

    command = " ".join(["python3 bench/run_all.py", *(sys.argv[1:] if argv is None else argv)])
    text = summary(args, command, reports, time.perf_counter() - started)
    print("\n" + text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (BENCH / f"all-{args.rows}-{stamp}.md").write_text(text, encoding="utf-8")
    problems = [f"{part}: {problem}" for part, report in reports.items() for problem in report["problems"]]
    ok = ingest.save_report({"reports": reports, "problems": problems}, f"all-{args.rows}")
    if ok:
        print("Every check passed.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
