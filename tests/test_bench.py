"""The benchmark scripts under bench/ still run end to end, at a tiny size."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

ROWS = 2000
GROWTH_ROWS = 3000  # the growth run's other size
INGEST_TOOLS = {
    "app",
    "app re-ingest (unchanged file)",
    "sqlite3 .import",
    "sqlite-utils insert --csv",
    "sqlite-utils insert --csv --no-detect-types",
}
POSTGRES_TOOLS = {"app (PostgreSQL)", "psql \\copy (PostgreSQL)"}
POSTGRES_SERVER = "app on PostgreSQL, 3 processes behind nginx"
TARGETS = 18  # every target of the summary, measured or not


def test_run_all_at_a_tiny_size(tmp_path: Path) -> None:
    """bench/run_all.py ingests, serves and bakes with every tool and peer at two sizes, and every check passes.

    pygeoapi runs with its OGR provider alone (the one a target names), to keep the test near two minutes.
    """
    env = {**os.environ, "BENCH_DIR": str(tmp_path)}
    command = [sys.executable, "bench/run_all.py", "--rows", str(ROWS), "--sizes", f"{ROWS},{GROWTH_ROWS}"]
    command += ["--duration", "1", "--rounds", "1", "--bakes", "1", "--pygeoapi-provider", "ogr"]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]

    (results_file,) = tmp_path.glob(f"all-{ROWS}-*.json")
    report = json.loads(results_file.read_text(encoding="utf-8"))
    assert report["problems"] == []
    postgres = report["postgres"]
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        assert postgres, report["notes"]

    ingest = {r["tool"]: r for r in report["reports"]["ingest"]["results"]}
    assert set(ingest) == INGEST_TOOLS | (POSTGRES_TOOLS if postgres else set())
    assert all(r["ok"] and r["rows_per_second"] > 0 for r in ingest.values())
    bad = report["reports"]["ingest"]["file"]["bad_rows"]
    assert (ingest["app"]["loaded"], ingest["app"]["rejected"]) == (ROWS - bad, bad)
    assert ingest["sqlite3 .import"]["loaded"] == ROWS
    if postgres:
        assert (ingest["app (PostgreSQL)"]["loaded"], ingest["app (PostgreSQL)"]["rejected"]) == (ROWS - bad, bad)

    serve = report["reports"]["serve"]
    loads = {(r["server"], r["scenario"]): r for r in serve["results"]}
    assert {
        ("app", "bbox"),
        ("app", "near"),
        ("app", "item"),
        ("datasette", "bbox"),
        ("datasette", "bbox+count"),
        ("datasette", "item"),
        ("app", "search-near"),
        ("pygeoapi (OGR)", "bbox"),
    } <= set(loads)
    if postgres:
        assert {(POSTGRES_SERVER, scenario) for scenario in ("bbox", "near", "item")} <= set(loads)
    assert all(r["requests"] > 0 and r["peak_rss_mib"] > 0 for r in loads.values())
    assert sum(r["errors"] for (server, _), r in loads.items() if server.startswith("app")) == 0
    assert serve["squares_compared"] == 20
    assert serve["squares_with_features"] > 0

    generation = {r["tool"]: r for r in report["reports"]["generation"]["results"]}
    assert set(generation) == {"cookiecutter", "copier"}
    assert all(r["ok"] and len(r["runs"]) == 1 and r["files"] > 50 for r in generation.values())

    growth = report["growth"][str(GROWTH_ROWS)]
    assert {r["tool"] for r in growth["ingest"]["results"]} == {"app", "sqlite3 .import"}
    assert {(r["server"], r["scenario"]) for r in growth["serve"]["results"]} == {
        ("app", "bbox"),
        ("app", "near"),
        ("app", "item"),
    }
    assert [size["rows"] for size in report["sizes"]] == [ROWS, GROWTH_ROWS]

    targets = report["targets"]
    assert len(targets) == TARGETS
    for target in targets:  # every target has a figure and a verdict, PostgreSQL's only where it ran
        if postgres or "PostgreSQL" not in target["target"]:
            assert target["verdict"] in {"met", "**not met**"}, target

    (summary,) = tmp_path.glob(f"all-{ROWS}-*.md")
    text = summary.read_text(encoding="utf-8")
    for heading in ("### Ingest", "### Serve", "### Generation", "### Growth", "### Targets measured"):
        assert heading in text


def test_national_at_a_tiny_size(tmp_path: Path) -> None:
    """bench/national.py ingests and serves a national app and a one-area app of the same rows, its checks passing."""
    env = {**os.environ, "BENCH_DIR": str(tmp_path)}
    command = [sys.executable, "bench/national.py", "--areas", "6", "--rows-per-area", "40", "--duration", "1"]
    command += ["--rounds", "1"]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]

    (results_file,) = tmp_path.glob("national-6x40-*.json")
    report = json.loads(results_file.read_text(encoding="utf-8"))
    assert report["problems"] == []
    assert report["rows"] == 240
    for scenario in ("bbox", "area", "near", "home-area"):
        for app in ("national", "one-area"):
            assert report["figures"][scenario][app]["requests"] > 0
    assert "| home-area |" in run.stdout
