"""Placeholder addresses: e-mail addresses and web addresses at names reserved for examples.

A generated project starts with the answers it was generated with, and the
default contact is ``opendata@example.org``: a name reserved for examples
(RFC 2606 and RFC 6761), which reaches no one. This check reads every value of
place.toml, publiccode.yml, CITATION.cff and pyproject.toml and names each
e-mail address, web address or host name at example.org, example.com or
example.net (or a name under them), or under the top-level names .example,
.invalid or .test. Only values are read, never comments. datapackage.json is
not read: the ``datapackage`` command writes it from place.toml.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import publication
from .base import Check, Finding, Project, Result, count
from .toml_lines import line_of
from .yaml_lines import YamlProblem, load

ID = "placeholders"
TITLE = "No placeholder contacts or addresses"
TOML_FILES = ("pyproject.toml",)  # besides place.toml, wherever it is
YAML_FILES = ("publiccode.yml", "CITATION.cff")

RESERVED_DOMAINS = ("example.org", "example.com", "example.net")
RESERVED_TOP_LEVEL = ("example", "invalid", "test")
EMAIL = re.compile(r"[\w.+-]+@(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/\s]*@)?(?P<host>[^/\s:?#]+)")
HOST = re.compile(r"(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\.?")
HOST_KEYS = {"host", "hosts"}  # keys whose values are bare host names, such as [server] hosts

Key = tuple[str | int, ...]


def reserved(host: str) -> bool:
    """Whether a host name is reserved for examples and tests, so it can never be a real address."""
    name = host.lower().rstrip(".")
    if any(name == domain or name.endswith("." + domain) for domain in RESERVED_DOMAINS):
        return True
    return "." in name and name.rsplit(".", 1)[1] in RESERVED_TOP_LEVEL


@dataclass(frozen=True)
class Placeholder:
    """A value holding a reserved name: its key, the value, the name and what kind of address it is."""

    key: Key
    value: str
    host: str
    kind: str  # "e-mail address", "web address" or "host name"


def placeholders(data: Any, key: Key = ()) -> Iterator[Placeholder]:
    """Every string in a parsed document that holds an address at a reserved name."""
    if isinstance(data, dict):
        for name, value in data.items():
            yield from placeholders(value, (*key, str(name)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from placeholders(value, (*key, index))
    elif isinstance(data, str):
        found: list[tuple[str, str]] = [(match["host"], "e-mail address") for match in EMAIL.finditer(data)]
        found += [(match["host"], "web address") for match in URL.finditer(data)]
        names = [part for part in key if isinstance(part, str)]
        if names and names[-1] in HOST_KEYS and HOST.fullmatch(data):
            found.append((data, "host name"))
        for host, kind in found:
            if reserved(host):
                yield Placeholder(key, data, host, kind)
                return


def dotted(key: Key) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in key).lstrip(".")


def _message(placeholder: Placeholder, published: bool) -> str:
    fix = {
        "e-mail address": "Set it to an address the organisation reads",
        "web address": "Set it to the real address",
        "host name": "Set it to the real host name",
    }[placeholder.kind]
    when = "" if published else " before the service is published"
    return (
        f"{dotted(placeholder.key)}: {placeholder.value!r} is a placeholder {placeholder.kind}: "
        f"{placeholder.host} is reserved for examples and reaches no one. {fix}{when}."
    )


def run(project: Project) -> Result:
    severity = publication.severity(project)
    published = severity == "error"
    findings: list[Finding] = []
    read: list[str] = []
    files = [(project.config_path, "toml")]
    files += [(project.path(name), "toml") for name in TOML_FILES]
    files += [(project.path(name), "yaml") for name in YAML_FILES]
    for path, kind in files:
        shown = project.relative(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            continue  # the checks of each file say that it is missing or not UTF-8
        if kind == "toml":
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                continue
            found = [(item, line_of(text, item.key, item.value)) for item in placeholders(data)]
        else:
            try:
                document = load(text)
            except YamlProblem:
                continue
            found = [(item, document.line(*item.key)) for item in placeholders(document.data)]
        read.append(shown)
        findings += [Finding(_message(item, published), shown, line, severity) for item, line in found]
    details = [f"read the values of {', '.join(read)}"]
    if findings:
        details.append(publication.note(project))
        noun = count(len(findings), "placeholder address", "placeholder addresses")
        summary = f"{noun} to replace." if published else f"{noun} to replace before publication."
    else:
        summary = "No addresses at names reserved for examples."
    return Result(ID, TITLE, summary, findings, details)


CHECK = Check(ID, TITLE, run)
