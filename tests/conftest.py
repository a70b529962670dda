"""Fixtures that bake projects from a clean copy of the template with either tool."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clean_copy import clean_copy
from copier import run_copy
from postgres import start_server

ROOT = Path(__file__).resolve().parent.parent

# Answers that exercise escaping in every file format the template writes.
AWKWARD_ANSWERS = {
    "project_name": "Toiledau Cyhoeddus Môn",
    "description": 'Find a "public" toilet in Ynys Môn & King\'s Lynn: open data, no fuss!',
    "place_name": "Ynys Môn",
    "place_code": "W06000001",
    "map_centre": "53.28, -4.33",
    "organisation_name": "King's Lynn and West Norfolk & Brighton (Hove)",
    "organisation_url": "https://www.anglesey.gov.wales/en/Residents/?a=1&b=2",
    "contact_email": "data.team+apps@example.org",
    "copyright_holder": "Comhairle nan Eilean Siar",
}

# The far end of what the answer check accepts: every name and text at its length limit, in Irish, Scottish
# Gaelic and Welsh, with every punctuation mark the rules allow (tests/test_answer_properties.py checks so).
FAR_END_ANSWERS = {
    "project_name": (
        "Leithris Phoiblí & Toiledau Cyhoeddus, Finder (Dùn Èideann / Béal Feirste / Ynys Môn) - Ŵyl's Maps 2"
    ),
    "project_slug": "leithris-phoibli-toiledau-cyhoeddus-mon2",
    "description": (
        'Find a "public" toilet near you in Ard Mhacha, Béal Feirste, Na h-Eileanan Siar & Ynys Môn: open, free; '
        "100% from the councils' open data (OGL) - updated daily! Where is the nearest one? Changing Places, "
        "baby change + RADAR keys - all listed \u2013 with opening hours \u2014 for all residents & visitors alike."
    ),
    "place_name": (
        "Ard Mhacha, An Bhanna agus Creag Abhann & Comhairle Ceantair an Dúin (Tuaisceart Éireann) / Ynys Môn"
    ),
    "place_code": "N09000003",
    "map_centre": "54.5973, -5.9301",
    "organisation_name": (
        "Comhairle Cathrach Bhéal Feirste & Cyngor Sir Ynys Môn & Comhairle nan Eilean Siar (O\u2019Neill\u2019s, Ltd.)"
    ),
    "organisation_url": "https://www.comhairle-cathrach-bheal.gov.uk/ga/Conaitheoiri/?a=1&b='2'&c=(3)#top",
    "contact_email": "o'neill+open.data@comhairle-cathrach.gov.uk",
    "copyright_holder": (
        "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr, Comhairle nan Eilean Siar & Dŵr Cymru (Welsh Water) Ltd"
    ),
    "dataset_theme": "public_toilets",
    "code_licence": "AGPL-3.0-or-later",
    "data_licence": "ODbL-1.0",
}

# Answer files that belong to one tool only.
ANSWERS_FILES = {".copier-answers.yml", ".cookiecutter-replay.json"}


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean copy of the template, made once per test session."""
    return clean_copy(tmp_path_factory.mktemp("template") / "local-data-app-template")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database for the baked projects' store tests, started once per session.

    TEST_DATABASE_URL, if set, is used as it is; otherwise scripts/postgres.py
    starts a throwaway server (installing PostgreSQL with apt-get if need be).
    """
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    url, stop = start_server()
    try:
        yield url
    finally:
        stop()


def bake_with_copier(template: Path, destination: Path, answers: dict[str, Any] | None = None) -> Path:
    """Generate a project with copier's defaults plus ``answers``."""
    run_copy(str(template), destination, data=answers or {}, defaults=True, unsafe=True, quiet=True)
    return destination


def run_tool(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run cookiecutter or copier as a user would, capturing what it prints.

    Its temporary files go in ``cwd``'s folder ``tmp`` (see :func:`left_behind`).
    """
    tool, *arguments = (str(part) for part in command)
    executable = str(Path(sys.executable).with_name(tool))
    temporary = cwd / "tmp"
    temporary.mkdir(exist_ok=True)
    environment = {
        **os.environ,
        "NO_COLOR": "1",
        "COOKIECUTTER_CONFIG": str(cwd / "no-user-config.yaml"),
        "TMPDIR": str(temporary),
    }
    (cwd / "no-user-config.yaml").write_text("{}\n", encoding="utf-8")
    return subprocess.run(
        [executable, *arguments], cwd=cwd, capture_output=True, text=True, env=environment, timeout=120
    )


def left_behind(cwd: Path) -> list[str]:
    """What a :func:`run_tool` run in ``cwd`` left in its temporary folder: files, and folders holding any."""
    temporary = cwd / "tmp"
    return sorted(
        path.relative_to(temporary).as_posix() for path in temporary.rglob("*") if path.is_file() or any(path.iterdir())
    )


def commit_all(project: Path) -> None:
    """Put a generated project under git with one commit, as a team would."""
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "Generated"]):
        subprocess.run([*git, *command], cwd=project, check=True)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path, with its bytes."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}
