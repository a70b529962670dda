"""Real data: the sample data the project was generated with is not still its only source.

A generated project ships made-up records around its map centre in
``data/sample/``, so that it runs at once. An app whose every source is still
there would publish those made-up places as the council's. Once any source
reads other data (a file elsewhere, a portal) the sample may stay beside it.
"""

from __future__ import annotations

from pathlib import Path

from . import publication
from .base import Check, Finding, Project, Result, count
from .toml_lines import line_of

ID = "sample-data"
TITLE = "Real data, not only the sample"
SAMPLE_FOLDER = "data/sample"


def is_sample(project: Project, location: str) -> bool:
    """Whether a source's location is a file in the project's data/sample/ folder."""
    if "://" in location:
        return False
    path = Path(location)
    resolved = (path if path.is_absolute() else project.directory / path).resolve()
    return resolved.is_relative_to((project.directory / SAMPLE_FOLDER).resolve())


def run(project: Project) -> Result:
    sources = project.loaded.settings.sources
    if not sources:
        return Result(ID, TITLE, "No sources: the sources check reports it.")
    sample = [index for index, source in enumerate(sources) if is_sample(project, source.location)]
    if len(sample) < len(sources):
        others = len(sources) - len(sample)
        return Result(ID, TITLE, f"{count(others, 'source')} of {len(sources)} read data outside {SAMPLE_FOLDER}/.")
    severity = publication.severity(project)
    when = "" if severity == "error" else " before the service is published"
    config = project.relative(project.config_path)
    try:
        text = project.config_path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    findings = [
        Finding(
            f"source {sources[index].name!r} reads {sources[index].location}, the made-up sample data the project "
            f"was generated with. Point its location at the council's own data{when} (see docs/data-sources.md).",
            config,
            line_of(text, ("sources", index, "location"), sources[index].location),
            severity,
        )
        for index in sample
    ]
    details = [publication.note(project)]
    return Result(ID, TITLE, f"Every source is still the sample data in {SAMPLE_FOLDER}/.", findings, details)


CHECK = Check(ID, TITLE, run)
