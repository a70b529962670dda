"""The place-literals check: values from place.toml written into the code are found, with file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_DIR
from project_copy import change_config, fresh_copy

from local_data_app.checks import Project, place_literals

PACKAGE = next(path.parent.name for path in PROJECT_DIR.glob("src/*/__init__.py"))  # the generated project's own


@pytest.fixture
def project(tmp_path: Path, place_values: dict[str, dict[str, Any]]) -> Path:
    """A copy of this project whose place.toml names the made-up place (Testshire, centred on 52.5, -1.25)."""
    directory = fresh_copy(tmp_path / "project")

    def made_up(values: dict[str, Any]) -> None:
        values.update({key: place_values[key] for key in ("place", "organisation", "map")})
        values["map"]["centre"] = [52.5, -1.25]

    change_config(directory, made_up)
    return directory


def plant(project: Path, relative: str, text: str) -> str:
    """Write a file into the package; returns its path from the project root."""
    path = project / "src" / PACKAGE / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return f"src/{PACKAGE}/{relative}"


def found(project: Path) -> list[tuple[str | None, int | None]]:
    result = place_literals.run(Project.find(project / "place.toml"))
    assert result.status == ("failed" if result.findings else "passed")
    return [(finding.path, finding.line) for finding in result.findings]


def test_the_code_as_shipped_holds_no_place_values(project: Path) -> None:
    """It passes on the package as generated, and says what it searched for."""
    result = place_literals.run(Project.find(project / "place.toml"))
    assert result.status == "passed"
    assert result.details == ["searched for 'Testshire', 'E06000999', 'Testshire Council', '52.5', '-1.25'"]


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('TITLE = "Toilets in Testshire"', "place.name"),
        ('AREA = "E06000999"', "place.code"),
        ('PUBLISHER = "Testshire Council"', "organisation.name"),
        ("CENTRE = (52.5, 0.0)", "map.centre latitude"),
        ("CENTRE = (0.0, -1.25)", "map.centre longitude"),
    ],
)
def test_each_place_value_in_code_is_found_with_file_and_line(project: Path, line: str, key: str) -> None:
    """The place name, GSS code, organisation and either coordinate, written in code, fail with file:line."""
    path = plant(project, "planted.py", f'"""A module."""\n\n{line}\n')
    result = place_literals.run(Project.find(project / "place.toml"))
    assert result.status == "failed"
    (finding,) = result.findings
    assert (finding.path, finding.line) == (path, 3)
    assert f"({key} in place.toml)" in finding.message
    assert "place.name" not in finding.message or key == "place.name"  # not again inside the council's name
    assert "Read it from the settings" in finding.message


def test_page_templates_static_files_and_schemas_are_searched(project: Path) -> None:
    """HTML templates, scripts and JSON schemas are searched as well as Python."""
    html = plant(project, "web/templates/planted.html", "<p>\n  Welcome to Testshire\n</p>\n")
    script = plant(project, "web/static/planted.js", "const centre = [52.5, -1.25];\n")
    schema = plant(project, "schemas/planted.json", '{"title": "E06000999 toilets"}\n')
    assert found(project) == [(schema, 1), (script, 1), (html, 2)]


def test_whole_words_and_whole_numbers_only(project: Path) -> None:
    """Longer words, other capitals and longer numbers do not match."""
    plant(
        project,
        "planted.py",
        'A = "Testshires"\nB = "testshire"\nC = "TestshireCouncil"\n'
        'D = 152.5\nE = 52.55\nF = "E06000999X"\nG = -1.255\n',
    )
    assert found(project) == []


@pytest.mark.parametrize(("centre", "unsearched"), [([51.5, 0.0], "0.0"), ([50.0, 1.5], "50.0, 1.5")])
def test_coordinates_too_round_to_tell_from_other_numbers_are_not_searched(
    project: Path, centre: list[float], unsearched: str
) -> None:
    """A centre such as 51.5, 0.0 passes on the code as shipped, whose numbers include 0.0, and says what it skipped."""

    def round_centre(values: dict[str, Any]) -> None:
        values["map"]["centre"] = centre

    change_config(project, round_centre)
    path = plant(project, "planted.py", "OPACITY = 0.0\nLINE_HEIGHT = 1.5\nLATITUDE = 51.5\n")
    result = place_literals.run(Project.find(project / "place.toml"))
    expected = [(path, 3)] if 51.5 in centre else []
    assert [(finding.path, finding.line) for finding in result.findings] == expected
    assert result.details[-1] == f"not searched for {unsearched}: too round to tell from other numbers in code"


def test_comments_and_docstrings_are_not_searched(project: Path) -> None:
    """Words in comments and docstrings change nothing a fork runs, so they are left alone."""
    plant(
        project,
        "planted.py",
        '"""Testshire\'s module."""\n\n\n'
        'def read():\n    """Reads Testshire\'s data."""\n    return 1  # for Testshire\n',
    )
    assert found(project) == []


def test_a_line_can_be_accepted_with_a_marker(project: Path) -> None:
    """A line with a place-check: ignore comment is not reported; the next one is."""
    path = plant(project, "planted.py", 'A = "Testshire"  # place-check: ignore\nB = "Testshire"\n')
    assert found(project) == [(path, 2)]


def test_vendored_code_and_the_tests_are_not_searched(project: Path) -> None:
    """Third-party code under vendor/ and the tests' made-up places are not the app's code."""
    plant(project, "web/static/vendor/other/lib.js", 'var place = "Testshire";\n')
    (project / "tests" / "test_planted.py").write_text('PLACE = "Testshire"\n', encoding="utf-8")
    assert found(project) == []


def test_values_overridden_in_the_environment_are_the_ones_searched(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check uses the settings in effect, so an override of the place name is what it looks for."""
    path = plant(project, "planted.py", 'A = "Otherby"\n')
    monkeypatch.setenv("APP_PLACE__NAME", "Otherby")
    assert found(project) == [(path, 1)]


def test_every_area_name_and_code_is_searched_for(project: Path) -> None:
    """With several [[areas]], each area's name and GSS code in code is found too, naming its key."""
    areas = [{"code": "E07000223", "name": "Adur"}, {"code": "E07000224", "name": "Arun"}]

    def two_areas(values: dict[str, Any]) -> None:
        values["areas"] = areas
        for source in values["sources"]:
            source["area"] = "E07000223"

    change_config(project, two_areas)
    path = plant(project, "planted.py", 'DISTRICT = "Arun"\n\nCODE = "E07000223"\n')
    result = place_literals.run(Project.find(project / "place.toml"))
    assert [(finding.path, finding.line) for finding in result.findings] == [(path, 1), (path, 3)]
    assert "(areas.1.name in place.toml)" in result.findings[0].message
    assert "(areas.0.code in place.toml)" in result.findings[1].message
