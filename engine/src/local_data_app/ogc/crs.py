"""OGC API - Features Part 2: the coordinate systems the API serves and reads boxes in, and the conversions.

The stores hold WGS84 longitude and latitude (CRS84, the storage CRS). An
items or item request may ask, with ``crs``, for its coordinates in EPSG:4326
(the same positions, latitude first, as that CRS's axis order has them) or in
the British National Grid, EPSG:27700 (easting, northing in metres), which
council GIS teams work in; ``bbox-crs`` says which of them a ``bbox`` is in.
pyproj does the conversions, a page at a time in one call of arrays, with
transformers made once and kept (pyproj gives each thread its own copy).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pyproj import CRS, Transformer

from ..config import BRITISH_NATIONAL_GRID, WGS84
from ..errors import bad_parameter, shown
from ..language import gettext as _
from ..store import BBox, Feature

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG_27700 = "http://www.opengis.net/def/crs/EPSG/0/27700"
STORAGE_CRS = CRS84
CONFORMANCE_CRS = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"
METRES_DECIMALS = 3  # eastings and northings to the millimetre: finer than any position the data holds
# A grid box's edges are sampled at least this often (metres) before taking the longitudes and latitudes around
# them: a grid line curves in longitude and latitude, and over 1 km the curve leaves a straight chord by under 1 cm.
EDGE_STEP = 1000
MOST_EDGE_POINTS = 2000
# Added around the converted box, so that rounding in the conversion cannot leave out a feature on its edge.
DEGREES_MARGIN = 1e-6  # about 11 cm


@dataclass(frozen=True)
class Crs:
    """A coordinate system the API serves: its URI, pyproj's name for it and how its coordinates are given."""

    uri: str
    code: str  # as pyproj knows it
    lat_first: bool  # EPSG:4326 gives latitude first; CRS84 and the grid give x (longitude, easting) first
    columns: tuple[str, str]  # the CSV columns of a position: x then y
    bbox_order: str  # a bbox's four numbers in this CRS, for error messages

    @property
    def stored(self) -> bool:
        """Whether positions are served as the store holds them (CRS84), with no conversion."""
        return self.uri == CRS84

    @property
    def geographic(self) -> bool:
        """Whether its coordinates are WGS84 degrees (CRS84 or EPSG:4326), needing no transformation."""
        return self.code == WGS84


SUPPORTED: dict[str, Crs] = {
    CRS84: Crs(
        CRS84, WGS84, False, ("lon", "lat"), "minlon,minlat,maxlon,maxlat in WGS84 degrees, such as -2.4,53.4,-2.2,53.5"
    ),
    EPSG_4326: Crs(
        EPSG_4326,
        WGS84,
        True,
        ("lon", "lat"),
        "minlat,minlon,maxlat,maxlon in WGS84 degrees (EPSG:4326 puts latitude first), such as 53.4,-2.4,53.5,-2.2",
    ),
    EPSG_27700: Crs(
        EPSG_27700,
        BRITISH_NATIONAL_GRID,
        False,
        ("easting", "northing"),
        "mineasting,minnorthing,maxeasting,maxnorthing in metres, such as 379000,394000,383000,399000",
    ),
}
URIS = tuple(SUPPORTED)
DEFAULT = SUPPORTED[CRS84]


def parse_crs(parameter: str, text: str | None) -> Crs:
    """The coordinate system a ``crs`` or ``bbox-crs`` value names (CRS84 when left out); a 400 naming the others."""
    if text is None:
        return DEFAULT
    found = SUPPORTED.get(text)
    if found is None:
        problem = _("%(value)s is not a coordinate system of this API; give one of %(uris)s")
        raise bad_parameter(parameter, problem % {"value": shown(text), "uris": ", ".join(URIS)})
    return found


def content_crs(crs: Crs) -> str:
    """The Content-Crs header's value: the URI in angle brackets, as Part 2 writes it."""
    return f"<{crs.uri}>"


@functools.cache
def transformer(source: str, target: str) -> Transformer:
    """A transformer between two of pyproj's CRS names, x (longitude, easting) first, made once per pair."""
    return Transformer.from_crs(source, target, always_xy=True)


@functools.cache
def grid_bounds(code: str) -> BBox:
    """A projected CRS's area of use in its own coordinates: where converting to longitude and latitude holds."""
    area = CRS(code).area_of_use
    if area is None:  # pragma: no cover (EPSG:27700 has one)
        raise ValueError(f"{code} has no area of use")
    return transformer(WGS84, code).transform_bounds(*area.bounds, densify_pts=100)


def coordinates(crs: Crs, features: Sequence[Feature]) -> list[list[float] | None]:
    """Each feature's position in ``crs`` as GeoJSON gives it, in the CRS's axis order; None where it has none.

    The located features are converted in one call of arrays. Ingest keeps
    only positions in Great Britain and Northern Ireland, where the grid's
    conversion is defined, so every converted position is finite.
    """
    located = [
        (feature.lon, feature.lat) for feature in features if feature.lon is not None and feature.lat is not None
    ]
    lons, lats = [lon for lon, _ in located], [lat for _, lat in located]
    if crs.geographic:
        xs, ys = lons, lats
    else:
        xs, ys = transformer(WGS84, crs.code).transform(lons, lats)
        xs, ys = [round(x, METRES_DECIMALS) for x in xs], [round(y, METRES_DECIMALS) for y in ys]
    converted = iter(zip(xs, ys, strict=True))
    found: list[list[float] | None] = []
    for feature in features:
        if feature.lon is None or feature.lat is None:
            found.append(None)
            continue
        x, y = next(converted)
        found.append([y, x] if crs.lat_first else [x, y])
    return found


def bbox_in_crs84(crs: Crs, numbers: Sequence[float], text: str) -> BBox:
    """A ``bbox`` given in ``crs`` (four numbers, in its axis order) as the CRS84 box the store searches.

    A box in degrees is the same box, its axes swapped for EPSG:4326. A grid
    box, clipped to where the grid is defined, becomes the longitudes and
    latitudes around its edges, sampled every kilometre (its edges curve in
    longitude and latitude, and the grid is turned from true north), with a
    small margin: no feature inside the grid box is left out, and features
    just outside it, near its corners, can come too (docs/api.md says how many).
    """
    if crs.geographic:
        west, south, east, north = (numbers[1], numbers[0], numbers[3], numbers[2]) if crs.lat_first else numbers
        return (west, south, east, north)
    low_x, low_y, high_x, high_y = numbers
    if low_x > high_x or low_y > high_y:
        problem = _("%(value)s has a minimum above its maximum: give %(order)s")
        raise bad_parameter("bbox", problem % {"value": shown(text), "order": crs.bbox_order})
    left, bottom, right, top = grid_bounds(crs.code)
    clipped = (max(low_x, left), max(low_y, bottom), min(high_x, right), min(high_y, top))
    if clipped[0] > clipped[2] or clipped[1] > clipped[3]:
        raise bad_parameter(
            "bbox",
            _(
                "%(value)s is wholly outside the area %(crs)s covers: eastings %(left)s to %(right)s, "
                "northings %(bottom)s to %(top)s metres"
            )
            % {
                "value": shown(text),
                "crs": crs.code,
                "left": f"{left:.0f}",
                "right": f"{right:.0f}",
                "bottom": f"{bottom:.0f}",
                "top": f"{top:.0f}",
            },
        )
    longest = max(clipped[2] - clipped[0], clipped[3] - clipped[1])
    points = min(MOST_EDGE_POINTS, max(21, math.ceil(longest / EDGE_STEP)))
    west, south, east, north = transformer(crs.code, WGS84).transform_bounds(*clipped, densify_pts=points)
    return (
        max(-180.0, west - DEGREES_MARGIN),
        max(-90.0, south - DEGREES_MARGIN),
        min(180.0, east + DEGREES_MARGIN),
        min(90.0, north + DEGREES_MARGIN),
    )
