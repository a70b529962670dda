"""Generated projects across the answers matrix: complete, parseable and correctly escaped."""

from __future__ import annotations

import json
from itertools import product

import pytest
import yaml
from conftest import AWKWARD_ANSWERS, ROOT, bake_with_copier
from project_files import check_project, expected_values, markdown_text, values_in_every_format
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


def test_the_matrix_covers_every_pair() -> None:
    """The matrix pairs every code licence, data licence and theme with each other."""
    pairs = {(row["code_licence"], row["data_licence"]) for row in MATRIX}
    assert pairs == set(product(CODE_LICENCES, DATA_LICENCES))
    assert {(row["code_licence"], row["dataset_theme"]) for row in MATRIX} == set(product(CODE_LICENCES, THEMES))
    assert {(row["data_licence"], row["dataset_theme"]) for row in MATRIX} == set(product(DATA_LICENCES, THEMES))
    assert {row["python_version"] for row in MATRIX} == set(PYTHONS)


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
    assert values_in_every_format(project) == expected_values(AWKWARD_ANSWERS)
    check_project(project, {**AWKWARD_ANSWERS, **_default_choices()})

    readme = markdown_text(project / "README.md")
    for name in ("project_name", "description", "place_name", "organisation_name"):
        assert AWKWARD_ANSWERS[name] in readme, f"{name} is not shown verbatim in README.md"
    assert AWKWARD_ANSWERS["copyright_holder"] in markdown_text(project / "data" / "README.md")
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
