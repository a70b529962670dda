"""What a team does to its project after generating it, for the fork and upgrade tests."""

from __future__ import annotations

import re
from pathlib import Path

from baked import package_of, uv_in
from template_repo import git

MODULE = '''"""Opening-time words that residents type, mapped to the schema's wording."""

WORDS = {"24/7": "24 hours", "always": "24 hours"}


def normal_words(text: str) -> str:
    """The schema's wording for ``text``."""
    return WORDS.get(text.strip().lower(), text)
'''
TEST = """from {package}.opening_words import normal_words


def test_always_open_means_24_hours() -> None:
    assert normal_words(" Always ") == "24 hours"
"""
OWN_DATA = "data/our-places.csv"  # their own data, which git holds beside the sample
CSS = "\n/* Our colours */\n.site-header { border-bottom: 4px solid #005ea5; }\n"
# Their style rule the way the engine is extended: a stylesheet of their own, linked from a page template of
# their own that extends the engine's.
LOCAL_STYLES = {
    "static/local.css": CSS.lstrip("\n"),
    "templates/base.html": (
        '{% extends "engine/base.html" %}\n'
        '{% block head %}<link rel="stylesheet" href="{{ links.static("local.css") }}">{% endblock %}\n'
    ),
}
# Before the engine package (template 0.1.x), a team changed the app's own stylesheet in its project.
ENGINE_CSS = "src/{package}/web/static/app.css"


def make_team_changes(project: Path, *, closer_map: bool = True, engine_files: bool = False) -> dict[str, str]:
    """A module and its test, a style rule, their own data file and a closer map, committed.

    The style rule goes in the project's own static/ and templates/ folders, or,
    with ``engine_files`` (a project made before the engine package), into the
    app's stylesheet under src/. Returns each changed file's text, except
    place.toml, which later steps edit again.
    """
    package = package_of(project)
    files = {f"src/{package}/opening_words.py": MODULE, "tests/test_opening_words.py": TEST.format(package=package)}
    if engine_files:
        css = project / ENGINE_CSS.format(package=package)
        files[ENGINE_CSS.format(package=package)] = css.read_text(encoding="utf-8") + CSS
    else:
        files.update(LOCAL_STYLES)
    for path, text in files.items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text, encoding="utf-8")
    (sample,) = (project / "data" / "sample").glob("*.csv")
    (project / OWN_DATA).write_bytes(sample.read_bytes())
    place = project / "place.toml"
    text = place.read_text(encoding="utf-8").replace(f"data/sample/{sample.name}", OWN_DATA)
    if closer_map:
        text = text.replace("zoom = 12", "zoom = 13")
    place.write_text(text, encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "Our changes")
    return files


def unmerged(files: dict[str, bytes]) -> list[str]:
    """Files holding conflict markers, or the .rej and .orig files a failed merge leaves."""
    markers = (b"\n<<<<<<< ", b"\n>>>>>>> ")
    return [
        path
        for path, data in files.items()
        if path.endswith((".rej", ".orig")) or data.startswith(b"<<<<<<< ") or any(m in data for m in markers)
    ]


def assert_it_still_works(project: Path) -> None:
    """The project installs, ingests its data with nothing rejected, serves its own styles, and its tests pass."""
    uv_in(project, "sync", "--quiet")
    package = package_of(project)
    loaded = uv_in(project, "run", "--no-sync", "python", "-m", package, "ingest").stdout
    assert re.search(r"loaded [1-9][0-9]*, rejected 0", loaded), loaded
    uv_in(project, "run", "--no-sync", "python", "-m", package, "export", "build/site")
    site = project / "build" / "site"
    assert (site / "static" / "local.css").read_text(encoding="utf-8") == LOCAL_STYLES["static/local.css"]
    assert 'href="static/local.css"' in (site / "index.html").read_text(encoding="utf-8")
    outcome = uv_in(project, "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider", check=False)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
