"""Two places' answers, and the files that may differ between their projects.

A project is place-agnostic when the answers that name a place change only
config and rendered docs. The tests bake the same app for two places and
compare the trees (tests/test_place_agnostic.py), and turn a project for one
place into the other with ``copier update`` or cookiecutter's recorded answers
(tests/test_fork.py); both hold the result to :data:`PLACE_SPECIFIC_FILES`.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

# The answers that name a place; the app's name, theme and licences stay the same.
TRAFFORD = {
    "place_name": "Trafford",
    "place_code": "E08000009",
    "map_centre": "53.42, -2.36",
    "organisation_name": "Trafford Council",
    "organisation_url": "https://www.trafford.gov.uk",
    "contact_email": "opendata@trafford.example.org",
}
YNYS_MON = {
    "place_name": "Ynys Môn",
    "place_code": "W06000001",
    "map_centre": "53.28, -4.33",
    "organisation_name": "Cyngor Sir Ynys Môn",
    "organisation_url": "https://www.ynysmon.llyw.cymru",
    "contact_email": "data@ynysmon.example.org",
}

# Files that may name the place, each with why. Anything else that differs
# between two places' projects is a place-specific value in code.
PLACE_SPECIFIC_FILES = {
    "place.toml": "the place's config: name, GSS code, map centre, organisation, sources",
    "README.md": "rendered docs that introduce the app for its area",
    "docs/*.md": "rendered docs",
    "data/README.md": "who publishes the data, and under which licence",
    "data/sample/*.csv": "sample records placed around the area's map centre",
    "LICENSE": "the copyright line names the holder",
    "LICENSES/*.txt": "licence texts with a copyright line (MIT's) name the holder",
    "REUSE.toml": "the copyright holder of every file",
    "pyproject.toml": "package metadata: the organisation as author, its website",
    "publiccode.yml": "catalogue metadata: the organisation, its contact and area",
    "CITATION.cff": "who to cite",
    "CONTRIBUTING.md": "who to contact",
    "CODE_OF_CONDUCT.md": "who to contact",
    "design-to-scale.yml": "the checklist's answers mention the area",
    "design-to-scale.md": "the checklist, rendered",
    "datapackage.json": "the data package names its publisher and sources",
    ".copier-answers.yml": "copier's record of the answers",
    ".cookiecutter-replay.json": "cookiecutter's record of the answers",
}


def is_place_specific(path: str) -> bool:
    """Whether ``path`` (relative, with / separators) may differ between places."""
    return any(fnmatchcase(path, pattern) for pattern in PLACE_SPECIFIC_FILES)


def differing_files(first: dict[str, bytes], second: dict[str, bytes]) -> set[str]:
    """Paths that are in only one tree, or whose bytes differ."""
    return {path for path in first.keys() | second.keys() if first.get(path) != second.get(path)}
