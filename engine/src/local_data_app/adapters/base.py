"""The adapter interface: read raw records from one kind of data source.

An adapter knows one kind of source (a CSV file, a CKAN datastore, an ArcGIS
FeatureServer layer, ...) and nothing about schemas, coordinates or stores. It
yields every record the source holds, page by page, as :class:`RawRecord`
values; mapping onto the theme's schema happens after it, in one place, so an
adapter stays small and a new one is easy to write.
"""

from __future__ import annotations

import urllib.parse
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from .connection import hide_secrets


class AdapterOptions(BaseModel):
    """The options an adapter accepts beside a source's common keys; unknown keys are mistakes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as the source holds it, before any mapping or checking.

    ``number`` is where a person finds the record in the source: the row number
    a spreadsheet shows for a CSV file (the header is row 1), otherwise the
    record's position counting from 1. ``point`` holds the x and y of a point
    geometry when the source has geometries, in ``point_crs``. ``problem`` says
    why a record could not be read whole (a row with too many cells, say); such
    a record is rejected with that reason.
    """

    number: int
    values: dict[str, Any]
    point: tuple[float, float] | None = None
    point_crs: str | None = None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What an adapter is told about its source: the common keys of a [[sources]] entry."""

    name: str
    location: str
    project_dir: Path

    def is_url(self) -> bool:
        return self.location.startswith(("http://", "https://"))

    def path(self) -> Path:
        """The source's file: an absolute location, or one relative to the project folder."""
        path = Path(self.location).expanduser()
        return path if path.is_absolute() else self.project_dir / path

    def public_location(self) -> str:
        """The location as the public may see it (the about page, the API): never a path or a secret of the server.

        A web address loses its user name, password and any parameter that
        looks like a key or token; a file is named by its path within the
        project folder, or by its name alone when it lies outside it.
        """
        if self.is_url():
            parts = urllib.parse.urlsplit(hide_secrets(self.location))
            host = parts.hostname or ""
            host = f"[{host}]" if ":" in host else host
            return urllib.parse.urlunsplit(parts._replace(netloc=host + (f":{parts.port}" if parts.port else "")))
        path = self.path().resolve()
        try:
            return path.relative_to(self.project_dir.resolve()).as_posix()
        except ValueError:
            return path.name


class Adapter(ABC):
    """Reads every record of one source. Subclasses set ``name`` and, if they take options, ``Options``."""

    name: ClassVar[str]
    Options: ClassVar[type[AdapterOptions]] = AdapterOptions
    # Columns the adapter's records always map onto schema fields, under a source's own ``fields``: an OGC API
    # feature's id, say, which the records carry as their ``id`` column.
    implied_fields: ClassVar[dict[str, str]] = {}
    # What the source says of its own licence (an SPDX id) and attribution, once read: ingest records them when
    # the source's entry in place.toml gives none.
    remote_licence: str | None = None
    remote_attribution: str | None = None
    # What the source's own app reports of its data's quality (quality.remote_quality's shape), when it links such
    # a report: ingest keeps it with the load, beside the app's own measure (the ogcapi adapter reads it).
    remote_quality: dict[str, Any] | None = None

    def __init__(self, source: SourceSpec, options: AdapterOptions) -> None:
        self.source = source
        self.options = options
        self.total: int | None = None  # how many records the source says it holds, once known

    @abstractmethod
    def records(self) -> Iterator[RawRecord]:
        """Yield every record of the source, in a stable order, reading page by page."""

    def content_digest(self) -> str | None:
        """A SHA-256 of the source's content, if it can be had without reading the records through; else None.

        Ingest skips a source whose digest, settings and schema match its last
        load. A file on disk can say; a web portal cannot without being read,
        so the default is None and such a source is always read.
        """
        return None

    def no_records(self) -> str:
        """What was found when reading ended without a record, and what to check: ingest refuses an empty source."""
        from .http import hide_secrets  # http builds on this module

        return f"{hide_secrets(self.source.location)} gave no records. Check its location and options"
