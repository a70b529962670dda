"""The web app: pages for people, the OGC API - Features under /api, a health check, and security headers.

:func:`create_app` builds the app from loaded settings; it opens the store when
the server starts and closes it when the server stops, so building an app
never touches the database. ``python -m <package> serve`` runs it with uvicorn.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ..config import LoadedSettings
from ..schemas import load_schema
from ..store import open_store
from . import pages, security
from .api import ApiState, router

LOGGER = logging.getLogger(__name__)
OPENAPI_VERSION = "3.0.3"
BAD_REQUEST = {
    "description": "A query parameter is not valid or not known; the description names it.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["code"],
                "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
            }
        }
    },
}


def create_app(loaded: LoadedSettings) -> FastAPI:
    """The app for these settings; the store opens on startup and closes on shutdown."""
    settings = loaded.settings
    schema = load_schema(settings.dataset.theme)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_store(settings.database_url, loaded.project_dir)
        app.state.api = ApiState(store=store, settings=settings, schema=schema)
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title=f"{schema['title']} in {settings.place.name}",
        description=f"Open data from {settings.organisation.name} as OGC API - Features. See docs/api.md.",
        version="1.0.0",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive pages load scripts from a CDN, which the security policy forbids
        redoc_url=None,
        lifespan=lifespan,
    )
    app.include_router(router, prefix="/api")
    app.add_api_route("/healthz", healthz, methods=["GET"], summary="Health check")
    security.install(app, settings.map.tile_source)
    pages.install(app)  # after security: its error pages wrap the API's JSON errors

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_30(FastAPI.openapi(app), [spec["name"] for spec in schema["fields"]])
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def healthz(request: Request) -> JSONResponse:
    """200 with each collection's count when the store answers; 503 when it cannot be read."""
    state: ApiState = request.app.state.api
    try:
        counts = {p.collection: state.store.count(p.collection) for p in state.store.provenance()}
    except Exception:
        LOGGER.exception("Health check: the store could not be read")
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok", "collections": counts})


def openapi_30(document: dict[str, Any], filter_fields: list[str]) -> dict[str, Any]:
    """FastAPI's OpenAPI 3.1 document as OpenAPI 3.0, with 400s for bad parameters and the field filters listed.

    The oas30 conformance class asks for OpenAPI 3.0: optional values become
    ``nullable`` instead of a union with null.
    """
    document = _nullable(document)
    document["openapi"] = OPENAPI_VERSION
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses["400"] = BAD_REQUEST
            if path.endswith("/items") or path.endswith("/items.csv"):
                operation.setdefault("parameters", []).extend(
                    {
                        "name": name,
                        "in": "query",
                        "required": False,
                        "description": f"Only features whose {name} is this value, read as ingest reads it.",
                        "schema": {"type": "string"},
                    }
                    for name in filter_fields
                )
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document


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
