"""The project's own files: what git tracks or would track, without the ones .gitignore leaves out.

When the project folder is the top of a git working tree, git lists the files.
Otherwise (a download, or a copy), the folder is walked and the patterns of
its .gitignore are applied, so that a virtual environment, caches and the
database are never taken for the project's files.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
from pathlib import Path

GIT_TIMEOUT = 30  # seconds
ALWAYS_SKIPPED = {".git"}


def project_files(directory: Path) -> list[Path]:
    """Every file of the project, sorted, as paths under ``directory``."""
    listed = _from_git(directory)
    if listed is None:
        listed = _walk(directory, _ignore_patterns(directory / ".gitignore"))
    return sorted(path for path in listed if path.is_file())


def _from_git(directory: Path) -> list[Path] | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        top = subprocess.run(  # noqa: S603 (a fixed git command)
            [git, "rev-parse", "--show-toplevel"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
        if top.returncode != 0 or Path(top.stdout.strip()).resolve() != directory.resolve():
            return None
        listing = subprocess.run(  # noqa: S603 (a fixed git command)
            [git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=directory,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    names = listing.stdout.decode("utf-8", errors="surrogateescape").split("\0")
    return [directory / name for name in names if name]


def _ignore_patterns(gitignore: Path) -> list[str]:
    try:
        lines = gitignore.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    # Negations (!pattern) are rare in a project's own .gitignore and are not applied.
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith(("#", "!"))]


def ignored(relative: str, is_dir: bool, patterns: list[str]) -> bool:
    """Whether a path (from the project root, with forward slashes) matches a .gitignore pattern."""
    name = relative.rsplit("/", 1)[-1]
    for pattern in patterns:
        directory_only = pattern.endswith("/")
        pattern = pattern.rstrip("/")
        if directory_only and not is_dir:
            continue
        if "/" in pattern:  # anchored at the root
            if fnmatch.fnmatchcase(relative, pattern.lstrip("/")):
                return True
        elif fnmatch.fnmatchcase(name, pattern):
            return True
    return False


def _walk(directory: Path, patterns: list[str]) -> list[Path]:
    found: list[Path] = []
    for root, folders, files in os.walk(directory):
        base = Path(root)
        prefix = base.relative_to(directory).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        folders[:] = sorted(
            folder
            for folder in folders
            if folder not in ALWAYS_SKIPPED and not ignored(prefix + folder, True, patterns)
        )
        found.extend(base / name for name in files if not ignored(prefix + name, False, patterns))
    return found
