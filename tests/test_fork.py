"""Scale out: a project made for one area becomes another area's by changing answers, never code.

Each route starts from Trafford's project, committed in git with the team's own
changes, and turns it into Ynys Môn's: with `copier update --data ...`, or
with cookiecutter's recorded answers and a three-way `git apply`. Afterwards
only config and rendered docs have changed, the team's changes are intact, and
the project's own tests pass.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from baked import uv_in
from conftest import bake_with_copier, commit_all, run_tool, tree
from places import TRAFFORD, YNYS_MON, differing_files, is_place_specific
from team import OWN_DATA, assert_it_still_works, make_team_changes, unmerged
from template_repo import git, release

VERSION = "v99.0.0"
# The original holder keeps the copyright in the code it wrote; the fork adds itself when it changes code.
KEPT = {"copyright_holder": TRAFFORD["organisation_name"]}


@pytest.fixture(scope="module")
def template_repository(template, tmp_path_factory) -> Path:
    """The template's current files as a git repository tagged with a release."""
    repository = tmp_path_factory.mktemp("template-repository") / "template"
    release(repository, template, VERSION)
    return repository


def check_fork(project: Path, team_files: dict[str, str], fresh: Path) -> None:
    """Only place-specific files changed, the team's work survived, and it is now Ynys Môn's app."""
    changed = set(git(project, "diff", "--name-only", "HEAD").splitlines())
    assert changed, "the fork changed nothing"
    assert {path for path in changed if not is_place_specific(path)} == set()
    everything = tree(project)
    assert unmerged(everything) == []
    for path, text in team_files.items():
        assert (project / path).read_text(encoding="utf-8") == text, f"{path} lost the team's change"
    place = (project / "place.toml").read_text(encoding="utf-8")
    assert 'name = "Ynys Môn"' in place
    assert 'code = "W06000001"' in place
    assert "zoom = 13" in place
    assert "Trafford" not in (project / "README.md").read_text(encoding="utf-8")
    # Apart from the team's own changes, it is what generating for Ynys Môn gives.
    ours = {path for path in everything if not path.startswith(".git/")}
    expected = {path: data for path, data in tree(fresh).items()}
    differing = differing_files({path: everything[path] for path in ours}, expected)
    answers = {".copier-answers.yml", ".cookiecutter-replay.json"}
    assert differing - answers == {"place.toml", OWN_DATA, *team_files}
    assert f'location = "{OWN_DATA}"' in place
    # The team points place.toml at Ynys Môn's own file; no code changes; the app and its tests run.
    own = project / "data" / "ynys-mon.csv"
    (sample,) = (project / "data" / "sample").glob("*.csv")
    own.write_bytes(sample.read_bytes())
    (project / "place.toml").write_text(place.replace(OWN_DATA, "data/ynys-mon.csv"), encoding="utf-8")
    assert_it_still_works(project)
    assert "test_opening_words.py" in uv_in(project, "run", "--no-sync", "pytest", "--collect-only", "-q").stdout


def test_copier_update_with_new_answers_forks_the_project(template_repository, tmp_path) -> None:
    """`copier update --data place_name=... ...` re-renders the place's files and keeps the team's work."""
    project = tmp_path / "public-toilet-finder"
    made = run_tool(
        "copier", "copy", "--trust", "--defaults", "--vcs-ref", VERSION,
        *_data(TRAFFORD), template_repository, project, cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    commit_all(project)
    team_files = make_team_changes(project)
    forked = run_tool("copier", "update", "--trust", "--defaults", *_data(YNYS_MON), project, cwd=tmp_path)
    assert forked.returncode == 0, forked.stderr
    fresh = bake_with_copier(template_repository, tmp_path / "fresh", {**YNYS_MON, **KEPT})
    check_fork(project, team_files, fresh)


def test_cookiecutter_recorded_answers_fork_the_project(template, tmp_path) -> None:
    """Regenerating from the recorded answers, then with edited ones, gives a patch that `git apply -3` takes."""
    from cookiecutter.main import cookiecutter

    project = Path(cookiecutter(str(template), no_input=True, output_dir=str(tmp_path), extra_context=TRAFFORD))
    commit_all(project)
    team_files = make_team_changes(project)
    # The route docs/how-to/fork.md gives, step by step.
    replay = project / ".cookiecutter-replay.json"
    _replay(template, replay, tmp_path / "before")
    answers = json.loads(replay.read_text(encoding="utf-8"))
    answers["cookiecutter"].update(YNYS_MON)
    edited = tmp_path / "ynys-mon.json"
    edited.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    _replay(template, edited, tmp_path / "after")
    patch = _no_index_diff(tmp_path, f"before/{project.name}", f"after/{project.name}")
    (tmp_path / "fork.patch").write_text(patch, encoding="utf-8")
    git(project, "apply", "--3way", "-p3", str(tmp_path / "fork.patch"))
    git(project, "reset", "-q")  # apply --3way stages what it merged; leave the change for the team to review
    fresh = Path(
        cookiecutter(
            str(template), no_input=True, output_dir=str(tmp_path / "fresh"), extra_context={**YNYS_MON, **KEPT}
        )
    )
    check_fork(project, team_files, fresh)


def _data(answers: dict[str, str]) -> list[str]:
    """Answers as copier's repeated ``--data name=value`` arguments."""
    return [argument for name, value in answers.items() for argument in ("--data", f"{name}={value}")]


def _replay(template: Path, answers: Path, output: Path) -> None:
    """`cookiecutter --replay-file ANSWERS TEMPLATE --output-dir OUTPUT`."""
    made = run_tool("cookiecutter", "--replay-file", answers, template, "--output-dir", output, cwd=output.parent)
    assert made.returncode == 0, made.stderr


def _no_index_diff(where: Path, first: str, second: str) -> str:
    """``git diff --no-index`` between two folders (exit status 1 means they differ, as expected)."""
    outcome = subprocess.run(
        ["git", "diff", "--no-index", "--binary", first, second], cwd=where, capture_output=True, text=True
    )
    assert outcome.returncode == 1, outcome.stderr
    return outcome.stdout
