"""Shared fixtures: a clean environment and temporary place.toml files with made-up values."""

from __future__ import annotations

import copy
import json
import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
SHIPPED_PLACE_TOML = PROJECT_DIR / "place.toml"
PYPROJECT_TOML = PROJECT_DIR / "pyproject.toml"

# Variables the app reads; none from the real environment may leak into a test.
SETTINGS_VARIABLES = ("DATABASE_URL", "PLACE_TOML")
SETTINGS_PREFIX = "APP_"

# A complete, valid place.toml for an area that does not exist.
MADE_UP_PLACE: dict[str, dict[str, Any]] = dict(
    place=dict(name="Testshire", code="E06000999"),
    organisation=dict(
        name="Testshire Council",
        url="https://www.testshire.example",
        contact_email="open-data@testshire.example",
    ),
    map=dict(centre=[52.5, -1.5], zoom=11),
    dataset=dict(theme="public_toilets", licence="OGL-UK-3.0"),
)

WritePlaceToml = Callable[..., Path]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Remove settings variables from the real environment and run each test in an empty folder."""
    for name in list(os.environ):
        if name.upper().startswith(SETTINGS_PREFIX) or name.upper() in SETTINGS_VARIABLES:
            monkeypatch.delenv(name)
    # Plain, predictable help text: no colours (Python 3.14's argparse) and a fixed width.
    for name in ("FORCE_COLOR", "PYTHON_COLORS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    work_dir = tmp_path / "cwd"
    work_dir.mkdir()
    monkeypatch.chdir(work_dir)


@pytest.fixture
def place_values() -> dict[str, dict[str, Any]]:
    """A fresh copy of the made-up place, safe for a test to change."""
    return copy.deepcopy(MADE_UP_PLACE)


@pytest.fixture
def shipped_place_toml() -> Path:
    """The project's own place.toml."""
    return SHIPPED_PLACE_TOML


@pytest.fixture
def shipped_values() -> dict[str, Any]:
    """The project's own place.toml, as tomllib reads it."""
    return tomllib.loads(SHIPPED_PLACE_TOML.read_text(encoding="utf-8"))


@pytest.fixture
def project_metadata() -> dict[str, Any]:
    """The [project] table of the project's pyproject.toml."""
    return tomllib.loads(PYPROJECT_TOML.read_text(encoding="utf-8"))["project"]


def toml_value(value: Any) -> str:
    """A value written as TOML: JSON strings, numbers and arrays are valid TOML too."""
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def toml_text(values: dict[str, Any]) -> str:
    """A place.toml document: a table per top-level key, and an array of tables (such as sources) per list."""
    lines: list[str] = []
    for table, entries in values.items():
        for entry in entries if isinstance(entries, list) else [entries]:
            lines.append(f"[[{table}]]" if isinstance(entries, list) else f"[{table}]")
            nested = {key: value for key, value in entry.items() if isinstance(value, dict)}
            lines.extend(f"{key} = {toml_value(value)}" for key, value in entry.items() if key not in nested)
            for key, value in nested.items():
                lines.append(f"[{table}.{key}]")
                lines.extend(f"{name} = {toml_value(item)}" for name, item in value.items())
            lines.append("")
    return "\n".join(lines)


@pytest.fixture
def write_place_toml(tmp_path: Path, place_values: dict[str, dict[str, Any]]) -> WritePlaceToml:
    """A function that writes a place.toml (the made-up place by default) and returns its path."""

    def write(values: dict[str, Any] | None = None, folder: str = "project") -> Path:
        directory = tmp_path.resolve() / folder
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "place.toml"
        path.write_text(toml_text(place_values if values is None else values), encoding="utf-8")
        return path

    return write


@pytest.fixture
def place_toml(write_place_toml: WritePlaceToml) -> Path:
    """A valid place.toml for the made-up place, alone in its folder."""
    return write_place_toml()
