"""The Host header is not trusted: links start with the configured public address, or the request is refused.

Every link the API writes is absolute, built from the request's base URL,
which Starlette takes from the Host header, which any client sets. So a
request naming ``Host: evil.example`` would get links to evil.example in its
``self``, ``next`` and ``collection`` links and in redirects, and a cache in
front of the app could hand those to everyone. With ``[server] public_url``
set, this middleware gives every request the public address's scheme and host
instead; without it, it answers only requests for the loopback names and the
names in ``[server] hosts``, and refuses others with a 400 that says what to set.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import Server
from ..errors import shown
from .errors import error_body

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def host_name(host: str) -> str:
    """The name part of a Host header value, lower case, without its port."""
    host = host.strip().lower()
    if host.startswith("["):  # an IPv6 literal, such as [::1]:8000
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class HostCheck:
    """ASGI middleware: the public address in place of the request's Host, or only the hosts the app serves."""

    def __init__(self, app: ASGIApp, server: Server) -> None:
        self.app = app
        public = urlsplit(server.public_url) if server.public_url else None
        self.public = (public.scheme, public.netloc.encode("latin-1")) if public else None
        self.allowed = LOOPBACK | set(server.hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = [(name, value) for name, value in scope["headers"] if name != b"host"]
        given = next((value for name, value in scope["headers"] if name == b"host"), b"").decode("latin-1")
        if self.public is not None:
            scheme, netloc = self.public
            scope = {**scope, "scheme": scheme, "headers": [(b"host", netloc), *headers]}
        elif host_name(given) not in self.allowed:
            await refuse(given, scope, receive, send)
            return
        await self.app(scope, receive, send)


async def refuse(host: str, scope: Scope, receive: Receive, send: Send) -> None:
    description = (
        f"This app does not answer for the host {shown(host)}. Its owner sets the public address as "
        "[server] public_url in place.toml (or adds the name to [server] hosts)."
    )
    await JSONResponse(error_body("InvalidHost", description), status_code=400)(scope, receive, send)
