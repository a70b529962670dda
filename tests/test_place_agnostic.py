"""Place-agnostic by proof: two places' projects differ only in config and rendered docs."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import bake_with_copier, tree
from places import TRAFFORD, YNYS_MON, differing_files, is_place_specific

PACKAGE_DIR = "template/{{cookiecutter.project_slug}}/src/{{cookiecutter.package_name}}"


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
    code = [path for path in trafford if path.startswith("src/") and path.endswith(".py")]
    assert len(code) > 20
    assert not differing.intersection(code)


def test_a_place_name_planted_in_code_fails_the_comparison(template, tmp_path) -> None:
    """An answer rendered into a code file or an app template is caught, named by its path."""
    planted = tmp_path / "planted-template"
    shutil.copytree(template, planted)
    config = planted / PACKAGE_DIR / "config.py"
    config.write_text(
        config.read_text(encoding="utf-8") + '\nDEFAULT_AREA = "{{ cookiecutter.place_name }}"\n', encoding="utf-8"
    )
    home = planted / PACKAGE_DIR / "web" / "templates" / "home.html"
    home.write_text(
        home.read_text(encoding="utf-8") + "<!-- {{ cookiecutter.place_code }} -->\n",
        encoding="utf-8",
    )
    differences = code_differences(planted, tmp_path / "baked")
    package = "src/public_toilet_finder"
    assert differences == {f"{package}/config.py", f"{package}/web/templates/home.html"}


def test_the_allow_list_covers_no_code() -> None:
    """No code, template, schema, test or workflow may differ between places."""
    for path in ("src/app/config.py", "src/app/web/templates/home.html", "src/app/schemas/public_toilets.json"):
        assert not is_place_specific(path)
    for path in ("tests/test_config.py", ".github/workflows/ci.yml", "docs/../src/app/cli.py"):
        assert not is_place_specific(path)
