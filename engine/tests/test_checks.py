"""The `check` command as a whole: every check passes on this project, and the report, JSON and exit statuses."""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import PROJECT_DIR
from project_copy import fresh_copy, replace_in

from local_data_app.checks import Project, checks, run_checks
from local_data_app.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, main

PACKAGE = next(path.parent.name for path in PROJECT_DIR.glob("src/*/__init__.py"))  # the generated project's own
CHECK_IDS = [check.id for check in checks()]
STATUSES = {"passed", "warning", "failed", "not checked"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this project as generated, safe to change."""
    return fresh_copy(tmp_path / "project")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def plant_place_name(project: Path) -> tuple[str, int]:
    """Write the place's name into a module of the package; returns the module's path and the line."""
    name = tomllib.loads((project / "place.toml").read_text(encoding="utf-8"))["place"]["name"]
    module = project / "src" / PACKAGE / "planted.py"
    module.write_text(f'"""A module that names its place."""\n\nPLACE = {name!r}\n', encoding="utf-8")
    return f"src/{PACKAGE}/planted.py", 3


def test_every_check_passes_on_the_project_as_generated(project: Path) -> None:
    """It finds nothing to fail in the project as generated: every check passes or only warns."""
    report = run_checks(Project.find(project / "place.toml"))
    problems = {
        result.id: [f"{finding.location}: {finding.message}" for finding in result.findings]
        for result in report.results
        if result.status not in {"passed", "warning"}
    }
    assert problems == {}
    assert [result.id for result in report.results] == CHECK_IDS
    assert report.ok


def test_the_text_report_lists_every_check_and_exits_0(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    """It prints one line per check with its status, and a count, and exits 0 when none fails."""
    status, out, _ = run_cli(capsys, "--config", str(project / "place.toml"), "check")
    assert status == EXIT_OK
    for check_id in CHECK_IDS:
        assert re.search(rf"^(PASS|WARN)\s+{check_id}: ", out, re.MULTILINE), check_id
    assert re.search(rf"^{len(CHECK_IDS)} checks: \d+ passed", out, re.MULTILINE)


def test_the_json_report_has_a_stable_shape(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    """--format json prints one document: ok, counts per status, and each check with its findings."""
    status, out, _ = run_cli(capsys, "--config", str(project / "place.toml"), "check", "--format", "json")
    assert status == EXIT_OK
    report = json.loads(out)
    assert set(report) == {"project", "ok", "counts", "checks"}
    assert report["ok"] is True
    assert Path(report["project"]) == project.resolve()
    assert set(report["counts"]) == STATUSES
    assert sum(report["counts"].values()) == len(CHECK_IDS)
    assert [check["id"] for check in report["checks"]] == CHECK_IDS
    for check in report["checks"]:
        assert set(check) == {"id", "title", "status", "summary", "findings", "details", "help"}
        assert check["status"] in STATUSES
        assert check["help"] == f"docs/checks.md#{check['id']}"
        for finding in check["findings"]:
            assert set(finding) == {"severity", "path", "line", "message"}
            assert finding["severity"] in {"error", "warning"}


def test_what_to_change_before_publication_warns_until_published(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    """As generated it exits 0 listing warnings; with [service] published = true the same checks fail, exit 1."""
    before = {"placeholders", "code-repository", "sample-data"}  # what a default project still has to change
    status, out, _ = run_cli(capsys, "--config", str(project / "place.toml"), "check", "--format", "json")
    assert status == EXIT_OK
    statuses = {result["id"]: result["status"] for result in json.loads(out)["checks"]}
    assert {check_id for check_id, status in statuses.items() if status == "warning"} >= before
    replace_in(project / "place.toml", "published = false", "published = true")
    status, out, _ = run_cli(capsys, "--config", str(project / "place.toml"), "check", "--format", "json")
    assert status == EXIT_ERROR
    statuses = {result["id"]: result["status"] for result in json.loads(out)["checks"]}
    assert {check_id for check_id, status in statuses.items() if status == "failed"} == before


def test_a_failure_exits_1_and_names_the_file_and_line(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    """A place name planted in the code fails the check with file:line, in text and in JSON, and exits 1."""
    path, line = plant_place_name(project)
    status, out, _ = run_cli(capsys, "--config", str(project / "place.toml"), "check")
    assert status == EXIT_ERROR
    assert re.search(r"^FAIL\s+place-literals: ", out, re.MULTILINE)
    assert f"{path}:{line}: " in out
    assert "How to fix: docs/checks.md#place-literals" in out

    status, out, _ = run_cli(capsys, "--config", str(project / "place.toml"), "check", "--format", "json")
    assert status == EXIT_ERROR
    report = json.loads(out)
    assert report["ok"] is False
    assert report["counts"]["failed"] == 1
    (failed,) = [check for check in report["checks"] if check["status"] == "failed"]
    assert failed["id"] == "place-literals"
    assert [(finding["path"], finding["line"]) for finding in failed["findings"]] == [(path, line)]


def test_only_runs_the_checks_named(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    """--only, repeated, runs just those checks, in the usual order."""
    only = ["--only", "checklist", "--only", "licences"]
    status, out, _ = run_cli(capsys, "--config", str(project / "place.toml"), "check", *only, "--format", "json")
    assert status == EXIT_OK
    assert [check["id"] for check in json.loads(out)["checks"]] == ["licences", "checklist"]


def test_an_unknown_check_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """--only with a name that is not a check exits 2 and lists the checks."""
    with pytest.raises(SystemExit) as caught:
        main(["check", "--only", "spelling"])
    assert caught.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "invalid choice: 'spelling'" in err
    assert "place-literals" in err


def test_a_broken_place_toml_fails_only_the_checks_that_read_it(project: Path) -> None:
    """An invalid GSS code fails the checks that need the settings, with the key; the others still run."""
    replace_in(project / "place.toml", 'code = "', 'code = "X')
    report = run_checks(Project.find(project / "place.toml"), only=["place-literals", "datapackage", "licences"])
    by_id = {result.id: result for result in report.results}
    for check_id in ("place-literals", "datapackage"):
        assert by_id[check_id].status == "failed"
        assert "place.code" in by_id[check_id].findings[0].message
    assert by_id["licences"].status == "passed"


def test_a_missing_reuse_tool_is_not_checked_never_passed(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the reuse package the REUSE check says "not checked" and how to install it; it is not a pass."""
    monkeypatch.setitem(sys.modules, "reuse", None)  # `import reuse` now fails, as it does when not installed
    status, out, _ = run_cli(capsys, "--config", str(project / "place.toml"), "check", "--only", "reuse")
    assert status == EXIT_OK
    assert re.search(r"^NOT CHECKED\s+reuse: Not checked: the reuse tool is not installed", out, re.MULTILINE)
    assert "1 not checked" in out
    assert "has not passed" in out
    status, out, _ = run_cli(
        capsys, "--config", str(project / "place.toml"), "check", "--only", "reuse", "--format", "json"
    )
    (result,) = json.loads(out)["checks"]
    assert result["status"] == "not checked"
    assert "uv sync" in result["summary"]


def test_help_lists_the_new_commands(capsys: pytest.CaptureFixture[str]) -> None:
    """--help lists check, datapackage and checklist."""
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("check", "datapackage", "checklist"):
        assert re.search(rf"^\s+{command}\b", out, re.MULTILINE), command


def test_every_check_is_documented() -> None:
    """docs/checks.md has a section per check, and the README points to it."""
    docs = (PROJECT_DIR / "docs" / "checks.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## `([a-z-]+)`$", docs, re.MULTILINE)
    assert headings == CHECK_IDS
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    assert "## Check the project" in readme
    assert "docs/checks.md" in readme
