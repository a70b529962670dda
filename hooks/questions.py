"""The template's questions and the rules their answers must follow.

Both tools' hooks call :func:`check_answers` before a project is written, so a
bad answer is refused with the same message under cookiecutter and copier.
The questions themselves are described once, in ``questions.yml``.
"""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DESCRIPTION = Path(__file__).resolve().parent.parent / "questions.yml"

# The United Kingdom, with a margin, in WGS84 degrees: the map must open there.
UK_LATITUDE = (49.8, 60.9)
UK_LONGITUDE = (-8.7, 1.8)


@dataclass(frozen=True)
class Rule:
    """What a good answer looks like, and how to say so when it is not."""

    name: str
    pattern: str
    max_length: int
    means: str
    example: str

    def message(self, question: str, value: object) -> str:
        """The one error message both tools show for a bad answer."""
        return f'{question}: "{value}" is not {self.means}. For example: {self.example}'


@dataclass(frozen=True)
class Question:
    """One question, as ``questions.yml`` describes it."""

    name: str
    help: str
    default: str
    choices: tuple[str, ...] = ()
    rule: Rule | None = None


def load(path: Path = DESCRIPTION) -> list[Question]:
    """Read the questions, in the order they are asked."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = {name: Rule(name=name, **fields) for name, fields in data["rules"].items()}
    questions = []
    for name, fields in data["questions"].items():
        choices = tuple(str(choice) for choice in fields.get("choices", ()))
        questions.append(
            Question(
                name=name,
                help=" ".join(fields["help"].split()),
                default=str(fields["default"]) if "default" in fields else choices[0],
                choices=choices,
                rule=rules[fields["rule"]] if "rule" in fields else None,
            )
        )
    return questions


def problem_with(question: Question, value: object) -> str | None:
    """Say what is wrong with one answer, or return None when it is good."""
    if question.choices:
        if value not in question.choices:
            allowed = ", ".join(question.choices)
            return f'{question.name}: "{value}" is not one of the choices. Choose one of: {allowed}'
        return None
    rule = question.rule
    if rule is None:
        return None
    text = value if isinstance(value, str) else ""
    if len(text) > rule.max_length or not re.fullmatch(rule.pattern, text):
        return rule.message(question.name, value)
    if rule.name == "package" and (keyword.iskeyword(text) or text in sys.stdlib_module_names):
        return rule.message(question.name, value)
    if rule.name == "lat_lon" and not _inside_uk(text):
        return rule.message(question.name, value)
    return None


def _inside_uk(lat_lon: str) -> bool:
    latitude, longitude = (float(part) for part in lat_lon.split(","))
    return UK_LATITUDE[0] <= latitude <= UK_LATITUDE[1] and UK_LONGITUDE[0] <= longitude <= UK_LONGITUDE[1]


def check_answers(answers: dict[str, Any], questions: list[Question] | None = None) -> list[str]:
    """Every problem with a set of answers, one message each, in question order."""
    problems = []
    for question in questions or load():
        if question.name not in answers:
            problems.append(f"{question.name}: no answer was given. Answer it, or leave it to its default.")
            continue
        problem = problem_with(question, answers[question.name])
        if problem:
            problems.append(problem)
    return problems


def report(problems: list[str]) -> None:
    """Print each problem and what to do, on standard error, as every route into the template does."""
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    if problems:
        print("No project was generated. Correct the answers above and run the command again.", file=sys.stderr)
