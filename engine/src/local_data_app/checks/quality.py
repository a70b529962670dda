"""Each source's data quality at its last load, as the /quality page shows it: a warning when many rows were rejected.

It reads what ingest measured and stored with each load (quality.py) from
the project's database; it reads no source and loads nothing. A source whose
last load rejected more than :data:`~..quality.WARN_SHARE` of the rows read
is a warning, with its commonest reasons and where the rejected rows are. A
project with nothing loaded yet (no database file) passes with a note, since
there is no data to judge; a database the check cannot open (a PostgreSQL
server that is not running where ``check`` runs) leaves it not checked.
"""

from __future__ import annotations

from ..errors import StoreError
from ..ingest import REJECTS_FOLDER
from ..quality import WARN_SHARE, quality_of
from ..rejects import reasons_in_words
from ..store import open_store
from ..store.sqlite import database_path
from .base import Check, Finding, Project, Result, count

ID = "quality"
TITLE = "Data quality of each source's last load"
SHOWN_REASONS = 3


def run(project: Project) -> Result:
    loaded = project.loaded
    settings = loaded.settings
    url = settings.database_url
    ingest = project.command("ingest")
    if url.lower().startswith("sqlite:") and not database_path(url, loaded.project_dir).exists():
        return Result(ID, TITLE, f"No data loaded yet: run {ingest}, then check again to see each source's quality.")
    try:
        store = open_store(url, loaded.project_dir)
    except StoreError as error:
        return Result(ID, TITLE, f"Could not open the database to read the quality of its loads. {error}", skipped=True)
    try:
        serving = {provenance.collection: provenance for provenance in store.provenance()}
    finally:
        store.close()
    findings: list[Finding] = []
    details: list[str] = []
    statuses: dict[str, int] = {}
    for source in settings.sources:
        provenance = serving.get(source.name)
        if provenance is None:
            details.append(f"{source.name}: not loaded yet")
            continue
        quality = quality_of(provenance, loaded.schema()["fields"])
        statuses[quality.status] = statuses.get(quality.status, 0) + 1
        details.append(f"{source.name}: {quality.summary}")
        if quality.measured and quality.rejected_share > WARN_SHARE:
            reasons = reasons_in_words((reason.reason, reason.rows) for reason in quality.reasons[:SHOWN_REASONS])
            rejects = (REJECTS_FOLDER / f"{source.name}.csv").as_posix()
            findings.append(
                Finding(
                    f"source {source.name!r}: {provenance.rows_rejected:,} of {provenance.rows_read:,} rows read "
                    f"({quality.rejected_share:.0%}) were rejected at its last load, more than {WARN_SHARE:.0%}. "
                    f"The commonest reasons: {reasons}. Each rejected row and its reasons are in {rejects}: fix the "
                    "source, or map its columns in [sources.fields] (see docs/data-sources.md), then ingest again.",
                    project.relative(project.config_path),
                    severity="warning",
                )
            )
    if not statuses:
        return Result(ID, TITLE, f"No source loaded yet: run {ingest} to load and measure them.", [], details)
    measured = ", ".join(f"{number} {status}" for status, number in sorted(statuses.items()))
    summary = f"Read the last load of {count(sum(statuses.values()), 'source')}: {measured}."
    return Result(ID, TITLE, summary, findings, details)


CHECK = Check(ID, TITLE, run)
