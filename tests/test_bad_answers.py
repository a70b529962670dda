"""Bad answers stop generation under both tools, with one clear message and nothing left behind."""

from __future__ import annotations

import pytest
from conftest import left_behind, run_tool

# (question, bad answer, words the message must contain)
BAD_ANSWERS = [
    ("place_code", "E8000009", "an ONS GSS code"),
    ("project_slug", "Public Toilets!", "lower-case letters, digits and single hyphens"),
    ("package_name", "public-toilets", "a Python package name"),
    ("package_name", "json", "not a Python keyword or standard-library module"),
    ("contact_email", "opendata-at-council", "an e-mail address"),
    ("organisation_url", "www.trafford.gov.uk", "a web address starting with https://"),
    ("place_name", "<script>alert(1)</script>", "a name of letters, digits, spaces"),
    ("map_centre", "40.0, -2.36", "inside the United Kingdom"),
]
IDS = [f"{question}-{value}" for question, value, _ in BAD_ANSWERS]


def _assert_refused(outcome, output_dir, question: str, value: str, words: str) -> None:
    assert outcome.returncode != 0
    assert f'{question}: "{value}" is not' in outcome.stderr
    assert words in outcome.stderr
    assert "For example:" in outcome.stderr
    assert not output_dir.exists() or not any(output_dir.iterdir()), "a half-written project was left behind"


@pytest.mark.parametrize(("question", "value", "words"), BAD_ANSWERS, ids=IDS)
def test_cookiecutter_refuses_a_bad_answer_and_leaves_nothing(template, tmp_path, question, value, words) -> None:
    """Cookiecutter stops, says which answer is wrong and how, and writes no project."""
    output_dir = tmp_path / "out"
    outcome = run_tool(
        "cookiecutter", template, "--no-input", "--output-dir", output_dir, f"{question}={value}", cwd=tmp_path
    )
    _assert_refused(outcome, output_dir, question, value, words)
    # Cookiecutter's copy of the template, and the answer check as rendered with the answers, are gone too.
    assert left_behind(tmp_path) == []
    assert not any((tmp_path / "tmp").iterdir()), "cookiecutter's folder for its copy of the template is left"


@pytest.mark.parametrize(("question", "value", "words"), BAD_ANSWERS, ids=IDS)
def test_copier_refuses_a_bad_answer_and_leaves_nothing(template, tmp_path, question, value, words) -> None:
    """Copier stops, says which answer is wrong and how, and leaves no project folder."""
    destination = tmp_path / "project"
    outcome = run_tool(
        "copier", "copy", "--trust", "--defaults", "--data", f"{question}={value}", template, destination, cwd=tmp_path
    )
    _assert_refused(outcome, destination, question, value, words)


@pytest.mark.parametrize("tool", ["cookiecutter", "copier"])
def test_a_bad_derived_default_is_refused_too(template, tmp_path, tool) -> None:
    """A project name whose derived slug is not valid is caught, though only the name was given."""
    output = tmp_path / "out"
    if tool == "cookiecutter":
        command = [tool, template, "--no-input", "--output-dir", output, "project_name=2026 Toilets"]
    else:
        command = [tool, "copy", "--trust", "--defaults", "--data", "project_name=2026 Toilets", template, output]
    outcome = run_tool(*command, cwd=tmp_path)
    _assert_refused(outcome, output, "project_slug", "2026-toilets", "starting with a letter")


def test_every_problem_is_reported_at_once(template, tmp_path) -> None:
    """Several bad answers are all listed, so one correction run fixes them all."""
    outcome = run_tool(
        "cookiecutter",
        template,
        "--no-input",
        "--output-dir",
        tmp_path / "out",
        "place_code=nope",
        "contact_email=nope",
        cwd=tmp_path,
    )
    assert outcome.returncode != 0
    assert 'place_code: "nope"' in outcome.stderr
    assert 'contact_email: "nope"' in outcome.stderr
    assert "No project was generated." in outcome.stderr
