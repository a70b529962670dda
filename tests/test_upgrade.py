"""Template upgrades: a project made from the last release takes the current template with `copier update`.

The last release is the newest one that CHANGELOG.md records, with the commit
it was made from (a tag, where the clone has it, must agree). The test puts
that release and the current files into a throwaway repository as two tagged
versions, generates a project from the release, commits it with a team's own
changes, and updates it: no conflicts, the team's changes kept, the result
what the current template generates, and the project's own tests green.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, bake_with_copier, commit_all, run_tool, tree
from places import differing_files
from team import OWN_DATA, assert_it_still_works, make_team_changes, unmerged
from template_repo import fetch_if_missing, files_at, git, recorded_releases, release

CURRENT = "v9999.0.0"  # a temporary tag for the files under test, newer than any release
CHANGELOG = ROOT / "CHANGELOG.md"


def last_release() -> tuple[str, str]:
    """The newest release that CHANGELOG.md records, and its commit, e.g. ``("v0.1.0", "0a41d0a...")``."""
    releases = recorded_releases(CHANGELOG)
    assert releases, "CHANGELOG.md records no release: each `## vX.Y.Z` section starts with `Released from commit ...`."
    return next(iter(releases.items()))


@pytest.fixture(scope="module")
def versions(template, tmp_path_factory) -> tuple[Path, str]:
    """A repository holding the last release and, tagged after it, the current files."""
    where = tmp_path_factory.mktemp("upgrade")
    previous, commit = last_release()
    fetch_if_missing(ROOT, commit)
    repository = where / "template"
    release(repository, files_at(ROOT, commit, where / "previous"), previous)
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
    """CHANGELOG.md has a section for the changes not yet released and one per release, naming its commit."""
    headings = re.findall(r"^## (\S+)", CHANGELOG.read_text(encoding="utf-8"), re.MULTILINE)
    releases = recorded_releases(CHANGELOG)
    assert headings[0] == "Unreleased"
    assert list(releases) == headings[1:], "every release section must start with `Released from commit <sha>`"
    for tag in git(ROOT, "tag", "--list", "v[0-9]*").split():
        assert tag in releases, f"the tag {tag} has no section in CHANGELOG.md"
        assert git(ROOT, "rev-list", "-n", "1", tag).strip() == releases[tag], f"{tag} is not the commit recorded"
