"""Run every check of the template and the engine: ``python3 scripts/test.py [--fast] [pytest options]``.

It installs uv if needed, builds the development environment from uv.lock
(the template's tools and the engine, a member of the same uv workspace),
lints the template's and the engine's code with ruff, runs the engine's own
tests once, on SQLite and on a throwaway PostgreSQL server (scripts/postgres.py),
and then runs the template's tests, which bake projects with both tools, install
them against the engine's wheel built from this checkout, run each baked
project's own tests, ruff and reuse lint, and check baked projects' pages in
headless Chromium (see chromium.py). Options after the script's own are given
to the template's pytest run.

``--fast`` is the developer's inner loop: ruff, and the engine's tests that
need neither PostgreSQL nor more than a few seconds; nothing is baked.
"""

import os
import sys

from dev_env import ROOT, run_in_dev_env
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
        url, stop = start_server()
    except PostgresUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    os.environ.update(TEST_DATABASE_URL=url, REQUIRE_POSTGRES="1")
    try:
        if status := run_in_dev_env(*ENGINE_TESTS):
            return status
        return run_in_dev_env("pytest", *options)
    finally:
        stop()


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))
