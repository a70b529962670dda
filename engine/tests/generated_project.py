"""A project generated from this repository's template with the default answers, for the tests that need one.

The checks, the docs tests and the sample-data tests judge a whole project:
its place.toml, sample data, licences, metadata and docs. Those files live in
the template, so the engine's tests generate the default project from the
template in this checkout (uncommitted changes included) once per test run,
instead of keeping a second copy of them that could drift.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from clean_copy import clean_copy  # scripts/clean_copy.py of the template repository

REPOSITORY = Path(__file__).resolve().parents[2]


def generate(**answers: str) -> Path:
    """Generate a project (the default answers, changed by ``answers``) into a new temporary folder, removed at exit."""
    from cookiecutter.main import cookiecutter

    scratch = Path(tempfile.mkdtemp(prefix="engine-tests-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    template = clean_copy(scratch / "template", REPOSITORY)
    config = scratch / "no-user-config.yaml"
    config.write_text("{}\n", encoding="utf-8")
    made = cookiecutter(
        str(template),
        no_input=True,
        output_dir=str(scratch / "out"),
        config_file=str(config),
        extra_context=answers,
    )
    return Path(made).resolve()
