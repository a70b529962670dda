"""The command line: ``python -m {{ cookiecutter.package_name }} <command>``.

Commands are thin: they parse arguments, call one library function and turn
the app's errors into a message and an exit status.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .config import CONFIG_ENV, LoadedSettings, effective_settings, load_settings
from .errors import AppError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


def hide_password(url: str) -> str:
    """A database URL with any password replaced, safe to print or log.

    The URL is split by hand, not parsed, so that a malformed one (a bad port,
    say) is still printed safely rather than raising.
    """
    scheme, separator, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    credentials, at, host = netloc.rpartition("@")
    if not separator or not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}{slash}{path}"


def show_config(args: argparse.Namespace) -> int:
    """Print the effective settings and where each value came from."""
    loaded: LoadedSettings = load_settings(args.config)
    rows = [
        (key, hide_password(value) if key == "database_url" else value, origin)
        for key, value, origin in effective_settings(loaded)
    ]
    if args.format == "json":
        payload = {
            "config_file": str(loaded.config_path),
            "settings": [{"key": key, "value": value, "source": origin} for key, value, origin in rows],
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"Settings from {loaded.config_path}")
    print()
    key_width = max(len(key) for key, _, _ in rows)
    value_width = max(len(json.dumps(value, ensure_ascii=False)) for _, value, _ in rows)
    for key, value, origin in rows:
        shown = json.dumps(value, ensure_ascii=False)
        print(f"  {key:<{key_width}}  {shown:<{value_width}}  {origin}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per command."""
    program = Path(sys.argv[0]).name
    if program in {"__main__.py", "-c"}:
        program = f"python -m {__package__}"
    parser = argparse.ArgumentParser(
        prog=program,
        description="{{ cookiecutter.project_name }}: a local open data app configured by place.toml.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--config",
        metavar="PATH",
        help=f"the place.toml to use (default: ${CONFIG_ENV}, else ./place.toml)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    config = commands.add_parser(
        "config",
        help="print the effective settings and where each came from",
        description="Print every setting, its value and its source: place.toml, .env, the environment or the default.",
    )
    config.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    config.set_defaults(handler=show_config)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except AppError as error:
        print(f"Error: {error}", file=sys.stderr)
        return EXIT_ERROR
