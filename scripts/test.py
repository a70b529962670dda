"""Run every check of the template: ``python3 scripts/test.py [pytest options]``.

It installs uv if needed, builds the development environment from uv.lock,
lints the template's own code with ruff, and runs pytest, which bakes projects
with both tools and runs each baked project's own tests, ruff and reuse lint,
and checks baked projects' pages in headless Chromium (see chromium.py).
"""

import sys

from dev_env import run_in_dev_env

CHECKS = [
    ("ruff", "check", "."),
    ("ruff", "format", "--check", "."),
    ("pytest", *sys.argv[1:]),
]

if __name__ == "__main__":
    for check in CHECKS:
        status = run_in_dev_env(*check)
        if status != 0:
            sys.exit(status)
