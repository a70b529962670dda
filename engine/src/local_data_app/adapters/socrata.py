"""Read a dataset from a Socrata portal with the SODA API, page by page in a stable order.

The location is the portal's base address (https://data.example.gov.uk) and
``dataset_id`` the dataset's four-by-four id (``abcd-1234``, the end of its
address). Socrata serves anonymous requests with a tight rate limit; an app
token lifts it. The token is a secret, so place.toml never holds it:
``app_token_env`` names the environment variable that does, and the token is
sent in the ``X-App-Token`` header, never in a URL or a message.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from pydantic import Field, field_validator

from ..errors import SourceError
from .base import RawRecord
from .http import HttpClient, HttpOptions
from .portal import PortalAdapter, coordinate

DATASET_ID = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}$")
VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
WGS84 = "EPSG:4326"
COUNT_ALIAS = "record_count"


class SocrataOptions(HttpOptions):
    """Options of the socrata adapter."""

    dataset_id: str = Field(description="the dataset's four-by-four id, such as abcd-1234")
    page_size: int = Field(default=1000, ge=1, le=50000, description="records to ask for in each request")
    app_token_env: str | None = Field(
        default=None, description="the name of the environment variable that holds an app token"
    )
    geo_field: str | None = Field(
        default=None, min_length=1, description="the field holding each record's point (a Point or Location column)"
    )

    @field_validator("dataset_id")
    @classmethod
    def _four_by_four(cls, value: str) -> str:
        if not DATASET_ID.match(value):
            raise ValueError(
                f"expected a four-by-four dataset id such as abcd-1234 (the end of its address): {value!r}"
            )
        return value

    @field_validator("app_token_env")
    @classmethod
    def _variable_name(cls, value: str | None) -> str | None:
        if value is not None and not VARIABLE_NAME.match(value):
            raise ValueError(
                "expected the name of an environment variable (letters, digits and _), such as SOCRATA_APP_TOKEN; "
                "put the token itself in that variable, not in place.toml"
            )
        return value


class SocrataAdapter(PortalAdapter):
    """Reads a Socrata dataset."""

    name = "socrata"
    Options = SocrataOptions
    options: SocrataOptions

    def records(self) -> Iterator[RawRecord]:
        url = f"{self.base_url()}/resource/{self.options.dataset_id}.json"
        client = self.client(self._token_header())
        self.total = self._count(client, url)
        size = self.options.page_size
        read = page = 0
        pages: dict[bytes, int] = {}
        while True:
            page += 1
            full_url, answer = self.get(client, url, {"$limit": size, "$offset": read, "$order": ":id"}, page)
            records = self.objects(full_url, page, answer, "the records")
            self.check_new_page(full_url, page, records, pages)
            for values in records:
                read += 1
                yield self._record(read, values)
            if not records or read >= self.total:  # a short page may be the portal's own cap: go on
                break
        self.check_complete(full_url, page, read)

    def _token_header(self) -> dict[str, str]:
        variable = self.options.app_token_env
        if variable is None:
            return {}
        token = os.environ.get(variable, "").strip()
        if not token:
            raise SourceError(
                f"Source {self.source.name!r}: app_token_env names the environment variable {variable}, "
                f"which is not set; set {variable} to the portal's app token, or remove app_token_env."
            )
        return {"X-App-Token": token}

    def _count(self, client: HttpClient, url: str) -> int:
        full_url, answer = self.get(client, url, {"$select": f"count(*) AS {COUNT_ALIAS}"}, None)
        rows = self.objects(full_url, None, answer, "one row with the count")
        if len(rows) != 1:
            raise self.unexpected(full_url, None, "one row with the count", answer)
        return self.count(full_url, None, rows[0].get(COUNT_ALIAS), repr(COUNT_ALIAS))

    def _record(self, number: int, values: dict[str, Any]) -> RawRecord:
        field = self.options.geo_field
        if field is None or field not in values:
            return RawRecord(number, values)  # Socrata leaves out fields that are null
        values = dict(values)
        point = values.pop(field)
        if isinstance(point, dict):
            if point.get("type") == "Point":  # a Point column: GeoJSON
                position = point.get("coordinates")
                if isinstance(position, list) and len(position) >= 2:
                    x, y = coordinate(position[0]), coordinate(position[1])
                else:
                    x = y = None
            else:  # a Location column: {"latitude": "..", "longitude": "..", "human_address": ".."}
                x, y = coordinate(point.get("longitude")), coordinate(point.get("latitude"))
            if x is not None and y is not None:
                return RawRecord(number, values, point=(x, y), point_crs=WGS84)
            if point.get("type") is None and "latitude" not in point and "longitude" not in point:
                return RawRecord(number, values)  # a Location with an address but no coordinates
        return RawRecord(number, values, problem=f"its {field} is not a point: {point!r}")
