"""Generated projects across the answers matrix: complete, parseable and correctly escaped."""

from __future__ import annotations

import html
import json
import re
import tomllib
from itertools import product
from pathlib import Path

import pytest
import yaml
from conftest import AWKWARD_ANSWERS, ROOT, bake_with_copier
from markdown_it import MarkdownIt
from questions import load

QUESTIONS = {question.name: question for question in load()}
THEMES = QUESTIONS["dataset_theme"].choices
CODE_LICENCES = QUESTIONS["code_licence"].choices
DATA_LICENCES = QUESTIONS["data_licence"].choices
PYTHONS = QUESTIONS["python_version"].choices


def _matrix() -> list[dict[str, str]]:
    """Every code licence with every data licence; each licence meets both themes; every Python version."""
    combinations = []
    for index, (code, data) in enumerate(product(CODE_LICENCES, DATA_LICENCES)):
        combinations.append(
            {
                "code_licence": code,
                "data_licence": data,
                "dataset_theme": THEMES[(index // len(DATA_LICENCES) + index) % len(THEMES)],
                "python_version": PYTHONS[index % len(PYTHONS)],
            }
        )
    return combinations


MATRIX = _matrix()
# GitHub Actions expressions, ${{ ... }}, are the workflows' own (written in raw tags in the template).
JINJA_LEFTOVER = re.compile(r"(?<!\$){{|{%|{#|cookiecutter\.")
# The app's own Jinja templates, copied verbatim (each is wrapped in raw tags in the template repository).
APP_TEMPLATES = re.compile(r"src/[a-z_][a-z0-9_]*/web/templates/[^/]+\.html")
RAW_TAG = re.compile(r"{%-?\s*(end)?raw\s*-?%}")
STRUCTURED = {".toml": tomllib.loads, ".json": json.loads, ".yml": yaml.safe_load, ".yaml": yaml.safe_load}
LICENCE_TITLES = {
    "MIT": "MIT License",
    "Apache-2.0": "Apache License",
    "EUPL-1.2": "EUROPEAN UNION PUBLIC LICENCE v. 1.2",
    "AGPL-3.0-or-later": "GNU AFFERO GENERAL PUBLIC LICENSE",
    "GPL-3.0-or-later": "GNU GENERAL PUBLIC LICENSE",
    "OGL-UK-3.0": "Open Government Licence v3.0",
    "CC-BY-4.0": "Creative Commons Attribution 4.0 International",
    "CC0-1.0": "Creative Commons Legal Code",
    "ODbL-1.0": "## Open Data Commons Open Database License (ODbL)",
}


def test_the_matrix_covers_every_pair() -> None:
    """The matrix pairs every code licence, data licence and theme with each other."""
    pairs = {(row["code_licence"], row["data_licence"]) for row in MATRIX}
    assert pairs == set(product(CODE_LICENCES, DATA_LICENCES))
    assert {(row["code_licence"], row["dataset_theme"]) for row in MATRIX} == set(product(CODE_LICENCES, THEMES))
    assert {(row["data_licence"], row["dataset_theme"]) for row in MATRIX} == set(product(DATA_LICENCES, THEMES))
    assert {row["python_version"] for row in MATRIX} == set(PYTHONS)


def _files(project: Path) -> list[Path]:
    return sorted(path for path in project.rglob("*") if path.is_file())


def check_project(project: Path, answers: dict[str, str]) -> None:
    """Everything that must hold of any generated project."""
    for path in _files(project):
        relative = path.relative_to(project).as_posix()
        assert not JINJA_LEFTOVER.search(relative), f"unrendered name: {relative}"
        if path.suffix == ".png":  # Leaflet's images, copied as they are
            continue
        text = path.read_text(encoding="utf-8")
        assert not RAW_TAG.search(text), f"a raw tag was copied into {relative}"
        if APP_TEMPLATES.fullmatch(relative):
            continue
        leftover = JINJA_LEFTOVER.search(text)
        assert leftover is None, f"unrendered Jinja in {relative}: {text[leftover.start() - 40 : leftover.end()]!r}"
        if path.suffix in STRUCTURED:
            STRUCTURED[path.suffix](text)  # raises if the file does not parse

    code, data = answers["code_licence"], answers["data_licence"]
    licence_files = sorted(path.name for path in (project / "LICENSES").iterdir())
    assert licence_files == sorted([f"{code}.txt", f"{data}.txt", "BSD-2-Clause.txt"])  # BSD: vendored Leaflet
    licence_text = (project / "LICENSE").read_text(encoding="utf-8")
    assert licence_text == (project / "LICENSES" / f"{code}.txt").read_text(encoding="utf-8")
    assert licence_text.startswith(LICENCE_TITLES[code])
    assert len(licence_text) > 1000, "LICENSE must hold the licence's full text"
    assert (project / "LICENSES" / f"{data}.txt").read_text(encoding="utf-8").startswith(LICENCE_TITLES[data])

    reuse = tomllib.loads((project / "REUSE.toml").read_text(encoding="utf-8"))
    assert [(note["path"], note["SPDX-License-Identifier"]) for note in reuse["annotations"]] == [
        ("**", code),
        ("data/**", data),
        ("src/*/web/static/vendor/leaflet/**", "BSD-2-Clause"),
    ]
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == f"{code} AND BSD-2-Clause"  # the wheel ships Leaflet
    assert pyproject["project"]["requires-python"] == f">={answers['python_version']}"
    place = tomllib.loads((project / "place.toml").read_text(encoding="utf-8"))
    assert place["dataset"] == {"theme": answers["dataset_theme"], "licence": data}


@pytest.mark.parametrize("answers", MATRIX, ids=lambda row: "-".join(row.values()))
def test_every_licence_and_theme_generates_a_complete_project(cookies, template, answers) -> None:
    """Each combination bakes, renders fully, parses, and carries the chosen licences in full."""
    result = cookies.bake(extra_context=answers, template=str(template))
    assert result.exit_code == 0, result.exception
    check_project(result.project_path, answers)


def test_the_checklist_is_answered_with_evidence_that_exists(cookies, template) -> None:
    """Every checklist item has a valid status, and every file named as evidence exists."""
    project = cookies.bake(template=str(template)).project_path
    checklist = yaml.safe_load((project / "design-to-scale.yml").read_text(encoding="utf-8"))
    assert set(checklist["themes"]) == {"data", "technical", "resources", "knowledge", "collaboration"}
    statuses = set(checklist["statuses"])
    assert statuses == {"yes", "no", "partly", "not applicable"}
    items = [item for theme in checklist["themes"].values() for item in theme]
    assert len({item["id"] for item in items}) == len(items)
    for item in items:
        assert item["status"] in statuses, item["id"]
        assert item["question"].endswith("?"), item["id"]
        assert item["why"], item["id"]
        if item["status"] in {"yes", "partly"}:
            assert item["evidence"], f"{item['id']} is answered {item['status']} without evidence"
        for evidence in item["evidence"]:
            assert (project / evidence).exists(), f"{item['id']} names missing evidence {evidence}"


def _values_in_every_format(project: Path) -> dict[str, object]:
    """The answers as each structured file holds them, parsed by that format's own parser."""
    place = tomllib.loads((project / "place.toml").read_text(encoding="utf-8"))
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    reuse = tomllib.loads((project / "REUSE.toml").read_text(encoding="utf-8"))
    return {
        "place.toml place.name": place["place"]["name"],
        "place.toml organisation.name": place["organisation"]["name"],
        "place.toml organisation.url": place["organisation"]["url"],
        "place.toml organisation.contact_email": place["organisation"]["contact_email"],
        "place.toml map.centre": place["map"]["centre"],
        "pyproject.toml description": pyproject["project"]["description"],
        "pyproject.toml author": pyproject["project"]["authors"][0]["name"],
        "REUSE.toml copyright": reuse["annotations"][0]["SPDX-FileCopyrightText"],
    }


def _expected(answers: dict[str, str]) -> dict[str, object]:
    latitude, longitude = (float(part) for part in answers["map_centre"].split(","))
    return {
        "place.toml place.name": answers["place_name"],
        "place.toml organisation.name": answers["organisation_name"],
        "place.toml organisation.url": answers["organisation_url"],
        "place.toml organisation.contact_email": answers["contact_email"],
        "place.toml map.centre": [latitude, longitude],
        "pyproject.toml description": answers["description"],
        "pyproject.toml author": answers["organisation_name"],
        "REUSE.toml copyright": answers["copyright_holder"],
    }


def _markdown_text(path: Path) -> str:
    """What a reader sees of a Markdown file: rendered, tags stripped, entities decoded."""
    rendered = MarkdownIt("commonmark").render(path.read_text(encoding="utf-8"))
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


@pytest.mark.parametrize("tool", ["cookiecutter", "copier"])
def test_awkward_names_come_out_exactly_in_every_format(cookies, template, tmp_path, tool) -> None:
    """Welsh letters, apostrophes, ampersands and quotes survive TOML, YAML, JSON and Markdown."""
    if tool == "cookiecutter":
        result = cookies.bake(extra_context=AWKWARD_ANSWERS, template=str(template))
        assert result.exit_code == 0, result.exception
        project = result.project_path
        replay = json.loads((project / ".cookiecutter-replay.json").read_text(encoding="utf-8"))["cookiecutter"]
        recorded = {name: replay[name] for name in AWKWARD_ANSWERS}
    else:
        project = bake_with_copier(template, tmp_path / "project", AWKWARD_ANSWERS)
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
        recorded = {name: answers[name] for name in AWKWARD_ANSWERS}
    assert recorded == AWKWARD_ANSWERS
    assert _values_in_every_format(project) == _expected(AWKWARD_ANSWERS)
    check_project(project, {**AWKWARD_ANSWERS, **_default_choices()})

    readme = _markdown_text(project / "README.md")
    for name in ("project_name", "description", "place_name", "organisation_name"):
        assert AWKWARD_ANSWERS[name] in readme, f"{name} is not shown verbatim in README.md"
    assert AWKWARD_ANSWERS["copyright_holder"] in _markdown_text(project / "data" / "README.md")
    checklist_notes = yaml.safe_load((project / "design-to-scale.yml").read_text(encoding="utf-8"))
    assert checklist_notes["version"] == 1


def _default_choices() -> dict[str, str]:
    return {name: question.choices[0] for name, question in QUESTIONS.items() if question.choices}


def test_the_template_holds_no_place_specific_values() -> None:
    """The template tree itself names no place: every place value comes from an answer."""
    defaults = [QUESTIONS[name].default for name in ("place_name", "place_code", "organisation_name")]
    for path in (ROOT / "template").rglob("*"):
        if path.is_file() and path.suffix != ".png":  # Leaflet's images hold no text
            text = path.read_text(encoding="utf-8")
            for value in defaults:
                assert value not in text, f"{path.relative_to(ROOT)} names {value!r}"
