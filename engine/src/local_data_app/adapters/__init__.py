"""Data-source adapters, found by name: the ``adapter`` key of a [[sources]] entry.

Adapters are registered as entry points in the ``local_data_app.adapters``
group: the engine's built-ins in its own pyproject.toml, and a project's own
in the project's pyproject.toml, the same way (docs/adapters.md in a generated
project walks through one). An entry point's name is the name ``place.toml``
uses, and must equal the class's ``name``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..extensions import ADAPTERS_GROUP, Extension, ExtensionError, registered
from .base import Adapter, AdapterOptions, RawRecord, SourceSpec

__all__ = ["Adapter", "AdapterOptions", "RawRecord", "SourceSpec", "adapters", "create", "options_for", "origin"]


def _checked(extension: Extension) -> type[Adapter]:
    adapter = extension.target
    if not (isinstance(adapter, type) and issubclass(adapter, Adapter)):
        raise ExtensionError(
            f"The adapter {extension.name!r} of {extension.distribution} is not a subclass of "
            "local_data_app.adapters.Adapter."
        )
    if adapter.name != extension.name:
        raise ExtensionError(
            f"The adapter registered as {extension.name!r} by {extension.distribution} is named {adapter.name!r}: "
            "make the entry point's name and the class's name the same."
        )
    return adapter


def adapters() -> dict[str, type[Adapter]]:
    """Every registered adapter class, by the name place.toml uses."""
    return {name: _checked(extension) for name, extension in registered(ADAPTERS_GROUP).items()}


def origin(adapter: str) -> str:
    """The distribution and version that provide an adapter, such as ``local-data-app 0.2.0``."""
    extension = registered(ADAPTERS_GROUP)[adapter]
    return f"{extension.distribution} {extension.version}"


def options_for(adapter: str, values: dict[str, Any]) -> AdapterOptions:
    """The adapter's options checked and typed; raises ValueError naming the adapter and each bad key."""
    known = adapters()
    if adapter not in known:
        raise ValueError(f"expected an adapter name: one of {', '.join(sorted(known))}")
    try:
        return known[adapter].Options.model_validate(values)
    except ValidationError as error:
        problems = []
        for problem in error.errors(include_url=False):
            key = ".".join(str(part) for part in problem["loc"])
            if problem["type"] == "extra_forbidden":
                problems.append(f"{key} is not an option of the {adapter} adapter")
            else:
                problems.append(f"{key}: {problem['msg']}")
        raise ValueError("; ".join(problems)) from None


def create(adapter: str, source: SourceSpec, options: dict[str, Any]) -> Adapter:
    """An adapter ready to read ``source``."""
    return adapters()[adapter](source, options_for(adapter, options))
