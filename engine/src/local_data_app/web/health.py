"""What a load balancer or an orchestrator asks: is this process healthy (/healthz), and ready for traffic (/readyz)?

``/healthz`` answers 200 while the database answers real reads: the catalogue
of loads and one feature of each collection, cheap on any size of data (a
count of millions of rows is not). It answers 503 when a read fails, or when
the check the app made of the database as it started (see
:meth:`~local_data_app.store.Store.check`) found it damaged: queries would
fail on the damaged pages while the rest still answered.

``/readyz`` answers 200 only when, besides, every source in place.toml has a
load serving: a new replica whose database has not been loaded yet, or one
pointed at the wrong database, gets no traffic. The reasons are logged, not
shown: the answers say only the status.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..ogc.state import ApiState
from ..store import Provenance
from . import workers

LOGGER = logging.getLogger(__name__)

router = APIRouter()


def damage(request: Request) -> str | None:
    """What the start-up check found wrong with the database, if anything."""
    found: str | None = getattr(request.app.state, "damage", None)
    return found


def serving_loads(request: Request) -> list[Provenance] | None:
    """The loads serving, read as /healthz reads them, or None when the store is damaged or cannot be read."""
    state: ApiState = request.app.state.api
    if damage(request):
        return None
    try:
        loads = state.store.provenance()
        for provenance in loads:
            state.store.features(provenance.collection, limit=1)
    except Exception:
        LOGGER.exception("Health check: the store could not be read")
        return None
    return loads


@router.get("/healthz", summary="Health check")
async def healthz(request: Request) -> JSONResponse:
    """200 with each collection's count of features loaded while the store reads; 503 when it cannot."""
    # Read aside (workers.py): a process whose request threads are all busy is alive, and its load balancer keeps it.
    loads = await workers.aside(serving_loads, request)
    if loads is None:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok", "collections": {p.collection: p.rows_loaded for p in loads}})


@router.get("/readyz", summary="Readiness check")
async def readyz(request: Request) -> JSONResponse:
    """200 when healthy and every configured source has a load serving; 503 otherwise."""
    loads = await workers.aside(serving_loads, request)
    if loads is None:
        return JSONResponse({"status": "not ready"}, status_code=503)
    state: ApiState = request.app.state.api
    serving = {provenance.collection for provenance in loads}
    waiting = [source.name for source in state.settings.sources if source.name not in serving]
    if waiting:
        LOGGER.warning("Not ready: no load serving yet for %s; run ingest", ", ".join(waiting))
        return JSONResponse({"status": "not ready"}, status_code=503)
    return JSONResponse({"status": "ready"})
