"""The files that describe the project to people and programs: CITATION.cff, CONTRIBUTING.md, CODE_OF_CONDUCT.md."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml
from conftest import PROJECT_DIR

from local_data_app.checks.licences import licence_ids

# What the Citation File Format 1.2.0 schema requires of a file and of an entity author.
CFF_REQUIRED = {"cff-version", "message", "title", "authors"}
URL = re.compile(r"https?://\S+")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]{2,}")


def citation() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_DIR / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_has_what_the_format_requires() -> None:
    """CITATION.cff is Citation File Format 1.2.0 with its required keys, each of the right type."""
    cff = citation()
    assert set(cff) >= CFF_REQUIRED
    assert cff["cff-version"] == "1.2.0"
    assert isinstance(cff["message"], str)
    assert cff["message"].strip()
    assert isinstance(cff["title"], str)
    assert cff["title"].strip()
    assert cff["type"] == "software"
    assert cff["authors"]
    for author in cff["authors"]:
        assert isinstance(author["name"], str)
        assert author["name"].strip()
        assert EMAIL.fullmatch(author["email"])
        assert URL.fullmatch(author["website"])
    assert URL.fullmatch(cff["url"])


def test_citation_names_a_licence_the_project_declares() -> None:
    """The licence to cite is one pyproject.toml declares."""
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert citation()["license"] in licence_ids(project["license"])


def test_contributing_and_code_of_conduct_link_and_give_a_contact() -> None:
    """CONTRIBUTING.md links the code of conduct, and both say where to write."""
    contributing = (PROJECT_DIR / "CONTRIBUTING.md").read_text(encoding="utf-8")
    conduct = (PROJECT_DIR / "CODE_OF_CONDUCT.md").read_text(encoding="utf-8")
    assert "(CODE_OF_CONDUCT.md)" in contributing
    for text in (contributing, conduct):
        assert re.search(r"<[^@\s>]+@[^@\s>]+>", text)
    assert " check" in contributing
