"""Read a dataset from an OpenDataSoft portal with the Explore API v2.1.

The location is the portal's base address (https://data.example.gov.uk) and
``dataset_id`` the dataset's identifier, as in its address
(``/explore/dataset/<dataset_id>/``). Records are read page by page; the API
serves at most the first 10,000 records that way, so a larger dataset is
downloaded whole from its JSON export instead and read one record at a time.
"""

from __future__ import annotations

import json
import re
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from pydantic import Field

from ..errors import SourceError
from .base import RawRecord
from .http import HttpClient, HttpOptions, hide_secrets
from .portal import PortalAdapter, coordinate

API_PATH = "/api/explore/v2.1/catalog/datasets"
PAGING_WINDOW = 10_000  # offset + limit may not go past this
WGS84 = "EPSG:4326"
CHUNK = 1 << 16  # characters of the export read at a time


class OpendatasoftOptions(HttpOptions):
    """Options of the opendatasoft adapter."""

    dataset_id: str = Field(min_length=1, description="the dataset's identifier, as in its address")
    page_size: int = Field(default=100, ge=1, le=100, description="records to ask for in each request")
    geo_field: str | None = Field(
        default="geo_point_2d", min_length=1, description="the field holding each record's point ({lon, lat})"
    )


class OpendatasoftAdapter(PortalAdapter):
    """Reads an OpenDataSoft dataset."""

    name = "opendatasoft"
    Options = OpendatasoftOptions
    options: OpendatasoftOptions

    def records(self) -> Iterator[RawRecord]:
        dataset_url = f"{self.base_url()}{API_PATH}/{urllib.parse.quote(self.options.dataset_id, safe='')}"
        url = dataset_url + "/records"
        client = self.client()
        size = self.options.page_size
        read = page = 0
        pages: dict[bytes, int] = {}
        while read < PAGING_WINDOW:
            page += 1
            params = {"limit": min(size, PAGING_WINDOW - read), "offset": read}
            full_url, answer = self.get(client, url, params, page)
            results, self.total = self._page(full_url, page, answer)
            self.check_new_page(full_url, page, results, pages)
            if page == 1 and self.total > PAGING_WINDOW:
                yield from self._export(client, dataset_url + "/exports/json")
                return
            for values in results:
                read += 1
                yield self._record(read, values)
            if not results or read >= self.total:  # a short page may be the portal's own cap: go on
                break
        self.check_complete(full_url, page, read)

    def _page(self, url: str, page: int, answer: Any) -> tuple[list[dict[str, Any]], int]:
        """The results and total_count of one answer; a SourceError for any other answer."""
        if not isinstance(answer, dict) or "results" not in answer or "total_count" not in answer:
            raise self.unexpected(url, page, "a JSON object with 'total_count' and 'results'", answer)
        total = self.count(url, page, answer["total_count"], "'total_count'")
        return self.objects(url, page, answer["results"], "'results'"), total

    def _export(self, client: HttpClient, url: str) -> Iterator[RawRecord]:
        """Every record of the dataset from its JSON export, saved to a temporary file and read one at a time."""
        read = 0
        with tempfile.TemporaryDirectory(prefix="opendatasoft-") as scratch:
            path = client.download(url, Path(scratch) / "export.json")
            with path.open(encoding="utf-8") as file:
                try:
                    for values in array_items(file):
                        if not isinstance(values, dict):
                            raise self.unexpected(url, None, "each record of the export to be a JSON object", values)
                        read += 1
                        yield self._record(read, values)
                except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError is a ValueError
                    raise SourceError(
                        f"Source {self.source.name!r}: the export {hide_secrets(url)} is not a JSON array of "
                        f"records ({error}); it may have been cut short: ingest again."
                    ) from error
        self.check_complete(url, None, read)

    def _record(self, number: int, values: dict[str, Any]) -> RawRecord:
        field = self.options.geo_field
        if field is None or field not in values:
            return RawRecord(number, values)
        values = dict(values)
        point = values.pop(field)
        if point is None:
            return RawRecord(number, values)
        if isinstance(point, dict):
            lon, lat = coordinate(point.get("lon")), coordinate(point.get("lat"))
            if lon is not None and lat is not None:
                return RawRecord(number, values, point=(lon, lat), point_crs=WGS84)
        return RawRecord(number, values, problem=f"its {field} is not a point with lon and lat: {point!r}")


NOT_SPACE = re.compile(r"\S")
AFTER_ITEM = re.compile(r"\s*[,\]]")


def array_items(file: TextIO, chunk: int = CHUNK) -> Iterator[Any]:
    """The items of the JSON array that ``file`` holds, parsed one at a time so the file need not fit in memory.

    Raises ValueError (JSONDecodeError for a bad item) when the text is not one JSON array.
    """
    decoder = json.JSONDecoder()
    text, at, ended = "", 0, False

    def read_more(size: int) -> bool:
        nonlocal text, at, ended
        more = file.read(size)
        text, at, ended = text[at:] + more, 0, not more
        return bool(more)

    def next_char() -> str:
        """The next character that is not white space ("" at the end of the file), leaving ``at`` on it."""
        nonlocal at
        while True:
            found = NOT_SPACE.search(text, at)
            if found:
                at = found.start()
                return text[at]
            at = len(text)
            if not read_more(chunk):
                return ""

    if next_char() != "[":
        raise ValueError("it does not start with [")
    at += 1
    if next_char() == "]":
        at += 1
    else:
        while True:
            next_char()
            size = chunk
            while True:  # an item cut off by the end of what has been read is parsed again with more text
                try:
                    item, end = decoder.raw_decode(text, at)
                except json.JSONDecodeError:
                    if ended:
                        raise
                else:  # a number such as 12 may be the start of 12.5: only the separator after it tells
                    if ended or not isinstance(item, int | float) or AFTER_ITEM.match(text, end):
                        break
                read_more(size)
                size *= 2
            at = end
            yield item
            separator = next_char()
            at += 1
            if separator == "]":
                break
            if separator != ",":
                raise ValueError(f"expected , or ] after item, found {separator or 'the end of the file'!r}")
    if next_char():
        raise ValueError("there is more text after the array")
