"""The data as the app publishes it, described as a Frictionless Data Package: the export's datapackage.json.

The project's own datapackage.json (checks/datapackage.py) describes the
source files the app reads, with the theme's schema as the sources should
follow it; a real file with renamed or extra columns, or dates with times,
does not fit it. This one describes what the app writes instead, the CSV
file of each collection in the static export, so that
``frictionless validate datapackage.json`` passes beside those files: the
columns are those the CSV download has (:func:`~.tables.csv_columns`), each
typed as the engine writes it. Dates are ISO 8601 (the engine drops a time
after a date), booleans ``true`` and ``false``, text formula-safe, and a
field of a type the engine keeps as text (such as ``datetime``) is a string.
Only the constraints the engine enforces at load time and the CSV keeps are
kept (required, enum and range), so the description never promises more than
the data holds. Licences and sources come from place.toml, through each
collection's provenance.

The live app serves the same descriptor at ``/api/datapackage.json``, each
resource's path the absolute addresses of its CSV download
(``items.csv``) in pages of the API's largest limit: one address for a
collection of up to :data:`~.parameters.MAX_LIMIT` records, else a list
(a multipart resource, which Frictionless tools read as one table, each
part's header row after the first skipped), so that ``frictionless validate
<app>/api/datapackage.json`` reads every record as the API serves it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from ..checks.datapackage import licence
from ..formulas import neutralised
from ..store import AREA_FIELDS, Provenance
from .crs import DEFAULT
from .documents import description, title
from .parameters import MAX_LIMIT
from .state import ApiState
from .tables import csv_columns
from .urls import ApiUrls

PROFILE = "tabular-data-package"
# Table Schema types the engine parses and writes in their standard form; any other type is written as text.
WRITTEN_TYPES = frozenset({"string", "number", "integer", "boolean", "date"})
# The constraints the normaliser enforces on every loaded row (normalise.py) that still hold in the CSV; a pattern
# or a length may not, since a cell a spreadsheet would run as a formula is written with an apostrophe before it.
ENFORCED = ("required", "enum", "minimum", "maximum")
NAME = re.compile(r"[^a-z0-9._-]+")
POSITION = {
    "lon": {"title": "Longitude", "description": "WGS84 degrees east.", "minimum": -180, "maximum": 180},
    "lat": {"title": "Latitude", "description": "WGS84 degrees north.", "minimum": -90, "maximum": 90},
}


def data_package(
    state: ApiState, collections: Sequence[Provenance], paths: Mapping[str, str | list[str]]
) -> dict[str, Any]:
    """The descriptor for the collections' CSV files, ``paths`` mapping each collection to its file's path.

    A list of paths is a multipart resource: the parts are one table, in order.
    """
    settings = state.settings
    schema = table_schema(state.fields)
    resources = []
    sources: list[dict[str, str]] = []
    for provenance in collections:
        source = {"title": provenance.attribution or f"{provenance.collection}: {provenance.location}"}
        if provenance.location.startswith(("https://", "http://")):
            source["path"] = provenance.location
        if source not in sources:
            sources.append(source)
        resources.append(
            {
                "name": provenance.collection,
                "path": paths[provenance.collection],
                "profile": "tabular-data-resource",
                "title": f"{state.schema['title']} in {provenance.area_name or settings.place.name}",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
                "licenses": [licence(provenance.licence)],
                "sources": [source],
            }
        )
    return {
        "profile": PROFILE,
        "name": NAME.sub("-", f"{state.schema.get('name', 'data')}-{settings.place.name}".lower()).strip("-."),
        "title": title(state),
        "description": description(state),
        "keywords": [settings.place.name, settings.place.code, state.schema["title"]],
        "licenses": [licence(settings.dataset.licence)],
        "contributors": [
            {
                "title": settings.organisation.name,
                "role": "publisher",
                "path": str(settings.organisation.url),
                "email": settings.organisation.contact_email,
            }
        ],
        "sources": sources,
        "resources": resources,
    }


def live_paths(urls: ApiUrls, collections: Sequence[Provenance]) -> dict[str, str | list[str]]:
    """Each collection's CSV download on the live API: the pages of ``items.csv`` that hold all its records.

    A page holds at most :data:`MAX_LIMIT` records (a larger limit is
    clamped), so a larger collection is a list of pages by ``offset``, in
    load order, as the API pages them.
    """
    paths: dict[str, str | list[str]] = {}
    for provenance in collections:
        name = provenance.collection
        pages = [
            f"{urls.collection(name)}/items.csv?{urlencode({'limit': MAX_LIMIT, 'offset': offset})}"
            for offset in range(0, max(provenance.rows_loaded, 1), MAX_LIMIT)
        ]
        paths[name] = pages[0] if len(pages) == 1 else pages
    return paths


def table_schema(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The Table Schema of the CSV download: the schema's fields as written, the area fields, id and position."""
    specs = {spec["name"]: spec for spec in [*fields, *AREA_FIELDS]}
    described = []
    for column in csv_columns(fields, False, DEFAULT):
        spec = specs.get(column)
        if spec is not None:
            described.append(published_field(spec))
        elif column == "id":
            described.append(
                {
                    "name": "id",
                    "type": "string",
                    "title": "Identifier",
                    "description": "The record's id, unique in its collection.",
                    "constraints": {"required": True, "unique": True},
                }
            )
        else:
            position = POSITION[column]
            bounds = {"minimum": position["minimum"], "maximum": position["maximum"]}
            described.append(
                {
                    "name": column,
                    "type": "number",
                    "title": position["title"],
                    "description": position["description"],
                    "constraints": bounds,
                }
            )
    return {"fields": described, "primaryKey": ["id"], "missingValues": [""]}


def published_field(spec: Mapping[str, Any]) -> dict[str, Any]:
    """One field as the CSV holds it once normalised: its type as written, the constraints the engine enforces."""
    kind = spec.get("type", "string")
    field: dict[str, Any] = {"name": spec["name"], "type": kind if kind in WRITTEN_TYPES else "string"}
    for key in ("title", "description"):
        if spec.get(key):
            field[key] = spec[key]
    if kind == "boolean":
        field["trueValues"], field["falseValues"] = ["true"], ["false"]
    constraints = {key: value for key, value in (spec.get("constraints") or {}).items() if key in ENFORCED}
    if any(neutralised(str(choice)) != str(choice) for choice in constraints.get("enum", [])):
        del constraints["enum"]  # a choice written with an apostrophe before it
    if kind not in WRITTEN_TYPES:
        constraints = {key: value for key, value in constraints.items() if key == "required"}
    if constraints:
        field["constraints"] = constraints
    return field
