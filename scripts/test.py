"""Run every test of the template: ``python3 scripts/test.py [pytest options]``.

It installs uv if needed, builds the development environment from uv.lock,
and runs pytest, which bakes projects with both tools and runs each baked
project's own tests, ruff and reuse lint.
"""

import sys

from dev_env import run_in_dev_env

if __name__ == "__main__":
    sys.exit(run_in_dev_env("pytest", *sys.argv[1:]))
