"""Baked projects install, pass their own tests and lint, and run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AWKWARD_ANSWERS, bake_with_copier, commit_all
from uv import find_uv_bin

PROJECTS = {
    "defaults-by-cookiecutter": ("cookiecutter", {}),
    "welsh-apache-ccby-generic-by-copier": (
        "copier",
        {
            **AWKWARD_ANSWERS,
            "dataset_theme": "generic_points",
            "code_licence": "Apache-2.0",
            "data_licence": "CC-BY-4.0",
        },
    ),
}


def _uv(
    project: Path, *arguments: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run uv inside a baked project, isolated from the template's own environment (plus ``env``)."""
    environment = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PLACE_TOML"}}
    environment["UV_PYTHON"] = sys.executable
    environment.update(env or {})
    outcome = subprocess.run(
        [find_uv_bin(), *arguments],
        cwd=project,
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    if check:
        assert outcome.returncode == 0, f"uv {' '.join(arguments)} failed:\n{outcome.stdout}\n{outcome.stderr}"
    return outcome


def _package(project: Path) -> str:
    """The name of the project's one package under src/."""
    return next(path.name for path in (project / "src").iterdir() if path.is_dir())


@pytest.fixture(scope="module", params=PROJECTS.values(), ids=PROJECTS.keys())
def project(request, template, tmp_path_factory) -> Path:
    """A baked project, committed to git as a team would, with its environment installed."""
    tool, answers = request.param
    where = tmp_path_factory.mktemp("baked")
    if tool == "copier":
        path = bake_with_copier(template, where / "project", answers)
    else:
        from cookiecutter.main import cookiecutter

        path = Path(cookiecutter(str(template), no_input=True, output_dir=str(where), extra_context=answers))
    commit_all(path)
    _uv(path, "sync", "--quiet")
    return path


def test_its_own_tests_pass(project, postgres_url) -> None:
    """The project's own pytest suite passes, warning-clean, its store tests on SQLite and on PostgreSQL."""
    database = {"TEST_DATABASE_URL": postgres_url, "REQUIRE_POSTGRES": "1"}
    outcome = _uv(project, "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider", check=False, env=database)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert " passed" in outcome.stdout
    assert "warning" not in outcome.stdout.lower()


def test_ruff_finds_nothing(project) -> None:
    """ruff check and ruff format --check pass on the generated code."""
    _uv(project, "run", "--no-sync", "ruff", "check", "--no-cache", ".")
    _uv(project, "run", "--no-sync", "ruff", "format", "--check", "--no-cache", ".")


def test_reuse_lint_passes(project) -> None:
    """Every file's copyright and licence is recorded: reuse lint passes."""
    outcome = _uv(project, "run", "--no-sync", "reuse", "lint", check=False)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "Congratulations" in outcome.stdout


def test_the_command_line_runs(project) -> None:
    """`python -m <package> --help` lists the commands and `config` shows every setting from place.toml."""
    package = _package(project)
    shown = _uv(project, "run", "--no-sync", "python", "-m", package, "--help").stdout
    assert "config" in shown
    listing = json.loads(_uv(project, "run", "--no-sync", "python", "-m", package, "config", "--format", "json").stdout)
    settings = {row["key"]: row for row in listing["settings"]}
    place = (project / "place.toml").read_text(encoding="utf-8")
    assert settings["place.name"]["source"] == "place.toml"
    assert json.dumps(settings["place.name"]["value"], ensure_ascii=False) in place


def test_a_bad_place_toml_is_reported_without_a_traceback(project) -> None:
    """A broken GSS code in place.toml gives exit status 1 and a message naming the key."""
    place = project / "place.toml"
    original = place.read_text(encoding="utf-8")
    try:
        lines = [
            'code = "E0800"' if line.startswith("code = ") else line for line in original.splitlines(keepends=False)
        ]
        place.write_text("\n".join(lines) + "\n", encoding="utf-8")
        package = _package(project)
        outcome = _uv(project, "run", "--no-sync", "python", "-m", package, "config", check=False)
    finally:
        place.write_text(original, encoding="utf-8")
    assert outcome.returncode == 1
    assert "place.code" in outcome.stderr
    assert "'E0800'" in outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_ingest_loads_the_sample_data_into_an_ignored_database(project) -> None:
    """`ingest` loads every sample row into data/app.db, which git ignores."""
    outcome = _uv(project, "run", "--no-sync", "python", "-m", _package(project), "ingest")
    (line,) = outcome.stdout.splitlines()
    found = re.fullmatch(r"([a-z_-]+): read ([0-9,]+), loaded ([0-9,]+), rejected ([0-9,]+)", line)
    assert found, line
    name, read, loaded, rejected = found.group(1), *(int(n.replace(",", "")) for n in found.groups()[1:])
    assert (loaded, rejected) == (read, 0)
    assert read > 0
    assert f'name = "{name}"' in (project / "place.toml").read_text(encoding="utf-8")
    assert (project / "data" / "app.db").is_file()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "data"], cwd=project, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
