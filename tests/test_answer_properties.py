"""Property-based tests over the questions: whatever the answers, a clean project or a clean refusal.

Hypothesis draws answer sets from Welsh, Scottish Gaelic and Irish place and
organisation names, awkward punctuation, Jinja-looking text, control
characters and overlong values. Whatever the answer check decides is what
must happen: an accepted set generates a project whose structured files parse,
whose values come out exactly, whose settings load and whose pages, export and
own checks work; a refused set stops with the check's message and leaves no
folder. One project from the far end of what is accepted (FAR_END_ANSWERS)
is among the projects tests/baked.py lists, so it runs its whole test suite.
"""

from __future__ import annotations

import html.parser
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from baked import package_of, uv_in
from conftest import FAR_END_ANSWERS, ROOT, left_behind, run_tool
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from jinja2.sandbox import SandboxedEnvironment
from jinja2_ansible_filters import AnsibleCoreFiltersExtension
from project_files import check_project, expected_values, markdown_text, values_in_every_format
from questions import check_answers, load, problem_with
from sync_questions import copier_validator

import local_extensions

QUESTIONS = {question.name: question for question in load()}
DERIVED = ("project_slug", "package_name", "copyright_holder")

# Letters of Welsh, Scottish Gaelic and Irish names; every made-up word holds one, as no word of code does.
ACCENTED = "âêîôûŵŷäëïöüẅÿáéíóúẃýàèìòùẁỳ"
ACCENTED += ACCENTED.upper()
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + ACCENTED
WORDS = st.builds(
    "".join,
    st.tuples(st.text(LETTERS, max_size=6), st.sampled_from(ACCENTED), st.text(LETTERS, max_size=6)),
)
PLACES = [
    "Ynys Môn",
    "Pen-y-bont ar Ogwr",
    "Rhondda Cynon Taf",
    "Sir Gâr",
    "Bro Morgannwg",
    "Na h-Eileanan Siar",
    "Dùn Èideann",
    "Obar Dheathain",
    "Béal Feirste",
    "Ard Mhacha, An Bhanna agus Creag Abhann",
    "Doire agus an Srath Bán",
    "King's Lynn and West Norfolk",
    "King\u2019s Lynn",
    "Brighton & Hove",
    "St. Helens",
    "Stoke-on-Trent",
    "Street",
    "Sale",
    "Bury",
    "Rye",
]
ORGANISATIONS = [
    "Cyngor Sir Ynys Môn",
    "Comhairle nan Eilean Siar",
    "Comhairle Cathrach Bhéal Feirste",
    "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr",
    "Royal Borough of Kensington & Chelsea",
    "Dŵr Cymru (Welsh Water)",
    "Bath/North East Somerset",
]
# Text that means something to Jinja, TOML, YAML, JSON, Markdown, HTML or a shell.
HOSTILE = [
    "{{ cookiecutter.place_code }}",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "{# note #}",
    "}}",
    "\\",
    "\\n",
    '"',
    "'''",
    '"""',
    "<b>",
    "</script>",
    "${{ secrets.TOKEN }}",
    "$(id)",
    "\n",
    "\t",
    "\r",
    "\x07",
    "|",
    "#",
    "*",
    "_",
    "`",
    "[link](x)",
    "--- ",
    "\u202e",
    "\u00a0",
    "key: value",
    "= 1",
]


def _names(count: int) -> st.SearchStrategy[str]:
    """Real names, names joined with the punctuation names use, and names near and past the length limit."""
    real = st.sampled_from(PLACES + ORGANISATIONS)
    joined = st.lists(st.one_of(real, WORDS), min_size=1, max_size=count).map(" ".join)
    long = st.builds(lambda name, repeat: " ".join([name] * repeat)[:120], real, st.integers(3, 12))
    return st.one_of(real, joined, long)


DESCRIPTIONS = st.builds(
    lambda name, place, end: f'Find "{name}" in {place}: open data; 100% free{end}',
    _names(2),
    st.sampled_from(PLACES),
    st.sampled_from(["!", "?", ".", " \u2013 fast", " + maps"]),
)
LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
URLS = st.builds(
    lambda scheme, labels, path: f"{scheme}://{'.'.join(labels)}.gov.uk{path}",
    st.sampled_from(["https", "http"]),
    st.lists(LABEL, min_size=1, max_size=3),
    st.sampled_from(["", "/", "/data?a=1&b=2", "/en/Residents/(open)", "/a's:b@c;d=e~f", "/%C3%B4n"]),
)
EMAILS = st.builds(
    lambda local, domain: f"{local}@{domain}.gov.uk",
    st.from_regex(r"[a-z0-9](?:[a-z0-9.+_-]{0,20}[a-z0-9])?", fullmatch=True),
    LABEL,
)
CENTRES = st.builds(
    lambda latitude, longitude, gap: f"{latitude:.4f},{gap}{longitude:.4f}",
    st.floats(49.9, 60.8),
    st.floats(-8.6, 1.7),
    st.sampled_from(["", " "]),
)
GOOD = {
    "project_name": _names(3),
    "description": DESCRIPTIONS,
    "place_name": _names(2),
    "place_code": st.from_regex(r"[ENSWK][0-9]{8}", fullmatch=True),
    "map_centre": CENTRES,
    "organisation_name": _names(3),
    "organisation_url": URLS,
    "contact_email": EMAILS,
    "copyright_holder": _names(2),
}
CHOSEN = {name: st.sampled_from(question.choices) for name, question in QUESTIONS.items() if question.choices}


@st.composite
def answer_sets(draw: st.DrawFn, *, literal_only: bool = True) -> dict[str, str]:
    """Answers to every question but the derived ones, one of them perhaps spoiled with hostile text."""
    answers = {name: draw(strategy) for name, strategy in {**GOOD, **CHOSEN}.items()}
    if draw(st.booleans()):
        del answers["copyright_holder"]  # derived from the organisation's name
    if draw(st.booleans()):
        spoiled = draw(st.sampled_from(sorted(answers)))
        where = draw(st.sampled_from(["before", "inside", "after", "instead"]))
        bad = draw(st.sampled_from(HOSTILE))
        value = answers[spoiled]
        middle = len(value) // 2
        answers[spoiled] = {
            "before": bad + value,
            "inside": value[:middle] + bad + value[middle:],
            "after": value + bad,
            "instead": bad,
        }[where]
    return answers


def derived(answers: dict[str, str]) -> dict[str, str]:
    """Every answer, the derived ones worked out from the others as both tools do."""
    environment = SandboxedEnvironment(extensions=[local_extensions.TemplateFilters])
    full: dict[str, str] = {}
    for name, question in QUESTIONS.items():
        if name in answers:
            full[name] = answers[name]
        else:
            full[name] = environment.from_string(question.default).render(cookiecutter=full)
    return full


def test_the_far_end_answers_are_accepted_at_every_limit() -> None:
    """The baked far-end project (tests/baked.py) is as long and as awkward as the check allows, and no further."""
    assert check_answers(derived(FAR_END_ANSWERS)) == []
    for name, value in FAR_END_ANSWERS.items():
        rule = QUESTIONS[name].rule
        if rule and rule.name in {"name", "text", "slug"}:
            assert len(value) == rule.max_length, name
            assert problem_with(QUESTIONS[name], value + "s") is not None, f"{name} one letter longer is accepted"


# The fast property: copier's prompt-time validators agree with the hook on any text at all.

ANY_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(LETTERS + " '\u2019&.,()/-;:!?%+\"\u2013\u2014", max_size=60),
    st.lists(st.sampled_from(HOSTILE + PLACES), min_size=1, max_size=4).map("".join),
    st.text(LETTERS, min_size=290, max_size=310),
)


def _extra_checks_only(question_name: str, value: str) -> bool:
    """Refusals that only the hook makes: no pattern can tell them (keywords, stdlib names, the UK's bounds)."""
    rule = QUESTIONS[question_name].rule
    assert rule is not None
    if value.endswith("\n") and problem_with(QUESTIONS[question_name], value[:-1]) is None:
        return True  # a pattern's $ matches before a final newline; the hook's fullmatch does not
    return rule.name in {"package", "lat_lon"}


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(name=st.sampled_from([name for name, question in QUESTIONS.items() if question.rule]), value=ANY_TEXT)
def test_copier_and_the_hook_agree_on_any_text(name: str, value: str) -> None:
    """Whatever copier's validator refuses, the hook refuses with the same words; what the hook accepts, copier does."""
    environment = SandboxedEnvironment(extensions=[AnsibleCoreFiltersExtension], keep_trailing_newline=True)
    shown = environment.from_string(copier_validator(QUESTIONS[name])).render({name: value}).strip()
    hook = problem_with(QUESTIONS[name], value)
    if hook is None:
        assert shown == ""
    elif shown:
        assert shown == hook.strip()
    else:
        assert _extra_checks_only(name, value), f"copier accepts {value!r} for {name}; the hook says: {hook}"


# The slow property: generation itself, through copier and through the package's `new` (cookiecutter underneath).


@pytest.fixture(scope="module")
def runtime(template, tmp_path_factory) -> Path:
    """A Python environment with the generated app's dependencies, to run any generated project's code in."""
    where = tmp_path_factory.mktemp("env")
    made = run_tool("cookiecutter", template, "--no-input", "--output-dir", "out", cwd=where)
    assert made.returncode == 0, made.stderr
    assert left_behind(where) == [], "the answer check, rendered with the answers, was left in the temporary folder"
    project = next((where / "out").iterdir())
    uv_in(project, "sync", "--quiet")
    return project / ".venv" / "bin" / "python"


RUN_THE_APP = """
import contextlib, io, json, sys
from importlib import import_module
main = import_module(sys.argv[1] + ".cli").main
said = {}
for name, argv in [
    ("config", ["config", "--format", "json"]),
    ("ingest", ["ingest"]),
    ("export", ["export", "site"]),
    ("check", ["check", "--format", "json"]),
]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["--config", "place.toml", *argv])
    said[name] = {"status": status, "out": out.getvalue()}
print(json.dumps(said))
"""


def generate(
    tool: str, answers: dict[str, str], template: Path, where: Path
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Generate with copier (answers in a data file) or with the package's `new` (answers as arguments)."""
    if tool == "copier":
        data = where / "answers.yml"
        data.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
        project = where / "project"
        command = ["copier", "copy", "--trust", "--defaults", "--data-file", data, template, project]
        return run_tool(*command, cwd=where), project
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COOKIECUTTER_CONFIG": str(where / "none.yaml")}
    (where / "none.yaml").write_text("{}\n", encoding="utf-8")
    arguments = [f"{name}={value}" for name, value in answers.items()]
    outcome = subprocess.run(
        [sys.executable, "-m", "local_data_app_template", "new", "--no-input", "--output-dir", "out", *arguments],
        cwd=where,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return outcome, where / "out"


class _Text(html.parser.HTMLParser):
    """The text of an HTML page, as a reader sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def page_text(path: Path) -> str:
    reader = _Text()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return " ".join(" ".join(reader.parts).split())


def assert_the_app_runs(python: Path, project: Path, full: dict[str, str]) -> None:
    """Its settings load with the answers, it ingests its sample, exports its pages, and its own checks pass."""
    environment = {**os.environ, "PYTHONPATH": str(project / "src")}
    environment.pop("VIRTUAL_ENV", None)
    ran = subprocess.run(
        [str(python), "-c", RUN_THE_APP, package_of(project)],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert ran.returncode == 0, ran.stderr
    said: dict[str, Any] = json.loads(ran.stdout)
    report = json.loads(said["check"]["out"])
    assert report["counts"]["failed"] == 0, [check for check in report["checks"] if check["status"] == "failed"]
    assert {name: step["status"] for name, step in said.items()} == dict.fromkeys(said, 0), said
    loaded = {item["key"]: item["value"] for item in json.loads(said["config"]["out"])["settings"]}
    assert loaded["place.name"] == full["place_name"]
    assert loaded["place.code"] == full["place_code"]
    assert loaded["organisation.name"] == full["organisation_name"]
    assert loaded["organisation.url"] == full["organisation_url"]
    assert loaded["map.centre"] == [float(part) for part in full["map_centre"].split(",")]
    # Names reach the pages as text, never as markup.
    site = project / "site"
    for page in ("index.html", "about.html"):
        text = page_text(site / page)
        for name in ("organisation_name", "place_name"):
            assert " ".join(full[name].split()) in text, f"{name} {full[name]!r} is not shown as text on {page}"


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # each example bakes a project: report a failure as found, unshrunk
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(answers=answer_sets(), tool=st.sampled_from(["copier", "new"]))
def test_any_answers_give_a_working_project_or_a_clean_refusal(
    answers: dict[str, str], tool: str, runtime: Path, template: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Accepted answers make a project that parses, loads and runs; refused ones say why and leave nothing."""
    full = derived(answers)
    problems = check_answers(full)
    event(f"{tool}: {'refused' if problems else 'accepted'}")
    where = tmp_path_factory.mktemp("answers")
    outcome, output = generate(tool, answers, template, where)
    if problems:
        assert outcome.returncode != 0
        said = list(problems)
        if tool == "copier":  # copier checks choices itself, naming the question and listing the choices
            said += [f"Invalid choice for '{name}'" for name in CHOSEN if full[name] not in QUESTIONS[name].choices]
        assert any(message in outcome.stderr for message in said), outcome.stderr[-2000:]
        assert "Traceback" not in outcome.stderr or tool == "copier"  # copier prints its own traceback after
        assert not output.exists() or not any(output.iterdir()), "a half-written project was left behind"
        return
    assert outcome.returncode == 0, outcome.stderr[-3000:]
    project = output if tool == "copier" else output / full["project_slug"]
    check_project(project, full)
    assert values_in_every_format(project) == expected_values(full)
    readme = markdown_text(project / "README.md")
    for name in ("project_name", "description", "place_name", "organisation_name"):
        assert full[name] in readme, f"{name} {full[name]!r} is not shown verbatim in README.md"
    assert_the_app_runs(runtime, project, full)
