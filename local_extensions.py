"""Jinja filters that make cookiecutter render the template as copier does.

Copier always loads the jinja2-ansible-filters extension; cookiecutter does not.
The template uses only three of those filters, so cookiecutter gets the same
three here, with the same signatures and results (``tests/test_parity.py``
proves the two tools produce identical files).
"""

from __future__ import annotations

import json
import re
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension


def to_json(value: Any, *args: Any, **kwargs: Any) -> str:
    """Serialise a value as JSON, as ``json.dumps`` would."""
    return json.dumps(value, *args, **kwargs)


def regex_replace(value: str = "", pattern: str = "", replacement: str = "", ignorecase: bool = False) -> str:
    """Replace every match of ``pattern`` in ``value``."""
    return re.compile(pattern, flags=re.I if ignorecase else 0).sub(replacement, str(value))


def regex_search(value: str, pattern: str, *, ignorecase: bool = False, multiline: bool = False) -> str | None:
    """Return the first match of ``pattern`` in ``value``, or None."""
    flags = (re.I if ignorecase else 0) | (re.M if multiline else 0)
    match = re.search(pattern, value, flags=flags)
    return match.group() if match else None


class TemplateFilters(Extension):
    """Registers the filters above on cookiecutter's Jinja environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(to_json=to_json, regex_replace=regex_replace, regex_search=regex_search)
