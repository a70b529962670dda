"""What the project's tests share: where the project is, and its place.toml without its sources."""

import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings_only() -> str:
    """place.toml's text up to its first [[sources]] table, for a test to add the sources it needs."""
    text = (PROJECT / "place.toml").read_text(encoding="utf-8")
    return re.split(r"^\[\[sources\]\]", text, maxsplit=1, flags=re.MULTILINE)[0]
