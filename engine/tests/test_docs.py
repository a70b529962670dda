"""The generated project's docs about data sources say what the engine does."""

from __future__ import annotations

import re

import pytest
from conftest import PROJECT_DIR

from local_data_app import adapters
from local_data_app.adapters.http import HttpOptions
from local_data_app.config import Source

DOCS = PROJECT_DIR / "docs"


def section(text: str, heading: str) -> str:
    """The text under a Markdown heading, up to the next heading."""
    pattern = "^#+ " + re.escape(heading) + r"\n(.*?)(?=^#+ |\Z)"
    match = re.search(pattern, text, re.MULTILINE | re.DOTALL)
    assert match, f"no heading {heading!r}"
    return match.group(1)


def test_every_source_key_is_documented() -> None:
    keys = section((DOCS / "data-sources.md").read_text(encoding="utf-8"), "An entry")
    for key in Source.model_fields:
        assert f"| `{key}` |" in keys, key


@pytest.mark.parametrize("name", sorted(adapters.adapters()))
def test_every_adapter_and_its_options_are_documented(name: str) -> None:
    text = section((DOCS / "data-sources.md").read_text(encoding="utf-8"), f"`{name}`")
    for option in adapters.adapters()[name].Options.model_fields:
        if option not in HttpOptions.model_fields:
            assert f"| `{option}` |" in text, f"{name}: {option}"
