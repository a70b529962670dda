"""The languages check: an area in Wales needs Welsh pages; the project's own messages need translations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from project_copy import change_config, fresh_copy, line_of, replace_in

from local_data_app.checks import Project, languages

CARDIFF = [51.48, -3.18]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this project as generated (Trafford, E08000009, English only), safe to change."""
    return fresh_copy(tmp_path / "project")


def welsh_area(project: Path, served: list[str], **more: Any) -> None:
    def change(values: dict[str, Any]) -> None:
        values["place"]["code"] = "W06000015"
        values["place"]["languages"] = served
        values["map"]["centre"] = CARDIFF
        values.update(more)

    change_config(project, change)


def run(project: Path) -> languages.Result:
    return languages.run(Project.find(project / "place.toml"))


def test_the_generated_project_passes(project: Path) -> None:
    """English only, for an English area, with no templates of its own."""
    result = run(project)
    assert result.status == "passed"
    assert result.details == ["languages en; Welsh area codes: none"]


def test_a_welsh_area_without_welsh_fails_even_before_publication(project: Path) -> None:
    welsh_area(project, ["en"])
    result = run(project)
    assert result.status == "failed"
    (finding,) = result.findings
    assert finding.severity == "error"
    assert "W06000015 is a code of an area in Wales" in finding.message
    assert 'languages = ["en", "cy"]' in finding.message
    assert finding.location == f"place.toml:{line_of(project / 'place.toml', 'languages = ')}"


def test_a_welsh_area_among_areas_counts(project: Path) -> None:
    """One Welsh [[areas]] entry is enough to need Welsh."""

    def change(values: dict[str, Any]) -> None:
        values["areas"] = [{"code": "E08000009", "name": "Trafford"}, {"code": "W06000015", "name": "Cardiff"}]
        values["sources"][0]["area"] = "E08000009"

    change_config(project, change)
    result = run(project)
    assert result.status == "failed"
    assert "W06000015" in result.findings[0].message


def test_welsh_pages_for_a_welsh_area_pass_when_publiccode_lists_them(project: Path) -> None:
    welsh_area(project, ["en", "cy"])
    replace_in(project / "publiccode.yml", "    - en\n", "    - en\n    - cy\n")
    result = run(project)
    assert result.status == "passed", result.findings


def test_publiccode_without_a_served_language_is_a_warning(project: Path) -> None:
    welsh_area(project, ["en", "cy"])
    result = run(project)
    assert result.status == "warning"
    (finding,) = result.findings
    assert "add cy to it" in finding.message
    assert finding.path == "publiccode.yml"
    assert finding.line == line_of(project / "publiccode.yml", "availableLanguages")


def test_an_untranslated_message_of_the_projects_templates_is_a_warning(project: Path) -> None:
    """A template's own message without Welsh is named with its file and line; translating it clears it."""
    welsh_area(project, ["en", "cy"])
    replace_in(project / "publiccode.yml", "    - en\n", "    - en\n    - cy\n")
    templates = project / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "home.html").write_text(
        '{% extends "engine/home.html" %}\n{% block content %}\n'
        "<p>{% trans %}Search{% endtrans %}</p>\n<p>{% trans %}Ask at the library{% endtrans %}</p>\n"
        "{% endblock %}\n",
        encoding="utf-8",
    )
    result = run(project)
    assert result.status == "warning"
    (finding,) = result.findings  # "Search" is in the engine's catalogue
    assert "'Ask at the library' has no Cymraeg translation" in finding.message
    assert finding.location == "templates/home.html:4"
    own = project / "locale" / "cy" / "LC_MESSAGES" / "messages.po"
    own.parent.mkdir(parents=True)
    own.write_text('msgid "Ask at the library"\nmsgstr "Gofynnwch yn y llyfrgell"\n', encoding="utf-8")
    languages.language.translations.cache_clear()
    assert run(project).status == "passed"
