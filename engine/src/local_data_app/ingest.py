"""Ingest: read each configured source, map it onto the theme's schema and swap it into the store.

Each record is stored with the area (see [[areas]] in place.toml) that its
source covers, or that its own row names when the source has an
``area_column`` (see areas.py; such a load's provenance names the whole
[place]), in the fields :data:`~.store.AREA_FIELDS`. Every row read is
either loaded or written to the rejects file with its reasons, so
read = loaded + rejected for every source. A source that cannot be read, fails
part way, gives no records at all (a file with only a header, a portal that
answers with none) or gives only records that are all rejected leaves the data
already serving untouched and is reported with what to fix; the other sources
still load. Rows of a load refused because all were rejected are set aside in
``data/rejects/<source>.refused.csv`` with their reasons.

A source that has not changed since its last load (the same file, settings,
schema and app version; see :func:`load_digest`) is not loaded again unless
forced: the data serving is already what a load would give. A source at a
web address is read whole into a temporary file before its load starts, so the
store's write lock is held only while loading (see spool.py).

Whatever goes wrong with one source, not only the faults the adapters name
(a SourceError), is that source's failure, in words, never a traceback: an
error no one foresaw, in a third-party adapter or on a hostile file, rolls its
load back like any other, and the later sources still load. So does a fault of
the database while loading (read-only, full or damaged), said with its fix. A
database whose catalogue of loads cannot be read stops the ingest with a
StoreError, since what serves is then unknown. Ctrl+C (KeyboardInterrupt)
still stops everything at once.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TextIO, TypeVar

from . import __version__, adapters, gazetteer
from .areas import RowAreas, give
from .config import Area, LoadedSettings, Settings, Source
from .errors import AppError, ConfigError, SourceError, StoreError
from .lock import one_ingest_at_a_time
from .normalise import Normaliser
from .quality import Measure
from .rejects import RejectsWriter, reasons_in_words
from .schemas.layout import layout
from .spool import spooled
from .store import AREA_CODE, AREA_FIELDS, INDEXED_KEY, Provenance, Store, open_store
from .store.faults import store_fault
from .store.masks import boxed
from .store.opening import marked

BATCH_SIZE = 5000
REJECTS_FOLDER = Path("data") / "rejects"
SHOWN_ERROR = 200  # characters of an unforeseen error's own message that a report shows
# Python's collector of reference cycles while a load runs: after 50,000 new objects rather than 700, and its
# older generations seldom (see fewer_collections).
LOADING_COLLECTIONS = (50_000, 20, 100)


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
    near_misses: list[tuple[str, str]] = field(default_factory=list)  # (empty field, unused column of a like name)

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
    with one_ingest_at_a_time(settings.database_url, loaded.project_dir), fewer_collections():
        return _ingest(loaded, sources, progress or Progress(), force)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run Python's cycle collector less often in the block: a load makes millions of objects but few cycles.

    Reference counting frees a batch's rows, records and features as soon as
    it is written; the collector only looks for cycles among them, and at its
    usual pace (every 700 new objects) it ran 3,433 times over a load of
    200,000 rows, 2.4 s of its 21 s. Every 50,000 it runs 3 times, in 0.05 s,
    and the load's peak memory is the same (docs/performance.md).
    """
    before = gc.get_threshold()
    gc.set_threshold(*LOADING_COLLECTIONS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _ingest(loaded: LoadedSettings, sources: list[Source], progress: Progress, force: bool) -> list[SourceReport]:
    settings = loaded.settings
    store = open_store(settings.database_url, loaded.project_dir)
    try:
        try:
            serving = {provenance.collection: provenance for provenance in store.provenance()}
        except Exception as error:
            fault = store_fault(error, settings.database_url)
            if fault is None:
                raise
            raise StoreError(
                f"Could not read the catalogue of loads in the database {fault.database} ({fault.problem}), "
                f"so no source was ingested. {fault.fix}"
            ) from error
        with store.ingesting():
            return [
                ingest_source(store, loaded, source, serving.get(source.name), progress, force) for source in sources
            ]
    finally:
        store.close()


def ingest_source(
    store: Store,
    loaded: LoadedSettings,
    source: Source,
    last: Provenance | None,
    progress: Progress,
    force: bool = False,
) -> SourceReport:
    """Load one source into the store, or leave its previous data (``last`` loaded) serving and say why not."""
    settings = loaded.settings
    schema = loaded.schema_of(source)  # a gazetteer's (role = "postcodes" or "places") or the theme's
    report = SourceReport(source.name)
    rejects = RejectsWriter(loaded.project_dir / REJECTS_FOLDER, source.name)
    fetched_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    area = settings.area_of(source)
    try:
        spec = adapters.SourceSpec(source.name, source.location, loaded.project_dir)
        adapter = adapters.create(source.adapter, spec, source.options)
        content = adapter.content_digest()
        digest = load_digest(content, source, settings, schema, area) if content else None
        if digest and last and last.source_digest == digest and not force:
            report.unchanged = last
            report.read, report.loaded, report.rejected = last.rows_read, last.rows_loaded, last.rows_rejected
            return report
        normaliser = Normaliser(schema, source.name, {**adapter.implied_fields, **source.fields}, source.crs)
        measure = Measure(schema["fields"])  # the load's quality, stored with it (see quality.py)
        # Each row's own area (see areas.py), or every row the source's area.
        row_areas = RowAreas(source.name, source.area_column, settings.all_areas) if source.area_column else None
        # A web source is read whole before the load's write transaction opens (see spool.py).
        reading = spooled(adapter.records()) if spec.is_url() else nullcontext(adapter.records())
        shape = layout(schema)
        fields = marked([*schema["fields"], *AREA_FIELDS], shape.hours)  # hours indexed for "open now"
        equals = [(box.field, box.value) for box in shape.equals()]
        holds = [(box.field, box.absent) for box in shape.holds().values()]
        fields = boxed(fields, equals, holds)  # the boxes' own values, whose masks the store holds (masks.py)
        if row_areas is not None:  # an index finds one area's rows among hundreds of areas'
            fields = [{**spec, INDEXED_KEY: True} if spec["name"] == AREA_CODE else spec for spec in fields]
        with reading as records, closing(normaliser), store.replacing(source.name, fields) as staging:
            for batch in batched(records, BATCH_SIZE):
                features, rejections = normaliser.normalise(batch)
                if row_areas is not None:
                    features, rejections = row_areas.assign(batch, features, rejections)
                else:
                    for feature in features:
                        give(feature, area)
                if source.role is not None:  # written for lookup; rows outside the app's areas are rejected
                    features, outside = gazetteer.narrow(source.role, features, batch, settings)
                    rejections = [*rejections, *outside]
                staging.add(features)
                rejects.add(rejections)
                measure.add(features, rejections)
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
            if row_areas is not None:
                row_areas.check_found(normaliser.columns_seen)
            if not report.loaded:
                raise EveryRowRejected(
                    f"Source {source.name!r}: all {report.read:,} rows read were rejected, so they do not replace "
                    f"the source's data. The commonest reasons: {reasons_in_words(rejects.commonest_reasons())}. "
                    "Map the source's columns onto the schema's fields in [sources.fields], or set its crs, in "
                    "place.toml (see docs/data-sources.md)."
                )
            report.near_misses = normaliser.near_misses()
            staging.commit(
                Provenance(
                    collection=source.name,
                    theme=source.role or settings.dataset.theme,  # a gazetteer's role keeps it out of the API
                    adapter=source.adapter,
                    location=spec.public_location(),  # shown on the about page and in the API
                    licence=source.licence or adapter.remote_licence or settings.dataset.licence,
                    attribution=source.attribution or adapter.remote_attribution,
                    fetched_at=fetched_at,
                    rows_read=report.read,
                    rows_loaded=report.loaded,
                    rows_rejected=report.rejected,
                    area_code=area.code,
                    area_name=area.name,
                    source_digest=digest,
                    quality=measure.stored(adapter.remote_quality),
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
    except Exception as error:  # not foreseen, or the database's: still only this source's failure
        rejects.discard()
        report.error = unforeseen(source.name, error, settings.database_url)
        report.previous = last
    except BaseException:  # Ctrl+C or an exit stops every source, leaving no scratch file behind
        rejects.discard()
        raise
    finally:
        progress.done()
    return report


def unforeseen(source: str, error: Exception, database_url: str) -> str:
    """An error that no one turned into words, in words: the database's with its fix, or any other by its kind."""
    fault = store_fault(error, database_url)
    if fault is not None:
        return (
            f"Source {source!r}: could not load it into the database {fault.database} ({fault.problem}), so its "
            f"load was rolled back. {fault.fix}"
        )
    text = " ".join(str(error).split())
    text = text if len(text) <= SHOWN_ERROR else text[:SHOWN_ERROR] + "..."
    return (
        f"Source {source!r}: reading or loading it stopped on an error the app does not explain "
        f"({type(error).__name__}{': ' if text else ''}{text}). Check the source's file or address and its options "
        "in place.toml; if they look right, report this message with the source so that it can be explained."
    )


def load_digest(content: str, source: Source, settings: Settings, schema: dict[str, Any], area: Area) -> str:
    """A SHA-256 of everything a load of the source depends on: while it matches the last load's, skip the load.

    The content's digest, the source's entry in place.toml (its mapping, crs,
    licence and options), the dataset's theme and schema, the area (and every
    area, for a source whose rows are kept or refused by them), the engine's
    version and the version of the distribution that provides the adapter (the
    engine, or a project for its own adapter): a change to any of
    them may change what would load, so a new engine loads an unchanged file
    again without --force.
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
    if source.role is not None or source.area_column is not None:  # rows kept or refused by the app's areas
        described["areas"] = [[each.code, each.name] for each in settings.all_areas]
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()


def batched(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Lists of up to ``size`` items, in order."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
