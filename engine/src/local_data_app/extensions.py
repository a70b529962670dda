"""Extensions found by name through entry points: the engine's built-ins and a project's own, the same way.

The engine registers its source adapters and design-to-scale checks in its own
``pyproject.toml``; a generated project registers its additions in its
``pyproject.toml`` under the same groups, and ``place.toml`` names them. Nothing
in the engine has to be edited to add one, and because the built-ins use the
same path, the path is exercised by every ingest and every ``check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from .errors import AppError

ENGINE = "local-data-app"
ADAPTERS_GROUP = "local_data_app.adapters"
CHECKS_GROUP = "local_data_app.checks"


class ExtensionError(AppError):
    """An entry point could not be loaded, or two distributions claim one name."""


@dataclass(frozen=True)
class Extension:
    """One registered object, with the distribution that registered it (for versions and messages)."""

    name: str
    target: Any
    distribution: str
    version: str


def _distribution(entry: EntryPoint) -> tuple[str, str]:
    found = entry.dist
    return (found.name, found.version) if found is not None else ("unknown", "0")


def _engine_first(entry: EntryPoint) -> tuple[bool, str]:
    return _distribution(entry)[0] != ENGINE, _distribution(entry)[0]


@cache
def registered(group: str) -> dict[str, Extension]:
    """Every entry point of ``group``, loaded, by name; one that fails to load or is claimed twice is an error.

    The engine's come first, then each other distribution's.
    """
    found: dict[str, Extension] = {}
    for entry in sorted(entry_points(group=group), key=_engine_first):
        distribution, version = _distribution(entry)
        try:
            target = entry.load()
        except Exception as error:  # a broken extension must be named, whatever it raised
            raise ExtensionError(
                f"The {group} entry point {entry.name!r} of {distribution} ({entry.value}) could not be loaded: "
                f"{type(error).__name__}: {error}. Fix or remove it in that distribution's pyproject.toml."
            ) from error
        if entry.name in found and found[entry.name].target is not target:
            raise ExtensionError(
                f"Two distributions register {entry.name!r} in {group}: {found[entry.name].distribution} and "
                f"{distribution}. Rename one of them in its pyproject.toml."
            )
        found[entry.name] = Extension(entry.name, target, distribution, version)
    return found
