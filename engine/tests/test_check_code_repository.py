"""The code-repository check: publiccode.yml's url must be the code's repository, not a website."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from project_copy import change_config, fresh_copy, line_of, replace_in

from local_data_app.checks import Project, code_repository, placeholders


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this project as generated (url: the organisation's website), safe to change."""
    return fresh_copy(tmp_path / "project")


def set_url(project: Path, url: str) -> Path:
    path = project / "publiccode.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    (index,) = [number for number, line in enumerate(lines) if line.startswith("url: ")]
    lines[index] = f'url: "{url}"'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def publish(project: Path) -> None:
    def change(values: dict[str, Any]) -> None:
        values["service"] = {"published": True}

    change_config(project, change)


def run(project: Path) -> code_repository.Result:
    return code_repository.run(Project.find(project / "place.toml"))


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/council/toilets",
        "https://www.github.com/council/toilets/",
        "https://gitlab.com/council/apps/toilets",
        "https://codeberg.org/council/toilets",
        "git@github.com:council/toilets.git",
        "ssh://git@code.council.gov.uk/toilets",
        "https://code.council.gov.uk/toilets.git",
        "https://git.council.gov.uk/digital/toilets",
        "https://gitlab.council.gov.uk/digital/toilets",
    ],
)
def test_repository_addresses(url: str) -> None:
    """Git addresses, .git paths and owner/name paths on code hosts are repositories."""
    assert code_repository.is_repository(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.trafford.gov.uk",
        "https://www.trafford.gov.uk/open-data/toilets",
        "https://github.com/council",
        "https://github.com",
        "https://gitlab.com/",
    ],
)
def test_website_addresses(url: str) -> None:
    """A website, a host's front page and an owner's page are not repositories."""
    assert not code_repository.is_repository(url)


def test_the_generated_website_url_is_a_warning_at_its_line(project: Path) -> None:
    """As generated, url is the organisation's website: a warning at publiccode.yml's url line."""
    result = run(project)
    assert result.status == "warning"
    (finding,) = result.findings
    path = project / "publiccode.yml"
    assert (finding.path, finding.line, finding.severity) == ("publiccode.yml", line_of(path, "url: "), "warning")
    assert "is not a code repository's address" in finding.message


def test_after_publication_it_fails(project: Path) -> None:
    """With [service] published = true the same finding is an error."""
    publish(project)
    result = run(project)
    assert result.status == "failed"
    assert [finding.severity for finding in result.findings] == ["error"]


def test_a_repository_passes_even_when_published(project: Path) -> None:
    """A repository's address passes, published or not."""
    set_url(project, "https://github.com/council/toilets")
    assert run(project).status == "passed"
    publish(project)
    assert run(project).status == "passed"


def test_an_example_repository_is_reported_once_by_the_placeholders_check(project: Path) -> None:
    """A repository at an example name passes here; the placeholders check names it."""
    path = set_url(project, "https://git.example.org/council/toilets.git")
    assert run(project).findings == []
    reported = placeholders.run(Project.find(project / "place.toml")).findings
    assert ("publiccode.yml", line_of(path, "url: ")) in [(finding.path, finding.line) for finding in reported]


def test_a_missing_url_is_left_to_the_publiccode_check(project: Path) -> None:
    """Without url there is nothing to judge: the publiccode check fails on it instead."""
    replace_in(project / "publiccode.yml", "\nurl: ", "\nhomepage: ")
    assert run(project).status == "passed"
