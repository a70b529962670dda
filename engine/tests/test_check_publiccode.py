"""The publiccode check: publiccode.yml against the standard's required keys, types, values and lengths."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT_DIR
from project_copy import fresh_copy, line_of, replace_in

from local_data_app.checks import Project, Result, code_repository, publiccode
from local_data_app.checks.licences import licence_ids
from local_data_app.checks.yaml_lines import load

# A valid publiccode.yml of the shape the project ships, which the tests break one key at a time.
VALID = """\
publiccodeYmlVersion: "0.4"
name: Bin Day Finder
url: "https://git.example.org/council/bin-days.git"
platforms:
  - web
categories:
  - geographic-information-systems
developmentStatus: beta
softwareType: standalone/web
description:
  en:
    shortDescription: Find which bin goes out on which day.
    longDescription: >-
      A web app that tells residents which bin is collected on which day at
      their address, from the council's open data, with a page per street and
      a calendar to download; it works without JavaScript.
    features:
      - Collection days by address
legal:
  license: MIT
maintenance:
  type: internal
  contacts:
    - name: A Maintainer
      email: maintainer@example.org
localisation:
  localisationReady: false
  availableLanguages:
    - en
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this project as generated, safe to change."""
    return fresh_copy(tmp_path / "project")


def problems(text: str) -> list[tuple[int | None, str]]:
    """The errors validate finds in a publiccode.yml text, as (line, message)."""
    findings = publiccode.validate(load(text))
    return [(finding.line, finding.message) for finding in findings if finding.severity == "error"]


def edited(change: str, to: str) -> str:
    """The shipped file with one line changed (the line must be there)."""
    lines = VALID.splitlines()
    matches = [index for index, line in enumerate(lines) if line.strip().startswith(change)]
    assert matches, change
    indent = lines[matches[0]][: len(lines[matches[0]]) - len(lines[matches[0]].lstrip())]
    lines[matches[0]] = indent + to if to else ""
    return "\n".join(lines) + "\n"


def test_a_valid_file_has_no_problems() -> None:
    assert problems(VALID) == []


def test_the_project_file_follows_the_standard() -> None:
    """The project's publiccode.yml has every required key, with the right types and values."""
    text = (PROJECT_DIR / "publiccode.yml").read_text(encoding="utf-8")
    assert problems(text) == []
    data = yaml.safe_load(text)
    assert data["publiccodeYmlVersion"] in publiccode.VERSIONS
    assert len(data["description"]["en"]["shortDescription"]) <= publiccode.SHORT_DESCRIPTION_MAX


@pytest.mark.parametrize(
    "key",
    ["publiccodeYmlVersion:", "name:", "url:", "developmentStatus:", "softwareType:", "shortDescription:"],
)
def test_a_missing_required_key_fails(key: str) -> None:
    """Each required key, removed, is reported missing, at the line of the section it belongs in."""
    found = problems(edited(key, ""))
    assert len(found) == 1
    line, message = found[0]
    assert re.search(rf"\b{key[:-1]}: missing; the standard requires it\.$", message)
    assert line is not None


@pytest.mark.parametrize(
    ("change", "to", "expected"),
    [
        ("localisationReady:", 'localisationReady: "yes"', "localisation.localisationReady: expected true or false"),
        ("publiccodeYmlVersion:", "publiccodeYmlVersion: 0.4", "expected text, found a number 0.4. Put the value"),
        ("developmentStatus:", "developmentStatus: finished", "'finished' is not one of the values the standard"),
        ("softwareType:", "softwareType: website", "'website' is not one of the values the standard allows"),
        ("type: internal", "type: sometimes", "maintenance.type: 'sometimes' is not one of the values"),
        ("- geographic-information-systems", "- maps", "categories[0]: 'maps' is not one of the values"),
        ("- en", "- english language", "availableLanguages[0]: 'english language' is not a language tag"),
        ("url:", "url: our website", "url: 'our website' is not the web address of the code's repository"),
        ("license:", "license: 42", "legal.license: expected text, found a number 42"),
        ("shortDescription:", f"shortDescription: {'x' * 151}", "shortDescription: 151 characters; the standard"),
    ],
)
def test_a_wrong_type_or_value_fails_at_its_line(change: str, to: str, expected: str) -> None:
    """A value of the wrong type, outside the standard's list or of the wrong length is reported at its line."""
    text = edited(change, to)
    found = problems(text)
    assert [message for _, message in found if expected in message], found
    (line,) = [line for line, message in found if expected in message]
    assert text.splitlines()[line - 1].strip().startswith(to.split(":")[0].strip() or to)


def test_a_section_where_a_list_belongs_fails() -> None:
    text = VALID.replace("platforms:\n  - web\n", "platforms: {}\n")
    message = "platforms: expected a list, found a section. Write one item per line, each after '- '."
    assert problems(text) == [(line_of_text(text, "platforms:"), message)]


def test_a_long_description_too_short_fails() -> None:
    """The standard asks for 150 to 10,000 characters."""
    text = re.sub(r"longDescription: >-\n(?: {6}.*\n)+", "longDescription: Too short.\n", VALID)
    assert problems(text) == [
        (
            line_of_text(text, "longDescription:"),
            "description.en.longDescription: 10 characters; the standard asks for at least 150.",
        )
    ]


def line_of_text(text: str, start: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if line.strip().startswith(start))


def test_categories_are_required_before_version_0_5_only() -> None:
    """Without categories the file fails at 0.4, and passes at 0.5, where the standard made them optional."""
    without = VALID.replace("categories:\n  - geographic-information-systems\n", "")
    assert [message for _, message in problems(without)] == ["categories: missing; the standard requires it."]
    assert problems(without.replace('publiccodeYmlVersion: "0.4"', 'publiccodeYmlVersion: "0.5"')) == []


def test_contractors_are_required_for_contracted_maintenance() -> None:
    """maintenance.type contract needs contractors, each with a name and a date it runs until."""
    text = edited("type: internal", "type: contract")
    assert "maintenance.contractors: missing; the standard requires it." in [message for _, message in problems(text)]
    contractor = "  contractors:\n    - name: A company\n      until: {}\n  contacts:"
    assert problems(text.replace("  contacts:", contractor.format("2030-01-01"))) == []
    assert [message for _, message in problems(text.replace("  contacts:", contractor.format("soon")))] == [
        "maintenance.contractors[0].until: 'soon' is not a date written YYYY-MM-DD."
    ]


def test_a_file_that_is_not_yaml_fails_at_the_line() -> None:
    """A YAML syntax error is reported with the parser's line."""
    with pytest.raises(publiccode.YamlProblem) as caught:
        load("name: [unclosed\nurl: x\n")
    assert caught.value.line == 2


def test_a_file_that_is_not_a_section_of_keys_fails() -> None:
    assert problems("- just\n- a list\n") == [(1, "the document: expected a section of keys at the top of the file.")]


def write_valid(project: Path, url: str | None = None) -> Path:
    """Write the valid example into a project, with the project's code licence (and ``url`` if given)."""
    licence = licence_ids(tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"])
    text = VALID.replace("license: MIT", f"license: {licence[0]}")
    if url is not None:
        text = text.replace('url: "https://git.example.org/council/bin-days.git"', f"url: {json.dumps(url)}")
    path = project / "publiccode.yml"
    path.write_text(text, encoding="utf-8")
    return path


def run(project: Path) -> Result:
    return publiccode.run(Project.find(project / "place.toml"))


def test_a_broken_file_fails_the_check_with_file_and_line(project: Path) -> None:
    """Through the check: a missing key and a wrong type each fail with publiccode.yml:line."""
    path = write_valid(project)
    replace_in(path, "softwareType: standalone/web\n", "")
    replace_in(path, "localisationReady: false", 'localisationReady: "no"')
    result = run(project)
    assert result.status == "failed"
    assert [(finding.path, finding.line, finding.message) for finding in result.findings] == [
        ("publiccode.yml", 1, "softwareType: missing; the standard requires it."),
        (
            "publiccode.yml",
            line_of(path, "localisationReady:"),
            "localisation.localisationReady: expected true or false, found text 'no'.",
        ),
    ]


def test_a_missing_file_fails(project: Path) -> None:
    (project / "publiccode.yml").unlink()
    result = run(project)
    assert result.status == "failed"
    assert result.findings[0].path == "publiccode.yml"


def test_the_licence_must_agree_with_pyproject(project: Path) -> None:
    """legal.license naming a licence pyproject.toml does not declare fails at its line."""
    path = write_valid(project)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"license: .*", "license: WTFPL", text), encoding="utf-8")
    licence_findings = [finding for finding in run(project).findings if "WTFPL" in finding.message]
    assert [(finding.line, finding.severity) for finding in licence_findings] == [(line_of(path, "license:"), "error")]


def test_the_organisation_website_as_url_is_left_to_the_code_repository_check(project: Path) -> None:
    """A website as url is valid here; the code-repository check warns about it, so it is reported once."""
    website = tomllib.loads((project / "place.toml").read_text(encoding="utf-8"))["organisation"]["url"]
    path = write_valid(project, url=website)
    assert run(project).status == "passed"
    repository = code_repository.run(Project.find(project / "place.toml"))
    assert [(finding.line, finding.severity) for finding in repository.findings] == [(line_of(path, "url:"), "warning")]
