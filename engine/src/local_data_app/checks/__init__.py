"""The design-to-scale checks: what code can tell about whether this project will spread beyond its area.

``python -m <package> check`` runs every check in :data:`CHECKS` and reports
each one as passed, warning, failed or not checked, with the file and line of
every problem. docs/checks.md describes each check and how to fix what it
finds. A check is a :class:`Check` registered as an entry point in the
``local_data_app.checks`` group: the engine's own in its pyproject.toml, a
project's in the project's, the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import AppError
from ..extensions import CHECKS_GROUP, ExtensionError, registered
from .base import STATUSES, Check, Finding, Project, Result, Status

__all__ = ["Check", "Finding", "Project", "Report", "Result", "checks", "run_checks"]


# The order `check` reports the engine's own checks in (entry points carry no order); a project's come after.
REPORT_ORDER = (
    "place-literals",
    "licences",
    "reuse",
    "publiccode",
    "datapackage",
    "sources",
    "quality",
    "checklist",
    # What has to change before the service is published: warnings until then (see publication.py).
    "placeholders",
    "code-repository",
    "area-country",
    "sample-data",
    "languages",  # a Welsh area without Welsh pages fails whether published or not
    "brand",  # a colour white text cannot be read on, or a logo outside the project, fails at once
)


def _report_order(check: Check) -> tuple[int, str]:
    return (REPORT_ORDER.index(check.id) if check.id in REPORT_ORDER else len(REPORT_ORDER)), check.id


def checks() -> tuple[Check, ...]:
    """Every registered check, in report order; an entry point's name must be its check's id."""
    found = []
    for name, extension in registered(CHECKS_GROUP).items():
        check = extension.target
        if not isinstance(check, Check) or check.id != name:
            raise ExtensionError(
                f"The check registered as {name!r} by {extension.distribution} must be a "
                f"local_data_app.checks.Check whose id is {name!r}."
            )
        found.append(check)
    return tuple(sorted(found, key=_report_order))


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
    for check in checks():
        if wanted and check.id not in wanted:
            continue
        try:
            result = check.run(project)
        except (AppError, OSError) as error:
            result = Result(check.id, check.title, "Could not run.", [Finding(str(error))])
        results.append(result)
    return Report(project, results)
