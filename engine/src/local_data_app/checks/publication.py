"""Whether the service is published, which decides whether what must change before publication fails `check`.

A freshly generated project carries placeholders on purpose (an example.org
contact, the sample data), so that it runs at once. Before publication they
are things to do, reported as warnings; once ``[service] published = true`` in
place.toml they would mislead the public, and they fail the check.
"""

from __future__ import annotations

from .base import Project, Severity

SETTING = "[service] published"


def published(project: Project) -> bool:
    """What place.toml (or APP_SERVICE__PUBLISHED) says; raises ConfigError when the settings are not valid."""
    return project.loaded.settings.service.published


def severity(project: Project) -> Severity:
    """``warning`` before publication, ``error`` after it."""
    return "error" if published(project) else "warning"


def note(project: Project) -> str:
    """A line for the report saying which it is, and why the findings are warnings or failures."""
    if published(project):
        return f"{SETTING} = true in place.toml: the service is published, so each of these fails the check"
    return f"{SETTING} = false in place.toml: warnings until the service is published, failures after"
