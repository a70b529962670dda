"""The published data schemas, one Frictionless Table Schema per dataset theme.

Schemas are data, not code: each is a JSON file shipped inside this package, so
the installed app always carries the schema its data must follow, and other
tools can read the same file. A theme is the name of its file, so a new theme
is a new ``<theme>.json`` here, which :data:`THEMES` then lists and the
settings then accept as ``dataset.theme``.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

_SUFFIX = ".json"

THEMES: tuple[str, ...] = tuple(
    sorted(entry.name.removesuffix(_SUFFIX) for entry in files(__name__).iterdir() if entry.name.endswith(_SUFFIX))
)


def load_schema(theme: str) -> dict[str, Any]:
    """The Table Schema of a dataset theme, as a fresh dict the caller may change."""
    if theme not in THEMES:
        available = ", ".join(THEMES)
        raise ValueError(f"No schema for the dataset theme {theme!r}. The themes with a schema are: {available}.")
    return json.loads(files(__name__).joinpath(theme + _SUFFIX).read_text(encoding="utf-8"))
