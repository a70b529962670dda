"""The checks' report, as text for people and as JSON for programs."""

from __future__ import annotations

import json

from . import Report
from .base import Result

LABELS = {"passed": "PASS", "warning": "WARN", "failed": "FAIL", "not checked": "NOT CHECKED"}


def as_text(report: Report) -> str:
    """One block per check: its status and summary, then each finding at its file:line, and where the fix is."""
    lines = [f"Checking {report.project.directory}", ""]
    width = max(len(label) for label in LABELS.values())
    for result in report.results:
        lines.append(f"{LABELS[result.status]:<{width}}  {result.id}: {result.summary}")
        lines.extend(_findings(result, " " * (width + 2)))
    counts = report.counts()
    shown = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
    checks = "1 check" if len(report.results) == 1 else f"{len(report.results)} checks"
    lines += ["", f"{checks}: {shown}."]
    if counts["not checked"]:
        lines.append("A check that was not checked has not passed: install what it needs and run check again.")
    return "\n".join(lines)


def _findings(result: Result, indent: str) -> list[str]:
    lines = [f"{indent}{detail}" for detail in result.details]
    for finding in result.findings:
        where = f"{finding.location}: " if finding.location else ""
        marker = "warning: " if finding.severity == "warning" else ""
        lines.append(f"{indent}{where}{marker}{finding.message}")
    if result.status in {"failed", "warning"}:
        lines.append(f"{indent}How to fix: {result.help}")
    return lines


def as_json(report: Report) -> str:
    """The whole report as one JSON document."""
    payload = {
        "project": str(report.project.directory),
        "ok": report.ok,
        "counts": report.counts(),
        "checks": [result.as_dict() for result in report.results],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)
