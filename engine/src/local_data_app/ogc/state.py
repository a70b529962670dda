"""What every request shares: the store, the settings, the schema and a cache of each collection's extent."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..config import GSS_PATTERN, Settings
from ..errors import not_found, shown
from ..gazetteer import Located, locate
from ..language import gettext as _
from ..normalise import Parser, parser_for
from ..schemas import GAZETTEER_ROLES
from ..schemas.layout import Layout, layout
from ..store import BBox, Provenance, Store
from ..store.shelf import Shelf

GSS_CODE = re.compile(GSS_PATTERN)
# The field that names a feature, by theme: the first of these the schema has; otherwise the id is its name.
NAME_FIELDS = ("name", "LocationText", "title", "Name")
# Characters of sitemap files kept (web/sitemap.py): a file of 50,000 records is about 5.5 million.
MOST_SITEMAP_CHARACTERS = 32_000_000


@dataclass(frozen=True)
class Extent:
    """Where and when a collection's features are: the box around them and their first and last dates."""

    bbox: BBox | None
    dates: tuple[str, str] | None


@dataclass
class ApiState:
    """What the routes, the pages and the export share: the store, the settings, the schema and the extents' cache.

    The stores take calls from many threads at once (each thread reads on a
    connection of its own), so the routes call the store without a lock.
    """

    store: Store
    settings: Settings
    schema: dict[str, Any]
    project_dir: Path | None = None  # where the project's own templates/ and static/ are
    extents: dict[str, tuple[Provenance, Extent]] = field(default_factory=dict)
    extents_lock: threading.Lock = field(default_factory=threading.Lock)
    # The commonest values of a choices group's field, by (collection, field, how many), with the load they are of.
    commonest: dict[tuple[str, str, int], tuple[Provenance, list[tuple[str, int]]]] = field(default_factory=dict)
    # Sitemap files as written, by the site's address, the file, its size and the loads it lists (web/sitemap.py).
    sitemaps: Shelf[str] = field(default_factory=lambda: Shelf(MOST_SITEMAP_CHARACTERS, weight=len))
    # What time it is, for "open now": a test gives a fixed time here rather than change the system's clock.
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))

    @property
    def fields(self) -> list[dict[str, Any]]:
        return list(self.schema["fields"])

    @property
    def temporal_field(self) -> str | None:
        """The field ``datetime`` filters on: the schema's first date field, or None if it has none."""
        return next((spec["name"] for spec in self.fields if spec.get("type") == "date"), None)

    def area_code(self, text: str) -> str:
        """The GSS code of one of the app's areas, as typed (in any case); ValueError saying which codes there are."""
        code = text.strip().upper()
        codes = [area.code for area in self.settings.all_areas]
        if not GSS_CODE.fullmatch(code):
            problem = _("%(value)s is not an ONS GSS code (a letter and 8 digits); give one of %(codes)s")
            raise ValueError(problem % {"value": shown(text), "codes": ", ".join(codes)})
        if code not in codes:
            problem = _("%(value)s is not one of the app's areas; give one of %(codes)s")
            raise ValueError(problem % {"value": shown(text), "codes": ", ".join(codes)})
        return code

    @cached_property
    def shape(self) -> Layout:
        """The theme's page layout and resident filters (schemas/layout.py), read once: every request asks for it."""
        return layout(self.schema)

    @cached_property
    def _parsers(self) -> dict[str, Parser]:
        return {spec["name"]: parser_for(spec) for spec in self.fields}

    def parsers(self) -> dict[str, Parser]:
        """Each field's parser, as ingest reads the field: made once, handed out as a new dict each time."""
        return dict(self._parsers)

    def collections(self) -> list[Provenance]:
        """The collections the app serves: every load but the gazetteers', which only answer near= (gazetteer.py)."""
        return [provenance for provenance in self.store.provenance() if provenance.theme not in GAZETTEER_ROLES]

    def gazetteers(self) -> list[Provenance]:
        """The loads of the gazetteers, postcodes and place names, that near= looks words up in."""
        return [provenance for provenance in self.store.provenance() if provenance.theme in GAZETTEER_ROLES]

    def locate(self, text: str) -> Located:
        """Where a postcode or a place name typed for near= is; a 400 naming near when the gazetteers do not know it."""
        return locate(self.store, self.gazetteers(), text, self.settings.place.name)

    def collection(self, name: str) -> Provenance:
        """A collection's provenance; a 404 ClientError if no collection has this name."""
        for provenance in self.collections():
            if provenance.collection == name:
                return provenance
        problem = _("There is no collection named %(value)s. The collections are listed at /api/collections.")
        raise not_found(problem % {"value": shown(name)})

    def extent(self, provenance: Provenance) -> Extent:
        """A collection's box and dates, asked of the store once per load of its data.

        SQLite answers the box from its spatial index at once; PostgreSQL
        reads the whole table for it (a fifth of a second at 1,000,000 rows),
        and both read the whole table for the dates, hence the cache. Its
        lock makes requests that arrive together after a load wait for one
        reading rather than each read the table.
        """
        with self.extents_lock:
            cached = self.extents.get(provenance.collection)
            if cached and cached[0] == provenance:
                return cached[1]
            temporal = self.temporal_field
            found = Extent(
                self.store.extent(provenance.collection),
                self.store.span(provenance.collection, temporal) if temporal else None,
            )
            self.extents[provenance.collection] = (provenance, found)
            return found
