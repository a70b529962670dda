"""Ingest: read each configured source, map it onto the theme's schema and swap it into the store.

Each record is stored with the area (see [[areas]] in place.toml) that its
source covers, in the fields :data:`~.store.AREA_FIELDS`. Every row read is
either loaded or written to the rejects file with its reasons, so
read = loaded + rejected for every source. A source that cannot be read, fails
part way, gives no records at all (a file with only a header, a portal that
answers with none) or gives only records that are all rejected leaves the data
already serving untouched and is reported with what to fix; the other sources
still load. Rows of a load refused because all were rejected are set aside in
``data/rejects/<source>.refused.csv`` with their reasons.

A source that has not changed since its last load (the same file, settings,
schema and app version; see :func:`load_digest`) is not loaded again unless
forced: the data serving is already what a load would give.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TextIO, TypeVar

from . import __version__, adapters
from .config import Area, LoadedSettings, Settings, Source
from .errors import AppError, ConfigError, SourceError
from .normalise import Normaliser
from .rejects import RejectsWriter, reasons_in_words
from .store import AREA_CODE, AREA_FIELDS, AREA_NAME, Provenance, Store, open_store

BATCH_SIZE = 5000
REJECTS_FOLDER = Path("data") / "rejects"

Item = TypeVar("Item")


class EveryRowRejected(SourceError):
    """Rows were read, but none could be loaded: most likely a mapping or coordinate system that does not fit."""


@dataclass
class SourceReport:
    """What happened to one source."""

    name: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    rejects_file: Path | None = None  # of the load, or of the rows set aside when it was refused
    error: str | None = None
    previous: Provenance | None = None  # what is still serving when the ingest failed
    unchanged: Provenance | None = None  # the load still serving when the source had not changed since

    @property
    def ok(self) -> bool:
        return self.error is None


class Progress:
    """A one-line progress report, redrawn in place, shown only on a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.active = self.stream.isatty()

    def update(self, report: SourceReport, total: int | None) -> None:
        if not self.active:
            return
        counts = f"{report.read:,} read, {report.loaded:,} loaded, {report.rejected:,} rejected"
        bar = ""
        if total:
            done = min(report.read / total, 1.0)
            filled = int(done * 20)
            bar = f" [{'#' * filled}{'.' * (20 - filled)}] {done:4.0%}"
        self.stream.write(f"\r{report.name}: {counts}{bar}")
        self.stream.flush()

    def done(self) -> None:
        if self.active:
            self.stream.write("\r\033[K")
            self.stream.flush()


def ingest(
    loaded: LoadedSettings, only: str | None = None, progress: Progress | None = None, force: bool = False
) -> list[SourceReport]:
    """Ingest every source (or the one named), returning a report for each; ``force`` loads unchanged ones too."""
    settings = loaded.settings
    sources = [settings.source(only)] if only is not None else list(settings.sources)
    if not sources:
        raise ConfigError("place.toml has no [[sources]] to ingest. Add one: see docs/data-sources.md.")
    store = open_store(settings.database_url, loaded.project_dir)
    try:
        return [ingest_source(store, loaded, source, progress or Progress(), force) for source in sources]
    finally:
        store.close()


def ingest_source(
    store: Store, loaded: LoadedSettings, source: Source, progress: Progress, force: bool = False
) -> SourceReport:
    """Load one source into the store, or leave its previous data serving and say why not."""
    settings = loaded.settings
    schema = loaded.schema()
    report = SourceReport(source.name)
    rejects = RejectsWriter(loaded.project_dir / REJECTS_FOLDER, source.name)
    fetched_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    area = settings.area_of(source)
    last = next((p for p in store.provenance() if p.collection == source.name), None)  # the load serving now
    try:
        spec = adapters.SourceSpec(source.name, source.location, loaded.project_dir)
        adapter = adapters.create(source.adapter, spec, source.options)
        content = adapter.content_digest()
        digest = load_digest(content, source, settings, schema, area) if content else None
        if digest and last and last.source_digest == digest and not force:
            report.unchanged = last
            report.read, report.loaded, report.rejected = last.rows_read, last.rows_loaded, last.rows_rejected
            return report
        normaliser = Normaliser(schema, source.name, source.fields, source.crs)
        with store.replacing(source.name, [*schema["fields"], *AREA_FIELDS]) as staging:
            for batch in batched(adapter.records(), BATCH_SIZE):
                features, rejections = normaliser.normalise(batch)
                for feature in features:
                    feature.properties[AREA_CODE], feature.properties[AREA_NAME] = area.code, area.name
                staging.add(features)
                rejects.add(rejections)
                report.read += len(batch)
                report.loaded += len(features)
                report.rejected += len(rejections)
                progress.update(report, adapter.total)
            if not report.read:
                raise SourceError(
                    f"Source {source.name!r}: {adapter.no_records()}. An ingest that reads no records "
                    "does not replace the source's data."
                )
            unmatched = normaliser.unmatched_columns()
            if unmatched:
                raise SourceError(
                    f"Source {source.name!r}: [sources.fields] maps {', '.join(unmatched)}, but no record has "
                    f"such a column. The source's columns are: {', '.join(sorted(normaliser.columns_seen))}."
                )
            if not report.loaded:
                raise EveryRowRejected(
                    f"Source {source.name!r}: all {report.read:,} rows read were rejected, so they do not replace "
                    f"the source's data. The commonest reasons: {reasons_in_words(rejects.commonest_reasons())}. "
                    "Map the source's columns onto the schema's fields in [sources.fields], or set its crs, in "
                    "place.toml (see docs/data-sources.md)."
                )
            staging.commit(
                Provenance(
                    collection=source.name,
                    theme=settings.dataset.theme,
                    adapter=source.adapter,
                    location=source.location,
                    licence=source.licence or settings.dataset.licence,
                    attribution=source.attribution,
                    fetched_at=fetched_at,
                    rows_read=report.read,
                    rows_loaded=report.loaded,
                    rows_rejected=report.rejected,
                    area_code=area.code,
                    area_name=area.name,
                    source_digest=digest,
                )
            )
        report.rejects_file = rejects.finish()
    except (AppError, OSError) as error:
        if isinstance(error, EveryRowRejected):
            report.rejects_file = rejects.set_aside()
        else:
            rejects.discard()
        report.error = str(error)
        report.previous = last  # a load that failed changed nothing
    finally:
        progress.done()
    return report


def load_digest(content: str, source: Source, settings: Settings, schema: dict[str, Any], area: Area) -> str:
    """A SHA-256 of everything a load of the source depends on: while it matches the last load's, skip the load.

    The content's digest, the source's entry in place.toml (its mapping, crs,
    licence and options), the dataset's theme and schema, the area and the
    app's version: a change to any of them may change what would load.
    """
    described = {
        "content": content,
        "source": source.model_dump(mode="json"),
        "licence": settings.dataset.licence,
        "theme": settings.dataset.theme,
        "schema": schema,
        "area": [area.code, area.name],
        "engine": __version__,
        "adapter": adapters.origin(source.adapter),
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()


def batched(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Lists of up to ``size`` items, in order."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
