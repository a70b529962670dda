"""Refuse bad answers before a project is kept.

Cookiecutter renders this file with Jinja and runs it before writing any file,
deleting the new folder when it fails. Copier runs it as the first task, with
the answers as a JSON argument, and deletes the new folder when it fails.
"""

import json
import sys
from pathlib import Path

RENDERED_BY_COOKIECUTTER = r"""{{ cookiecutter | tojson }}"""


def main() -> int:
    answers = json.loads(sys.argv[1] if len(sys.argv) > 1 else RENDERED_BY_COOKIECUTTER)
    hooks = Path(answers["_repo_dir"], "hooks") if "_repo_dir" in answers else Path(__file__).resolve().parent
    sys.path.insert(0, str(hooks))
    from questions import check_answers, report

    problems = check_answers(answers)
    report(problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
