"""Data-source adapters, registered by name: the ``adapter`` key of a [[sources]] entry.

Each built-in adapter lives in its own module and registers itself with
:func:`register`. To add one, write a module with an :class:`Adapter` subclass
decorated with ``@register``, and add the module's name to ``BUILT_IN``
(docs/adapters.md walks through an example).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, TypeVar

from pydantic import ValidationError

from .base import Adapter, AdapterOptions, RawRecord, SourceSpec

__all__ = ["ADAPTERS", "Adapter", "AdapterOptions", "RawRecord", "SourceSpec", "create", "options_for", "register"]

ADAPTERS: dict[str, type[Adapter]] = {}

AdapterClass = TypeVar("AdapterClass", bound=type[Adapter])


def register(cls: AdapterClass) -> AdapterClass:
    """Make an adapter class available under its ``name``."""
    if cls.name in ADAPTERS and ADAPTERS[cls.name] is not cls:
        raise ValueError(f"Two adapters are named {cls.name!r}: {ADAPTERS[cls.name].__module__} and {cls.__module__}")
    ADAPTERS[cls.name] = cls
    return cls


def options_for(adapter: str, values: dict[str, Any]) -> AdapterOptions:
    """The adapter's options checked and typed; raises ValueError naming the adapter and each bad key."""
    if adapter not in ADAPTERS:
        raise ValueError(f"expected an adapter name: one of {', '.join(sorted(ADAPTERS))}")
    try:
        return ADAPTERS[adapter].Options.model_validate(values)
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
    return ADAPTERS[adapter](source, options_for(adapter, options))


BUILT_IN = ("csv_files", "geojson_files", "ckan", "arcgis", "opendatasoft", "socrata")
for _module in BUILT_IN:
    import_module(f"{__name__}.{_module}")
