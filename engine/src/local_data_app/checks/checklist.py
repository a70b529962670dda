"""The design-to-scale checklist: design-to-scale.yml, its rendering as Markdown, and the check on both.

The YAML file is the one source: a list of items per theme, each a question,
why it matters for scaling, the barrier it answers, this project's status and
the evidence. design-to-scale.md is rendered from it by :func:`render` (the
``checklist`` command writes it). The check fails when an item is
unanswered, has a status the checklist does not allow, is answered yes or
partly with no evidence, names evidence that does not exist, or when the
Markdown no longer matches the YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AppError
from .base import Check, Finding, Project, Result, count
from .yaml_lines import LinedYaml, YamlProblem, load

ID = "checklist"
TITLE = "Design-to-scale checklist answered"
SOURCE = "design-to-scale.yml"
RENDERED = "design-to-scale.md"
THEMES = {
    "data": "Data",
    "technical": "Technical",
    "resources": "Resources",
    "knowledge": "Knowledge",
    "collaboration": "Collaboration",
}
BARRIERS = (
    "data standards",
    "data availability",
    "funding",
    "engagement and collaboration",
    "skills and resources",
    "closed source",
)
STATUSES = ("yes", "partly", "no", "not applicable")
NEEDS_EVIDENCE = {"yes", "partly"}
# YAML reads an unquoted yes or no as true or false; they mean the same here.
BOOLEAN_STATUSES = {True: "yes", False: "no"}


class ChecklistError(AppError):
    """design-to-scale.yml cannot be read at all: the message names the file, the line and the problem."""


@dataclass
class Item:
    """One question of the checklist, as the YAML holds it, and the line it starts on."""

    theme: str
    id: str
    question: str
    why: str
    barrier: str
    status: str | None
    evidence: list[str]
    notes: str
    line: int | None


@dataclass
class Checklist:
    """The items by theme, and every problem found reading them."""

    items: list[Item] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)

    def themes(self) -> dict[str, list[Item]]:
        grouped: dict[str, list[Item]] = {}
        for item in self.items:
            grouped.setdefault(item.theme, []).append(item)
        return grouped


def read(project_dir: Path) -> Checklist:
    """The checklist of a project, with each problem of form (not of evidence) as a finding."""
    path = project_dir / SOURCE
    checklist = Checklist()
    if not path.is_file():
        checklist.problems.append(Finding("missing: the checklist of what lets this project spread.", SOURCE))
        return checklist
    try:
        document = load(path.read_text(encoding="utf-8"))
    except YamlProblem as problem:
        checklist.problems.append(Finding(str(problem), SOURCE, problem.line))
        return checklist
    themes = document.data.get("themes") if isinstance(document.data, dict) else None
    if not isinstance(themes, dict):
        checklist.problems.append(Finding("no `themes`: the items go under data, technical, ...", SOURCE, 1))
        return checklist
    for theme in THEMES:
        if theme not in themes:
            checklist.problems.append(Finding(f"the theme {theme!r} is missing.", SOURCE, document.line("themes")))
    seen: set[str] = set()
    for theme, entries in themes.items():
        where = document.line("themes", theme)
        if theme not in THEMES:
            message = f"{theme!r} is not a theme of the checklist: use one of {', '.join(THEMES)}."
            checklist.problems.append(Finding(message, SOURCE, where))
            continue
        if not isinstance(entries, list):
            checklist.problems.append(Finding(f"theme {theme!r}: expected a list of items.", SOURCE, where))
            continue
        for index, entry in enumerate(entries):
            item = _item(document, theme, index, entry, checklist.problems)
            if item is None:
                continue
            if item.id in seen:
                checklist.problems.append(
                    Finding(f"item {item.id!r} appears twice; ids must be unique.", SOURCE, item.line)
                )
            seen.add(item.id)
            checklist.items.append(item)
    return checklist


def _item(document: LinedYaml, theme: str, index: int, entry: Any, problems: list[Finding]) -> Item | None:
    key = ("themes", theme, index)
    line = document.line(*key)
    if not isinstance(entry, dict):
        problems.append(Finding(f"item {index + 1} of {theme!r} is not a section of keys.", SOURCE, line))
        return None
    name = str(entry.get("id") or f"{theme} item {index + 1}")

    def text(field_name: str, required: bool = True) -> str:
        value = entry.get(field_name)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if required:
            problems.append(Finding(f"item {name!r} has no {field_name}.", SOURCE, document.line(*key, field_name)))
        return ""

    status = entry.get("status")
    status = BOOLEAN_STATUSES.get(status, status) if isinstance(status, bool) else status
    status_line = document.line(*key, "status")
    if status is None or (isinstance(status, str) and not status.strip()):
        message = f"item {name!r} is not answered: set its status to one of {', '.join(STATUSES)}."
        problems.append(Finding(message, SOURCE, status_line))
        status = None
    elif status not in STATUSES:
        message = f"item {name!r} has the status {status!r}; the checklist allows {', '.join(STATUSES)}."
        problems.append(Finding(message, SOURCE, status_line))
        status = None
    barrier = text("barrier")
    if barrier and barrier not in BARRIERS:
        message = f"item {name!r} names the barrier {barrier!r}; the barriers are {', '.join(BARRIERS)}."
        problems.append(Finding(message, SOURCE, document.line(*key, "barrier")))
    evidence = entry.get("evidence") or []
    if not isinstance(evidence, list) or not all(isinstance(path, str) for path in evidence):
        message = f"item {name!r}: evidence should be a list of paths, such as [README.md, docs/configuration.md]."
        problems.append(Finding(message, SOURCE, document.line(*key, "evidence")))
        evidence = []
    return Item(
        theme=theme,
        id=text("id"),
        question=text("question"),
        why=text("why"),
        barrier=barrier,
        status=status,
        evidence=list(evidence),
        notes=text("notes", required=False),
        line=line,
    )


def evidence_problems(project_dir: Path, checklist: Checklist) -> list[Finding]:
    """Items answered yes or partly without evidence, and evidence paths that do not exist."""
    problems: list[Finding] = []
    root = project_dir.resolve()
    for item in checklist.items:
        if item.status in NEEDS_EVIDENCE and not item.evidence:
            message = (
                f"item {item.id!r} is answered {item.status!r} but names no evidence: list the files that show it."
            )
            problems.append(Finding(message, SOURCE, item.line))
        for path in item.evidence:
            target = (project_dir / path).resolve()
            if not target.is_relative_to(root) or not target.exists():
                message = f"item {item.id!r} names {path!r} as evidence, but there is no such file or folder."
                problems.append(Finding(message, SOURCE, item.line))
    return problems


def render(checklist: Checklist) -> str:
    """The checklist as Markdown, the contents of design-to-scale.md."""
    out = [
        f"<!-- Generated from {SOURCE} by the app's `checklist` command: edit the YAML file, then run the",
        "command again. The `check` command fails while the two differ. -->",
        "",
        "# Design-to-scale checklist",
        "",
        "What lets this project spread beyond its first area, grouped by theme. Each item says why",
        "it matters, which barrier to reuse it answers, this project's answer and the evidence for it.",
        "`check` runs the checks that code can run; these are the questions people answer.",
        "",
        "| theme | " + " | ".join(STATUSES) + " | unanswered |",
        "| --- |" + " ---: |" * (len(STATUSES) + 1),
    ]
    grouped = checklist.themes()
    for theme, items in grouped.items():
        counts = [sum(item.status == status for item in items) for status in STATUSES]
        unanswered = sum(item.status is None for item in items)
        out.append(f"| {_theme_title(theme)} | " + " | ".join(str(count) for count in [*counts, unanswered]) + " |")
    for theme, items in grouped.items():
        out += ["", f"## {_theme_title(theme)}"]
        for item in items:
            out += ["", f"### {item.question}", ""]
            out.append(f"- **Answer:** {item.status or 'not answered yet'}")
            out.append(f"- **Barrier:** {item.barrier}")
            if item.evidence:
                out.append("- **Evidence:** " + ", ".join(f"[`{path}`]({_link(path)})" for path in item.evidence))
            out.append(f"- **Id:** `{item.id}`")
            out += ["", f"Why it matters: {item.why}"]
            if item.notes:
                out += ["", f"Notes: {item.notes}"]
    return "\n".join(out) + "\n"


def _link(path: str) -> str:
    """A link target for a path: in angle brackets when it holds characters a bare link cannot."""
    return f"<{path}>" if any(character in path for character in " ()<>") else path


def _theme_title(theme: str) -> str:
    return THEMES.get(theme, theme.capitalize())


def write(project_dir: Path) -> tuple[Path, Checklist]:
    """Render design-to-scale.md from design-to-scale.yml; ChecklistError if the YAML holds no usable item."""
    checklist = read(project_dir)
    if not checklist.items:
        raise ChecklistError("; ".join(f"{problem.location}: {problem.message}" for problem in checklist.problems))
    path = project_dir / RENDERED
    path.write_text(render(checklist), encoding="utf-8")
    return path, checklist


def run(project: Project) -> Result:
    checklist = read(project.directory)
    findings = list(checklist.problems)
    findings += evidence_problems(project.directory, checklist)
    rendered = project.path(RENDERED)
    rewrite = f"Run `{project.command('checklist')}` to render it from {SOURCE}."
    if checklist.items:
        expected = render(checklist)
        if not rendered.is_file():
            findings.append(Finding(f"missing. {rewrite}", RENDERED))
        else:
            found = rendered.read_text(encoding="utf-8")
            if found != expected:
                line = _first_difference(found, expected)
                findings.append(Finding(f"differs from what {SOURCE} renders. {rewrite}", RENDERED, line))
    answered = _counts(checklist.items)
    counts = ", ".join(f"{answered[status]} {status}" for status in STATUSES if answered[status])
    summary = (
        f"{count(len(findings), 'problem')} with the checklist."
        if findings
        else f"All {len(checklist.items)} items answered ({counts}), with their evidence."
    )
    return Result(ID, TITLE, summary, findings)


def _counts(items: list[Item]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for item in items:
        if item.status is not None:
            counts[item.status] += 1
    return counts


def _first_difference(found: str, expected: str) -> int:
    found_lines, expected_lines = found.splitlines(), expected.splitlines()
    for number, (one, other) in enumerate(zip(found_lines, expected_lines, strict=False), start=1):
        if one != other:
            return number
    return min(len(found_lines), len(expected_lines)) + 1


CHECK = Check(ID, TITLE, run)
