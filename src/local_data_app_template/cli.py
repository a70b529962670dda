"""``local-data-app-template new``: generate a local data app from the installed template.

For networks that reach a PyPI mirror but not GitHub: ``uvx local-data-app-template new``
or ``pipx run local-data-app-template new`` asks the template's questions and
writes the project, exactly as ``cookiecutter`` from a git checkout does.
Answers go on the command line as ``name=value``; ``--no-input`` takes the
defaults for the rest. ``path`` prints where the template is, for
``cookiecutter --replay-file`` and ``copier`` commands that need it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from local_data_app_template.bundle import copy_template, template_root


def question_names() -> list[str]:
    """The template's questions, in the order it asks them."""
    asked = json.loads((template_root() / "cookiecutter.json").read_text(encoding="utf-8"))
    return [name for name in asked if not name.startswith("_")]


def answers_from(pairs: Sequence[str]) -> dict[str, str]:
    """``["place_name=Wrexham", ...]`` as a mapping; a malformed pair or unknown question is refused by name."""
    known = question_names()
    answers = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise SystemExit(f"error: {pair!r} is not an answer: write name=value, for example place_name=Wrexham.")
        if name not in known:
            raise SystemExit(f"error: {name!r} is not one of the questions: {', '.join(known)}.")
        answers[name] = value
    return answers


def problems_with_given(answers: dict[str, str]) -> list[str]:
    """What is wrong with the answers given, read literally, before cookiecutter sees them.

    Cookiecutter renders answers given without prompts as Jinja, so
    ``place_name={{ 7 * 7 }}`` would become "49" and a broken ``{{`` a
    traceback. No good answer holds a brace, so checking them first keeps them
    literal, as copier takes them; derived answers are still checked by the hook.
    """
    hooks = str(template_root() / "hooks")
    if hooks not in sys.path:
        sys.path.insert(0, hooks)
    from questions import load, problem_with

    questions = {question.name: question for question in load()}
    found = (problem_with(questions[name], value) for name, value in answers.items())
    return [problem for problem in found if problem]


@contextlib.contextmanager
def temporary_files_in(folder: str) -> Iterator[None]:
    """Have cookiecutter make its temporary files and folders in ``folder``, which is removed after.

    Cookiecutter leaves a copy of the template, and each hook as rendered with
    the answers, in the temporary folder; made in the scratch folder, they go
    with it.
    """
    before = tempfile.tempdir
    tempfile.tempdir = folder
    try:
        yield
    finally:
        tempfile.tempdir = before


def new(arguments: argparse.Namespace) -> int:
    """Generate a project with cookiecutter from a scratch copy of the template."""
    from cookiecutter.exceptions import CookiecutterException, FailedHookException
    from cookiecutter.main import cookiecutter

    answers = answers_from(arguments.answers)
    if arguments.replay_file and (answers or arguments.no_input):
        print("error: --replay-file takes every answer from the file: give no other answers.", file=sys.stderr)
        return 2
    if problems := problems_with_given(answers):
        from questions import report

        report(problems)
        return 1
    # The answer check prints what to correct; cookiecutter's own log would add a traceback to it.
    cookiecutter_log = logging.getLogger("cookiecutter")
    cookiecutter_log.addHandler(logging.NullHandler())
    cookiecutter_log.propagate = False
    with tempfile.TemporaryDirectory() as scratch, temporary_files_in(scratch):
        template = copy_template(Path(scratch) / "local-data-app-template")
        try:
            if arguments.replay_file:
                project = cookiecutter(
                    str(template), replay=str(arguments.replay_file), output_dir=str(arguments.output_dir)
                )
            else:
                project = cookiecutter(
                    str(template),
                    no_input=arguments.no_input,
                    extra_context=answers,
                    output_dir=str(arguments.output_dir),
                )
        except FailedHookException:
            return 1  # the answer check has printed what to correct
        except CookiecutterException as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    print(f"Generated {project}")
    return 0


def show_path(_: argparse.Namespace) -> int:
    """Print the template's folder, for commands that take it (cookiecutter --replay-file, copier copy)."""
    print(template_root())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="local-data-app-template", description="Generate local open data apps that scale from their first commit."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("new", help="generate a project, asking the questions not answered here")
    generate.add_argument("answers", nargs="*", metavar="name=value", help="answers, e.g. place_name=Wrexham")
    generate.add_argument("--no-input", action="store_true", help="take the defaults for questions not answered")
    generate.add_argument("--output-dir", type=Path, default=Path.cwd(), help="where to write the project folder")
    generate.add_argument("--replay-file", type=Path, help="regenerate from a project's .cookiecutter-replay.json")
    generate.set_defaults(run=new)
    where = commands.add_parser("path", help="print the folder holding the template, for cookiecutter and copier")
    where.set_defaults(run=show_path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit status: 0 done, 1 refused answers or a failed generation, 2 a usage error."""
    arguments = build_parser().parse_args(argv)
    return arguments.run(arguments)
