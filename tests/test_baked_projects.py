"""Baked projects install, pass their own tests and lint, and run."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from baked import PROJECTS, package_of, uv_in
from conftest import bake_with_copier, commit_all


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
    uv_in(path, "sync", "--quiet")
    return path


def test_its_own_tests_pass(project) -> None:
    """The project's own pytest suite passes, warning-clean (the engine's own tests cover PostgreSQL)."""
    outcome = uv_in(project, "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider", check=False)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert " passed" in outcome.stdout
    assert "warning" not in outcome.stdout.lower()


def test_ruff_finds_nothing(project) -> None:
    """ruff check and ruff format --check pass on the generated code."""
    uv_in(project, "run", "--no-sync", "ruff", "check", "--no-cache", ".")
    uv_in(project, "run", "--no-sync", "ruff", "format", "--check", "--no-cache", ".")


def test_reuse_lint_passes(project) -> None:
    """Every file's copyright and licence is recorded: reuse lint passes."""
    outcome = uv_in(project, "run", "--no-sync", "reuse", "lint", check=False)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "Congratulations" in outcome.stdout


def test_the_command_line_runs(project) -> None:
    """`python -m <package> --help` lists the commands and `config` shows every setting from place.toml."""
    package = package_of(project)
    shown = uv_in(project, "run", "--no-sync", "python", "-m", package, "--help").stdout
    assert "config" in shown
    listing = json.loads(
        uv_in(project, "run", "--no-sync", "python", "-m", package, "config", "--format", "json").stdout
    )
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
        package = package_of(project)
        outcome = uv_in(project, "run", "--no-sync", "python", "-m", package, "config", check=False)
    finally:
        place.write_text(original, encoding="utf-8")
    assert outcome.returncode == 1
    assert "place.code" in outcome.stderr
    assert "'E0800'" in outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_ingest_loads_the_sample_data_into_an_ignored_database(project) -> None:
    """`ingest` loads every sample row (the dataset's, then the gazetteers') into data/app.db, which git ignores."""
    outcome = uv_in(project, "run", "--no-sync", "python", "-m", package_of(project), "ingest")
    names = []
    for line in outcome.stdout.splitlines():
        found = re.fullmatch(r"([a-z_-]+): read ([0-9,]+), loaded ([0-9,]+), rejected ([0-9,]+)", line)
        assert found, line
        name, read, loaded, rejected = found.group(1), *(int(n.replace(",", "")) for n in found.groups()[1:])
        assert (loaded, rejected) == (read, 0)
        assert read > 0
        assert f'name = "{name}"' in (project / "place.toml").read_text(encoding="utf-8")
        names.append(name)
    assert names[1:] == ["postcodes", "place-names"]
    assert (project / "data" / "app.db").is_file()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "data"], cwd=project, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


def _check(project: Path, *arguments: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the project's `check` command (on another copy's place.toml when ``config`` is given)."""
    where = ["--config", str(config)] if config else []
    return uv_in(
        project, "run", "--no-sync", "python", "-m", package_of(project), *where, "check", *arguments, check=False
    )


def test_check_passes_on_the_fresh_project(project) -> None:
    """`check` exits 0: every design-to-scale check passes or only warns, and none is left not checked."""
    outcome = _check(project, "--format", "json")
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    report = json.loads(outcome.stdout)
    statuses = {check["id"]: check["status"] for check in report["checks"]}
    assert set(statuses) == {
        "place-literals",
        "licences",
        "reuse",
        "publiccode",
        "datapackage",
        "sources",
        "quality",
        "checklist",
        "placeholders",
        "code-repository",
        "area-country",
        "sample-data",
        "languages",
        "brand",
    }
    assert set(statuses.values()) <= {"passed", "warning"}, report
    # Generated with the website as url and the sample data: warnings until published.
    assert {"code-repository", "sample-data"} <= {i for i, s in statuses.items() if s == "warning"}
    text = _check(project)
    assert text.returncode == 0, text.stdout + text.stderr
    assert "14 checks: " in text.stdout


def test_generated_files_are_what_their_commands_write(project) -> None:
    """`datapackage` and `checklist` rewrite datapackage.json and design-to-scale.md without changing a byte."""
    package = package_of(project)
    for command in ("datapackage", "checklist"):
        uv_in(project, "run", "--no-sync", "python", "-m", package, command)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "datapackage.json", "design-to-scale.md"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""


def test_the_checklist_covers_every_theme_and_barrier(project) -> None:
    """design-to-scale.yml asks about all five themes and all six barriers."""
    checklist = yaml.safe_load((project / "design-to-scale.yml").read_text(encoding="utf-8"))
    items = [item for theme in checklist["themes"].values() for item in theme]
    assert set(checklist["themes"]) == {"data", "technical", "resources", "knowledge", "collaboration"}
    barriers = {"data standards", "data availability", "funding", "engagement and collaboration"}
    barriers |= {"skills and resources", "closed source"}
    assert set(checklist["barriers"]) == barriers
    assert {item["barrier"] for item in items} == barriers


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_check_fails_with_file_and_line_on_a_planted_project(project, tmp_path) -> None:
    """A copy with the place name in code, a licence deleted, publiccode.yml broken and a source unreachable fails."""
    planted = tmp_path / "planted"
    shutil.copytree(project, planted, ignore=shutil.ignore_patterns(".venv", ".git", "*.db", "rejects", "__pycache__"))
    package = package_of(project)
    place = tomllib.loads((planted / "place.toml").read_text(encoding="utf-8"))

    module = planted / "src" / package / "planted.py"
    name = json.dumps(place["place"]["name"], ensure_ascii=False)
    module.write_text(f'"""A module tied to one place."""\n\nPLACE = {name}\n', encoding="utf-8")
    data_licence = place["dataset"]["licence"]
    (planted / "LICENSES" / f"{data_licence}.txt").unlink()
    publiccode = planted / "publiccode.yml"
    text = publiccode.read_text(encoding="utf-8")
    for old, new in (("softwareType: standalone/web\n", ""), ("localisationReady: true", 'localisationReady: "no"')):
        assert old in text
        text = text.replace(old, new)
    publiccode.write_text(text, encoding="utf-8")
    url = f"http://127.0.0.1:{_closed_port()}/data.csv"
    config = planted / "place.toml"
    location = re.compile(r'^location = ".*?"', re.MULTILINE)
    # The dataset's source (the first), not the gazetteers after it.
    config_text, replaced = location.subn(
        f'location = "{url}"\nretries = 0', config.read_text(encoding="utf-8"), count=1
    )
    assert replaced == 1
    config.write_text(config_text, encoding="utf-8")

    outcome = _check(project, "--format", "json", config=config)
    assert outcome.returncode == 1, outcome.stdout + outcome.stderr
    report = json.loads(outcome.stdout)
    assert report["ok"] is False
    checks = {check["id"]: check for check in report["checks"]}
    failed = {check_id for check_id, check in checks.items() if check["status"] == "failed"}
    assert {"place-literals", "licences", "reuse", "publiccode", "sources"} <= failed

    def located(check_id: str) -> set[tuple[str, int | None]]:
        return {(finding["path"], finding["line"]) for finding in checks[check_id]["findings"]}

    assert located("place-literals") == {(f"src/{package}/planted.py", 3)}
    assert (f"LICENSES/{data_licence}.txt", None) in located("licences")
    assert all(path.startswith("data/") for path, _ in located("reuse"))
    lines = publiccode.read_text(encoding="utf-8").splitlines()
    localisation_line = next(number for number, line in enumerate(lines, 1) if "localisationReady" in line)
    assert ("publiccode.yml", localisation_line) in located("publiccode")
    assert any(finding["message"].startswith("softwareType: missing") for finding in checks["publiccode"]["findings"])
    config_lines = config_text.splitlines()
    after_sources = config_lines[config_lines.index("[[sources]]") :]
    source_line = config_lines.index("[[sources]]") + next(
        number for number, line in enumerate(after_sources, 1) if line.startswith("name =")
    )
    assert located("sources") == {("place.toml", source_line)}
    assert url in checks["sources"]["findings"][0]["message"]

    shown = _check(project, config=config).stdout
    assert f"src/{package}/planted.py:3: " in shown
    assert f"publiccode.yml:{localisation_line}: " in shown
    assert f"place.toml:{source_line}: " in shown


def test_secrets_stay_out_and_the_dependencies_can_be_audited(project) -> None:
    """.env is ignored by git and not needed; CI and pre-commit scan for secrets; the audit's export works."""
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=project)
    assert ignored.returncode == 0, ".env is not ignored by git"
    assert not (project / ".env").exists()
    hooks = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook_ids = {hook["id"] for repo in hooks["repos"] for hook in repo["hooks"]}
    assert {"gitleaks", "reuse", "ruff-check"} <= hook_ids
    ci = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    audit = "\n".join(step.get("run", "") for step in ci["jobs"]["audit"]["steps"])
    assert "uvx pip-audit" in audit
    assert "pre-commit run gitleaks --all-files" in audit
    # The audit's first command, run for real: every locked dependency pinned, without the project itself.
    exported = uv_in(project, "export", "--format", "requirements-txt", "--no-emit-project", "--no-hashes").stdout
    pinned = {line.split("==")[0] for line in exported.splitlines() if "==" in line}
    assert {"fastapi", "pydantic", "pyproj", "psycopg"} <= pinned
    assert not any(line.startswith(("-e", ".")) for line in exported.splitlines())


# A dataset theme of the project's own: litter bins, with how often each is emptied.
BINS_SCHEMA = {
    "name": "litter_bins",
    "title": "Litter bins",
    "description": "Litter bins on the street, one row per bin.",
    "fields": [
        {"name": "id", "title": "Bin", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "street", "title": "Street", "type": "string", "constraints": {"required": True}},
        {"name": "emptied_per_week", "title": "Emptied per week", "type": "integer"},
        {"name": "x", "title": "Longitude", "type": "number", "constraints": {"required": True}},
        {"name": "y", "title": "Latitude", "type": "number", "constraints": {"required": True}},
    ],
    "primaryKey": ["id"],
    "x-geometry": {"x": "x", "y": "y", "crs_field": None},
    "x-id-field": "id",
}
OUR_ABOUT = '{% extends "engine/about.html" %}{% block content %}<p id="ours">Ours.</p>{{ super() }}{% endblock %}\n'


def test_a_theme_and_a_page_template_of_the_projects_own_need_no_engine_edit(project, tmp_path) -> None:
    """themes/ and templates/ in the project: its own theme loads and serves, its own about page is exported."""
    place = project / "place.toml"
    original = place.read_text(encoding="utf-8")
    centre = tomllib.loads(original)["map"]["centre"]
    added = [
        project / "themes" / "litter_bins.json",
        project / "templates" / "about.html",
        project / "data" / "bins.csv",
    ]
    try:
        added[0].write_text(json.dumps(BINS_SCHEMA), encoding="utf-8")
        added[1].write_text(OUR_ABOUT, encoding="utf-8")
        rows = [f"B{n},High Street,{n % 3 + 1},{centre[1] + n / 1000},{centre[0]}" for n in range(5)]
        added[2].write_text("id,street,emptied_per_week,x,y\n" + "\n".join(rows) + "\n", encoding="utf-8")
        settings = re.split(r"^\[\[sources\]\]", original, maxsplit=1, flags=re.MULTILINE)[0]
        settings = re.sub(r'^theme = ".*"$', 'theme = "litter_bins"', settings, count=1, flags=re.MULTILINE)
        place.write_text(settings + '[[sources]]\nname = "bins"\nadapter = "csv"\nlocation = "data/bins.csv"\n')
        database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'bins.db'}"}
        package = package_of(project)
        loaded = uv_in(project, "run", "--no-sync", "python", "-m", package, "ingest", env=database).stdout
        assert loaded.strip() == "bins: read 5, loaded 5, rejected 0"
        site = tmp_path / "site"
        uv_in(project, "run", "--no-sync", "python", "-m", package, "export", str(site), env=database)
        about = (site / "about.html").read_text(encoding="utf-8")
        assert '<p id="ours">Ours.</p>' in about
        assert "Litter bins" in (site / "index.html").read_text(encoding="utf-8")
        feature = json.loads((site / "bins.geojson").read_text(encoding="utf-8"))["features"][0]
        assert feature["properties"]["emptied_per_week"] == 1
    finally:
        place.write_text(original, encoding="utf-8")
        for path in added:
            path.unlink(missing_ok=True)
