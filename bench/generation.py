"""Time baking a project from the template with cookiecutter and with copier.

``python3 bench/generation.py [--repeat N]`` (default 5 runs of each tool):

1. makes sure the template's development environment (.venv, with
   cookiecutter and copier) is in sync with uv.lock, and copies the template's
   own files to a scratch folder (as the tests and the demo do, so a working
   copy's .venv and build/ are not copied on every bake);
2. bakes a project from that copy ``N`` times with each tool, alternating, as
   a user runs them: ``cookiecutter --no-input <template> project_name=...``
   and ``copier copy --trust --defaults --data project_name=... <template>
   <folder>``, each a fresh process started from the environment's own
   executables (not through ``uv run``), into a new folder;
3. prints the median, fastest and slowest wall time of each, and the files
   each baked project holds.

The wall time includes interpreter start-up, the tools' imports and the
template's own pre-generation checks (hooks/pre_gen_project.py), as a user
waits for them. Installing the baked project's dependencies is not included.
Results are written to build/bench/generation-<time>.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import ingest
import make_toilets_csv as toilets_csv

ROOT, BENCH = ingest.ROOT, ingest.BENCH
PROJECT_NAME = "Bench Generation"
SLUG = "bench-generation"
TOOLS = ("cookiecutter", "copier")


@dataclass
class Timing:
    """One tool's bakes: the median, fastest and slowest, and the files the project holds."""

    tool: str
    runs: list[float] = field(default_factory=list)
    files: int = 0
    ok: bool = True
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else 0.0


def executable(name: str) -> Path:
    return ROOT / ".venv" / "bin" / name


def command_for(tool: str, template: Path, out: Path) -> list[str]:
    if tool == "cookiecutter":
        return [
            str(executable("cookiecutter")),
            "--no-input",
            str(template),
            "--output-dir",
            str(out),
            f"project_name={PROJECT_NAME}",
        ]
    return [
        str(executable("copier")),
        "copy",
        "--trust",
        "--defaults",
        "--quiet",
        "--data",
        f"project_name={PROJECT_NAME}",
        str(template),
        str(out / SLUG),
    ]


def bake_once(tool: str, template: Path, scratch: Path, number: int) -> tuple[float, int, str]:
    """Bake one project with ``tool`` into a new folder; the seconds, the files made and any error output."""
    out = scratch / f"{tool}-{number}"
    out.mkdir()
    env = {**os.environ, "NO_COLOR": "1", "COOKIECUTTER_CONFIG": str(scratch / "no-user-config.yaml")}
    for name in ingest.APP_ENV:
        env.pop(name, None)
    started = time.perf_counter()
    run = subprocess.run(command_for(tool, template, out), cwd=scratch, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        return seconds, 0, (run.stderr or run.stdout).strip()[-500:]
    files = sum(1 for path in (out / SLUG).rglob("*") if path.is_file())
    return seconds, files, ""


def versions() -> dict[str, str]:
    found = {}
    for tool in TOOLS:
        text = ingest.output([str(executable(tool)), "--version"])
        found[tool] = text.split()[-1] if tool == "copier" else text.split(" from ")[0].removeprefix("Cookiecutter ")
    return found


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=toilets_csv.positive, default=5, help="bakes per tool (5)")
    return parser


def run(args: argparse.Namespace) -> dict:
    """Bake with each tool ``args.repeat`` times; the report (timings, versions, problems)."""
    if ingest.run_in_dev_env("python", "-c", "import cookiecutter, copier") != 0:
        raise SystemExit("The template's development environment could not be made (uv sync failed)")
    timings = {tool: Timing(tool) for tool in TOOLS}
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        (scratch / "no-user-config.yaml").write_text("{}\n", encoding="utf-8")
        template = ingest.clean_copy(scratch / "template")
        print(f"\nBaking {args.repeat} project(s) with each of {', '.join(TOOLS)}:", flush=True)
        for number in range(args.repeat):
            for tool in TOOLS:
                timing = timings[tool]
                if not timing.ok:
                    continue
                seconds, files, error = bake_once(tool, template, scratch, number)
                if error:
                    timing.ok, timing.note = False, error
                    print(f"  {tool} failed: {error}")
                    continue
                timing.runs.append(seconds)
                timing.files = files
                print(f"  {tool} run {number + 1}/{args.repeat}: {seconds:.2f} s, {files} files", flush=True)
    print(f"\n{'tool':<13} {'median s':>9} {'fastest s':>10} {'slowest s':>10} {'files':>6}")
    for timing in timings.values():
        if timing.ok:
            print(
                f"{timing.tool:<13} {timing.median:>9.2f} {min(timing.runs):>10.2f} "
                f"{max(timing.runs):>10.2f} {timing.files:>6}"
            )
    return {
        "repeat": args.repeat,
        "results": [asdict(timing) | {"median": round(timing.median, 3)} for timing in timings.values()],
        "versions": versions(),
        "problems": [f"{timing.tool}: {timing.note}" for timing in timings.values() if not timing.ok],
    }


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    report = run(args)
    ingest.print_versions(report["versions"])
    return 0 if ingest.save_report(report, "generation") else 1


if __name__ == "__main__":
    sys.exit(main())
