"""HEAD answered as GET without its body, for every address; OPTIONS on the open data answered as a CORS preflight.

Every route answers GET, and RFC 9110 asks that an address answering GET
answer HEAD too, with the same status and headers. Starlette's routes do,
but FastAPI's do not, so this middleware passes a HEAD on as a GET and sends
the answer's status and headers (its Content-Length included) without the
body: the API, the pages, /healthz and the static files alike, errors too,
with no route declaring HEAD (the OpenAPI document lists GET alone).

A browser asks with OPTIONS before a script on another site sends a request
with headers beyond the simplest (a CORS preflight). Under /api and /healthz,
which any site may read (see security.py), OPTIONS is answered here with a
204 that allows GET, HEAD and OPTIONS with the usual request headers, whether
or not the address exists: the request that follows finds out. Elsewhere,
OPTIONS goes on to the router, which refuses it with a 405 like any other
method. Every 405 names in ``Allow`` the methods its address answers.

It sits inside the Host check and the security headers, so both hold for
these answers too.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .security import OPEN_DATA_HEADERS, is_open_data

READ_METHODS = ("GET", "HEAD")
OPEN_DATA_METHODS = (*READ_METHODS, "OPTIONS")
# Request headers a script commonly sends that are not CORS-safelisted (or not with every value), so that a
# browser asks first: a JSON Accept or Content-Type, conditional requests, a range, cache control.
REQUEST_HEADERS = (
    "Accept",
    "Accept-Language",
    "Cache-Control",
    "Content-Language",
    "Content-Type",
    "If-Modified-Since",
    "If-None-Match",
    "Range",
    "X-Requested-With",
)
PREFLIGHT_MAX_AGE = 86_400  # seconds a browser may keep the answer: a day, the most Firefox keeps (Chromium two hours)


def allowed_methods(path: str) -> tuple[str, ...]:
    """The methods an address answers: GET and HEAD, and OPTIONS too for the open data."""
    return OPEN_DATA_METHODS if is_open_data(path) else READ_METHODS


def preflight_headers() -> dict[str, str]:
    """The headers of the answer to OPTIONS on the open data: which methods and request headers any site may use."""
    return {
        **OPEN_DATA_HEADERS,
        "Allow": ", ".join(OPEN_DATA_METHODS),
        "Access-Control-Allow-Methods": ", ".join(OPEN_DATA_METHODS),
        "Access-Control-Allow-Headers": ", ".join(REQUEST_HEADERS),
        "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
    }


class Methods:
    """ASGI middleware: HEAD as GET without the body, OPTIONS on the open data as a preflight, Allow on every 405."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        method: str = scope["method"]
        if method == "OPTIONS" and is_open_data(path):
            await Response(status_code=204, headers=preflight_headers())(scope, receive, send)
            return
        head = method == "HEAD"
        allow = ", ".join(allowed_methods(path))

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                MutableHeaders(scope=message)["Allow"] = allow
            elif head and message["type"] in {"http.response.body", "http.response.pathsend"}:
                if message.get("more_body", False):
                    return  # the body's parts go unsent; the last sends the end of an empty body
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"} if head else scope, receive, answer)
