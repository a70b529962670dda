"""Write cookiecutter.json, copier.yml and the questions reference from questions.yml.

Run ``python3 scripts/sync_questions.py`` after editing ``questions.yml``;
``--check`` exits non-zero when a generated file is out of date (the tests
run it, so the three files can never drift apart).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from questions import Question, load  # noqa: E402

GENERATED = "Generated from questions.yml by scripts/sync_questions.py: edit that file instead."
PROJECT_TREE = "{{cookiecutter.project_slug}}"


def cookiecutter_json(questions: list[Question]) -> str:
    """cookiecutter.json: defaults and choices, prompts, and the shared filters."""
    context: dict[str, object] = {"_comment": GENERATED}
    for question in questions:
        context[question.name] = list(question.choices) if question.choices else question.default
    context["__prompts__"] = {question.name: question.help for question in questions}
    context["_extensions"] = ["local_extensions.TemplateFilters"]
    return json.dumps(context, indent=2, ensure_ascii=False) + "\n"


def copier_validator(question: Question) -> str:
    """A Jinja validator that shows the same message as the hooks' check."""
    rule = question.rule
    assert rule is not None
    pattern = f"^(?:{rule.pattern})$".replace("\\", "\\\\").replace("'", "\\'")
    value = f"({question.name} ~ '')"
    message = rule.message(question.name, "{{ " + question.name + " }}")
    refused = f"{value} | length > {rule.max_length} or not ({value} | regex_search('{pattern}'))"
    return f"{{% if {refused} %}}{message}{{% endif %}}"


def copier_yml(questions: list[Question]) -> str:
    """copier.yml: settings that make copier render the same tree, then the questions."""
    settings = {
        "_min_copier_version": "9.4.0",
        "_subdirectory": "template/{{ '" + PROJECT_TREE + "' }}",
        "_templates_suffix": "",
        "_answers_file": ".copier-answers.yml",
        "_tasks": [
            {
                "command": [
                    "{{ _copier_python }}",
                    "{{ _copier_conf.src_path }}/hooks/pre_gen_project.py",
                    "{{ cookiecutter | to_json }}",
                ]
            }
        ],
        # Updating across 0.2.0, where the app's code moved into the engine package: a team's change to a file
        # the update removes comes back as a conflict instead of vanishing (hooks/engine_move.py).
        "_migrations": [
            {
                "version": "v0.2.0",
                "command": ["{{ _copier_python }}", "{{ _copier_conf.src_path }}/hooks/engine_move.py"],
                "when": "{{ _stage == 'after' }}",
            }
        ],
    }
    body: dict[str, object] = {}
    for question in questions:
        entry: dict[str, object] = {"type": "str", "help": question.help}
        if question.choices:
            entry["choices"] = list(question.choices)
            entry["default"] = question.choices[0]
        else:
            entry["default"] = question.default.replace("cookiecutter.", "")
            entry["validator"] = copier_validator(question)
        body[question.name] = entry
    mapping = ", ".join(f"'{question.name}': {question.name}" for question in questions)
    body["cookiecutter"] = {
        "type": "json",
        "when": False,
        "help": "The answers under the name the template's files use, so one tree renders under both tools.",
        "default": "{{ {" + mapping + "} | to_json }}",
    }
    dump = {"allow_unicode": True, "sort_keys": False, "width": 100}
    return f"# {GENERATED}\n" + yaml.safe_dump(settings, **dump) + "\n" + yaml.safe_dump(body, **dump)


def questions_reference(questions: list[Question]) -> str:
    """docs/reference/questions.md: every question, its default and what it accepts."""
    lines = [
        "# Questions",
        "",
        f"<!-- {GENERATED} -->",
        "",
        "Every question the template asks, in order. Give answers at the prompts, or on the",
        "command line: `cookiecutter <template> place_name=Trafford` or",
        "`copier copy --trust --data place_name=Trafford <template> <folder>`.",
        "With `--no-input` (cookiecutter) or `--defaults` (copier) every question takes its default.",
        "",
    ]
    for question in questions:
        lines += [f"## `{question.name}`", "", question.help, ""]
        if question.choices:
            lines.append("Choices: " + ", ".join(f"`{choice}`" for choice in question.choices) + ".")
            lines.append(f"Default: `{question.choices[0]}`.")
        else:
            default = question.default.replace("cookiecutter.", "")
            shown = "derived from earlier answers" if "{{" in default else f"`{default}`"
            lines.append(f"Default: {shown}.")
        if question.rule:
            lines.append("")
            lines.append(f"Accepts {question.rule.means}, for example `{question.rule.example}`.")
        lines.append("")
    return "\n".join(lines)


def outputs() -> dict[Path, str]:
    """Each generated file and what it must contain."""
    questions = load()
    return {
        ROOT / "cookiecutter.json": cookiecutter_json(questions),
        ROOT / "copier.yml": copier_yml(questions),
        ROOT / "docs" / "reference" / "questions.md": questions_reference(questions),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a generated file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(path.relative_to(ROOT))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    for path in stale:
        print(f"{path} is out of date: run python3 scripts/sync_questions.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
