"""Place-specific values outside config: the place's and areas' names and GSS codes, organisation and map centre.

A value from place.toml written into the code ties the app to one area: a fork
for another area has to find and change it. This check searches the package
(its Python code, page templates, static files and schemas) for the values
place.toml holds now. Names match as whole words and exactly, so a name that
is also an ordinary word only matches with its capitals; coordinates match as
the numbers written in place.toml, not as part of longer numbers; a coordinate
with fewer than three significant digits (0.0, 1.5, 53.0) is an everyday
number in code and styles as well, so it is not searched. Comments and
docstrings in Python are not searched: they change nothing a fork runs.
Third-party code under a ``vendor`` folder is not searched either. A line that
has to keep a match (a word that happens to be the place's name) can be
accepted with a ``place-check: ignore`` comment on it.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from .base import Check, Finding, Project, Result, count
from .files import project_files

ID = "place-literals"
TITLE = "Place-specific values only in place.toml"
# The project's own code and its page overrides (the engine is one package shared by every area).
SEARCHED = ("src", "templates", "static")
WHERE = ", ".join(f"{name}/" for name in SEARCHED)
SKIPPED_FOLDERS = {"vendor", "__pycache__"}
BINARY_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".woff", ".woff2", ".ttf", ".db", ".pyc"}
IGNORE_MARKER = "place-check: ignore"
FEWEST_DIGITS = 3  # significant digits a coordinate needs to be told apart from an ordinary number


@dataclass(frozen=True)
class Literal:
    """A value from place.toml, the key that holds it, and the pattern that finds it in text."""

    key: str
    value: str
    pattern: re.Pattern[str]


def literals(project: Project) -> tuple[list[Literal], list[str]]:
    """The place-specific values in the settings, each with its pattern; and the coordinates too round to search."""
    settings = project.loaded.settings
    found = [
        _word("place.name", settings.place.name),
        _word("place.code", settings.place.code),
        _word("organisation.name", settings.organisation.name),
    ]
    for index, area in enumerate(settings.areas):
        found += [_word(f"areas.{index}.name", area.name), _word(f"areas.{index}.code", area.code)]
    too_round = []
    latitude, longitude = settings.map.centre
    for key, value in (("map.centre latitude", latitude), ("map.centre longitude", longitude)):
        if _significant_digits(value) >= FEWEST_DIGITS:
            found.append(_number(key, value))
        else:
            too_round.append(repr(value))
    return found, too_round


def _significant_digits(value: float) -> int:
    return len(repr(abs(value)).replace(".", "").strip("0"))


def _word(key: str, value: str) -> Literal:
    # Whole words: no letter, digit or underscore may touch either end.
    return Literal(key, value, re.compile(rf"(?<!\w){re.escape(value)}(?!\w)"))


def _number(key: str, value: float) -> Literal:
    text = repr(value)
    # Not part of a longer number: no digit or point before it, no digit after it.
    return Literal(key, text, re.compile(rf"(?<![\d.]){re.escape(text)}(?!\d)"))


def run(project: Project) -> Result:
    values, too_round = literals(project)
    folders = [project.path(name) for name in SEARCHED]
    files = [path for path in project_files(project.directory) if any(_searched(path, folder) for folder in folders)]
    findings: list[Finding] = []
    for path in files:
        text = _text(path)
        if text is None:
            continue
        lines = _code_only(text) if path.suffix == ".py" else text.splitlines()
        for number, line in enumerate(lines, start=1):
            if IGNORE_MARKER in line or not line.strip():
                continue
            matches = _matches(line, values)
            if matches:
                named = ", ".join(f"{literal.value!r} ({literal.key} in place.toml)" for literal in matches)
                findings.append(
                    Finding(
                        f"{named} written in the code. Read it from the settings instead, "
                        "so another area only edits place.toml.",
                        project.relative(path),
                        number,
                    )
                )
    shown = ", ".join(repr(literal.value) for literal in values)
    if findings:
        summary = f"{count(len(findings), 'line')} under {WHERE} with place-specific values."
    else:
        summary = f"No place-specific values in the {len(files)} files under {WHERE}."
    details = [f"searched for {shown}"]
    if too_round:
        details.append(f"not searched for {', '.join(too_round)}: too round to tell from other numbers in code")
    return Result(ID, TITLE, summary, findings, details=details)


def _matches(line: str, values: list[Literal]) -> list[Literal]:
    """The values found in a line; a value found only inside a longer one (a place in its council's name) is not."""
    spans = [(match.span(), literal) for literal in values for match in literal.pattern.finditer(line)]
    kept: list[Literal] = []
    for (start, end), literal in spans:
        inside = any(
            other_start <= start and end <= other_end and (other_end - other_start) > (end - start)
            for (other_start, other_end), _ in spans
        )
        if not inside and literal not in kept:
            kept.append(literal)
    return kept


def _searched(path: Path, folder: Path) -> bool:
    if not path.is_relative_to(folder) or path.suffix.lower() in BINARY_SUFFIXES:
        return False
    return not SKIPPED_FOLDERS.intersection(path.relative_to(folder).parts[:-1])


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def _code_only(source: str) -> list[str]:
    """The lines of a Python file with its comments and docstrings blanked out; line numbers are kept."""
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return lines  # not valid Python: search all of it
    spans: list[tuple[int, int, int, int]] = []  # start line, start column, end line, end column (characters)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
                and first.end_lineno is not None
                and first.end_col_offset is not None
            ):
                # ast counts columns in UTF-8 bytes; lines are sliced in characters.
                start = _characters(lines[first.lineno - 1], first.col_offset)
                end = _characters(lines[first.end_lineno - 1], first.end_col_offset)
                spans.append((first.lineno, start, first.end_lineno, end))
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and IGNORE_MARKER not in token.string:
                spans.append((*token.start, *token.end))
    except (tokenize.TokenError, SyntaxError):
        pass
    for start_line, start_col, end_line, end_col in spans:
        for number in range(start_line, end_line + 1):
            line = lines[number - 1]
            begin = start_col if number == start_line else 0
            end = end_col if number == end_line else len(line)
            lines[number - 1] = line[:begin] + " " * (end - begin) + line[end:]
    return lines


def _characters(line: str, byte_offset: int) -> int:
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


CHECK = Check(ID, TITLE, run)
