"""GeoJSON files: a FeatureCollection of points, on disk or at a web address.

Each feature's properties are its values and its point is its position. GeoJSON
is WGS84 by definition (RFC 7946), but older files may name another coordinate
system in a ``crs`` member, which is honoured.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..errors import SourceError
from .base import RawRecord
from .http import HttpOptions
from .local_or_remote import FileAdapter, local_copy

WGS84 = "EPSG:4326"


class GeoJsonAdapter(FileAdapter):
    """Reads a GeoJSON FeatureCollection of points."""

    name = "geojson"
    Options = HttpOptions

    def records(self) -> Iterator[RawRecord]:
        with local_copy(self.source, self.options, ".geojson") as path:
            try:
                document = json.loads(path.read_text(encoding="utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise SourceError(
                    f"Source {self.source.name!r}: {self.source.location} is not valid GeoJSON ({error})."
                ) from error
        if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
            raise SourceError(
                f"Source {self.source.name!r}: {self.source.location} is not a GeoJSON FeatureCollection; "
                'expected an object with "type": "FeatureCollection" and a "features" list.'
            )
        features = document.get("features") or []
        self.total = len(features)
        crs = declared_crs(document)
        for number, feature in enumerate(features, start=1):
            yield feature_record(number, feature, crs)


def feature_record(number: int, feature: Any, crs: str = WGS84) -> RawRecord:
    """A GeoJSON feature as a record: its properties, and its point if it has one."""
    if not isinstance(feature, dict):
        return RawRecord(number, {}, problem="the feature is not a JSON object")
    values = dict(feature.get("properties") or {})
    if "id" in feature and "id" not in values:
        values["id"] = feature["id"]
    geometry = feature.get("geometry")
    if geometry is None:
        return RawRecord(number, values)
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind != "Point":
        return RawRecord(
            number, values, problem=f"the geometry is a {kind or 'malformed value'}; only points are supported"
        )
    try:
        x, y = float(coordinates[0]), float(coordinates[1])
    except (TypeError, ValueError, IndexError):
        return RawRecord(number, values, problem=f"the point's coordinates {coordinates!r} are not two numbers")
    return RawRecord(number, values, point=(x, y), point_crs=crs)


def declared_crs(document: dict[str, Any]) -> str:
    """The coordinate system a pre-RFC 7946 ``crs`` member names, else WGS84."""
    name = ((document.get("crs") or {}).get("properties") or {}).get("name", "")
    match = re.search(r"EPSG:+([0-9]+)$", str(name))
    if not match or match.group(1) == "4326" or str(name).endswith("CRS84"):
        return WGS84
    return f"EPSG:{match.group(1)}"
