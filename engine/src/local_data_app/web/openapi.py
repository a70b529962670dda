"""The OpenAPI 3.0 document at /api/openapi.json: FastAPI's, with every answer of every operation declared.

FastAPI knows the routes and their parameters but not what they answer (they
return plain dicts), and it writes OpenAPI 3.1. :func:`openapi_30` turns its
document into OpenAPI 3.0, as the oas30 conformance class asks, lists the
field filters of the items routes, declares ``limit`` once under
``components/parameters`` (where QGIS reads its maximum), and declares each status an operation
answers with and the JSON Schema of each body: the landing page, conformance,
the collections, a page of items as a GeoJSON FeatureCollection (or CSV), one
feature, a collection's queryables (a JSON Schema), the health check and the error body, with the HTML page beside the
JSON wherever one can be asked for (api_pages.py). A feature's properties are the
data schema's fields, typed as the store holds them, so the document says
exactly what a client gets. tests/test_openapi_fuzz.py sends every operation
generated requests and fails on any answer the document does not describe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from copy import deepcopy
from typing import Any

from ..language import N_
from ..ogc.boxes import MOST_VALUES
from ..ogc.crs import URIS
from ..schemas.layout import Layout
from ..store import AREA_FIELDS

OPENAPI_VERSION = "3.0.3"
JSON = "application/json"
GEOJSON = "application/geo+json"
CSV = "text/csv"
SCHEMA_JSON = "application/schema+json"
# The JSON type of each Table Schema type, as the store gives its values back; any other type is kept as text.
JSON_TYPES = {"number": "number", "integer": "integer", "boolean": "boolean"}
ITEMS_PATHS = ("/api/collections/{name}/items", "/api/collections/{name}/items.csv")
SHARED_PARAMETERS = ("limit",)  # declared once under components/parameters, where GIS clients look for them
# The texts that differ by a field's or a collection's name, one pattern each: the document is English,
# and /cy/api.html translates the pattern and fills in the same values (service_doc.py).
FIELD_FILTER = N_("Only features whose %(name)s is this value, read as ingest reads it.")
CHOICES_FILTER = N_(
    "Only features whose %(name)s is one of these values, read as ingest reads it: "
    "give %(name)s once per value, at most %(most)s times."
)
HOLDS_FILTER = N_(
    "true keeps only the features whose %(field)s holds a value other than %(absent)s "
    '(the resident filter "%(label)s"); false, or left out, keeps them all.'
)
ITEMS_SUMMARY = N_("Items of %(name)s")  # a collection's own items path, for GDAL
PATTERNS = (FIELD_FILTER, CHOICES_FILTER, HOLDS_FILTER, ITEMS_SUMMARY)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def closed(properties: Mapping[str, Any], optional: Iterable[str] = ()) -> dict[str, Any]:
    """An object with these properties and no others, all of them required but the optional ones.

    OpenAPI 3.0 wants ``required`` to list at least one name, so an object
    whose properties are all optional has none.
    """
    left_out = set(optional)
    required = [name for name in properties if name not in left_out]
    return {
        "type": "object",
        **({"required": required} if required else {}),
        "properties": dict(properties),
        "additionalProperties": False,
    }


STRING = {"type": "string"}
STRINGS = {"type": "array", "items": STRING}
COUNT = {"type": "integer", "minimum": 0}
LINKS = {"type": "array", "items": ref("Link")}
POINT = closed(
    {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
    }
)
EXTENT = closed(
    {
        "spatial": closed(
            {
                "bbox": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
                    "minItems": 1,
                },
                "crs": STRING,
            }
        ),
        "temporal": closed(
            {
                "interval": {
                    "type": "array",
                    "items": {
                        "type": "array",
                        "items": {"type": "string", "format": "date-time"},
                        "minItems": 2,
                        "maxItems": 2,
                    },
                    "minItems": 1,
                },
                "trs": STRING,
            }
        ),
    },
    optional=("spatial", "temporal"),  # no box without located features, no interval without dates
)

# The bodies every theme shares; the feature, which depends on the data schema, is added by feature_schemas().
SCHEMAS: dict[str, dict[str, Any]] = {
    "Link": closed({"href": STRING, "rel": STRING, "type": STRING, "title": STRING}),
    "LandingPage": closed({"title": STRING, "description": STRING, "links": LINKS}),
    "Conformance": closed({"conformsTo": {**STRINGS, "minItems": 1}, "links": LINKS}),
    "Collection": closed(
        {
            "id": STRING,
            "title": STRING,
            "description": STRING,
            "itemType": {"type": "string", "enum": ["feature"]},
            "crs": {**STRINGS, "minItems": 1},
            "storageCrs": STRING,
            "links": LINKS,
            "provenance": closed(
                {
                    "source": STRING,
                    "licence": STRING,
                    "attribution": {"type": "string", "nullable": True},
                    "fetchedAt": {"type": "string", "format": "date-time"},
                    "rowsRead": COUNT,
                    "rowsLoaded": COUNT,
                    "rowsRejected": COUNT,
                    "sourceDigest": {"type": "string", "nullable": True},
                }
            ),
            "areas": {"type": "array", "items": closed({"code": STRING, "name": STRING})},
            "extent": EXTENT,
        },
        optional=("areas", "extent"),  # no areas for data loaded before the app recorded them
    ),
    "Collections": closed(
        {
            "title": STRING,
            "description": STRING,
            "links": LINKS,
            "collections": {"type": "array", "items": ref("Collection")},
        }
    ),
    "FeatureCollection": closed(
        {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": ref("Feature")},
            "links": LINKS,
            "numberMatched": COUNT,
            "numberReturned": COUNT,
            "timeStamp": {"type": "string", "format": "date-time"},
            # near= named a postcode or a place (not a point): which one, and where, as gazetteer.Located has it
            "near": closed(
                {
                    "text": STRING,
                    "name": STRING,
                    "kind": {"type": "string", "enum": ["postcode", "sector", "outward", "place"]},
                    "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                }
            ),
        },
        optional=("near",),
    ),
    "Health": closed(
        {"status": {"type": "string", "enum": ["ok"]}, "collections": {"type": "object", "additionalProperties": COUNT}}
    ),
    # A collection's queryables (ogc/queryables.py): a JSON Schema 2020-12 of what filter may name.
    "Queryables": closed(
        {
            "$schema": STRING,
            "$id": STRING,
            "type": {"type": "string", "enum": ["object"]},
            "title": STRING,
            "properties": {"type": "object", "additionalProperties": {"type": "object"}},
            "additionalProperties": {"type": "boolean"},
            "links": LINKS,
        }
    ),
    # A collection's data quality at its last load (ogc/quality.py), as docs/api.md describes it.
    "Quality": closed(
        {
            "collection": STRING,
            "status": {"type": "string", "enum": ["good", "fair", "poor", "not measured"]},
            "summary": STRING,
            "measured": {"type": "boolean"},
            "fetchedAt": STRING,
            "source": STRING,
            "licence": STRING,
            "attribution": {"type": "string", "nullable": True},
            "area": {**closed({"code": STRING, "name": {"type": "string", "nullable": True}}), "nullable": True},
            "rowsRead": COUNT,
            "rowsLoaded": COUNT,
            "rowsRejected": COUNT,
            "rejectedShare": {"type": "number", "minimum": 0, "maximum": 1},
            "reasons": {
                "type": "array",
                "items": closed({"reason": STRING, "rows": COUNT, "exampleRows": {"type": "array", "items": COUNT}}),
            },
            "otherReasons": COUNT,
            "completeness": {
                "type": "array",
                "items": closed(
                    {
                        "field": STRING,
                        "title": STRING,
                        "rowsWithValue": COUNT,
                        "share": {"type": "number", "minimum": 0, "maximum": 1},
                    }
                ),
            },
            "dates": {
                "type": "array",
                "items": closed({"field": STRING, "title": STRING, "first": STRING, "last": STRING}),
            },
            "remote": {"type": "object", "description": "What the source's own app reports of its data."},
            "links": LINKS,
        },
        optional=("remote",),  # only for a source read from another app that publishes its quality
    ),
    # The CSV downloads as a Frictionless Data Package (ogc/datapackage.py); its own specification says the rest.
    "DataPackage": {
        "type": "object",
        "required": ["profile", "name", "resources"],
        "properties": {
            "profile": {"type": "string", "enum": ["tabular-data-package"]},
            "name": STRING,
            "resources": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "path", "schema"],
                    "properties": {
                        "name": STRING,
                        "path": {"oneOf": [STRING, {**STRINGS, "minItems": 2}]},
                        "schema": {"type": "object"},
                    },
                },
            },
        },
        "externalDocs": {"url": "https://specs.frictionlessdata.io/data-package/"},
    },
    "Unavailable": closed({"status": {"type": "string", "enum": ["unavailable"]}}),
    "Ready": closed({"status": {"type": "string", "enum": ["ready"]}}),
    "NotReady": closed({"status": {"type": "string", "enum": ["not ready"]}}),
    # The error bodies: an OGC API exception, its code fixed by the status.
    "InvalidParameterValue": closed(
        {"code": {"type": "string", "enum": ["InvalidParameterValue"]}, "description": STRING}
    ),
    "NotFound": closed({"code": {"type": "string", "enum": ["NotFound"]}, "description": STRING}),
    "ServiceUnavailable": closed({"code": {"type": "string", "enum": ["ServiceUnavailable"]}, "description": STRING}),
}


def answer(description: str, **bodies: dict[str, Any]) -> dict[str, Any]:
    """A response: its description and, per media type (``json``, ``geojson``, ``csv``), the schema of its body."""
    media_types = {"json": JSON, "geojson": GEOJSON, "csv": CSV, "schema": SCHEMA_JSON}
    return {
        "description": description,
        "content": {media_types[kind]: {"schema": schema} for kind, schema in bodies.items()},
    }


BAD_REQUEST = answer(
    "A query parameter is unknown, given twice or not valid; the description names it.",
    json=ref("InvalidParameterValue"),
)
NOT_FOUND = answer("There is no collection, or no feature, by this name.", json=ref("NotFound"))
TOO_SLOW = answer(  # any address that reads the store (see deadline.py)
    "The request needed more than the server's time for one request ([server] request_seconds), or its client "
    "went away, so it was stopped; the description says how to ask for less.",
    json=ref("ServiceUnavailable"),
)
CSV_TEXT = {"type": "string", "description": "A header row, then one row per feature."}
# OGC API - Features Part 2: the coordinate system of an answer's coordinates, the crs asked for (CRS84 by default).
CONTENT_CRS = {
    "Content-Crs": {
        "description": "The URI of the coordinate system of the coordinates, in angle brackets.",
        "schema": {"type": "string", "enum": [f"<{uri}>" for uri in URIS]},
    }
}
HTML = "text/html"
PAGE = {"type": "string", "description": "An HTML page, for f=html or an Accept header preferring text/html."}
# The operations with an HTML representation (api_pages.py); any error under /api is a page when HTML is asked for.
PAGE_PATHS = (
    "/api",
    "/api/conformance",
    "/api/collections",
    "/api/collections/{name}",
    "/api/collections/{name}/items",
    "/api/collections/{name}/items/{feature_id}",
    "/api/collections/{name}/queryables",
)

# Every status each operation answers with (besides an unexpected 500), by path.
RESPONSES: dict[str, dict[str, dict[str, Any]]] = {
    "/api": {"200": answer("The landing page.", json=ref("LandingPage")), "400": BAD_REQUEST},
    "/api/conformance": {"200": answer("The conformance classes.", json=ref("Conformance")), "400": BAD_REQUEST},
    "/api/datapackage.json": {
        "200": answer("Each collection's CSV download and its Table Schema.", json=ref("DataPackage")),
        "400": BAD_REQUEST,
        "503": TOO_SLOW,
    },
    "/api/collections": {
        "200": answer("Every collection.", json=ref("Collections")),
        "400": BAD_REQUEST,
        "503": TOO_SLOW,
    },
    "/api/collections/{name}": {
        "200": answer("The collection.", json=ref("Collection")),
        "400": BAD_REQUEST,
        "404": NOT_FOUND,
        "503": TOO_SLOW,
    },
    "/api/collections/{name}/queryables": {
        "200": answer("What filter may test, sortby sort by and properties keep.", schema=ref("Queryables")),
        "400": BAD_REQUEST,
        "404": NOT_FOUND,
        "503": TOO_SLOW,
    },
    "/api/collections/{name}/quality": {
        "200": answer("The collection's data quality at its last load.", json=ref("Quality")),
        "400": BAD_REQUEST,
        "404": NOT_FOUND,
        "503": TOO_SLOW,
    },
    "/api/collections/{name}/items": {
        "200": {
            **answer("A page of features, or CSV with f=csv.", geojson=ref("FeatureCollection"), csv=CSV_TEXT),
            "headers": CONTENT_CRS,
        },
        "400": BAD_REQUEST,
        "404": NOT_FOUND,
        "503": TOO_SLOW,
    },
    "/api/collections/{name}/items.csv": {
        "200": {**answer("A page of features as CSV.", csv=CSV_TEXT), "headers": CONTENT_CRS},
        "400": BAD_REQUEST,
        "404": NOT_FOUND,
        "503": TOO_SLOW,
    },
    "/api/collections/{name}/items/{feature_id}": {
        "200": {**answer("The feature.", geojson=ref("Feature")), "headers": CONTENT_CRS},
        "400": BAD_REQUEST,
        "404": NOT_FOUND,
        "503": TOO_SLOW,
    },
    "/healthz": {
        "200": answer("The store answers: each collection's count.", json=ref("Health")),
        "503": answer("The store cannot be read.", json=ref("Unavailable")),
    },
    "/readyz": {
        "200": answer("Healthy, and every source in place.toml has a load serving.", json=ref("Ready")),
        "503": answer("Not healthy, or a source has no load serving yet.", json=ref("NotReady")),
    },
}


def openapi_30(
    document: dict[str, Any],
    fields: Sequence[Mapping[str, Any]],
    collections: Sequence[str] = (),
    shape: Layout | None = None,
) -> dict[str, Any]:
    """FastAPI's OpenAPI 3.1 document as OpenAPI 3.0, with each answer's schema and the field filters declared.

    ``fields`` are the data schema's fields and ``collections`` the names of
    the collections, each given its own items path (:func:`collection_paths`);
    ``shape`` is the theme's page layout, whose resident filters add parameters.
    The oas30 conformance class asks for OpenAPI 3.0: optional values become
    ``nullable`` instead of a union with null.
    """
    document = _nullable(document)
    document["openapi"] = OPENAPI_VERSION
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            declared = RESPONSES.get(path)
            if declared is not None:
                responses.clear()
                responses.update(declared)
            with_pages(path, responses)
            if path in ITEMS_PATHS:
                operation["parameters"] = shared(document, operation.get("parameters", []), SHARED_PARAMETERS)
                operation["parameters"].extend(filter_parameters(fields, shape or Layout()))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.update(SCHEMAS)
    schemas.update(feature_schemas(fields))
    document["paths"].update(collection_paths(document["paths"][ITEMS_PATHS[0]]["get"], collections))
    return document


def collection_paths(items: Mapping[str, Any], collections: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each collection's own items operation, at ``/collections/<name>/items`` under a server of ``/api``.

    GDAL's OGC API driver looks an operation up by exactly that path, relative
    to the landing page, and nowhere else: from its parameters it learns which
    fields it may send to the server for ``-where`` (otherwise it reads every
    feature and filters them itself), and from 3.8 the largest ``limit``. The
    operation is the items operation with the collection's name fixed, so it
    answers exactly as the templated path does; the path's own ``servers``
    puts it under /api, where the API is. pygeoapi describes its collections
    the same way.
    """
    found = {}
    for name in collections:
        operation = deepcopy(dict(items))
        operation["parameters"] = [
            parameter for parameter in operation.get("parameters", []) if parameter.get("in") != "path"
        ]
        operation["operationId"] = f"{items.get('operationId', 'items')}_{name}"
        operation["summary"] = ITEMS_SUMMARY % {"name": name}
        found[f"/collections/{name}/items"] = {"servers": [{"url": "/api"}], "get": operation}
    return found


def shared(document: dict[str, Any], parameters: list[dict[str, Any]], names: Iterable[str]) -> list[dict[str, Any]]:
    """The parameters, those named in ``names`` moved to ``components/parameters`` and replaced by a ``$ref``.

    QGIS reads the largest page it may ask for from
    ``components/parameters/limit/schema/maximum`` and nowhere else: with an
    inline ``limit`` it pages by 100, whatever the maximum. GDAL 3.8 and later
    also read ``limit`` only through a ``$ref``.
    """
    moved = set(names)
    components = document.setdefault("components", {}).setdefault("parameters", {})
    kept = []
    for parameter in parameters:
        name = parameter.get("name")
        if name in moved and parameter.get("in") == "query":
            components[name] = parameter
            kept.append({"$ref": f"#/components/parameters/{name}"})
        else:
            kept.append(parameter)
    return kept


def with_pages(path: str, responses: dict[str, Any]) -> None:
    """Declare the HTML page beside the JSON: a success of the operations that have one, any 4xx under /api."""
    for status, response in responses.items():
        if path.startswith("/api") and (status.startswith("4") or (status == "200" and path in PAGE_PATHS)):
            responses[status] = {**response, "content": {**response.get("content", {}), HTML: {"schema": PAGE}}}


def filter_parameters(fields: Sequence[Mapping[str, Any]], shape: Layout) -> list[dict[str, Any]]:
    """A query parameter per field, and one per holds box of the resident filters (schemas/layout.py).

    A field's value is read as ingest reads the data, so any non-empty text
    is tried; a choices group's field may be given more than once, any value
    matching (``category=Library&category=Park``).
    """
    choices = shape.choices()
    found: list[dict[str, Any]] = []
    for spec in fields:
        name = spec["name"]
        if name in choices:
            found.append(
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "description": CHOICES_FILTER % {"name": name, "most": MOST_VALUES},
                    "schema": {"type": "array", "items": {"type": "string"}, "maxItems": MOST_VALUES},
                    "style": "form",
                    "explode": True,
                }
            )
            continue
        found.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": FIELD_FILTER % {"name": name},
                "schema": {"type": "string"},
            }
        )
    for parameter, entry in shape.holds().items():
        absent = ", ".join(str(value) for value in entry.absent)
        found.append(
            {
                "name": parameter,
                "in": "query",
                "required": False,
                "description": HOLDS_FILTER % {"field": entry.field, "absent": absent, "label": entry.label},
                "schema": {"type": "string", "enum": ["true", "false"]},
            }
        )
    return found


def feature_schemas(fields: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The Feature and its properties: each field of the data schema, the area fields and, with near=, distance."""
    properties = {spec["name"]: field_schema(spec) for spec in fields}
    # Ingest gives every record its source's area; data loaded before the app recorded areas has none.
    area = {spec["name"]: {"type": "string", "description": spec["description"]} for spec in AREA_FIELDS}
    distance = {"distance": {"type": "number", "minimum": 0, "description": "Metres from the point near= gave."}}
    return {
        "FeatureProperties": closed({**properties, **area, **distance}, optional=[*area, *distance]),
        "Feature": closed(
            {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": STRING,
                "geometry": {**POINT, "nullable": True},
                "properties": ref("FeatureProperties"),
                "links": LINKS,
            }
        ),
    }


def field_schema(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A Table Schema field as the JSON Schema of its stored value.

    Ingest refuses a value outside the field's constraints, and a blank one
    where the field is required (the id field's blanks get the id made from
    the row), so the constraints hold for every value served.
    A date is served as an ISO 8601 date, whatever form its source wrote it in.
    """
    kind = spec.get("type", "string")
    constraints = spec.get("constraints") or {}
    schema: dict[str, Any] = {"type": JSON_TYPES.get(kind, "string")}
    if kind == "date":
        schema["format"] = "date"
    if spec.get("title"):
        schema["title"] = spec["title"]
    for key in ("enum", "minimum", "maximum", "maxLength"):
        if key in constraints:
            schema[key] = constraints[key]
    if "pattern" in constraints:
        schema["pattern"] = f"^(?:{constraints['pattern']})$"  # Table Schema patterns match the whole value
    if not constraints.get("required"):
        schema["nullable"] = True
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]  # OpenAPI 3.0 allows null in an enum only if it lists it
    return schema


def _nullable(value: Any) -> Any:
    if isinstance(value, list):
        return [_nullable(item) for item in value]
    if not isinstance(value, dict):
        return value
    value = {key: _nullable(item) for key, item in value.items()}
    options = value.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [option for option in options if option != {"type": "null"}]
        del value["anyOf"]
        if len(rest) == 1 and "$ref" not in rest[0]:
            value.update(rest[0])
        else:
            value["anyOf"] = rest
        value["nullable"] = True
    return value
