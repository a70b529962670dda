"""What the web portal adapters share: a checked address, checked answers and paging that ends complete.

A portal adapter (CKAN, ArcGIS, OpenDataSoft, Socrata) asks a portal's API for
one page of records after another. Every answer is checked to have the shape
that portal's API documents before a record is taken from it, and when paging
ends the records read are compared with the total the portal announced, so a
page lost in the middle is reported instead of quietly leaving records out.
A page whose records are exactly those of an earlier page is refused too: a
portal (or a cache in front of it) that ignores the paging offset would
otherwise have the same records loaded again and again, or be paged forever.
And no more than ``max_pages`` pages are asked for, so a portal that announces
more records than it could hold (or keeps sending new ones) stops with an
error instead of being paged for days.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any, ClassVar

from ..errors import SourceError
from .base import Adapter
from .http import HttpClient, HttpOptions, hide_secrets, with_params

NOTHING: Any = object()  # "no value to show" for PortalAdapter.unexpected (null is a value)


class PortalAdapter(Adapter):
    """An adapter that reads a web portal's API page by page with an :class:`HttpClient`."""

    options: HttpOptions
    location_example: ClassVar[str] = "https://data.example.gov.uk"

    def base_url(self) -> str:
        """The source's location without a trailing slash; a SourceError unless it is an http(s) address."""
        location = self.source.location.strip()
        if not location.startswith(("http://", "https://")):
            raise SourceError(
                f"Source {self.source.name!r}: the location {location!r} is not a web address; "
                f"the {self.name} adapter expects one starting with https://, for example {self.location_example}."
            )
        return location.rstrip("/")

    def client(self, headers: Mapping[str, str] | None = None) -> HttpClient:
        return HttpClient(self.source.name, self.options, headers)

    def get(self, client: HttpClient, url: str, params: Mapping[str, Any], page: int | None) -> tuple[str, Any]:
        """The full URL asked for and the JSON answer; a SourceError instead of a page past max_pages."""
        full_url = with_params(url, params)
        if page is not None and page > self.options.max_pages:
            announced = f", and the portal says it holds {self.total:,} records" if self.total is not None else ""
            raise SourceError(
                f"Source {self.source.name!r}: stopped before page {page} of {hide_secrets(full_url)}: the source's "
                f"max_pages is {self.options.max_pages:,}{announced}. If the data is that large, raise max_pages "
                "(or page_size, if the portal allows) in the source's [[sources]] entry in place.toml; if not, "
                "the portal is announcing more records than it holds: check the location."
            )
        return full_url, client.get_json(full_url, page=page)

    def unexpected(self, url: str, page: int | None, expected: str, got: Any = NOTHING, hint: str = "") -> SourceError:
        """An error for an answer that is not the shape the portal's API documents."""
        where = f"page {page} of " if page is not None else ""
        found = "" if got is NOTHING else f", got {describe(got)}"
        advice = hint or f"check that the location is the address the {self.name} adapter expects"
        return SourceError(
            f"Source {self.source.name!r}: unexpected answer from {where}{hide_secrets(url)}: "
            f"expected {expected}{found}; {advice}."
        )

    def refused(self, url: str, page: int | None, message: str, hint: str) -> SourceError:
        """An error for an answer in which the portal reports an error of its own."""
        where = f"page {page} of " if page is not None else ""
        return SourceError(
            f"Source {self.source.name!r}: the portal refused {where}{hide_secrets(url)}: {message}; {hint}."
        )

    def objects(self, url: str, page: int | None, items: Any, what: str) -> list[dict[str, Any]]:
        """``items`` checked to be a JSON array of JSON objects (the records of one page)."""
        if not isinstance(items, list):
            raise self.unexpected(url, page, f"{what} as a JSON array", items)
        for item in items:
            if not isinstance(item, dict):
                raise self.unexpected(url, page, f"each of {what} to be a JSON object", item)
        return items

    def count(self, url: str, page: int | None, value: Any, what: str) -> int:
        """``value`` checked to be a count of records (a whole number, or a string of digits as Socrata sends)."""
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.unexpected(url, page, f"{what} to be a count of records", value)
        return value

    def check_new_page(self, url: str, page: int, items: list[Any], seen: dict[bytes, int]) -> None:
        """A SourceError if ``items`` are exactly the records of an earlier page; ``seen`` records each page read."""
        if not items:
            return
        fingerprint = hashlib.sha256(
            json.dumps(items, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        ).digest()
        first = seen.setdefault(fingerprint, page)
        if first != page:
            raise SourceError(
                f"Source {self.source.name!r}: page {page} of {hide_secrets(url)} repeats page {first}, the same "
                f"{len(items)} record{'' if len(items) == 1 else 's'}, so reading stopped rather than load them "
                "twice. The portal, or a cache in front of it, may be ignoring the paging offset: check the location "
                "(the portal's own address, not a proxy's). If the data holds runs of identical records, a larger "
                "page_size tells the pages apart."
            )

    def check_complete(self, url: str, page: int | None, read: int) -> None:
        """A SourceError if reading ended before the total the portal announced."""
        if self.total is not None and read < self.total:
            where = f"at page {page} ({hide_secrets(url)})" if page is not None else f"with {hide_secrets(url)}"
            raise SourceError(
                f"Source {self.source.name!r}: reading ended {where} after {read} of the {self.total} "
                "records the portal says it holds; the data may have changed while it was read, "
                "or the portal lost a page: ingest again."
            )


def coordinate(value: Any) -> float | None:
    """A finite number from a JSON number or a numeric string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def describe(value: Any) -> str:
    """What kind of JSON value this is, briefly, for an error message."""
    if isinstance(value, dict):
        if not value:
            return "an empty JSON object"
        keys = ", ".join(repr(key) for key in list(value)[:6])
        return f"a JSON object with keys {keys}{', ...' if len(value) > 6 else ''}"
    if isinstance(value, list):
        return f"a JSON array of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "..."
        return f"the string {shown!r}"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"the number {value}"
