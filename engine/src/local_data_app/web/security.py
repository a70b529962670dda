"""Security headers on every response, and errors that tell clients what to fix but never how the app works inside.

Every response, including errors and 404s, carries a Content-Security-Policy
that allows only the app's own files (and images from the map's tile server)
and no inline script, and headers that
stop it being sniffed, framed or given powers it does not need. Errors a
client caused are answered in errors.py; anything unexpected is logged here
with its stack trace and answered with a bare JSON 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .languages import is_api_in_a_language

LOGGER = logging.getLogger(__name__)

# The map tiles the HTML pages draw come from another site, which asks for the page's origin
# (OpenStreetMap's tile policy does), so the referrer is cut to the origin rather than dropped.
OTHER_HEADERS: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Open data is meant to be read by other sites' scripts: the API answers any origin, without credentials, and lets
# them read Content-Crs (OGC API - Features Part 2), which a browser otherwise hides from a script of another site.
OPEN_DATA_HEADERS: Mapping[str, str] = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Crs",
}
OPEN_DATA_PATHS = ("/api", "/healthz", "/readyz")


def is_open_data(path: str) -> bool:
    """Whether an address is open data read by programs (the API, the health checks) rather than a page for people."""
    in_english = any(path == prefix or path.startswith(prefix + "/") for prefix in OPEN_DATA_PATHS)
    return in_english or is_api_in_a_language(path)  # /cy/api is the same open data, its words in Welsh


def content_security_policy(tile_source: str, in_page: bool = False) -> str:
    """The pages' policy: only the app's own scripts, styles and data, and images from it and the tile server.

    ``tile_source`` is where the map's tiles come from (see
    ``config.MapView.tile_source``), whatever its scheme, so tiles served over
    plain http draw too; images from anywhere else are refused. ``data:`` is
    for the image Leaflet shows for a tile that fails. ``in_page`` gives the
    policy as a ``<meta http-equiv>`` element can carry it, for the static
    export: without ``frame-ancestors``, which browsers ignore there.
    """
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        f"img-src 'self' {tile_source} data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    if not in_page:
        directives.append("frame-ancestors 'none'")
    return "; ".join(directives)


def security_headers(tile_source: str) -> dict[str, str]:
    """Every header that every response carries, the policy allowing images from ``tile_source``."""
    return {"Content-Security-Policy": content_security_policy(tile_source), **OTHER_HEADERS}


class SecurityHeaders:
    """ASGI middleware: security headers on every response, and a plain 500 for any unexpected exception.

    It sits outside FastAPI's own error handling, so even the answer to a
    crash carries the headers, and the crash is logged with its stack trace
    here instead of being shown.
    """

    def __init__(self, app: ASGIApp, headers: Mapping[str, str]) -> None:
        self.app = app
        self.headers = dict(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        open_data = is_open_data(path)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
                if open_data:
                    for name, value in OPEN_DATA_HEADERS.items():
                        headers[name] = value
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            LOGGER.exception("Unexpected error answering %s %s", scope.get("method"), path)
            if started:  # part of the answer has gone: nothing better can be sent
                raise
            response = JSONResponse(
                {
                    "code": "ServerError",
                    "description": "The server could not answer this request. The error has been logged.",
                },
                status_code=500,
            )
            await response(scope, receive, send_with_headers)


def install(app: FastAPI, tile_source: str) -> None:
    """Add the headers middleware (images allowed from ``tile_source``) to an app."""
    app.add_middleware(SecurityHeaders, headers=security_headers(tile_source))
