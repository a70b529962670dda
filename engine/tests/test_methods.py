"""HEAD on every address, OPTIONS as a CORS preflight on the open data, and Allow on every 405 (web/methods.py)."""

from __future__ import annotations

import asyncio
import http.client
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Served, get, running, write_project
from starlette.types import Message, Receive, Scope, Send

from local_data_app.config import load_settings
from local_data_app.web import create_app
from local_data_app.web.methods import PREFLIGHT_MAX_AGE, Methods, allowed_methods
from local_data_app.web.security import security_headers

# The headers a HEAD must give as GET gives them (RFC 9110): the body's type and length, and the security headers.
SAME_AS_GET = ("Content-Type", "Content-Length", "Content-Disposition", "Access-Control-Allow-Origin")
EVERY_KIND_OF_ADDRESS = [
    "/api",
    "/api/",
    "/api/conformance",
    "/api/openapi.json",
    "/api/collections",
    "/api/collections/toilets",
    "/api/collections/toilets/items?limit=5",
    "/api/collections/toilets/items?f=csv",
    "/api/collections/toilets/items.csv",
    "/api/collections/toilets/items/T03",
    "/healthz",
    "/",
    "/?Category=Unisex",
    "/about",
    "/api.html",
    "/features/toilets/T03",
    "/static/app.js",
    "/static/vendor/leaflet/leaflet.css",
]
FAILING_ADDRESSES = [
    ("/nowhere", 404, "text/html; charset=utf-8"),
    ("/features/toilets/missing", 404, "text/html; charset=utf-8"),
    ("/static/missing.js", 404, "text/html; charset=utf-8"),
    ("/?near=somewhere", 400, "text/html; charset=utf-8"),
    ("/api/nowhere", 404, "application/json"),
    ("/api/collections/nowhere", 404, "application/json"),
    ("/api/collections/toilets/items/missing", 404, "application/json"),
    ("/api/collections/toilets/items?limit=0", 400, "application/json"),
]
PREFLIGHT = {"Origin": "https://maps.example.org", "Access-Control-Request-Method": "GET"}


@dataclass
class Reply:
    """An answer as it came over the wire: status, headers and every byte of body."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes


def send(base: str, method: str, path: str, headers: dict[str, str] | None = None) -> Reply:
    """Send one request of any method to a test server."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=20)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def assert_security_headers(served: Served, reply: Reply) -> None:
    for name, value in security_headers(served.app.state.api.settings.map.tile_source).items():
        assert reply.headers[name] == value, name


# HEAD


@pytest.mark.parametrize("path", EVERY_KIND_OF_ADDRESS)
def test_head_answers_as_get_without_the_body(served: Served, path: str) -> None:
    """HEAD gives GET's status and headers, its Content-Length included, and no body: API, pages, health, files."""
    got = get(served.base + path)
    head = send(served.base, "HEAD", path)
    assert got.status == head.status == 200
    assert head.body == b""
    for name in SAME_AS_GET:
        assert head.headers[name] == got.headers[name], name
    assert int(head.headers["Content-Length"]) == len(got.body) > 0
    assert_security_headers(served, head)


@pytest.mark.parametrize(("path", "status", "media_type"), FAILING_ADDRESSES)
def test_head_of_a_missing_or_bad_address_is_its_error_without_the_body(
    served: Served, path: str, status: int, media_type: str
) -> None:
    """A HEAD that GET would refuse gets the same 404 or 400, a page's or the API's, with no body."""
    head = send(served.base, "HEAD", path)
    assert head.status == status == get(served.base + path).status
    assert head.headers["Content-Type"] == media_type
    assert head.body == b""
    assert_security_headers(served, head)


def test_head_sends_none_of_the_body_the_app_gives() -> None:
    """The app sees a GET; of its answer only the start goes out, then one empty end, however many parts it sent."""
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["method"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"6")]})
        await send({"type": "http.response.body", "body": b"abc", "more_body": True})
        await send({"type": "http.response.body", "body": b"def", "more_body": False})

    sent = call(Methods(app), "HEAD", "/")
    assert seen == ["GET"]
    assert sent == [
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"6")]},
        {"type": "http.response.body", "body": b"", "more_body": False},
    ]


def test_get_passes_through_untouched() -> None:
    """A GET's answer is sent as the app gives it, part by part."""
    parts: list[Message] = [
        {"type": "http.response.start", "status": 200, "headers": []},
        {"type": "http.response.body", "body": b"abc", "more_body": True},
        {"type": "http.response.body", "body": b"", "more_body": False},
    ]

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        for part in parts:
            await send(part)

    assert call(Methods(app), "GET", "/") == parts


def call(app: Methods, method: str, path: str) -> list[Message]:
    """The messages an ASGI app sends for one request."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": [], "query_string": b""}
    asyncio.run(app(scope, receive, send))
    return sent


# OPTIONS


@pytest.mark.parametrize(
    "path",
    ["/api", "/api/collections", "/api/collections/toilets/items?limit=5", "/api/collections/nowhere", "/healthz"],
)
def test_options_on_the_open_data_is_a_cors_preflight(served: Served, path: str) -> None:
    """A 204 letting any site GET, HEAD and OPTIONS with the common headers, cached a day; the next request says 404."""
    reply = send(served.base, "OPTIONS", path, {**PREFLIGHT, "Access-Control-Request-Headers": "if-none-match"})
    assert reply.status == 204
    assert reply.body == b""
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert reply.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert reply.headers["Allow"] == "GET, HEAD, OPTIONS"
    allowed = {name.strip().lower() for name in reply.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"accept", "content-type", "if-none-match", "if-modified-since", "range", "cache-control"} <= allowed
    assert reply.headers["Access-Control-Max-Age"] == str(PREFLIGHT_MAX_AGE) == "86400"
    assert "Access-Control-Allow-Credentials" not in reply.headers
    assert_security_headers(served, reply)


def test_options_without_an_origin_is_answered_too(served: Served) -> None:
    """OPTIONS that is not a preflight still says which methods the API answers."""
    reply = send(served.base, "OPTIONS", "/api/collections")
    assert (reply.status, reply.headers["Allow"]) == (204, "GET, HEAD, OPTIONS")


@pytest.mark.parametrize("path", ["/", "/about", "/api.html", "/features/toilets/T03", "/static/app.js"])
def test_options_on_a_page_is_a_405_page_naming_get_and_head(served: Served, path: str) -> None:
    """Pages are not open to other sites' scripts: OPTIONS is refused like any other method, with no CORS header."""
    reply = send(served.base, "OPTIONS", path, PREFLIGHT)
    assert reply.status == 405
    assert reply.headers["Allow"] == "GET, HEAD"
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"This address answers only GET and HEAD requests." in reply.body
    assert "Access-Control-Allow-Origin" not in reply.headers
    assert "Access-Control-Allow-Methods" not in reply.headers
    assert_security_headers(served, reply)


# Other methods


@pytest.mark.parametrize(("method", "path"), [("POST", "/api/collections"), ("DELETE", "/api"), ("PUT", "/healthz")])
def test_another_method_on_the_api_is_a_json_405_naming_the_methods(served: Served, method: str, path: str) -> None:
    """The 405 names GET, HEAD and OPTIONS in its Allow header and its description."""
    reply = send(served.base, method, path, {"Content-Length": "0"})
    assert reply.status == 405
    assert reply.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.body == (
        b'{"code":"MethodNotAllowed","description":"This address answers only GET, HEAD and OPTIONS requests."}'
    )
    assert_security_headers(served, reply)


@pytest.mark.parametrize("path", ["/", "/static/app.js"])
def test_another_method_on_a_page_or_file_is_a_405_naming_get_and_head(served: Served, path: str) -> None:
    """Pages and static files, whose 405 had no Allow header, now name what they answer."""
    reply = send(served.base, "POST", path, {"Content-Length": "0"})
    assert (reply.status, reply.headers["Allow"]) == (405, "GET, HEAD")


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api", ("GET", "HEAD", "OPTIONS")),
        ("/api/collections/x/items", ("GET", "HEAD", "OPTIONS")),
        ("/healthz", ("GET", "HEAD", "OPTIONS")),
        ("/api.html", ("GET", "HEAD")),
        ("/apis", ("GET", "HEAD")),
        ("/", ("GET", "HEAD")),
    ],
)
def test_allowed_methods_add_options_for_the_open_data_alone(path: str, methods: tuple[str, ...]) -> None:
    """Only the API and the health check, which any site may read, answer OPTIONS."""
    assert allowed_methods(path) == methods


@pytest.mark.parametrize(("method", "path"), [("OPTIONS", "/api"), ("HEAD", "/api"), ("HEAD", "/")])
def test_head_and_options_go_through_the_host_check(tmp_path: Path, method: str, path: str) -> None:
    """A request for a host the app does not serve is refused, whatever its method, with the security headers."""
    with running(create_app(load_settings(write_project(tmp_path / "project")))) as base:
        reply = send(base, method, path, {"Host": "evil.example"})
    assert reply.status == 400
    assert "Access-Control-Allow-Methods" not in reply.headers
    assert reply.headers["X-Frame-Options"] == "DENY"
