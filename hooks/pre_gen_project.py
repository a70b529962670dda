"""Refuse bad answers before a project is kept.

Cookiecutter renders this file with Jinja and runs it before writing any file,
deleting the new folder when it fails. Copier runs it as the first task, with
the answers as a JSON argument, and deletes the new folder when it fails.

Cookiecutter leaves two things in the temporary folder that it never removes:
this script as rendered (holding every answer, the contact e-mail address
among them), and, when the answers are refused, its whole copy of the
template (about 6 MB, made for pre_prompt.py). The script removes both
itself, so a refused generation leaves nothing behind. A generation that
succeeds still leaves cookiecutter's empty folder for that copy.
"""

import contextlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

RENDERED_BY_COOKIECUTTER = r"""{{ cookiecutter | tojson }}"""


def main() -> int:
    rendered = len(sys.argv) <= 1
    answers = json.loads(RENDERED_BY_COOKIECUTTER if rendered else sys.argv[1])
    hooks = Path(answers["_repo_dir"], "hooks") if "_repo_dir" in answers else Path(__file__).resolve().parent
    sys.path.insert(0, str(hooks))
    from questions import check_answers, report

    problems = ["the answers could not be checked"]  # refused, should the check itself fail
    try:
        problems = check_answers(answers)
        report(problems)
    finally:
        if rendered:
            tidy(answers, refused=bool(problems))
    return 1 if problems else 0


def tidy(answers: dict, refused: bool) -> None:
    """Remove what cookiecutter left in the temporary folder: this rendered script, and a refused run's template copy.

    Only what lies directly in the temporary folder, under the names
    cookiecutter gives, is removed: a template run from a checkout is not.
    """
    temporary = Path(tempfile.gettempdir()).resolve()
    script = Path(__file__).resolve()
    if script.parent == temporary and script.name.startswith("tmp"):
        with contextlib.suppress(OSError):
            script.unlink()
    if not refused or "_repo_dir" not in answers:
        return
    copy = Path(answers["_repo_dir"]).resolve().parent
    if copy.parent == temporary and copy.name.startswith("cookiecutter"):
        shutil.rmtree(copy, ignore_errors=True)  # this process runs inside it: fine, once nothing reads it again


if __name__ == "__main__":
    sys.exit(main())
