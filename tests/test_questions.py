"""The one description of the questions, the files generated from it, and its rules."""

from __future__ import annotations

import json

import pytest
import yaml
from copier._main import Worker
from jinja2.sandbox import SandboxedEnvironment
from jinja2_ansible_filters import AnsibleCoreFiltersExtension
from questions import check_answers, load, problem_with
from sync_questions import ROOT, copier_validator, outputs

import local_extensions

QUESTIONS = {question.name: question for question in load()}
DEFAULTS = {name: question.default for name, question in QUESTIONS.items()}

# The public contract: users' replay files and scripts depend on these names.
CONTRACT = [
    "project_name",
    "project_slug",
    "package_name",
    "description",
    "place_name",
    "place_code",
    "organisation_name",
    "organisation_url",
    "contact_email",
    "dataset_theme",
    "code_licence",
    "data_licence",
    "copyright_holder",
    "python_version",
]

GOOD = [
    ("place_name", "Ynys Môn"),
    ("place_name", "King's Lynn and West Norfolk"),
    ("place_name", "Brighton & Hove"),
    ("place_name", "Na h-Eileanan Siar"),
    ("place_name", "Bath and North East Somerset"),
    ("place_name", "St. Helens"),
    ("organisation_name", "Comhairle nan Eilean Siar"),
    ("organisation_name", "Cyngor Gwynedd"),
    ("project_name", "Toiledau Cyhoeddus"),
    ("place_code", "E08000009"),
    ("place_code", "W06000001"),
    ("place_code", "S12000013"),
    ("place_code", "N09000003"),
    ("place_code", "K02000001"),
    ("project_slug", "bin-day-finder"),
    ("package_name", "bin_day_finder2"),
    ("organisation_url", "https://www.trafford.gov.uk"),
    ("organisation_url", "http://localhost:8000/data?a=1&b=2"),
    ("contact_email", "open.data+apps@council.gov.uk"),
    ("map_centre", "53.42, -2.36"),
    ("map_centre", "57.5,-7.3"),
    ("description", "Find toilets: open, free & accessible!"),
    ("code_licence", "EUPL-1.2"),
    ("data_licence", "ODbL-1.0"),
    ("python_version", "3.13"),
]

BAD = [
    ("place_code", "E8000009"),
    ("place_code", "e08000009"),
    ("place_code", "X08000009"),
    ("place_code", "E080000091"),
    ("place_code", "E08000009\n"),
    ("project_slug", "Public Toilets"),
    ("project_slug", "public--toilets"),
    ("project_slug", "-toilets"),
    ("project_slug", "2024-toilets"),
    ("package_name", "public-toilets"),
    ("package_name", "class"),
    ("package_name", "json"),
    ("package_name", "_private"),
    ("contact_email", "opendata"),
    ("contact_email", "open data@council.gov.uk"),
    ("contact_email", "opendata@localhost"),
    ("organisation_url", "www.trafford.gov.uk"),
    ("organisation_url", "ftp://trafford.gov.uk"),
    ("organisation_url", "https://"),
    ("place_name", "<script>alert(1)</script>"),
    ("place_name", "{{ cookiecutter.place_code }}"),
    ("place_name", ""),
    ("place_name", "Trafford\u0007"),
    ("organisation_name", "Council *of* [Things]"),
    ("project_name", "x" * 101),
    ("description", "Tabs\tand\nnewlines"),
    ("map_centre", "53.42"),
    ("map_centre", "48.0, -2.36"),
    ("map_centre", "53.42, 4.0"),
    ("map_centre", "fifty, two"),
    ("code_licence", "Proprietary"),
    ("data_licence", "All rights reserved"),
    ("python_version", "2.7"),
]


def test_the_generated_files_match_the_description() -> None:
    """cookiecutter.json, copier.yml and the questions reference are what the description generates."""
    for path, text in outputs().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run python3 scripts/sync_questions.py"


def test_both_tools_ask_the_contracted_questions_in_order() -> None:
    """Both tools ask the public questions, in the same order, with the same defaults."""
    cookiecutter = json.loads((ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    copier = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    asked_by_cookiecutter = [name for name in cookiecutter if not name.startswith("_")]
    asked_by_copier = [name for name in copier if not name.startswith("_") and name != "cookiecutter"]
    assert asked_by_cookiecutter == asked_by_copier
    assert set(CONTRACT) <= set(asked_by_copier)
    for name in asked_by_copier:
        default = cookiecutter[name][0] if isinstance(cookiecutter[name], list) else cookiecutter[name]
        assert default.replace("cookiecutter.", "") == copier[name]["default"]


def test_every_question_is_documented() -> None:
    """The questions reference has a section for every question."""
    reference = (ROOT / "docs" / "reference" / "questions.md").read_text(encoding="utf-8")
    for name in QUESTIONS:
        assert f"## `{name}`" in reference


def test_no_closed_licence_is_offered() -> None:
    """Every licence choice is an open licence's SPDX identifier."""
    open_code = ("MIT", "Apache-2.0", "EUPL-1.2", "AGPL-3.0-or-later", "GPL-3.0-or-later")
    assert QUESTIONS["code_licence"].choices == open_code
    assert QUESTIONS["data_licence"].choices == ("OGL-UK-3.0", "CC-BY-4.0", "CC0-1.0", "ODbL-1.0")


def test_the_default_answers_are_good() -> None:
    """The defaults pass every rule, so --no-input and --defaults give a project."""
    rendered = dict(DEFAULTS, project_slug="public-toilet-finder", package_name="public_toilet_finder")
    rendered["copyright_holder"] = rendered["organisation_name"]
    assert check_answers(rendered) == []


@pytest.mark.parametrize(("name", "value"), GOOD)
def test_it_accepts_real_answers(name: str, value: str) -> None:
    """It accepts names and codes that real UK councils use."""
    assert problem_with(QUESTIONS[name], value) is None


@pytest.mark.parametrize(("name", "value"), BAD)
def test_it_refuses_a_bad_answer_naming_the_question_and_the_value(name: str, value: str) -> None:
    """Its message names the question, shows the bad value and says what a good one is."""
    message = problem_with(QUESTIONS[name], value)
    assert message is not None
    assert message.startswith(f'{name}: "{value}" is not ')
    question = QUESTIONS[name]
    good_example = question.rule.example if question.rule else question.choices[0]
    assert good_example in message


def test_a_missing_answer_is_reported() -> None:
    """An answer left out entirely is named."""
    answers = dict(DEFAULTS, project_slug="a", package_name="a", copyright_holder="A")
    del answers["place_code"]
    assert check_answers(answers) == ["place_code: no answer was given. Answer it, or leave it to its default."]


def _copier_environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(extensions=[AnsibleCoreFiltersExtension], keep_trailing_newline=True)


@pytest.mark.parametrize(("name", "value"), [(name, value) for name, value in BAD if QUESTIONS[name].rule])
def test_copier_validators_say_what_the_hook_says(name: str, value: str) -> None:
    """Copier's prompt-time validator refuses what the hook refuses where a pattern can tell, with the same words."""
    question = QUESTIONS[name]
    shown = _copier_environment().from_string(copier_validator(question)).render({name: value}).strip()
    hook_message = problem_with(question, value)
    if shown:
        assert shown == hook_message
    else:  # only the hook's extra checks can catch these: keywords, stdlib names, the UK's bounds, a final newline
        assert value in {"class", "json", "48.0, -2.36", "53.42, 4.0", "E08000009\n"}


@pytest.mark.parametrize(("name", "value"), [(name, value) for name, value in GOOD if QUESTIONS[name].rule])
def test_copier_validators_accept_good_answers(name: str, value: str) -> None:
    """Copier's validator passes every answer the hook accepts."""
    shown = _copier_environment().from_string(copier_validator(QUESTIONS[name])).render({name: value})
    assert shown.strip() == ""


@pytest.mark.parametrize(
    ("project_name", "slug"),
    [
        ("Public Toilet Finder", "public-toilet-finder"),
        ("Toiledau Cyhoeddus Môn", "toiledau-cyhoeddus-mon"),
        ("King's Lynn Bin Days", "kings-lynn-bin-days"),
        ("Brighton & Hove Food Map", "brighton-hove-food-map"),
        ("Ŵyl Fwyd Ŷ Fenni", "wyl-fwyd-y-fenni"),
        ("Leithris Phoiblí agus Toiledau Cyhoeddus Finder", "leithris-phoibli-agus-toiledau-cyhoeddus"),
        ("Toiledau Cyhoeddus Leithris Phoiblí Môn Y Fenni", "toiledau-cyhoeddus-leithris-phoibli-mon"),
    ],
)
def test_the_slug_is_derived_alike_by_both_tools(project_name: str, slug: str) -> None:
    """Both tools derive the same slug, transliterating Welsh and Gaelic letters."""
    default = QUESTIONS["project_slug"].default
    copier_env = _copier_environment()
    by_copier = copier_env.from_string(default.replace("cookiecutter.", "")).render(project_name=project_name)
    cookiecutter_env = SandboxedEnvironment(extensions=[local_extensions.TemplateFilters])
    by_cookiecutter = cookiecutter_env.from_string(default).render(cookiecutter={"project_name": project_name})
    assert by_copier == by_cookiecutter == slug


@pytest.mark.parametrize(
    ("filter_name", "arguments"),
    [
        ("to_json", ("Ynys Môn & King's",)),
        ("regex_replace", ("King\u2019s Lynn", "['\u2019]", "")),
        ("regex_search", ("E08000009", "^[ENSWK][0-9]{8}$")),
        ("regex_search", ("nope", "^[0-9]+$")),
    ],
)
def test_cookiecutters_filters_match_copiers(filter_name: str, arguments: tuple[str, ...]) -> None:
    """The filters cookiecutter gets from local_extensions give what copier's give."""
    ours = getattr(local_extensions, filter_name)(*arguments)
    theirs = _copier_environment().filters[filter_name](*arguments)
    assert ours == theirs


def test_copier_reads_the_generated_copier_yml(template) -> None:
    """Copier itself parses copier.yml and finds every question."""
    with Worker(src_path=str(template), defaults=True, unsafe=True) as worker:
        found = set(worker.template.questions_data)
    assert set(QUESTIONS) | {"cookiecutter"} == found
