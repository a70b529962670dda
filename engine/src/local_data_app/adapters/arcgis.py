"""Read the features of an ArcGIS FeatureServer or MapServer layer, page by page, as GeoJSON.

The location is the layer's address, ending in ``/FeatureServer/<n>`` or
``/MapServer/<n>``. Points are asked for in WGS84 (``outSR=4326``), so they
need no conversion; a layer of lines or polygons cannot be read as points and
each of its features is rejected with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import Field

from ..errors import SourceError
from .base import RawRecord
from .http import HttpClient, HttpOptions
from .portal import PortalAdapter, coordinate

LAYER_URL = re.compile(r"/(FeatureServer|MapServer)/\d+$", re.IGNORECASE)
WGS84 = "EPSG:4326"


class ArcgisOptions(HttpOptions):
    """Options of the arcgis adapter."""

    page_size: int = Field(
        default=1000, ge=1, description="features to ask for in each request (the layer may send fewer)"
    )
    where: str = Field(default="1=1", min_length=1, description="an SQL condition choosing the features to read")
    object_id_field: str = Field(
        default="OBJECTID", pattern=r"^\w+$", description="the layer's object id field, which orders the pages"
    )


class ArcgisAdapter(PortalAdapter):
    """Reads the features of an ArcGIS layer."""

    name = "arcgis"
    Options = ArcgisOptions
    options: ArcgisOptions
    location_example = "https://services.arcgis.com/abc123/arcgis/rest/services/Toilets/FeatureServer/0"

    def records(self) -> Iterator[RawRecord]:
        layer = self.layer_url()
        query = layer + "/query"
        client = self.client()
        self.total = self._count(client, query)
        read = page = 0
        pages: dict[bytes, int] = {}
        while True:
            page += 1
            params = {
                "where": self.options.where,
                "outFields": "*",
                "outSR": "4326",
                "f": "geojson",
                "orderByFields": self.options.object_id_field,
                "resultOffset": read,
                "resultRecordCount": self.options.page_size,
            }
            full_url, answer = self.get(client, query, params, page)
            features, more = self._page(full_url, page, answer)
            self.check_new_page(full_url, page, features, pages)
            for feature in features:
                read += 1
                yield self._record(read, feature)
            # A layer may send fewer features than asked (its maxRecordCount), and older servers leave
            # exceededTransferLimit out of GeoJSON answers, so the count decides too.
            if not features or not (more or read < self.total):
                break
        self.check_complete(full_url, page, read)

    def layer_url(self) -> str:
        """The location, checked to be a layer's address."""
        url = self.base_url()
        if not LAYER_URL.search(url):
            raise SourceError(
                f"Source {self.source.name!r}: the location {url!r} is not an ArcGIS layer address; "
                "expected one ending in /FeatureServer/<layer number> or /MapServer/<layer number>, "
                f"for example {self.location_example}."
            )
        return url

    def _count(self, client: HttpClient, query: str) -> int:
        params = {"where": self.options.where, "returnCountOnly": "true", "f": "json"}
        full_url, answer = self.get(client, query, params, None)
        self._check_error(full_url, None, answer)
        if not isinstance(answer, dict):
            raise self.unexpected(full_url, None, "a JSON object with 'count'", answer)
        return self.count(full_url, None, answer.get("count"), "'count'")

    def _page(self, url: str, page: int, answer: Any) -> tuple[list[dict[str, Any]], bool]:
        """The features of one answer and whether the layer holds more; a SourceError for any other answer."""
        self._check_error(url, page, answer)
        if not isinstance(answer, dict) or "features" not in answer:
            raise self.unexpected(url, page, "a GeoJSON FeatureCollection", answer)
        features = self.objects(url, page, answer["features"], "'features'")
        properties = answer.get("properties")
        more = answer.get("exceededTransferLimit") is True or (
            isinstance(properties, dict) and properties.get("exceededTransferLimit") is True
        )
        return features, more

    def _check_error(self, url: str, page: int | None, answer: Any) -> None:
        """ArcGIS reports errors in an HTTP 200 answer: {"error": {"code": ..., "message": ..., "details": [...]}}."""
        if not (isinstance(answer, dict) and isinstance(answer.get("error"), dict)):
            return
        error = answer["error"]
        details = [str(detail) for detail in error.get("details") or [] if detail]
        message = f"error {error.get('code', '?')}: {error.get('message', 'no message')}"
        if details:
            message += f" ({'; '.join(details)})"
        hint = "check the layer address, the where option and the object_id_field option"
        raise self.refused(url, page, message, hint)

    def _record(self, number: int, feature: dict[str, Any]) -> RawRecord:
        properties = feature.get("properties")
        values = dict(properties) if isinstance(properties, dict) else {}
        geometry = feature.get("geometry")
        if geometry is None:
            return RawRecord(number, values)
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind != "Point":
            return RawRecord(
                number,
                values,
                problem=f"its geometry is {'a ' + kind if isinstance(kind, str) else 'not GeoJSON'}; "
                f"the {self.name} adapter reads point layers only",
            )
        position = geometry.get("coordinates")
        if isinstance(position, list) and len(position) >= 2:
            x, y = coordinate(position[0]), coordinate(position[1])
            if x is not None and y is not None:
                return RawRecord(number, values, point=(x, y), point_crs=WGS84)
        return RawRecord(number, values, problem=f"its point has no usable coordinates: {position!r}")
