"""The published data schemas, one Frictionless Table Schema per dataset theme.

Schemas are data, not code: each is a JSON file, so other tools can read the
same file the app checks rows against. A theme is the name of its file. The
engine ships its themes in this package; a project adds its own as
``themes/<theme>.json`` beside its place.toml (a file named like one of the
engine's replaces it for that project). ``dataset.theme`` accepts either.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from .layout import layout_problems

_SUFFIX = ".json"
# The gazetteers a source can be marked as (``role`` in place.toml), each with its own schema in gazetteers/: data
# the app loads to answer near= with a postcode or a place name, never served as a collection of the dataset.
GAZETTEER_ROLES = ("postcodes", "places")
PROJECT_THEMES = "themes"  # the folder of a project's own themes, beside place.toml

# The project whose settings are being validated: the settings' validators ask for its themes.
_validating: ContextVar[Path | None] = ContextVar("validating_project", default=None)


def themes(project_dir: Path | None = None) -> dict[str, Traversable]:
    """Every theme's schema file by theme name: the engine's, then the project's own, which win on a clash."""
    found: dict[str, Traversable] = {
        entry.name.removesuffix(_SUFFIX): entry for entry in files(__name__).iterdir() if entry.name.endswith(_SUFFIX)
    }
    project_dir = project_dir or _validating.get()
    if project_dir is not None and (project_dir / PROJECT_THEMES).is_dir():
        found.update({path.stem: path for path in sorted((project_dir / PROJECT_THEMES).glob("*" + _SUFFIX))})
    return dict(sorted(found.items()))


def load_schema(theme: str, project_dir: Path | None = None) -> dict[str, Any]:
    """The Table Schema of a dataset theme, as a fresh dict the caller may change."""
    available = themes(project_dir)
    if theme not in available:
        raise ValueError(
            f"No schema for the dataset theme {theme!r}. The themes with a schema are: {', '.join(available)}."
        )
    try:
        schema = json.loads(available[theme].read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"The schema of the dataset theme {theme!r} is not valid JSON: {error}.") from error
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        raise ValueError(f"The schema of the dataset theme {theme!r} is not a Table Schema: it has no list of fields.")
    problems = layout_problems(schema)
    if problems:
        raise ValueError(f"The x-page annotation of the dataset theme {theme!r}: {'; '.join(problems)}.")
    return schema


def gazetteer_schema(role: str) -> dict[str, Any]:
    """The Table Schema of a gazetteer (see GAZETTEER_ROLES), as a fresh dict the caller may change."""
    if role not in GAZETTEER_ROLES:
        raise ValueError(f"No gazetteer has the role {role!r}. The roles are: {', '.join(GAZETTEER_ROLES)}.")
    return json.loads(files(__name__).joinpath("gazetteers", role + _SUFFIX).read_text(encoding="utf-8"))


@contextmanager
def validating(project_dir: Path) -> Iterator[None]:
    """While a project's settings are validated, its own themes count as themes."""
    token = _validating.set(project_dir)
    try:
        yield
    finally:
        _validating.reset(token)
