"""Place-agnostic by proof: two places' projects differ only in config and rendered docs."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import bake_with_copier, tree
from places import TRAFFORD, YNYS_MON, differing_files, is_place_specific

PROJECT_DIR = "template/{{cookiecutter.project_slug}}"
PACKAGE_DIR = f"{PROJECT_DIR}/src/{{{{cookiecutter.package_name}}}}"


def code_differences(template: Path, where: Path) -> set[str]:
    """Files that differ between Trafford's and Ynys Môn's projects but may not."""
    trafford = tree(bake_with_copier(template, where / "trafford", TRAFFORD))
    ynys_mon = tree(bake_with_copier(template, where / "ynys-mon", YNYS_MON))
    return {path for path in differing_files(trafford, ynys_mon) if not is_place_specific(path)}


def test_two_places_differ_only_in_config_and_rendered_docs(template, tmp_path) -> None:
    """Only allow-listed config and docs files differ; the code is the same byte for byte."""
    trafford = tree(bake_with_copier(template, tmp_path / "trafford", TRAFFORD))
    ynys_mon = tree(bake_with_copier(template, tmp_path / "ynys-mon", YNYS_MON))
    differing = differing_files(trafford, ynys_mon)
    assert {path for path in differing if not is_place_specific(path)} == set()
    # The comparison sees the place where it should: in the config and the sample data.
    assert {"place.toml", "README.md", ".copier-answers.yml"} <= differing
    assert any(path.startswith("data/sample/") for path in differing)
    code = [path for path in trafford if path.startswith(("src/", "tests/")) and path.endswith(".py")]
    assert {"src/public_toilet_finder/cli.py", "src/public_toilet_finder/json_array.py"} <= set(code)
    assert not differing.intersection(code)


def test_a_place_name_planted_in_code_fails_the_comparison(template, tmp_path) -> None:
    """An answer rendered into the project's code or its tests is caught, named by its path."""
    planted = tmp_path / "planted-template"
    shutil.copytree(template, planted)
    cli = planted / PACKAGE_DIR / "cli.py"
    cli.write_text(
        cli.read_text(encoding="utf-8") + '\nDEFAULT_AREA = "{{ cookiecutter.place_name }}"\n', encoding="utf-8"
    )
    test = planted / PROJECT_DIR / "tests" / "test_app.py"
    test.write_text(test.read_text(encoding="utf-8") + "# {{ cookiecutter.place_code }}\n", encoding="utf-8")
    differences = code_differences(planted, tmp_path / "baked")
    assert differences == {"src/public_toilet_finder/cli.py", "tests/test_app.py"}


def test_the_allow_list_covers_no_code() -> None:
    """No code, template, schema, test or workflow may differ between places."""
    for path in ("src/app/config.py", "src/app/web/templates/home.html", "src/app/schemas/public_toilets.json"):
        assert not is_place_specific(path)
    for path in ("tests/test_config.py", ".github/workflows/ci.yml", "docs/../src/app/cli.py"):
        assert not is_place_specific(path)
