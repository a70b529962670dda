"""After ``copier update`` moves a project onto the engine package: a team's edited engine file becomes a conflict.

Up to template 0.1.x a project held the app's code itself (under
``src/<package>/`` and ``tests/``). From 0.2.0 that code lives in the
local-data-app engine, so the update removes those files. Copier removes a
file the new template no longer has whether or not the team changed it; this
migration, run by copier after the update, puts back each removed file that
the team had changed since the template was last applied, wrapped in conflict
markers, so the change shows as a conflict to resolve (move it to an extension
point: docs/updating.md in the project says how) instead of vanishing.

It reads only git: the team's version is HEAD's, and what the template wrote
is the version at the last commit that changed the answers file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ANSWERS_FILE = ".copier-answers.yml"
OURS = "<<<<<<< your change: this file is now part of the local-data-app engine"
THEIRS = ">>>>>>> the template: move your change to an extension point (docs/updating.md), then delete this file"


def git(*arguments: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *arguments], capture_output=True, check=False)


def removed_by_the_update() -> list[str]:
    """Files that HEAD has and the updated working tree does not."""
    listed = git("diff", "--name-only", "--diff-filter=D", "-z", "HEAD").stdout.decode("utf-8")
    return [name for name in listed.split("\0") if name]


def as_generated(path: str, base: str) -> bytes | None:
    """The file as the commit that last applied the template had it, or None if it did not exist there."""
    shown = git("show", f"{base}:{path}")
    return shown.stdout if shown.returncode == 0 else None


def main() -> int:
    base = git("log", "-1", "--format=%H", "--", ANSWERS_FILE).stdout.decode().strip()
    if not base:
        print(f"engine_move: no commit has changed {ANSWERS_FILE}; nothing to compare with.", file=sys.stderr)
        return 0
    kept = []
    for path in removed_by_the_update():
        ours = git("show", f"HEAD:{path}").stdout
        if as_generated(path, base) == ours:
            continue  # untouched since the template wrote it: the engine now holds it
        text = ours if ours.endswith(b"\n") else ours + b"\n"
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(f"{OURS}\n".encode() + text + f"=======\n{THEIRS}\n".encode())
        kept.append(path)
    for path in kept:
        print(f"conflict: {path} (your change to a file the engine now holds)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
