"""Template upgrades: a project made from the last release takes the current template with `copier update`.

The last release is the newest ``v*`` tag of this repository. The test puts
that release and the current files into a throwaway repository as two tagged
versions, generates a project from the release, commits it with a team's own
changes, and updates it: no conflicts, the team's changes kept, the result
what the current template generates, and the project's own tests green.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, bake_with_copier, commit_all, run_tool, tree
from places import differing_files
from team import OWN_DATA, assert_it_still_works, make_team_changes, unmerged
from template_repo import files_at, git, release

CURRENT = "v9999.0.0"  # a temporary tag for the files under test, newer than any release
CHANGELOG = ROOT / "CHANGELOG.md"


def last_release() -> str:
    """The newest release tag reachable from HEAD, e.g. ``v0.1.0``."""
    found = subprocess.run(
        ["git", "describe", "--tags", "--abbrev=0", "--match", "v[0-9]*"], cwd=ROOT, capture_output=True, text=True
    )
    assert found.returncode == 0, (
        "No release tag (v*) found: the upgrade test needs the last release. "
        f"Fetch the tags with `git fetch --tags`. git said: {found.stderr.strip()}"
    )
    return found.stdout.strip()


@pytest.fixture(scope="module")
def versions(template, tmp_path_factory) -> tuple[Path, str]:
    """A repository holding the last release and, tagged after it, the current files."""
    where = tmp_path_factory.mktemp("upgrade")
    previous = last_release()
    repository = where / "template"
    release(repository, files_at(ROOT, previous, where / "previous"), previous)
    release(repository, template, CURRENT)
    return repository, previous


def test_a_project_from_the_last_release_upgrades_cleanly(versions, tmp_path, postgres_url) -> None:
    """`copier update` brings the current template in without conflicts and keeps the team's changes."""
    repository, previous = versions
    project = tmp_path / "public-toilet-finder"
    made = run_tool("copier", "copy", "--trust", "--defaults", "--vcs-ref", previous, repository, project, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    commit_all(project)
    # v0.1.0 wrote the map's zoom on the line after its centre, so an upgrade from it conflicts
    # where a team changed the zoom (the release notes say so); the fork test covers the zoom since.
    team_files = make_team_changes(project, closer_map=previous != "v0.1.0")
    updated = run_tool("copier", "update", "--trust", "--defaults", "--vcs-ref", CURRENT, project, cwd=tmp_path)
    assert updated.returncode == 0, updated.stderr
    everything = tree(project)
    assert unmerged(everything) == []
    for path, text in team_files.items():
        assert (project / path).read_text(encoding="utf-8") == text, f"{path} lost the team's change"
    # The result is what the current template generates, plus the team's changes.
    fresh = tree(bake_with_copier(repository, tmp_path / "fresh"))
    ours = {path: data for path, data in everything.items() if not path.startswith(".git/")}
    differing = differing_files(ours, fresh)
    assert differing - {".copier-answers.yml"} == {"place.toml", OWN_DATA, *team_files}
    assert f"_commit: {CURRENT}" in (project / ".copier-answers.yml").read_text(encoding="utf-8")
    assert_it_still_works(project, postgres_url)


def test_every_release_has_release_notes() -> None:
    """CHANGELOG.md has a section for each release tag, and one for the changes not yet released."""
    headings = re.findall(r"^## (\S+)", CHANGELOG.read_text(encoding="utf-8"), re.MULTILINE)
    tags = git(ROOT, "tag", "--list", "v[0-9]*").split()
    assert headings[0] == "Unreleased"
    assert set(tags) <= set(headings)
    assert last_release() in headings
