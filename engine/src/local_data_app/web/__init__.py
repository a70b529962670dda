"""The web app: pages for people, the OGC API - Features under /api and its page, a health check, security headers.

:func:`create_app` builds the app from loaded settings; it opens the store when
the server starts and closes it when the server stops, so building an app
never touches the database. ``python -m <package> serve`` runs it with uvicorn.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from .. import __version__, brand
from ..config import LoadedSettings
from ..ogc.state import ApiState
from ..schemas.layout import layout
from ..store import open_store
from . import errors, health, pages, public_pages, quality_pages, security, service_doc, sitemap, workers
from .api import router
from .deadlines import Deadlines
from .hosts import HostCheck
from .languages import LanguagePaths
from .methods import Methods
from .openapi import openapi_30
from .validators import Validators

LOGGER = logging.getLogger(__name__)


def create_app(loaded: LoadedSettings) -> FastAPI:
    """The app for these settings; the store opens on startup and closes on shutdown."""
    settings = loaded.settings
    schema = loaded.schema()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_store(settings.database_url, loaded.project_dir)
        app.state.damage = store.check()
        if app.state.damage:
            LOGGER.error("The database is damaged: %s. Restore it from a backup, or ingest again.", app.state.damage)
        app.state.api = ApiState(store=store, settings=settings, schema=schema, project_dir=loaded.project_dir)
        if not app.state.damage:
            store.prepare()  # a large collection's grid is made in the background; the R*Tree answers meanwhile
        workers.size(settings.server.threads or store.reads_at_once)
        # What the app made as it started lives as long as it does. Frozen, the garbage collector stops walking it
        # on every full collection, which paused all requests for tens of milliseconds: an item's p99 at 16
        # connections was 50 ms, and is 17 ms frozen (docs/performance.md). Unfrozen at shutdown, so that an app
        # stopped in a process that goes on (the tests, the static export) can still be collected.
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            store.close()

    app = FastAPI(
        title=f"{schema['title']} in {settings.place.name}",
        description=f"Open data from {settings.organisation.name} as OGC API - Features. See docs/api.md.",
        version=__version__,  # the engine's: the API's behaviour is the engine's
        openapi_url=None,  # served by api.py, of the media type the landing page's service-desc link gives it
        docs_url=None,  # its pages load scripts from a CDN, which the security policy forbids: /api.html instead
        redoc_url=None,
        lifespan=lifespan,
    )
    app.include_router(router, prefix="/api")
    app.include_router(health.router)  # /healthz and /readyz
    app.add_middleware(Validators)  # ETags on the API's answers, 304 for a current copy (innermost: sees each body)
    app.add_middleware(Deadlines, seconds=settings.server.request_seconds)  # each request's time, and its client
    # /cy/... answered by the English routes in Welsh, and a first visit to / in the browser's language (languages.py)
    app.add_middleware(LanguagePaths, languages=settings.place.languages, project_dir=loaded.project_dir)
    app.add_middleware(Methods)  # HEAD as GET and the API's CORS preflight, inside the Host check
    app.add_middleware(HostCheck, server=settings.server)
    security.install(app, settings.map.tile_source)  # added after, so it runs outside: refusals carry its headers
    # the brand's stylesheet and logo (brand.py) among the static files
    pages.install(app, loaded.project_dir, brand.files(settings.brand.colour, settings.brand.logo, loaded.project_dir))
    app.include_router(quality_pages.router)  # /quality, each source's data quality for people
    app.include_router(service_doc.router)  # /api.html, the API described for people
    app.include_router(public_pages.router)  # /accessibility and /privacy, which a public body must publish
    app.include_router(sitemap.router)  # /sitemap.xml and /robots.txt, for search engines
    errors.install(app)  # JSON for the API, pages for people

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            names = [source.name for source in settings.collection_sources]
            app.openapi_schema = openapi_30(FastAPI.openapi(app), schema["fields"], names, shape=layout(schema))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
