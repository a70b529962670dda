"""A collection's queryables (OGC API - Features Part 3): the names a ``filter`` may use, as JSON Schema.

They are the theme's schema fields and the area fields every feature
carries, which are the stores' columns, and ``geometry``, the feature's
position, which only ``S_INTERSECTS`` tests. The same names are what
``sortby`` and ``properties`` take. The document is JSON Schema 2020-12, as
Part 3 asks, served as ``application/schema+json``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..store import AREA_FIELDS, column_type
from .filters import GEOMETRY
from .state import ApiState
from .urls import ApiUrls, link

SCHEMA_JSON = "application/schema+json"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
JSON_SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema"
JSON_TYPES = {"number": "number", "integer": "integer", "boolean": "boolean"}


def queryable_fields(state: ApiState) -> list[dict[str, Any]]:
    """The schema's fields and the area fields, in that order: what a filter, sortby and properties may name."""
    return [*state.fields, *AREA_FIELDS]


def kinds(fields: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Each field's name and the kind the stores hold it as (text, number, integer or boolean)."""
    return {spec["name"]: column_type(dict(spec)) for spec in fields}


def queryables(state: ApiState, urls: ApiUrls, name: str) -> dict[str, Any]:
    """The collection's queryables as a JSON Schema; a 404 ClientError if there is no such collection."""
    state.collection(name)
    properties: dict[str, Any] = {
        GEOMETRY: {
            "title": "Position",
            "description": "The feature's point, which S_INTERSECTS tests against a BBOX or a POINT.",
            "format": "geometry-point",
            "x-ogc-role": "primary-geometry",
        }
    }
    for spec in queryable_fields(state):
        properties[spec["name"]] = queryable(spec)
    own = urls.queryables(name)
    return {
        "$schema": JSON_SCHEMA_2020_12,
        "$id": own,
        "type": "object",
        "title": f"The queryables of {name}",
        "properties": properties,
        "additionalProperties": False,
        "links": [link(own, "self", SCHEMA_JSON, "This document")],
    }


def queryable(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A field as a queryable's JSON Schema: its type, title, description and any values it is limited to."""
    kind = spec.get("type", "string")
    found: dict[str, Any] = {"type": JSON_TYPES.get(kind, "string")}
    if kind == "date":
        found["format"] = "date"
    for key in ("title", "description"):
        if spec.get(key):
            found[key] = spec[key]
    constraints = spec.get("constraints") or {}
    if "enum" in constraints:
        found["enum"] = list(constraints["enum"])
    return found
