"""Licences present and consistent: LICENSE, LICENSES/, REUSE.toml and pyproject.toml tell one story.

Another team can only reuse what it may legally copy. This check reads the
code licence from pyproject.toml and requires that LICENSE holds its text,
that every licence REUSE.toml applies has its text in LICENSES/, that every
text in LICENSES/ is used, and that REUSE.toml applies the code licence to
the project as a whole. (Whether every file is covered is the ``reuse``
check's job.)
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .base import Check, Finding, Project, Result, count

ID = "licences"
TITLE = "Licences present and consistent"
LICENSE_FILE = "LICENSE"
LICENSES_FOLDER = "LICENSES"
REUSE_FILE = "REUSE.toml"
# The words of an SPDX expression that are not licence identifiers.
SPDX_OPERATORS = {"AND", "OR", "WITH"}
SPDX_TOKEN = re.compile(r"[A-Za-z0-9.+:-]+")
SIZE_TOLERANCE = 0.2  # a LICENSE within this fraction of the text's size, with its title, is the same licence


def licence_ids(expression: str) -> list[str]:
    """The licence identifiers in an SPDX expression such as ``MIT OR Apache-2.0``."""
    ids = [token for token in SPDX_TOKEN.findall(expression) if token not in SPDX_OPERATORS]
    return [token.removesuffix("+") for token in ids]


def declared_licence(project: Project) -> str:
    """The licence expression of pyproject.toml's [project] table ("" when there is none)."""
    return str(project.pyproject().get("license", "")).strip()


def run(project: Project) -> Result:
    findings: list[Finding] = []
    folder = project.path(LICENSES_FOLDER)
    texts = {path.stem: path for path in sorted(folder.glob("*.txt"))} if folder.is_dir() else {}
    used: dict[str, str] = {}  # licence id -> where it is applied

    declared = declared_licence(project)
    if not declared:
        message = "no `license` in [project]: give the licence's SPDX expression, such as MIT."
        findings.append(Finding(message, "pyproject.toml"))
    for licence in licence_ids(declared):
        used.setdefault(licence, "pyproject.toml")

    reuse_path = project.path(REUSE_FILE)
    annotations: list[dict[str, object]] = []
    try:
        annotations = list(tomllib.loads(reuse_path.read_text(encoding="utf-8")).get("annotations", []))
    except FileNotFoundError:
        message = "missing: it records the licence of every file (see https://reuse.software)."
        findings.append(Finding(message, REUSE_FILE))
    except tomllib.TOMLDecodeError as error:
        findings.append(Finding(f"not valid TOML: {error}.", REUSE_FILE))
    for annotation in annotations:
        for licence in licence_ids(str(annotation.get("SPDX-License-Identifier", ""))):
            used.setdefault(licence, f"{REUSE_FILE} ({annotation.get('path')})")
    # The licence of the project's own files: the annotation for every path.
    own = next((str(note.get("SPDX-License-Identifier", "")) for note in annotations if note.get("path") == "**"), "")
    missing_from_declared = [licence for licence in licence_ids(own) if licence not in licence_ids(declared)]
    if declared and missing_from_declared:
        findings.append(
            Finding(
                f'applies {own!r} to the project\'s files (path "**"), but the licence in pyproject.toml, '
                f"{declared!r}, does not include {', '.join(missing_from_declared)}. Make them agree.",
                REUSE_FILE,
                _line_of(reuse_path, 'path = "**"'),
            )
        )

    for licence, where in used.items():
        if licence not in texts:
            findings.append(
                Finding(
                    f"missing: {where} uses {licence}, so its full text must be in {LICENSES_FOLDER}/{licence}.txt "
                    f"(the SPDX text: `uvx reuse download {licence}`).",
                    f"{LICENSES_FOLDER}/{licence}.txt",
                )
            )
    for licence, path in texts.items():
        if licence not in used:
            message = f"no file uses {licence}: remove this text, or apply the licence in {REUSE_FILE}."
            findings.append(Finding(message, project.relative(path)))

    code = own or declared
    findings.extend(_license_file(project, code, texts))
    summary = (
        f"{count(len(findings), 'licence problem')}."
        if findings
        else f"Code under {code}; every licence used has its text: {', '.join(sorted(texts))}."
    )
    return Result(ID, TITLE, summary, findings)


def _license_file(project: Project, code_licence: str, texts: dict[str, Path]) -> list[Finding]:
    path = project.path(LICENSE_FILE)
    if not path.is_file():
        return [Finding(f"missing: it should hold the full text of the code licence ({code_licence}).", LICENSE_FILE)]
    ids = licence_ids(code_licence)
    if len(ids) != 1 or ids[0] not in texts:
        return []  # a compound expression has no one text; a missing text is reported on its own
    text = path.read_text(encoding="utf-8", errors="replace")
    expected = texts[ids[0]].read_text(encoding="utf-8", errors="replace")
    if _same_licence(text, expected):
        return []
    return [
        Finding(
            f"does not hold the text of {ids[0]}, the licence of the project's files "
            f"(compare it with {LICENSES_FOLDER}/{ids[0]}.txt).",
            LICENSE_FILE,
            1,
        )
    ]


def _same_licence(text: str, expected: str) -> bool:
    """The same text, or the same title with a size close to it (a filled-in copyright line, say)."""
    if text.split() == expected.split():
        return True
    title, expected_title = _first_line(text), _first_line(expected)
    size, expected_size = len(text.split()), len(expected.split())
    return title == expected_title and abs(size - expected_size) <= SIZE_TOLERANCE * expected_size


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _line_of(path: Path, needle: str) -> int | None:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip() == needle:
                return number
    except OSError:
        return None
    return None


CHECK = Check(ID, TITLE, run)
