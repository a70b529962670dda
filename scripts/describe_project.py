"""Print, as JSON, the commands and settings of a generated project, read from its code.

Run by ``sync_reference.py`` with the generated project's own Python, from the
project folder: ``uv run python describe_project.py <package_name>``. It
imports the engine's argument parser, settings model and adapters, as the
project's package runs them (its own adapters included), and lists what they
define, so the reference pages are built from the code itself.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

PROGRAM = "<project-slug>"


def _jsonable(value: Any) -> Any:
    """A default value as JSON can hold it (tuples as lists, anything else as text)."""
    try:
        return json.loads(json.dumps(value))
    except TypeError:
        return str(value)


def _argument(parser: argparse.ArgumentParser, action: argparse.Action) -> dict[str, Any]:
    formatter = parser._get_formatter()
    shown_default = action.default not in (None, False, argparse.SUPPRESS) and action.nargs != 0
    return {
        "flags": list(action.option_strings),
        "name": action.dest,
        "metavar": action.metavar,
        "help": formatter._expand_help(action) if action.help else "",
        "choices": list(action.choices) if action.choices else None,
        "default": _jsonable(action.default) if shown_default else None,
        "takes_value": action.nargs != 0,
        "required": bool(action.required),
    }


def _arguments(parser: argparse.ArgumentParser) -> list[dict[str, Any]]:
    skipped = (argparse._SubParsersAction, argparse._HelpAction)
    return [_argument(parser, action) for action in parser._actions if not isinstance(action, skipped)]


def commands(cli: Any, distribution: str) -> dict[str, Any]:
    """The program's own options and each sub-command with its help, usage and arguments."""
    sys.argv[0] = PROGRAM
    parser: argparse.ArgumentParser = cli.build_parser(distribution)
    (subparsers,) = (action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    helps = {choice.dest: choice.help for choice in subparsers._choices_actions}
    return {
        "usage": parser.format_usage().removeprefix("usage: ").strip(),
        "description": parser.description or "",
        "options": _arguments(parser),
        "commands": [
            {
                "name": name,
                "help": helps.get(name, ""),
                "description": sub.description or "",
                "usage": " ".join(sub.format_usage().removeprefix("usage: ").split()),
                "arguments": _arguments(sub),
            }
            for name, sub in subparsers.choices.items()
        ],
    }


def _field(name: str, field: FieldInfo) -> dict[str, Any]:
    default = field.get_default(call_default_factory=True)
    return {
        "name": name,
        "required": field.is_required(),
        "default": None if default is PydanticUndefined else _jsonable(default),
    }


def _fields(model: type[BaseModel]) -> list[dict[str, Any]]:
    return [_field(name, field) for name, field in model.model_fields.items()]


def settings(config: Any, adapters: Any, http: Any) -> dict[str, Any]:
    """Every place.toml table and key, the variables that override them, and every adapter's options."""
    tables, arrays, top_level = [], [], []
    for name, field in config.Settings.model_fields.items():
        annotation = field.annotation
        inner = getattr(annotation, "__args__", (None,))[0]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys = [dict(key, variable=config.env_var(f"{name}.{key['name']}")) for key in _fields(annotation)]
            tables.append({"name": name, "required": field.is_required(), "keys": keys})
        elif isinstance(inner, type) and issubclass(inner, BaseModel):
            arrays.append({"name": name, "variable": config.env_var(f"{name}.0.name"), "keys": _fields(inner)})
        else:
            top_level.append(dict(_field(name, field), variable=config.env_var(name)))
    common = set(http.HttpOptions.model_fields)
    return {
        "config_file": config.CONFIG_FILE,
        "config_variable": config.CONFIG_ENV,
        "prefix": config.ENV_PREFIX,
        "delimiter": config.ENV_NESTED_DELIMITER,
        "tables": tables,
        "arrays": arrays,
        "top_level": top_level,
        "common_options": _fields(http.HttpOptions),
        "adapters": [
            {
                "name": name,
                "web_options": issubclass(adapter.Options, http.HttpOptions),
                "options": [option for option in _fields(adapter.Options) if option["name"] not in common],
            }
            for name, adapter in sorted(adapters.adapters().items())
        ],
    }


def main(package: str) -> None:
    """Describe the engine's commands and settings as the project's package runs them."""
    distribution = importlib.import_module(f"{package}.cli").DISTRIBUTION
    modules = {name: importlib.import_module(f"local_data_app.{name}") for name in ("cli", "config", "adapters")}
    http = importlib.import_module("local_data_app.adapters.http")
    description = {
        "commands": commands(modules["cli"], distribution),
        "settings": settings(modules["config"], modules["adapters"], http),
    }
    print(json.dumps(description, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
