"""A store of many made-up toilets, loaded straight through the store's staging, for tests that need volume.

Ingesting a CSV file of hundreds of thousands of rows takes a minute; the
tests that need a large store (deadlines, latency) are about serving it, so
the features are made here, already normalised, and staged in large batches.
Their values follow the public_toilets schema: the enum fields cycle through
their values (so a filter matches a known share), one toilet in 50,000 is
"Children only", and the names hold a few common words.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

from local_data_app.schemas import load_schema
from local_data_app.store import AREA_CODE, AREA_FIELDS, AREA_NAME, Feature, Provenance

CENTRE = (-1.5, 52.5)  # lon, lat
WORDS = ("Market", "Station", "Park", "Library", "Harbour", "Castle", "Bridge")
RARE_EVERY = 50_000  # one toilet in this many is "Children only"
BATCH = 20_000


def toilets(count: int) -> Iterator[Feature]:
    """``count`` toilets spread on a grid about 200 km square around :data:`CENTRE`."""
    fields = load_schema("public_toilets")["fields"]
    side = math.ceil(math.sqrt(count))
    first_day = dt.date(2024, 1, 1)
    for number in range(count):
        lon = CENTRE[0] - 1.5 + 3.0 * (number % side) / side
        lat = CENTRE[1] - 0.9 + 1.8 * (number // side) / side
        properties: dict[str, Any] = {}
        for spec in fields:
            name, kind = spec["name"], spec.get("type", "string")
            enum = (spec.get("constraints") or {}).get("enum")
            if name in {"Category", "AccessibleCategory"}:
                properties[name] = (
                    "Children only" if number % RARE_EVERY == 7 else ("Unisex", "Female and Male")[number % 2]
                )
            elif enum:
                properties[name] = enum[number % len(enum)]
            elif kind == "boolean":
                properties[name] = number % 3 == 0
            elif kind == "number":
                properties[name] = round(number % 7 * 0.1, 2)
            elif kind == "date":
                properties[name] = (first_day + dt.timedelta(days=number % 700)).isoformat()
            else:
                properties[name] = f"{WORDS[number % len(WORDS)]} {spec['name']} {number}"
        properties["GeoX"], properties["GeoY"] = lon, lat
        properties[AREA_CODE], properties[AREA_NAME] = "E06000999", "Testshire"
        yield Feature(f"T{number}", lon, lat, properties, {}, number + 2)


def fill(store: Any, collection: str, count: int) -> None:
    """Load ``count`` toilets into ``store`` as ``collection``, replacing what was there."""
    fields = [*load_schema("public_toilets")["fields"], *AREA_FIELDS]
    with store.replacing(collection, fields) as staging:
        batch: list[Feature] = []
        for feature in toilets(count):
            batch.append(feature)
            if len(batch) == BATCH:
                staging.add(batch)
                batch = []
        staging.add(batch)
        staging.commit(
            Provenance(
                collection=collection,
                theme="public_toilets",
                adapter="csv",
                location=f"data/raw/{collection}.csv",
                licence="OGL-UK-3.0",
                attribution=None,
                fetched_at="2026-01-01T00:00:00+00:00",
                rows_read=count,
                rows_loaded=count,
                rows_rejected=0,
                area_code="E06000999",
                area_name="Testshire",
            )
        )
