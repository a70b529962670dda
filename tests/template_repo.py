"""The template as a git repository with release tags, as `copier update` needs it.

Copier updates a project from one tagged version of its template to another,
so the fork and upgrade tests first put the template's files into a throwaway
git repository and tag them there; the repository under test is never tagged.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

GIT_IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main"]


def git(where: Path, *arguments: str) -> str:
    """Run git in ``where`` and return what it prints; a failure fails the test with git's words."""
    outcome = subprocess.run(["git", *GIT_IDENTITY, *arguments], cwd=where, capture_output=True, text=True)
    assert outcome.returncode == 0, f"git {' '.join(arguments)} failed:\n{outcome.stdout}\n{outcome.stderr}"
    return outcome.stdout


def release(repository: Path, files: Path, tag: str) -> None:
    """Make ``repository``'s tree exactly ``files``, commit it and tag it ``tag``."""
    repository.mkdir(parents=True, exist_ok=True)
    if not (repository / ".git").exists():
        git(repository, "init", "-q")
    for path in repository.iterdir():
        if path.name != ".git":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    shutil.copytree(files, repository, dirs_exist_ok=True)
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "--allow-empty", "-m", f"Release {tag}")
    git(repository, "tag", tag)


def files_at(source: Path, revision: str, destination: Path) -> Path:
    """The files git holds for ``revision`` of the repository at ``source``, written to ``destination``."""
    archive = subprocess.run(["git", "archive", "--format=tar", revision], cwd=source, capture_output=True, check=True)
    destination.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")
    return destination
