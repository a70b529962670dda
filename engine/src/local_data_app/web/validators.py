"""ETags on the API's answers, and 304 Not Modified for a client that already holds the answer.

A GIS client, a cache or another app reading this one (the ``ogcapi``
adapter) asks again with ``If-None-Match``; while the data and the question
are the same, the answer is "not modified" and no body travels. The ETag is a
digest of the answer's bytes less an items page's ``timeStamp``, so it
changes exactly when the answer does, whatever made it change (a new load, a
new engine version, a time-dependent filter such as ``open_now``), and needs
no bookkeeping. It is weak (``W/``):
a compressed copy of the same answer keeps it. Only successful GET and HEAD
answers under ``/api`` get one; pages for people change with the time of day
(opening hours) and are not cached by validators.
"""

from __future__ import annotations

import hashlib
import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIX = "/api"
LARGEST = 64 * 1024 * 1024  # bytes: a larger answer is passed on unbuffered, without an ETag


# An items page's timeStamp: when it was made, to the second. The last such key of an answer is the page's own
# (a feature's come before it, and a quotation mark inside a value is escaped), and the ETag leaves it out, so that
# a client's copy stays current for as long as the data and the question are the same, not for a second.
TIME_STAMP = re.compile(rb',"timeStamp":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"')
TIME_STAMP_KEY = b',"timeStamp":"'


def etag_of(body: bytes) -> str:
    at = body.rfind(TIME_STAMP_KEY)
    stamp = TIME_STAMP.match(body, at) if at != -1 else None
    if stamp is not None:
        body = body[:at] + body[stamp.end() :]
    return 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names this ETag (compared weakly, as RFC 9110 says for GET), or is ``*``."""
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def not_modified(headers: MutableHeaders, etag: str) -> Message:
    """The start of a 304 answer: the ETag, and the headers RFC 9110 says a 304 repeats, without a body."""
    message: Message = {"type": "http.response.start", "status": 304, "headers": []}
    kept = MutableHeaders(scope=message)
    for name in ("cache-control", "content-location", "vary"):
        if name in headers:
            kept[name] = headers[name]
    kept["etag"] = etag
    return message


class Validators:
    """ASGI middleware: an ETag on each successful API answer, and 304 when the client's copy is current."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope["type"] != "http" or scope["method"] not in {"GET", "HEAD"} or not path.startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        asked = Headers(scope=scope).get("if-none-match")
        start: Message = {}  # the answer's start, held until its whole body is known
        parts: list[bytes] = []
        size = 0
        passing = False  # not buffered: not a 200, or too large

        async def buffered(message: Message) -> None:
            nonlocal size, passing
            if message["type"] == "http.response.start":
                start.update(message)
                passing = message["status"] != 200
                if passing:
                    await send(message)
                return
            if message["type"] != "http.response.body" or passing:
                await send(message)
                return
            parts.append(message.get("body", b""))
            size += len(parts[-1])
            if size > LARGEST:  # send what is held, and the rest as it comes
                passing = True
                await send(start)
                await send({"type": "http.response.body", "body": b"".join(parts), "more_body": True})
                parts.clear()
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            if message.get("more_body", False):
                return
            body = b"".join(parts)
            etag = etag_of(body)
            headers = MutableHeaders(scope=start)
            if asked and matches(asked, etag):
                await send(not_modified(headers, etag))
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            headers["etag"] = etag
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, buffered)
