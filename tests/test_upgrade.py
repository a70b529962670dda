"""Template upgrades: a project made from an earlier version takes the current template with `copier update`.

The last release is the newest one that CHANGELOG.md records, with the commit
it was made from (a tag, where the clone has it, must agree). The test puts
that release, the last commit before the engine package, and the current files
into a throwaway repository as tagged versions, generates a project from an
earlier one, commits it with a team's own changes, and updates it: the team's
changes kept (an edit to a file the engine now holds shown as a conflict), the
result what the current template generates, and the project's own tests green.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, bake_with_copier, commit_all, run_tool, tree
from places import differing_files
from team import ENGINE_CSS, LOCAL_STYLES, OWN_DATA, assert_it_still_works, make_team_changes, unmerged
from template_repo import fetch_if_missing, files_at, git, recorded_releases, release

CURRENT = "v9999.0.0"  # a temporary tag for the files under test, newer than any release
CHANGELOG = ROOT / "CHANGELOG.md"


def last_release() -> tuple[str, str]:
    """The newest release that CHANGELOG.md records, and its commit, e.g. ``("v0.1.0", "0a41d0a...")``."""
    releases = recorded_releases(CHANGELOG)
    assert releases, "CHANGELOG.md records no release: each `## vX.Y.Z` section starts with `Released from commit ...`."
    return next(iter(releases.items()))


# The last commit before the app's code moved into the engine package (unreleased): projects made from main
# then have the old layout too, and upgrade the same way as from the last release.
BEFORE_THE_ENGINE = "6b12e99373af50e7fbd6a9f4d6651b16a7c98f02"
PRE_ENGINE_TAG = "v0.1.99"  # its tag in the throwaway repository


@pytest.fixture(scope="module")
def versions(template, tmp_path_factory) -> Path:
    """A repository holding the last release, the last commit before the engine package, and the current files."""
    where = tmp_path_factory.mktemp("upgrade")
    previous, commit = last_release()
    repository = where / "template"
    for tag, revision in ((previous, commit), (PRE_ENGINE_TAG, BEFORE_THE_ENGINE)):
        fetch_if_missing(ROOT, revision)
        release(repository, files_at(ROOT, revision, where / tag), tag)
    release(repository, template, CURRENT)
    return repository


@pytest.mark.parametrize("previous", [last_release()[0], PRE_ENGINE_TAG])
def test_a_project_from_before_the_engine_upgrades_to_it(versions, previous, tmp_path) -> None:
    """`copier update` removes the app's code the engine now holds, keeps the team's, and shows its engine edit.

    The team's own module and test stay; every other file of the old app goes;
    its change to the app's stylesheet comes back as a conflict, which the team
    resolves as docs/updating.md says, by moving the rule to static/ and templates/.
    The result is what the current template generates plus the team's changes,
    and it installs against the engine, ingests and passes its tests.
    """
    repository = versions
    project = tmp_path / "public-toilet-finder"
    made = run_tool("copier", "copy", "--trust", "--defaults", "--vcs-ref", previous, repository, project, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    commit_all(project)
    package = "public_toilet_finder"
    old_engine = sorted(path.relative_to(project).as_posix() for path in (project / "src" / package).rglob("*.py"))
    assert f"src/{package}/config.py" in old_engine
    # v0.1.0 wrote the map's zoom on the line after its centre, so an upgrade from it conflicts
    # where a team changed the zoom (the release notes say so); the fork test covers the zoom since.
    team_files = make_team_changes(project, closer_map=previous != "v0.1.0", engine_files=True)
    updated = run_tool("copier", "update", "--trust", "--defaults", "--vcs-ref", CURRENT, project, cwd=tmp_path)
    assert updated.returncode == 0, updated.stderr
    engine_css = ENGINE_CSS.format(package=package)
    assert unmerged(tree(project)) == [engine_css]
    assert f"conflict: {engine_css}" in updated.stderr
    conflict = (project / engine_css).read_text(encoding="utf-8")
    assert conflict.startswith("<<<<<<< your change: this file is now part of the local-data-app engine\n")
    assert team_files.pop(engine_css) in conflict
    still_the_projects = {
        f"src/{package}/{name}" for name in ("__init__.py", "__main__.py", "cli.py", "opening_words.py")
    }
    for path in set(old_engine) - still_the_projects:
        assert not (project / path).exists(), f"{path} is the engine's now, but the update left it"
    assert not (project / "tests" / "test_api.py").exists()
    for path, text in team_files.items():
        assert (project / path).read_text(encoding="utf-8") == text, f"{path} lost the team's change"

    # The team resolves the conflict as the how-to says: the rule moves to an extension point.
    (project / engine_css).unlink()
    for path, text in LOCAL_STYLES.items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text, encoding="utf-8")
    everything = tree(project)
    assert unmerged(everything) == []
    fresh = tree(bake_with_copier(repository, tmp_path / "fresh"))
    ours = {path: data for path, data in everything.items() if not path.startswith(".git/")}
    differing = differing_files(ours, fresh)
    assert differing - {".copier-answers.yml"} == {"place.toml", OWN_DATA, *team_files, *LOCAL_STYLES}
    assert f"_commit: {CURRENT}" in (project / ".copier-answers.yml").read_text(encoding="utf-8")
    assert_it_still_works(project)


def test_the_weekly_workflow_updates_and_writes_the_release_notes(versions, tmp_path) -> None:
    """The template-update workflow's update step, run as GitHub runs it, updates and writes the pull request's body."""
    previous = last_release()[0]
    project = tmp_path / "public-toilet-finder"
    made = run_tool("copier", "copy", "--trust", "--defaults", "--vcs-ref", previous, versions, project, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    commit_all(project)
    workflow_file = (
        ROOT / "template" / "{{cookiecutter.project_slug}}" / ".github" / "workflows" / "template-update.yml"
    )
    fresh = bake_with_copier(versions, tmp_path / "fresh")
    workflow = yaml.safe_load((fresh / ".github" / "workflows" / "template-update.yml").read_text(encoding="utf-8"))
    assert workflow_file.is_file()
    (step,) = [step for step in workflow["jobs"]["update"]["steps"] if step.get("id") == "update"]
    runner = tmp_path / "runner"
    runner.mkdir()
    output = runner / "output"
    environment = {
        **os.environ,
        "RUNNER_TEMP": str(runner),
        "GITHUB_OUTPUT": str(output),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # uvx, as setup-uv gives it
    }
    environment.pop("VIRTUAL_ENV", None)
    ran = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=project, env=environment, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert output.read_text(encoding="utf-8") == f"version={CURRENT}\n"
    body = (runner / "body.md").read_text(encoding="utf-8")
    assert body.startswith(f"Takes the template from {previous} to {CURRENT} with `copier update`.")
    assert "## Unreleased" in body
    assert f"## {previous}" not in body
    assert f"_commit: {CURRENT}" in (project / ".copier-answers.yml").read_text(encoding="utf-8")
    assert (project / "src" / "public_toilet_finder" / "json_array.py").is_file()


def test_every_release_has_release_notes() -> None:
    """CHANGELOG.md has a section for the changes not yet released and one per release, naming its commit."""
    headings = re.findall(r"^## (\S+)", CHANGELOG.read_text(encoding="utf-8"), re.MULTILINE)
    releases = recorded_releases(CHANGELOG)
    assert headings[0] == "Unreleased"
    assert list(releases) == headings[1:], "every release section must start with `Released from commit <sha>`"
    for tag in git(ROOT, "tag", "--list", "v[0-9]*").split():
        assert tag in releases, f"the tag {tag} has no section in CHANGELOG.md"
        assert git(ROOT, "rev-list", "-n", "1", tag).strip() == releases[tag], f"{tag} is not the commit recorded"
