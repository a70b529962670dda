"""Reading from web APIs with timeouts, bounded retries, limits and errors that say where.

Portals fail in the middle of paging: a 502 from a proxy, a timeout, a page
cut short. A failure that may pass (a timeout, a refused connection, a 5xx or
429 answer, an answer cut short) is tried again a bounded number of times,
waiting longer each time; one that will not pass (a 404, an HTML error page,
JSON that does not parse, a refused redirect, a limit reached) is reported at
once. Every error names the source, the URL and the page.

The limits themselves (the deadline, the byte caps, which redirects are
followed, when an answer is whole) are kept by each source's connection, in
:mod:`.connection`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from email.message import Message
from http.client import HTTPException
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field

from .. import __version__
from ..errors import SourceError
from .base import AdapterOptions
from .connection import Body, Budget, StopReading, TryAgain, describe_failure, hide_secrets, opener

USER_AGENT = f"local-data-app/{__version__} (+https://reuse.software)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0  # seconds: a longer Retry-After is capped, not obeyed
MIB = 1 << 20
SAFE_HEADERS = frozenset({"user-agent", "accept"})  # any other header given to a client is a credential
T = TypeVar("T")


class HttpOptions(AdapterOptions):
    """Options every web adapter takes."""

    timeout: float = Field(default=30.0, gt=0, description="seconds to wait for each answer")
    retries: int = Field(default=3, ge=0, le=10, description="how many times to try a failing page again")
    backoff: float = Field(default=1.0, ge=0, description="seconds before the first retry; doubled each time")
    deadline: float = Field(
        default=900.0,
        gt=0,
        le=86_400,
        description="seconds the whole reading of the source may take, every page, retry and wait included",
    )
    max_answer_bytes: int = Field(
        default=512 * MIB, ge=1, description="the most bytes one answer (a page, or a whole file) may hold"
    )
    max_source_bytes: int = Field(
        default=2048 * MIB, ge=1, description="the most bytes the source may send in all, retries included"
    )
    max_pages: int = Field(default=100_000, ge=1, description="the most pages a portal adapter asks for")


class HttpClient:
    """GET requests for one source, with its timeout, retry policy, limits and redirect rules."""

    def __init__(self, source_name: str, options: HttpOptions, headers: Mapping[str, str] | None = None) -> None:
        self.source_name = source_name
        self.options = options
        self.headers = {"User-Agent": USER_AGENT, **(headers or {})}
        self.budget = Budget(options)
        credentials = [name for name in self.headers if name.lower() not in SAFE_HEADERS]
        self._opener = opener(self.budget, credentials)

    def get_json(self, url: str, params: Mapping[str, Any] | None = None, page: int | None = None) -> Any:
        """The JSON answer to a GET request, checked to be JSON; one larger than max_answer_bytes is not parsed."""
        return self.get_json_and_headers(url, params, page)[0]

    def get_json_and_headers(
        self, url: str, params: Mapping[str, Any] | None = None, page: int | None = None
    ) -> tuple[Any, Message]:
        """The JSON answer to a GET request and the answer's headers (its ETag, say), as :meth:`get_json` checks it."""
        full_url = with_params(url, params)
        body, content_type, headers = self._request(full_url, page, "application/json", _with_headers)
        if "html" in content_type:
            raise self.error(full_url, page, f"the answer is a web page ({content_type}), not JSON. Check the URL")
        try:
            return json.loads(body), headers
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

    def download(
        self,
        url: str,
        destination: Path,
        params: Mapping[str, Any] | None = None,
        cut_short: Callable[[Path], str | None] | None = None,
    ) -> Path:
        """Save the answer to a GET request in a file (for whole files such as CSV exports).

        ``cut_short`` says why a saved file looks cut short, or None: it is asked
        only when the server gave no way to tell (no Content-Length, not
        chunked), and a file it finds cut short is downloaded again. The file is
        removed if the download fails in any way, interrupted included.
        """
        full_url = with_params(url, params)
        written = False

        def save(body: Body) -> Path:
            nonlocal written
            written = True
            with destination.open("wb") as file:
                for chunk in body.chunks():
                    file.write(chunk)
            problem = None if body.framed or cut_short is None else cut_short(destination)
            if problem:
                raise TryAgain(problem)
            return destination

        try:
            return self._request(full_url, None, "*/*", save)
        except BaseException:
            if written:  # a part of the answer must not pass for the whole of it
                destination.unlink(missing_ok=True)
            raise

    def _request(self, url: str, page: int | None, accept: str, consume: Callable[[Body], T]) -> T:
        """What ``consume`` makes of the answer, retrying what may pass until it succeeds or retries run out."""
        if not url.lower().startswith(("http://", "https://")):
            raise self.error(url, page, "only http:// and https:// addresses can be read")
        request = urllib.request.Request(url, headers={**self.headers, "Accept": accept})  # noqa: S310 (checked above)
        self.budget.start()
        wait = self.options.backoff
        for attempt in range(self.options.retries + 1):
            try:
                return self._attempt(request, consume)
            except StopReading as stop:
                raise self.error(url, page, stop.reason, tried=False) from stop
            except urllib.error.HTTPError as error:
                error.close()
                if error.code not in RETRY_STATUSES:
                    raise self.error(url, page, _describe_status(error.code, error.reason)) from error
                reason, cause = _describe_status(error.code, error.reason), error
                wait = max(wait, _retry_after(error.headers))
            except TryAgain as error:
                reason, cause = error.reason, error
            except (urllib.error.URLError, TimeoutError, ConnectionError, HTTPException) as error:
                reason, cause = describe_failure(error, self.options.timeout), error
            pause = min(wait, MAX_RETRY_AFTER)
            if self.budget.time_left() <= 0:
                raise self.error(url, page, self.budget.deadline_passed(reason).reason, tried=False) from cause
            if attempt == self.options.retries:
                raise self.error(url, page, reason) from cause
            if self.budget.time_left() <= pause:
                raise self.error(url, page, self.budget.no_time_to_retry(reason).reason, tried=False) from cause
            time.sleep(pause)
            wait *= 2
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _attempt(self, request: urllib.request.Request, consume: Callable[[Body], T]) -> T:
        self.budget.check_time()
        timeout = min(self.options.timeout, self.budget.time_left())
        response = self._opener.open(request, timeout=timeout)
        with Body(response, self.budget) as body:
            return consume(body)

    def error(self, url: str, page: int | None, reason: str, tried: bool = True) -> SourceError:
        where = f"page {page} of " if page is not None else ""
        tries = self.options.retries + 1
        attempts = f" (tried up to {tries} time{'s' if tries > 1 else ''})" if tried else ""
        return SourceError(
            f"Source {self.source_name!r}: could not read {where}{hide_secrets(url)}{attempts}: {reason}."
        )


def _with_headers(body: Body) -> tuple[bytearray, str, Message]:
    return (*body.read_all(), body.headers)


def with_params(url: str, params: Mapping[str, Any] | None) -> str:
    """The URL with query parameters added (values encoded), keeping any already there."""
    if not params:
        return url
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + separator + urllib.parse.urlencode({key: str(value) for key, value in params.items()})


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
