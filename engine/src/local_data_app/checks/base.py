"""What every check shares: the project it looks at, its findings and its result.

A check is a function from a :class:`Project` to a :class:`Result`. A result
holds findings, each a problem with the file and line where it is when there
is one; errors fail the check, warnings are things to do that do not. A check
that could not run (a tool it needs is missing) says so: it is reported as
not checked, never as passed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from ..config import LoadedSettings, find_config, load_settings
from ..errors import ConfigError

Severity = Literal["error", "warning"]
Status = Literal["passed", "warning", "failed", "not checked"]
STATUSES: tuple[Status, ...] = ("passed", "warning", "failed", "not checked")

# The engine's package: what `python -m` runs when a project has no package of its own under src/.
ENGINE_PACKAGE = __name__.split(".")[0]


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 source``, ``2 sources``: a number with its noun in the right form."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


@dataclass(frozen=True)
class Finding:
    """One problem: what is wrong and how to fix it, and where, as a path from the project root and a line."""

    message: str
    path: str | None = None
    line: int | None = None
    severity: Severity = "error"

    @property
    def location(self) -> str:
        """``path:line``, ``path`` or nothing, as editors and terminals link them."""
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def as_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "path": self.path, "line": self.line, "message": self.message}


@dataclass
class Result:
    """What one check found. Its status follows from its findings unless it could not run."""

    id: str
    title: str
    summary: str
    findings: list[Finding] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # what was looked at, for the reader
    skipped: bool = False

    @property
    def status(self) -> Status:
        if self.skipped:
            return "not checked"
        if any(finding.severity == "error" for finding in self.findings):
            return "failed"
        if self.findings:
            return "warning"
        return "passed"

    @property
    def help(self) -> str:
        """Where the docs explain this check and how to fix what it finds."""
        return f"docs/checks.md#{self.id}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "summary": self.summary,
            "findings": [finding.as_dict() for finding in self.findings],
            "details": list(self.details),
            "help": self.help,
        }


@dataclass(frozen=True)
class Project:
    """A project folder: the one holding place.toml. Settings are read when a check first asks for them."""

    directory: Path
    config_path: Path

    @classmethod
    def find(cls, config: str | Path | None = None) -> Project:
        """The project of the given place.toml, else $PLACE_TOML, else ./place.toml."""
        config_path = find_config(config)
        return cls(config_path.parent, config_path)

    @cached_property
    def loaded(self) -> LoadedSettings:
        """The settings, validated; raises ConfigError with the problems when they are not valid."""
        return load_settings(self.config_path)

    def path(self, relative: str) -> Path:
        return self.directory / relative

    def relative(self, path: Path) -> str:
        """A path as the report shows it: from the project root, with forward slashes."""
        try:
            return path.relative_to(self.directory).as_posix()
        except ValueError:
            return str(path)

    def command(self, name: str) -> str:
        """How the team runs one of the engine's commands: ``python -m <their package> <name>``."""
        packages = sorted(path.parent.name for path in self.directory.glob("src/*/__init__.py"))
        return f"python -m {packages[0] if packages else ENGINE_PACKAGE} {name}"

    def pyproject(self) -> dict[str, Any]:
        """The [project] table of pyproject.toml; ConfigError when the file is missing or broken."""
        path = self.path("pyproject.toml")
        try:
            return tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
        except FileNotFoundError as error:
            raise ConfigError(f"No pyproject.toml in {self.directory}: the project's metadata is missing.") from error
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"pyproject.toml is not valid TOML: {error}.") from error


@dataclass(frozen=True)
class Check:
    """A check as the command runs it: its id (used by --only and in the docs), a title and the function."""

    id: str
    title: str
    run: Callable[[Project], Result]
