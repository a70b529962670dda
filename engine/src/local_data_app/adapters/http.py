"""Reading from web APIs with timeouts, bounded retries and errors that say where.

Portals fail in the middle of paging: a 502 from a proxy, a timeout, a page
cut short. A failure that may pass (a timeout, a refused connection, a 5xx or
429 answer) is tried again a bounded number of times, waiting longer each time;
one that will not pass (a 404, an HTML error page, JSON that does not parse) is
reported at once. Every error names the source, the URL and the page.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from email.message import Message
from http.client import HTTPException, IncompleteRead
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import Field

from .. import __version__
from ..errors import SourceError
from .base import AdapterOptions

USER_AGENT = f"local-data-app/{__version__} (+https://reuse.software)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0  # seconds: a longer Retry-After is capped, not obeyed


class HttpOptions(AdapterOptions):
    """Options every web adapter takes."""

    timeout: float = Field(default=30.0, gt=0, description="seconds to wait for each answer")
    retries: int = Field(default=3, ge=0, le=10, description="how many times to try a failing page again")
    backoff: float = Field(default=1.0, ge=0, description="seconds before the first retry; doubled each time")


class HttpClient:
    """GET requests for one source, with its timeout and retry policy."""

    def __init__(self, source_name: str, options: HttpOptions, headers: Mapping[str, str] | None = None) -> None:
        self.source_name = source_name
        self.options = options
        self.headers = {"User-Agent": USER_AGENT, **(headers or {})}

    def get_json(self, url: str, params: Mapping[str, Any] | None = None, page: int | None = None) -> Any:
        """The JSON answer to a GET request, checked to be JSON."""
        full_url = with_params(url, params)
        body, content_type = self._fetch(full_url, page, accept="application/json")
        if "html" in content_type:
            raise self.error(full_url, page, f"the answer is a web page ({content_type}), not JSON. Check the URL")
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            if content_type and "json" not in content_type:  # JSON sent as text/plain, say, is read all the same
                start = body[:40].decode("utf-8", "replace")
                raise self.error(
                    full_url,
                    page,
                    f"the answer is {content_type.split(';')[0]}, not JSON (it starts {start!r}). Check the URL",
                ) from error
            raise self.error(
                full_url, page, f"the answer is not valid JSON ({error}); it may have been cut short"
            ) from error

    def download(self, url: str, destination: Path, params: Mapping[str, Any] | None = None) -> Path:
        """Save the answer to a GET request in a file (for whole files such as CSV exports)."""
        full_url = with_params(url, params)
        for attempt in self._attempts(full_url, None):
            with attempt as response, destination.open("wb") as file:
                shutil.copyfileobj(response, file)
                return destination
        raise AssertionError("unreachable")  # _attempts raises when it runs out

    def _fetch(self, url: str, page: int | None, accept: str) -> tuple[bytes, str]:
        for attempt in self._attempts(url, page, accept):
            with attempt as response:
                return response.read(), response.headers.get("Content-Type", "").lower()
        raise AssertionError("unreachable")

    def _attempts(self, url: str, page: int | None, accept: str = "*/*"):
        """Yield an open response, retrying failures that may pass, until one succeeds or retries run out."""
        if not url.lower().startswith(("http://", "https://")):
            raise self.error(url, page, "only http:// and https:// addresses can be read")
        request = urllib.request.Request(url, headers={**self.headers, "Accept": accept})  # noqa: S310 (checked above)
        wait = self.options.backoff
        for attempt in range(self.options.retries + 1):
            last = attempt == self.options.retries
            try:
                response = urllib.request.urlopen(request, timeout=self.options.timeout)  # noqa: S310 (http/https only)
            except urllib.error.HTTPError as error:
                error.close()
                if error.code not in RETRY_STATUSES or last:
                    raise self.error(url, page, _describe_status(error.code, error.reason)) from error
                wait = max(wait, _retry_after(error.headers))
            except (urllib.error.URLError, TimeoutError, ConnectionError, HTTPException) as error:
                if last:
                    raise self.error(url, page, _describe_failure(error, self.options.timeout)) from error
            else:
                yield _Checked(response, self, url, page)
                return
            time.sleep(min(wait, MAX_RETRY_AFTER))
            wait *= 2

    def error(self, url: str, page: int | None, reason: str) -> SourceError:
        where = f"page {page} of " if page is not None else ""
        tries = self.options.retries + 1
        return SourceError(
            f"Source {self.source_name!r}: could not read {where}{hide_secrets(url)} "
            f"(tried up to {tries} time{'s' if tries > 1 else ''}): {reason}."
        )


class _Checked:
    """An open response that turns a read cut short into a SourceError."""

    def __init__(self, response: BinaryIO, client: HttpClient, url: str, page: int | None) -> None:
        self.response = response
        self.headers: Message = response.headers  # type: ignore[attr-defined]
        self.client, self.url, self.page = client, url, page
        length = self.headers.get("Content-Length", "")
        self.length = int(length) if length.isdigit() else None
        self.received = 0

    def __enter__(self) -> _Checked:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.response.close()

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.response.read(None if size < 0 else size)
        except IncompleteRead as error:
            raise self._cut_short(self.received + len(error.partial)) from error
        except (HTTPException, TimeoutError, ConnectionError) as error:
            raise self.client.error(
                self.url, self.page, _describe_failure(error, self.client.options.timeout)
            ) from error
        self.received += len(data)
        # http.client returns what arrived without complaint when a connection closes early on a sized read
        at_end = size < 0 or (size > 0 and not data)
        if at_end and self.length is not None and self.received < self.length:
            raise self._cut_short(self.received)
        return data

    def _cut_short(self, received: int) -> SourceError:
        announced = f" of the {self.length} announced" if self.length is not None else ""
        reason = f"the answer was cut short: {received} bytes{announced} arrived before the connection closed"
        return self.client.error(self.url, self.page, reason)


def with_params(url: str, params: Mapping[str, Any] | None) -> str:
    """The URL with query parameters added (values encoded), keeping any already there."""
    if not params:
        return url
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + separator + urllib.parse.urlencode({key: str(value) for key, value in params.items()})


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


def _retry_after(headers: Message | None) -> float:
    value = headers.get("Retry-After", "") if headers else ""
    try:
        return float(value)
    except ValueError:
        return 0.0


def _describe_status(code: int, reason: str) -> str:
    hints = {
        401: "the portal wants credentials: check the source's token or key",
        403: "the portal refused access: check the source's token or key, and that the dataset is public",
        404: "nothing at that address: check the location and the dataset, resource or layer id",
        429: "the portal is limiting requests: try again later, or lower how often you ingest",
    }
    hint = hints.get(code, "the portal failed" if code >= 500 else "the portal refused the request")
    return f"HTTP {code} {reason}: {hint}"


def _describe_failure(error: BaseException, timeout: float) -> str:
    if isinstance(error, TimeoutError | socket.timeout) or "timed out" in str(error):
        return f"no answer within {timeout:g} seconds: the portal may be slow or down; raise the source's timeout"
    reason = getattr(error, "reason", error)
    return f"{reason}: check the address and your network connection"
