"""A source's connection: what reading from it over http(s) can never do, whatever the server sends.

A source may be hostile or broken in ways that would hold an ingest for ever
or fill the disk: a server that sends one byte a second, an answer of many
gigabytes, a redirect to a local file or to plain http. So a source's
connection keeps to its deadline at every read, and to its byte caps;
follows redirects only to http(s), never from https to http, at most
MAX_REDIRECTS times; sends the source's credentials only to the origin they
were given for; and counts an answer whole only when its length matches its
Content-Length, or its chunked encoding ends properly. Each failure is raised
as one that may pass (TryAgain) or one that will not (StopReading); whether
to try again is the client's business, in .http.
"""

from __future__ import annotations

import functools
import io
import math
import socket
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from email.message import Message
from http.client import HTTPConnection, HTTPException, HTTPResponse, HTTPSConnection, IncompleteRead
from typing import Any, Protocol

MAX_REDIRECTS = 5
CHUNK = 1 << 16  # bytes read at a time, so memory stays bounded by the answer cap
# Seconds to wait, after an answer's announced length, for bytes beyond it. Servers close the connection at
# once, as asked (Connection: close), so this costs nothing unless a server ignores that.
AFTER_BODY_WAIT = 0.25
ALWAYS_CREDENTIALS = frozenset({"authorization", "cookie"})
DEFAULT_PORTS = {"http": 80, "https": 443}


class Limits(Protocol):
    """The options a connection keeps to (a web adapter's HttpOptions)."""

    @property
    def timeout(self) -> float: ...  # seconds each read may wait

    @property
    def deadline(self) -> float: ...  # seconds the whole reading of the source may take

    @property
    def max_answer_bytes(self) -> int: ...  # the most bytes one answer may hold

    @property
    def max_source_bytes(self) -> int: ...  # the most bytes the source may send in all


class StopReading(Exception):
    """A failure that trying again will not mend (a limit reached, a refused redirect): reported at once."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TryAgain(Exception):
    """A failure part way through an answer that may pass (cut short, a timeout): the answer is asked for again."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Budget:
    """What one source may still spend: seconds until its deadline, and bytes, from its first request on.

    One client reads one source, so the budget is the client's: every page,
    retry, redirect and pause between them draws on the same deadline and cap.
    """

    def __init__(self, options: Limits) -> None:
        self.options = options
        self.ends: float | None = None  # the time.monotonic() of the deadline, once the first request starts
        self.received = 0

    def start(self) -> None:
        if self.ends is None:
            self.ends = time.monotonic() + self.options.deadline

    def time_left(self) -> float:
        return math.inf if self.ends is None else self.ends - time.monotonic()

    def check_time(self, last_failure: str | None = None) -> None:
        """A StopReading once the deadline has passed."""
        if self.time_left() <= 0:
            raise self.deadline_passed(last_failure)

    def deadline_passed(self, last_failure: str | None = None) -> StopReading:
        before = f"{last_failure}; then " if last_failure else ""
        return StopReading(
            f"{before}reading the source took longer than its deadline of {seconds(self.options.deadline)}, "
            "so it stopped (timeout bounds each wait for an answer, deadline the whole read); "
            + raise_option("deadline")
        )

    def no_time_to_retry(self, last_failure: str) -> StopReading:
        return StopReading(
            f"{last_failure}; the source's deadline of {seconds(self.options.deadline)} leaves no time to try "
            "again; " + raise_option("deadline")
        )

    def spend(self, size: int) -> None:
        """Count bytes received; a StopReading once the source has sent more than its cap."""
        self.received += size
        cap = self.options.max_source_bytes
        if self.received > cap:
            raise StopReading(
                f"the source has sent more than its max_source_bytes of {cap:,} bytes in all (retries included), "
                "so reading stopped; " + raise_option("max_source_bytes")
            )


class Body:
    """An answer's body read in chunks within the source's limits, checked to have arrived whole.

    Whole means: as long as its Content-Length (shorter and longer both fail),
    or a chunked body that ends properly. A body with neither ends when the
    connection closes, and nothing in HTTP tells whether it was cut short.
    """

    def __init__(self, response: HTTPResponse, budget: Budget) -> None:
        self.response = response
        self.headers: Message = response.headers
        self.budget = budget
        self.length: int | None = response.length  # the announced Content-Length; None when chunked or absent
        self.framed = self.length is not None or response.chunked
        self.received = 0
        cap = budget.options.max_answer_bytes
        if self.length is not None and self.length > cap:
            response.close()
            raise StopReading(
                f"the answer announces {self.length:,} bytes (its Content-Length), more than the source's "
                f"max_answer_bytes of {cap:,}, so it was not read; " + raise_option("max_answer_bytes")
            )

    def __enter__(self) -> Body:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.response.close()

    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").lower()

    def read_all(self) -> tuple[bytearray, str]:
        """The whole body (never more than max_answer_bytes) and its content type."""
        body = bytearray()
        for chunk in self.chunks():
            body += chunk
        return body, self.content_type()

    def chunks(self) -> Iterator[bytes]:
        while data := self._read():
            yield data

    def _read(self) -> bytes:
        try:
            data = self.response.read1(CHUNK)
        except IncompleteRead as error:  # a chunked body that ends without its last, empty chunk
            raise TryAgain(self._cut_short(self.received + len(error.partial))) from error
        except (HTTPException, OSError) as error:
            raise TryAgain(describe_failure(error, self.budget.options.timeout)) from error
        if not data:
            if self.length is not None and self.received < self.length:
                raise TryAgain(self._cut_short(self.received))
            if self.length is not None and _more_after_body(self.response):
                raise StopReading(
                    f"the answer is longer than the {self.length:,} bytes its Content-Length announced, so what "
                    "was read may not be all of it; the server or a proxy in front of it is at fault: ingest "
                    "again later, or tell the publisher"
                )
            return data
        self.received += len(data)
        cap = self.budget.options.max_answer_bytes
        if self.received > cap:
            raise StopReading(
                f"the answer holds more than the source's max_answer_bytes of {cap:,} bytes, so reading stopped; "
                + raise_option("max_answer_bytes")
            )
        self.budget.spend(len(data))
        return data

    def _cut_short(self, received: int) -> str:
        announced = f" of the {self.length} announced" if self.length is not None else ""
        return f"the answer was cut short: {received} bytes{announced} arrived before the connection closed"


def _more_after_body(response: HTTPResponse) -> bool:
    """Whether bytes follow the announced body: the server has closed the connection after it, if it is whole.

    http.client stops at the Content-Length and leaves the rest unread, which
    would pass the first part of a longer answer off as the whole of it.
    """
    stream = response.fp
    if stream is None:
        return False
    reader = getattr(stream, "raw", None)
    if isinstance(reader, _TimedReader):
        reader.wait = AFTER_BODY_WAIT
    try:
        return bool(stream.peek(1))
    except (OSError, StopReading):  # nothing more came in time: the body is whole
        return False


# The opener: urllib's, with connections that keep the deadline and redirects that keep to the rules.


def opener(budget: Budget, credentials: Iterable[str]) -> urllib.request.OpenerDirector:
    """An opener for http(s) only, bounded by ``budget``, that drops ``credentials`` on a redirect elsewhere.

    Built by hand rather than with build_opener so that no ftp:// or file://
    handler is there to be reached, whatever a redirect says.
    """
    director = urllib.request.OpenerDirector()
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler(),  # honours http_proxy and https_proxy, as urlopen does
        _HttpHandler(budget),
        _HttpsHandler(budget),
        urllib.request.HTTPDefaultErrorHandler(),
        Redirects(credentials),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.UnknownHandler(),
    ]
    for handler in handlers:
        director.add_handler(handler)
    return director


class Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) only, never from https to http, at most MAX_REDIRECTS in a row.

    Headers that carry credentials (those the client was given beyond
    User-Agent and Accept, such as Socrata's X-App-Token, and any Authorization
    or Cookie) are sent on only while the redirect stays at the origin (scheme,
    host and port) first asked: a portal that redirects elsewhere must not hand
    its token to whoever is there.
    """

    max_repeats = max_redirections = MAX_REDIRECTS + 1  # urllib's own loop checks never come first

    def __init__(self, credentials: Iterable[str] = ()) -> None:
        super().__init__()
        self.credentials = frozenset(name.lower() for name in credentials) | ALWAYS_CREDENTIALS

    def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Message) -> Any:
        fp.close()  # a redirect's body is never used: urllib would read it whole, however large
        location = headers.get("location") or headers.get("uri")
        if location:
            reason = refusal(req, urllib.parse.urljoin(req.full_url, location.strip()))
            if reason:
                raise StopReading(reason)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Message, newurl: str
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is None:
            return None
        first = getattr(req, "first_origin", None) or origin(req.full_url)
        new.first_origin = first  # type: ignore[attr-defined]
        if origin(new.full_url) != first:
            for name in [name for name in new.headers if name.lower() in self.credentials]:
                new.remove_header(name)
        return new


def refusal(request: urllib.request.Request, target: str) -> str | None:
    """Why a redirect from ``request`` to ``target`` is not followed, or None."""
    scheme = urllib.parse.urlsplit(target).scheme.lower()
    shown = hide_secrets(target)
    if scheme not in DEFAULT_PORTS:
        return (
            f"it redirects to {shown}, and only redirects to http:// and https:// addresses are followed; "
            "set the source's location to the web address of the data itself"
        )
    if request.type == "https" and scheme == "http":
        return (
            f"it redirects from https to {shown}, which would send the request unencrypted, so the redirect "
            "was not followed; set the source's location to an https:// address that serves the data"
        )
    hops = sum(getattr(request, "redirect_dict", {}).values())  # urllib counts each address visited
    if hops >= MAX_REDIRECTS:
        return (
            f"it redirects more than {MAX_REDIRECTS} times (the next to {shown}); set the source's location to "
            "the address the redirects end at, or tell the publisher if they go round in a loop"
        )
    return None


def origin(url: str) -> tuple[str, str, int | str | None]:
    """The scheme, host and port of a URL, as browsers compare origins (the port filled in when left out)."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port: int | str | None = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # not a number: compared as written
        port = parts.netloc.rpartition(":")[2]
    return scheme, (parts.hostname or "").lower(), port


class _TimedOpen:
    """For urllib's HTTP and HTTPS handlers: open connections that keep the source's deadline."""

    def __init__(self, budget: Budget) -> None:
        super().__init__()
        self.budget = budget

    def do_open(self, http_class: type[HTTPConnection], req: urllib.request.Request, **kwargs: Any) -> HTTPResponse:
        timed = _TimedHTTPSConnection if issubclass(http_class, HTTPSConnection) else _TimedHTTPConnection
        return super().do_open(functools.partial(timed, budget=self.budget), req, **kwargs)  # type: ignore[misc]


class _HttpHandler(_TimedOpen, urllib.request.HTTPHandler):
    pass


class _HttpsHandler(_TimedOpen, urllib.request.HTTPSHandler):
    pass


class _Timed:
    """For http.client's connections: once connected, the answer is read through a :class:`_TimedReader`."""

    sock: Any

    def __init__(self, *args: Any, budget: Budget, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = budget

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]  (HTTPSConnection's wraps the socket in TLS first)
        self.sock = _TimedSocket(self.sock, self.budget)


class _TimedHTTPConnection(_Timed, HTTPConnection):
    pass


class _TimedHTTPSConnection(_Timed, HTTPSConnection):
    pass


class _TimedSocket:
    """A connected socket that http.client reads answers from through a :class:`_TimedReader`."""

    def __init__(self, sock: socket.socket, budget: Budget) -> None:
        self._sock = sock
        self._budget = budget

    def makefile(self, mode: str = "r", *args: Any, **kwargs: Any) -> io.BufferedReader:
        if mode != "rb":
            raise ValueError(f"only mode 'rb' is supported, not {mode!r}")  # all that http.client asks for
        return io.BufferedReader(_TimedReader(self._sock, self._budget))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _TimedReader(io.RawIOBase):
    """A connection's bytes, each read waiting no longer than the timeout, nor past the source's deadline.

    The timeout alone bounds each read, so a server sending a byte a second
    would never time out; checking the deadline at every read (headers
    included) stops it once the deadline passes.
    """

    def __init__(self, sock: socket.socket, budget: Budget) -> None:
        super().__init__()
        self._sock = sock
        self._stream = sock.makefile("rb", buffering=0)
        self._budget = budget
        self.wait = budget.options.timeout  # seconds each read may wait

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        left = self._budget.time_left()
        if left <= 0:
            raise self._budget.deadline_passed()
        self._sock.settimeout(min(self.wait, left))
        try:
            return self._stream.readinto(buffer)
        except TimeoutError:
            if self._budget.time_left() <= 0:
                raise self._budget.deadline_passed() from None
            raise

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


# Messages, used here and by the client in .http.


def raise_option(option: str) -> str:
    """The advice that ends every limit's message: which option to raise, and where."""
    return f"if that is expected, raise {option} in the source's [[sources]] entry in place.toml"


def seconds(value: float) -> str:
    return f"{value:g} second{'' if value == 1 else 's'}"


def hide_secrets(url: str) -> str:
    """A URL safe to print: values of parameters that look like keys or tokens are hidden."""
    parts = urllib.parse.urlsplit(url)
    if not parts.query:
        return url
    query = [
        (key, "***" if any(word in key.lower() for word in ("token", "key", "secret", "password")) else value)
        for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query, safe="$:*=")))


def describe_failure(error: BaseException, timeout: float) -> str:
    """Why a request or a read failed (a timeout, a refused connection, a broken answer) and what to check."""
    if isinstance(error, TimeoutError | socket.timeout) or "timed out" in str(error):
        return f"no answer within {timeout:g} seconds: the portal may be slow or down; raise the source's timeout"
    reason = getattr(error, "reason", error)
    return f"{reason}: check the address and your network connection"
