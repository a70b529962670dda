"""The design-to-scale checks: what code can tell about whether this project will spread beyond its area.

``python -m <package> check`` runs every check in :data:`CHECKS` and reports
each one as passed, warning, failed or not checked, with the file and line of
every problem. docs/checks.md describes each check and how to fix what it
finds. A check is a module with an ``ID``, a ``TITLE`` and a ``run(project)``
function, listed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import AppError
from . import checklist, datapackage, licences, place_literals, publiccode, reuse_lint, sources
from .base import STATUSES, Check, Finding, Project, Result, Status

__all__ = ["CHECKS", "Check", "Finding", "Project", "Report", "Result", "run_checks"]

CHECKS: tuple[Check, ...] = tuple(
    module.CHECK for module in (place_literals, licences, reuse_lint, publiccode, datapackage, sources, checklist)
)


@dataclass
class Report:
    """The results of a run of the checks, in order."""

    project: Project
    results: list[Result]

    @property
    def ok(self) -> bool:
        """No check failed (a check that could not run is not a failure, but is not a pass either)."""
        return all(result.status != "failed" for result in self.results)

    def counts(self) -> dict[Status, int]:
        return {status: sum(result.status == status for result in self.results) for status in STATUSES}


def run_checks(project: Project, only: Iterable[str] | None = None) -> Report:
    """Run every check (or those named), each on its own: one that cannot read what it needs fails alone."""
    wanted = set(only or ())
    results = []
    for check in CHECKS:
        if wanted and check.id not in wanted:
            continue
        try:
            result = check.run(project)
        except (AppError, OSError) as error:
            result = Result(check.id, check.title, "Could not run.", [Finding(str(error))])
        results.append(result)
    return Report(project, results)
