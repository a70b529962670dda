"""The line of a key in a TOML file, so findings about place.toml or pyproject.toml can say ``file:line``.

The standard library's tomllib gives values but no lines. This reads the
file's table headers (``[table]``, ``[[array]]``, ``[array.sub]``) to find the
section a key is in, then the line that assigns it; for a value written over
several lines (an array), the line within it that holds the value. It covers
the TOML that place.toml and pyproject.toml are written in; where it cannot
tell, it answers with the nearest line it knows, or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Key = tuple[str | int, ...]

HEADER = re.compile(r"\[\[?\s*(?P<name>[^\[\]]+?)\s*\]\]?")


def code_part(line: str) -> str:
    """A line without its comment: up to the first ``#`` that is outside quotes."""
    quote = ""
    escaped = False
    for index, character in enumerate(line):
        if quote:
            if escaped:
                escaped = False
            elif character == "\\" and quote == '"':
                escaped = True
            elif character == quote:
                quote = ""
        elif character in "\"'":
            quote = character
        elif character == "#":
            return line[:index]
    return line


def _parts(name: str) -> list[str]:
    return [part.strip().strip("\"'") for part in name.split(".")]


@dataclass(frozen=True)
class _Section:
    key: Key
    start: int  # index of the header line (-1 for the keys before the first header)
    end: int  # index of the next header line


def _sections(lines: list[str]) -> list[_Section]:
    found: list[tuple[Key, int]] = [((), -1)]
    counts: dict[str, int] = {}
    for index, line in enumerate(lines):
        text = code_part(line).strip()
        match = HEADER.fullmatch(text)
        if not match:
            continue
        parts = _parts(match["name"])
        if text.startswith("[["):
            name = ".".join(parts)
            counts[name] = counts.get(name, 0) + 1
            found.append(((*parts, counts[name] - 1), index))
        else:
            # A table under the last entry of an array of tables: [sources.fields] after [[sources]].
            key: list[str | int] = []
            for part in parts:
                key.append(part)
                name = ".".join(str(item) for item in key if isinstance(item, str))
                if name in counts:
                    key.append(counts[name] - 1)
            found.append((tuple(key), index))
    sections = []
    for position, (key, start) in enumerate(found):
        end = found[position + 1][1] if position + 1 < len(found) else len(lines)
        sections.append(_Section(key, start, end))
    return sections


def line_of(text: str, key: Key, value: str | None = None) -> int | None:
    """The 1-based line that sets ``key`` (and, for a value over several lines, the line holding ``value``)."""
    lines = text.splitlines()
    sections = [section for section in _sections(lines) if key[: len(section.key)] == section.key]
    if not sections:
        return None
    section = max(sections, key=lambda candidate: len(candidate.key))
    rest = [part for part in key[len(section.key) :] if isinstance(part, str)]
    if not rest:
        return section.start + 1 if section.start >= 0 else None
    assignment = re.compile(rf"""\s*["']?{re.escape(rest[0])}["']?\s*[.=]""")
    for index in range(section.start + 1, section.end):
        if not assignment.match(code_part(lines[index])):
            continue
        if value is None:
            return index + 1
        for later in range(index, section.end):
            if value in code_part(lines[later]):
                return later + 1
        return index + 1
    return section.start + 1 if section.start >= 0 else None
