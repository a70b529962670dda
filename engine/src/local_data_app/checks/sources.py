"""Each configured source readable, and its columns mapping onto the schema: a dry run on a sample.

For every [[sources]] entry in place.toml this reads the first rows through the
source's adapter and maps them onto the theme's schema with the same
normaliser that ``ingest`` uses, but writes nothing: not the database, not the
rejects file. A source fails when it cannot be read, when it holds no rows,
when a column named in its [sources.fields] is in none of the rows read, or
when every row read would be rejected; it warns when some would be.
"""

from __future__ import annotations

import re
from collections import Counter
from contextlib import closing
from itertools import islice

from .. import adapters, gazetteer
from ..areas import RowAreas
from ..config import LoadedSettings, Source
from ..errors import AppError
from ..normalise import Normaliser
from ..rejects import reasons_in_words
from .base import Check, Finding, Project, Result, Severity, count

ID = "sources"
TITLE = "Sources readable and mapped onto the schema"
SAMPLE_ROWS = 100
SHOWN_REASONS = 3


def run(project: Project) -> Result:
    loaded = project.loaded
    sources = loaded.settings.sources
    if not sources:
        return Result(
            ID, TITLE, "No sources.", [Finding("no [[sources]]: add one (see docs/data-sources.md).", "place.toml")]
        )
    findings: list[Finding] = []
    details: list[str] = []
    failed = 0
    config = project.relative(project.config_path)
    for source in sources:
        detail, problems = dry_run(loaded, source)
        details.append(detail)
        line = _line_of_source(project, source.name)
        findings.extend(Finding(message, config, line, severity) for severity, message in problems)
        failed += any(severity == "error" for severity, _ in problems)
    sampled = "the source" if len(sources) == 1 else f"each of the {len(sources)} sources"
    summary = (
        f"{failed} of {count(len(sources), 'source')} cannot be ingested as configured."
        if failed
        else f"Read a sample of {sampled} and mapped it onto the schema."
    )
    return Result(ID, TITLE, summary, findings, details)


def dry_run(loaded: LoadedSettings, source: Source) -> tuple[str, list[tuple[Severity, str]]]:
    """Read and normalise up to SAMPLE_ROWS rows of one source: a line about it, and its problems."""
    schema = loaded.schema_of(source)  # a gazetteer's own, or the theme's
    where = f"source {source.name!r} ({source.adapter}, {source.location})"

    def problem(message: str, severity: Severity = "error") -> tuple[Severity, str]:
        return severity, f"{where}: {message}"

    try:
        spec = adapters.SourceSpec(source.name, source.location, loaded.project_dir)
        adapter = adapters.create(source.adapter, spec, source.options)
        normaliser = Normaliser(schema, source.name, source.fields, source.crs)
        with closing(adapter.records()) as records:
            sample = list(islice(records, SAMPLE_ROWS))
        with closing(normaliser):
            features, rejections = normaliser.normalise(sample) if sample else ([], [])
        if source.role is not None:  # a gazetteer's rows outside the app's areas are rejected, as ingest does
            features, outside = gazetteer.narrow(source.role, features, sample, loaded.settings)
            rejections = [*rejections, *outside]
        if source.area_column is not None:  # each row's own area, as ingest reads it
            row_areas = RowAreas(source.name, source.area_column, loaded.settings.all_areas)
            features, rejections = row_areas.assign(sample, features, rejections)
            row_areas.check_found(normaliser.columns_seen)
    except (AppError, OSError, ValueError) as error:
        return f"{source.name}: could not be read", [problem(f"cannot be read. {error}")]

    if not sample:
        return f"{source.name}: no rows", [problem("holds no rows. Check its location and options.")]
    findings: list[tuple[Severity, str]] = []
    unmatched = normaliser.unmatched_columns()
    if unmatched:
        columns = ", ".join(sorted(normaliser.columns_seen))
        findings.append(
            problem(
                f"[sources.fields] maps {', '.join(unmatched)}, but no row read has such a column. "
                f"Its columns are: {columns}."
            )
        )
    if rejections:
        reasons = Counter(reason for rejection in rejections for reason in rejection.reasons)
        shown = reasons_in_words(reasons.most_common(SHOWN_REASONS))
        if features:
            message = f"{len(rejections)} of the first {len(sample)} rows would be rejected: {shown}."
            findings.append(problem(message, "warning"))
        else:
            message = (
                f"every one of the first {len(sample)} rows would be rejected: {shown}. "
                "Map the source's columns onto the schema's fields in [sources.fields] (see docs/data-sources.md)."
            )
            findings.append(problem(message))
    empty = [
        field["name"]
        for field in schema["fields"]
        if features and all(feature.properties.get(field["name"]) is None for feature in features)
    ]
    detail = f"{source.name}: read {count(len(sample), 'row')}, {len(features)} would load, {len(rejections)} rejected"
    if empty:
        detail += f"; fields empty in every row read: {', '.join(empty)}"
    return detail, findings


def _line_of_source(project: Project, name: str) -> int | None:
    """The line of ``name = "<name>"`` in a [[sources]] table of the config file."""
    try:
        lines = project.config_path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    in_sources = False
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if text.startswith("["):
            in_sources = text.replace(" ", "") == "[[sources]]"
        elif in_sources and re.fullmatch(rf"""name\s*=\s*["']{re.escape(name)}["']\s*(#.*)?""", text):
            return number
    return None


CHECK = Check(ID, TITLE, run)
