"""Read a table from a CKAN portal's DataStore, page by page, with the ``datastore_search`` action.

The location is the portal's base address (https://data.example.gov.uk) and
the ``resource_id`` option names the resource whose DataStore table to read:
the id in the resource page's address, after ``/resource/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import Field

from .base import RawRecord
from .http import HttpOptions
from .portal import PortalAdapter

SEARCH_PATH = "/api/3/action/datastore_search"
INTERNAL_COLUMNS = ("_id", "_full_text")  # added by the DataStore, not part of the published data


class CkanOptions(HttpOptions):
    """Options of the ckan adapter."""

    resource_id: str = Field(min_length=1, description="the id of the resource whose DataStore table to read")
    page_size: int = Field(default=1000, ge=1, le=32000, description="records to ask for in each request")


class CkanAdapter(PortalAdapter):
    """Reads a CKAN DataStore table."""

    name = "ckan"
    Options = CkanOptions
    options: CkanOptions

    def records(self) -> Iterator[RawRecord]:
        url = self.base_url() + SEARCH_PATH
        client = self.client()
        size = self.options.page_size
        read = page = 0
        pages: dict[bytes, int] = {}
        while True:
            page += 1
            params = {"resource_id": self.options.resource_id, "limit": size, "offset": read, "sort": "_id"}
            full_url, answer = self.get(client, url, params, page)
            records, self.total = self._page(full_url, page, answer)
            self.check_new_page(full_url, page, records, pages)
            for values in records:
                read += 1
                yield RawRecord(read, {key: value for key, value in values.items() if key not in INTERNAL_COLUMNS})
            if not records or read >= self.total:  # a short page may be the portal's own cap: go on
                break
        self.check_complete(full_url, page, read)

    def _page(self, url: str, page: int, answer: Any) -> tuple[list[dict[str, Any]], int]:
        """The records and total of one datastore_search answer; a SourceError for any other answer."""
        if not isinstance(answer, dict) or "success" not in answer:
            raise self.unexpected(url, page, "a CKAN action answer (a JSON object with 'success')", answer)
        if answer["success"] is not True:
            hint = "check the resource_id, and that the resource's data is in the DataStore"
            raise self.refused(url, page, _portal_error(answer.get("error")), hint)
        result = answer.get("result")
        if not isinstance(result, dict):
            raise self.unexpected(url, page, "a 'result' object", result)
        total = self.count(url, page, result.get("total"), "'total'")
        return self.objects(url, page, result.get("records"), "'records'"), total


def _portal_error(error: Any) -> str:
    """CKAN's error object as a sentence: its message, or each field's problems."""
    if not isinstance(error, dict):
        return str(error)
    kind = error.get("__type", "")
    if "message" in error:
        detail = str(error["message"])
    else:
        detail = "; ".join(f"{key}: {value}" for key, value in error.items() if key != "__type")
    return f"{kind}: {detail}" if kind and detail else kind or detail or "an error without a message"
