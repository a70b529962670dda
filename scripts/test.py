"""Run every check of the template and the engine: ``python3 scripts/test.py [--fast] [pytest options]``.

It installs uv if needed, builds the development environment from uv.lock
(the template's tools and the engine, a member of the same uv workspace),
lints the template's and the engine's code with ruff, runs the engine's own
tests once, on SQLite and on a throwaway PostgreSQL server (scripts/postgres.py),
with GDAL's ogrinfo and ogr2ogr reading a served app (scripts/gdal.py installs
them), and beside them the template's tests, which bake projects with both tools, install
them against the engine's wheel built from this checkout, run each baked
project's own tests, ruff and reuse lint, and check baked projects' pages in
headless Chromium (see chromium.py). Options after the script's own are given
to the template's pytest run.

``--fast`` is the developer's inner loop: ruff, and the engine's tests that
need neither PostgreSQL nor more than a few seconds; nothing is baked.
"""

import os
import sys
import tempfile

from dev_env import ROOT, run_in_dev_env, start_in_dev_env
from gdal import GdalUnavailable, gdal_programs
from postgres import PostgresUnavailable, start_server

LINT = [("ruff", "check", "."), ("ruff", "format", "--check", ".")]
ENGINE_TESTS = ("pytest", "--rootdir", "engine", "-c", "engine/pyproject.toml", "engine/tests", "-q")
FAST = "--fast"


def main(arguments: list[str]) -> int:
    fast = FAST in arguments
    options = [argument for argument in arguments if argument != FAST]
    for check in LINT:
        if status := run_in_dev_env(*check):
            return status
    if fast:
        return run_in_dev_env(*ENGINE_TESTS, "-m", "not postgres and not slow")
    try:
        gdal_programs()  # the engine's GIS client tests (tests/test_gdal.py) run GDAL's own programs
        url, stop = start_server()
    except (GdalUnavailable, PostgresUnavailable) as error:
        print(error, file=sys.stderr)
        return 1
    os.environ.update(TEST_DATABASE_URL=url, REQUIRE_POSTGRES="1")
    try:
        return both_suites(options)
    finally:
        stop()


def both_suites(options: list[str]) -> int:
    """The engine's tests and the template's at once, the engine's output shown when both end; 0 if both pass.

    The template's tests spend much of their time waiting on the programs they
    run (uv installing baked projects, servers starting, Chromium), so the
    engine's tests, which mostly compute, run beside them rather than after.
    """
    print("The engine's tests run beside the template's; their output follows the template's.", flush=True)
    with tempfile.TemporaryFile() as engine_output:
        engine = start_in_dev_env(*ENGINE_TESTS, output=engine_output)
        try:
            template_status = run_in_dev_env("pytest", *options)
            engine_status = engine.wait()
        finally:
            if engine.poll() is None:
                engine.kill()
                engine.wait()
        engine_output.seek(0)
        print("\nThe engine's tests (engine/tests):", flush=True)
        sys.stdout.buffer.write(engine_output.read())
        sys.stdout.flush()
    print(
        f"Engine tests: {'passed' if engine_status == 0 else 'FAILED'}; "
        f"template tests: {'passed' if template_status == 0 else 'FAILED'}.",
        flush=True,
    )
    return engine_status or template_status


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))
