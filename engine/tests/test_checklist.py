"""The design-to-scale checklist: its content, its rendering as Markdown, and the check on both."""

from __future__ import annotations

from pathlib import Path

import pytest
from project_copy import fresh_copy, line_of, replace_in

from local_data_app.checks import Project, Result, checklist
from local_data_app.cli import EXIT_ERROR, EXIT_OK, main


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this project as generated, safe to change."""
    return fresh_copy(tmp_path / "project")


def check(project: Path) -> Result:
    return checklist.run(Project.find(project / "place.toml"))


def locations(result: Result) -> list[tuple[str | None, int | None]]:
    return [(finding.path, finding.line) for finding in result.findings]


def test_the_checklist_reads_without_problems(project: Path) -> None:
    """Every item of the checklist has what an item needs, under one of the five themes."""
    read = checklist.read(project)
    assert read.problems == []
    assert read.items
    assert set(read.themes()) <= set(checklist.THEMES)
    for item in read.items:
        assert item.question.endswith("?"), item.id
        assert item.barrier in checklist.BARRIERS, item.id


def test_the_check_passes_on_the_project(project: Path) -> None:
    result = check(project)
    assert result.status == "passed", result.findings
    assert result.summary.startswith("All ")


def test_an_unanswered_item_fails_at_its_line(project: Path) -> None:
    """An item whose status is blank fails, at the status line, naming the statuses allowed."""
    path = project / checklist.SOURCE
    replace_in(path, "status: partly", "status:")
    result = check(project)
    assert result.status == "failed"
    unanswered = [finding for finding in result.findings if "is not answered" in finding.message]
    assert len(unanswered) == 1
    assert unanswered[0].path == checklist.SOURCE
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[unanswered[0].line - 1].strip() == "status:"
    assert "yes, partly, no, not applicable" in unanswered[0].message


def test_a_removed_status_fails(project: Path) -> None:
    """An item with no status key at all is unanswered too."""
    replace_in(project / checklist.SOURCE, '      status: "no"\n', "")
    messages = [finding.message for finding in check(project).findings]
    assert any("is not answered" in message for message in messages)


def test_a_status_the_checklist_does_not_allow_fails(project: Path) -> None:
    path = project / checklist.SOURCE
    replace_in(path, "status: partly", "status: maybe")
    (finding,) = [finding for finding in check(project).findings if "maybe" in finding.message]
    assert finding.line == line_of(path, "status: maybe")


def test_unquoted_yes_and_no_are_read_as_answers(project: Path) -> None:
    """YAML reads an unquoted yes as true; the checklist takes it to mean yes."""
    replace_in(project / checklist.SOURCE, 'status: "yes"', "status: yes")
    assert checklist.read(project).problems == []
    assert check(project).status == "passed"  # and it renders as the quoted "yes" did


def test_yes_without_evidence_fails(project: Path) -> None:
    path = project / checklist.SOURCE
    replace_in(path, "evidence: [README.md]\n", "evidence: []\n")
    messages = [finding.message for finding in check(project).findings]
    assert any("is answered 'yes' but names no evidence" in message for message in messages)


@pytest.mark.parametrize("evidence", ["docs/no-such-page.md", "../outside.md"])
def test_evidence_that_does_not_exist_fails(project: Path, evidence: str) -> None:
    """Evidence must be a file or folder inside the project."""
    replace_in(project / checklist.SOURCE, "evidence: [README.md]\n", f"evidence: [README.md, {evidence}]\n")
    (project.parent / "outside.md").write_text("outside\n", encoding="utf-8")
    messages = [finding.message for finding in check(project).findings]
    assert any(f"names {evidence!r} as evidence, but there is no such file" in message for message in messages)


def test_unknown_barriers_themes_and_repeated_ids_fail(project: Path) -> None:
    path = project / checklist.SOURCE
    replace_in(path, "barrier: funding", "barrier: money")
    replace_in(path, "  knowledge:\n", "  know-how:\n")
    replace_in(path, "id: tech-tested", "id: tech-open-code")
    messages = [finding.message for finding in checklist.read(project).problems]
    assert any("names the barrier 'money'" in message for message in messages)
    assert any("'know-how' is not a theme" in message for message in messages)
    assert any("the theme 'knowledge' is missing" in message for message in messages)
    assert any("'tech-open-code' appears twice" in message for message in messages)


def test_markdown_out_of_date_fails_until_rendered_again(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After an answer changes, the Markdown is out of date at its first changed line; `checklist` renders it again."""
    replace_in(project / checklist.SOURCE, "status: partly", 'status: "yes"')
    result = check(project)
    assert result.status == "failed"
    (finding,) = result.findings
    assert finding.path == checklist.RENDERED
    rendered = checklist.render(checklist.read(project)).splitlines()
    found = (project / checklist.RENDERED).read_text(encoding="utf-8").splitlines()
    assert finding.line is not None
    assert found[: finding.line - 1] == rendered[: finding.line - 1]
    assert found[finding.line - 1] != rendered[finding.line - 1]
    assert "checklist` to render it" in finding.message

    assert main(["--config", str(project / "place.toml"), "checklist"]) == EXIT_OK
    assert "Wrote design-to-scale.md from design-to-scale.yml" in capsys.readouterr().out
    assert check(project).status == "passed"


def test_an_unanswered_item_is_rendered_as_such(project: Path) -> None:
    replace_in(project / checklist.SOURCE, "status: partly", "status:")
    text = checklist.render(checklist.read(project))
    assert "- **Answer:** not answered yet" in text


def test_a_checklist_that_does_not_parse_is_an_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Broken YAML: the check fails at the parser's line, and `checklist` exits 1 saying where."""
    path = project / checklist.SOURCE
    replace_in(path, "  data:\n", "  data: [\n")
    result = check(project)
    assert result.status == "failed"
    assert result.findings[0].path == checklist.SOURCE
    assert result.findings[0].line is not None
    assert main(["--config", str(project / "place.toml"), "checklist"]) == EXIT_ERROR
    assert "design-to-scale.yml:" in capsys.readouterr().err
