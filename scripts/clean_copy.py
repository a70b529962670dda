"""Copy the template's own files, without virtual environments or build output.

Cookiecutter copies the whole template folder on every run, so baking from a
working copy that holds a `.venv` is many times slower. The tests and the demo
bake from this clean copy instead: the files git tracks, plus new files it does
not ignore, so uncommitted work is tested too.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEVER_COPIED = {".git", ".venv", "build", "site", "__pycache__", ".pytest_cache", ".ruff_cache"}


def template_files(root: Path = ROOT) -> list[Path]:
    """The template's files, relative to its root."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: fall back to a filtered walk
        return sorted(
            path.relative_to(root)
            for path in root.rglob("*")
            if path.is_file() and not NEVER_COPIED.intersection(path.relative_to(root).parts)
        )
    return sorted(Path(name) for name in listed.split("\0") if name and (root / name).is_file())


def clean_copy(destination: Path, root: Path = ROOT) -> Path:
    """Copy the template to ``destination`` (which must not exist) and return it."""
    for relative in template_files(root):
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, target)
    return destination
