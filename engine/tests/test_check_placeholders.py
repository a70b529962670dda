"""The placeholders check: addresses at names reserved for examples, named with file and line.

They are warnings while place.toml says the service is not yet published, and
failures once it says it is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from project_copy import change_config, fresh_copy, line_of, replace_in

from local_data_app.checks import Project, placeholders, run_checks
from local_data_app.checks.report import as_json, as_text

SHIPPED_CONTACT = "opendata@example.org"
REAL_CONTACT = "opendata@council.gov.uk"
FILES = ("place.toml", "pyproject.toml", "publiccode.yml", "CITATION.cff")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this project as generated (the default contact, opendata@example.org), safe to change."""
    directory = fresh_copy(tmp_path / "project")
    assert SHIPPED_CONTACT in (directory / "place.toml").read_text(encoding="utf-8")
    return directory


def publish(project: Path, published: bool = True) -> None:
    def change(values: dict[str, Any]) -> None:
        values.setdefault("service", {})["published"] = published

    change_config(project, change)


def findings(project: Path) -> list[tuple[str | None, int | None, str]]:
    result = placeholders.run(Project.find(project / "place.toml"))
    return [(finding.path, finding.line, finding.severity) for finding in result.findings]


def real_contact(project: Path) -> None:
    """Replace the placeholder contact wherever the project was generated with it."""
    for name in FILES:
        path = project / name
        path.write_text(path.read_text(encoding="utf-8").replace(SHIPPED_CONTACT, REAL_CONTACT), encoding="utf-8")


@pytest.mark.parametrize(
    ("host", "is_reserved"),
    [
        ("example.org", True),
        ("example.com", True),
        ("example.net", True),
        ("www.example.com", True),
        ("toilets.example", True),
        ("council.invalid", True),
        ("toilets.test", True),
        ("EXAMPLE.ORG.", True),
        ("example.gov.uk", False),
        ("example.org.uk", False),
        ("testshire.gov.uk", False),
        ("mytest.org", False),
        ("localhost", False),
    ],
)
def test_reserved_names_are_those_of_rfc_2606_and_6761(host: str, is_reserved: bool) -> None:
    """Only names that can never be a real address count as placeholders."""
    assert placeholders.reserved(host) is is_reserved


def test_the_generated_contact_is_a_warning_in_every_file(project: Path) -> None:
    """Before publication each copy of the default contact is a warning at its file and line; the check warns."""
    result = placeholders.run(Project.find(project / "place.toml"))
    assert result.status == "warning"
    expected = [(name, line_of(project / name, SHIPPED_CONTACT), "warning") for name in FILES]
    assert sorted(findings(project), key=str) == sorted(expected, key=str)
    assert "opendata@example.org" in result.findings[0].message
    assert "[service] published = false" in "\n".join(result.details)


def test_after_publication_they_fail(project: Path) -> None:
    """With [service] published = true the same findings are errors, and the check fails."""
    publish(project)
    result = placeholders.run(Project.find(project / "place.toml"))
    assert result.status == "failed"
    assert {finding.severity for finding in result.findings} == {"error"}
    assert {finding.path for finding in result.findings} == set(FILES)
    assert "[service] published = true" in "\n".join(result.details)


def test_the_environment_can_say_the_service_is_published(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """APP_SERVICE__PUBLISHED=true counts as published, as for every other setting."""
    monkeypatch.setenv("APP_SERVICE__PUBLISHED", "true")
    assert {severity for _, _, severity in findings(project)} == {"error"}


@pytest.mark.parametrize(
    ("table", "key", "value", "kind"),
    [
        ("organisation", "url", "https://www.example.com", "web address"),
        ("organisation", "contact_email", "data@council.invalid", "e-mail address"),
        ("organisation", "report_url", "https://forms.example.net/report", "web address"),
        ("server", "public_url", "https://toilets.example", "web address"),
        ("server", "hosts", ["toilets.test"], "host name"),
    ],
)
def test_each_planted_placeholder_in_place_toml_is_named(
    project: Path, table: str, key: str, value: Any, kind: str
) -> None:
    """A placeholder in any key of place.toml is found at its line, naming the key and its kind."""
    real_contact(project)
    change_config(project, lambda values: values.setdefault(table, {}).__setitem__(key, value))
    shown = value[0] if isinstance(value, list) else value
    result = placeholders.run(Project.find(project / "place.toml"))
    (finding,) = result.findings
    assert (finding.path, finding.line) == ("place.toml", line_of(project / "place.toml", f"{key} = "))
    assert finding.message.startswith(f"{table}.{key}")
    assert f"placeholder {kind}" in finding.message
    assert shown in finding.message


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("CITATION.cff", "url: ", 'url: "https://toilets.example.org"\nrepository-code: '),
        ("publiccode.yml", "landingURL", None),
    ],
)
def test_a_placeholder_in_the_metadata_files_is_named(project: Path, name: str, old: str, new: str | None) -> None:
    """A placeholder web address in CITATION.cff or publiccode.yml is found at its line."""
    real_contact(project)
    path = project / name
    if new is None:
        path.write_text(path.read_text(encoding="utf-8") + "landingURL: https://toilets.example.com/\n")
    else:
        replace_in(path, old, new)
    (finding,) = findings(project)
    assert finding == (name, line_of(path, "toilets.example"), "warning")


def test_comments_are_not_read(project: Path) -> None:
    """An example address in a comment is not a placeholder value."""
    real_contact(project)
    for name, comment in (("place.toml", "# such as https://toilets.example.org"), ("CITATION.cff", "# a@b.test")):
        path = project / name
        path.write_text(path.read_text(encoding="utf-8") + comment + "\n", encoding="utf-8")
    assert findings(project) == []


def test_a_clean_project_passes_even_when_published(project: Path) -> None:
    """With real addresses the check passes, published or not."""
    real_contact(project)
    assert placeholders.run(Project.find(project / "place.toml")).status == "passed"
    publish(project)
    assert placeholders.run(Project.find(project / "place.toml")).status == "passed"


def test_the_reports_show_warnings_and_stay_ok(project: Path) -> None:
    """The text report marks each warning and the JSON report gives its severity; a warning is not a failure."""
    report = run_checks(Project.find(project / "place.toml"), only=["placeholders"])
    assert report.ok
    text = as_text(report)
    assert re.search(r"^WARN +placeholders: ", text, re.MULTILINE)
    assert f"place.toml:{line_of(project / 'place.toml', SHIPPED_CONTACT)}: warning: " in text
    payload = json.loads(as_json(report))
    assert payload["ok"] is True
    (result,) = payload["checks"]
    assert result["status"] == "warning"
    assert {finding["severity"] for finding in result["findings"]} == {"warning"}
