"""Cookiecutter and copier generate the same project from the same answers."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import ANSWERS_FILES, AWKWARD_ANSWERS, bake_with_copier, commit_all, run_tool, tree

ANSWER_SETS = {
    "defaults": {},
    "awkward-names": AWKWARD_ANSWERS,
    "generic-points-agpl-odbl": {
        "project_name": "Community Asset Register",
        "dataset_theme": "generic_points",
        "code_licence": "AGPL-3.0-or-later",
        "data_licence": "ODbL-1.0",
        "python_version": "3.12",
        "place_name": "Na h-Eileanan Siar",
        "place_code": "S12000013",
        "map_centre": "57.76, -7.02",
    },
    "explicit-slug-and-package": {"project_slug": "bins", "package_name": "bin_days", "code_licence": "EUPL-1.2"},
}


@pytest.mark.parametrize("answers", ANSWER_SETS.values(), ids=ANSWER_SETS.keys())
def test_both_tools_generate_byte_identical_trees(cookies, template, tmp_path, answers) -> None:
    """Apart from each tool's own answers file, every file is the same, byte for byte."""
    result = cookies.bake(extra_context=answers, template=str(template))
    assert result.exit_code == 0, result.exception
    by_cookiecutter = tree(result.project_path)
    by_copier = tree(bake_with_copier(template, tmp_path / "copier", answers))

    assert set(by_cookiecutter) - set(by_copier) == {".cookiecutter-replay.json"}
    assert set(by_copier) - set(by_cookiecutter) == {".copier-answers.yml"}
    shared = set(by_cookiecutter) - ANSWERS_FILES
    different = sorted(name for name in shared if by_cookiecutter[name] != by_copier[name])
    assert different == []

    replayed = json.loads(by_cookiecutter[".cookiecutter-replay.json"])["cookiecutter"]
    recorded = yaml.safe_load(by_copier[".copier-answers.yml"])
    for name, value in answers.items():
        assert replayed[name] == recorded[name] == value


def test_the_cli_tools_agree_with_the_defaults(template, tmp_path) -> None:
    """`cookiecutter --no-input` and `copier copy --trust --defaults`, as the README runs them, agree."""
    cookiecutter = run_tool("cookiecutter", template, "--no-input", "--output-dir", tmp_path / "cc", cwd=tmp_path)
    assert cookiecutter.returncode == 0, cookiecutter.stderr
    copier = run_tool("copier", "copy", "--trust", "--defaults", template, tmp_path / "cp", cwd=tmp_path)
    assert copier.returncode == 0, copier.stderr
    by_cookiecutter = tree(tmp_path / "cc" / "public-toilet-finder")
    by_copier = tree(tmp_path / "cp")
    assert {name: data for name, data in by_cookiecutter.items() if name not in ANSWERS_FILES} == {
        name: data for name, data in by_copier.items() if name not in ANSWERS_FILES
    }


def test_cookiecutter_replays_its_recorded_answers(cookies, template, tmp_path) -> None:
    """`cookiecutter --replay-file .cookiecutter-replay.json` regenerates the same project."""
    first = cookies.bake(extra_context=ANSWER_SETS["generic-points-agpl-odbl"], template=str(template)).project_path
    replayed = run_tool(
        "cookiecutter",
        "--replay-file",
        first / ".cookiecutter-replay.json",
        template,
        "--output-dir",
        tmp_path / "again",
        cwd=tmp_path,
    )
    assert replayed.returncode == 0, replayed.stderr
    assert tree(tmp_path / "again" / first.name) == tree(first)


def test_copier_recopies_from_its_recorded_answers(template, tmp_path) -> None:
    """`copier recopy` from .copier-answers.yml regenerates the same project."""
    project = bake_with_copier(template, tmp_path / "project", ANSWER_SETS["awkward-names"])
    before = tree(project)
    commit_all(project)
    recopied = run_tool("copier", "recopy", "--trust", "--defaults", "--overwrite", project, cwd=tmp_path)
    assert recopied.returncode == 0, recopied.stderr
    assert {name: data for name, data in tree(project).items() if not name.startswith(".git/")} == {
        name: data for name, data in before.items() if not name.startswith(".git/")
    }
