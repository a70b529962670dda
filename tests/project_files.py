"""What must hold of every generated project, whatever the answers: used by the generation and property tests."""

from __future__ import annotations

import html
import json
import re
import tomllib
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

# GitHub Actions expressions, ${{ ... }}, are the workflows' own (written in raw tags in the template).
JINJA_LEFTOVER = re.compile(r"(?<!\$){{|{%|{#|cookiecutter\.")
# The project's own page templates folder holds Jinja by design (its README shows an example).
PAGE_TEMPLATES = re.compile(r"templates/[^/]+")
RAW_TAG = re.compile(r"{%-?\s*(end)?raw\s*-?%}")
STRUCTURED = {".toml": tomllib.loads, ".json": json.loads, ".yml": yaml.safe_load, ".yaml": yaml.safe_load}
LICENCE_TITLES = {
    "MIT": "MIT License",
    "Apache-2.0": "Apache License",
    "EUPL-1.2": "EUROPEAN UNION PUBLIC LICENCE v. 1.2",
    "AGPL-3.0-or-later": "GNU AFFERO GENERAL PUBLIC LICENSE",
    "GPL-3.0-or-later": "GNU GENERAL PUBLIC LICENSE",
    "OGL-UK-3.0": "Open Government Licence v3.0",
    "CC-BY-4.0": "Creative Commons Attribution 4.0 International",
    "CC0-1.0": "Creative Commons Legal Code",
    "ODbL-1.0": "## Open Data Commons Open Database License (ODbL)",
}


def files(project: Path) -> list[Path]:
    return sorted(path for path in project.rglob("*") if path.is_file())


def check_project(project: Path, answers: dict[str, str]) -> None:
    """Everything that must hold of any generated project."""
    for path in files(project):
        relative = path.relative_to(project).as_posix()
        assert not JINJA_LEFTOVER.search(relative), f"unrendered name: {relative}"
        text = path.read_text(encoding="utf-8")
        assert not RAW_TAG.search(text), f"a raw tag was copied into {relative}"
        if PAGE_TEMPLATES.fullmatch(relative):
            continue
        leftover = JINJA_LEFTOVER.search(text)
        assert leftover is None, f"unrendered Jinja in {relative}: {text[leftover.start() - 40 : leftover.end()]!r}"
        if path.suffix in STRUCTURED:
            STRUCTURED[path.suffix](text)  # raises if the file does not parse

    code, data = answers["code_licence"], answers["data_licence"]
    licence_files = sorted(path.name for path in (project / "LICENSES").iterdir())
    assert licence_files == sorted({f"{code}.txt", f"{data}.txt"})  # Leaflet and its licence ship in the engine
    licence_text = (project / "LICENSE").read_text(encoding="utf-8")
    assert licence_text == (project / "LICENSES" / f"{code}.txt").read_text(encoding="utf-8")
    assert licence_text.startswith(LICENCE_TITLES[code])
    assert len(licence_text) > 1000, "LICENSE must hold the licence's full text"
    assert (project / "LICENSES" / f"{data}.txt").read_text(encoding="utf-8").startswith(LICENCE_TITLES[data])

    reuse = tomllib.loads((project / "REUSE.toml").read_text(encoding="utf-8"))
    assert [(note["path"], note["SPDX-License-Identifier"]) for note in reuse["annotations"]] == [
        ("**", code),
        ("data/**", data),
    ]
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == code
    assert pyproject["project"]["dependencies"] == [f"local-data-app~={engine_version()}"]
    assert pyproject["project"]["requires-python"] == f">={answers['python_version']}"
    place = tomllib.loads((project / "place.toml").read_text(encoding="utf-8"))
    assert place["dataset"] == {"theme": answers["dataset_theme"], "licence": data}


def engine_version() -> str:
    """The version of the engine in this checkout, which generated projects pin."""
    engine = Path(__file__).resolve().parents[1] / "engine" / "pyproject.toml"
    return tomllib.loads(engine.read_text(encoding="utf-8"))["project"]["version"]


def values_in_every_format(project: Path) -> dict[str, object]:
    """The answers as each structured file holds them, parsed by that format's own parser."""
    place = tomllib.loads((project / "place.toml").read_text(encoding="utf-8"))
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    reuse = tomllib.loads((project / "REUSE.toml").read_text(encoding="utf-8"))
    return {
        "place.toml place.name": place["place"]["name"],
        "place.toml organisation.name": place["organisation"]["name"],
        "place.toml organisation.url": place["organisation"]["url"],
        "place.toml organisation.contact_email": place["organisation"]["contact_email"],
        "place.toml map.centre": place["map"]["centre"],
        "pyproject.toml description": pyproject["project"]["description"],
        "pyproject.toml author": pyproject["project"]["authors"][0]["name"],
        "REUSE.toml copyright": reuse["annotations"][0]["SPDX-FileCopyrightText"],
    }


def expected_values(answers: dict[str, str]) -> dict[str, object]:
    latitude, longitude = (float(part) for part in answers["map_centre"].split(","))
    return {
        "place.toml place.name": answers["place_name"],
        "place.toml organisation.name": answers["organisation_name"],
        "place.toml organisation.url": answers["organisation_url"],
        "place.toml organisation.contact_email": answers["contact_email"],
        "place.toml map.centre": [latitude, longitude],
        "pyproject.toml description": answers["description"],
        "pyproject.toml author": answers["organisation_name"],
        "REUSE.toml copyright": answers["copyright_holder"],
    }


def markdown_text(path: Path) -> str:
    """What a reader sees of a Markdown file: rendered, tags stripped, entities decoded."""
    rendered = MarkdownIt("commonmark").render(path.read_text(encoding="utf-8"))
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))
