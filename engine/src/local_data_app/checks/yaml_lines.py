"""YAML with line numbers: each key and item's line, so findings can say ``file:line``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

Key = tuple[str | int, ...]


class YamlProblem(ValueError):
    """A YAML file that does not parse; ``line`` is where the parser stopped, when it knows."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class LinedYaml:
    """A parsed YAML document and the line of every key, item and value in it."""

    data: Any
    lines: dict[Key, int]

    def line(self, *key: str | int) -> int | None:
        """The line of the value at ``key``, else of the nearest enclosing one that exists."""
        for end in range(len(key), -1, -1):
            found = self.lines.get(tuple(key[:end]))
            if found is not None:
                return found
        return None


def load(text: str) -> LinedYaml:
    """Parse one YAML document with PyYAML's safe loader, noting each node's line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise YamlProblem(f"not valid YAML: {problem}", line) from error
    lines: dict[Key, int] = {}
    if node is not None:
        _note(node, (), lines)
    return LinedYaml(data, lines)


def _note(node: yaml.Node, key: Key, lines: dict[Key, int]) -> None:
    lines.setdefault(key, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*key, str(key_node.value))
            lines[child] = key_node.start_mark.line + 1
            _note(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _note(item, (*key, index), lines)
