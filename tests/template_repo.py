"""The template as a git repository with release tags, as `copier update` needs it.

Copier updates a project from one tagged version of its template to another,
so the fork and upgrade tests first put the template's files into a throwaway
git repository and tag them there; the repository under test is never tagged.

Releases are read from CHANGELOG.md, whose section for each release names its
commit: tags do not travel with every clone or mirror, and CI may run in a
clone that has neither the tags nor (when shallow) the release's commit.
"""

from __future__ import annotations

import io
import re
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


RELEASE_SECTION = re.compile(r"^## (v\d\S*)\n+Released from commit `([0-9a-f]{40})`", re.MULTILINE)


def recorded_releases(changelog: Path) -> dict[str, str]:
    """Each release in ``changelog`` and the commit it was made from, newest first."""
    return dict(RELEASE_SECTION.findall(changelog.read_text(encoding="utf-8")))


def fetch_if_missing(source: Path, commit: str) -> None:
    """Make sure the repository at ``source`` holds ``commit``, fetching it from origin when the clone is shallow."""
    held = subprocess.run(["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=source, capture_output=True)
    if held.returncode != 0:
        git(source, "fetch", "--quiet", "--depth=1", "origin", commit)


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
