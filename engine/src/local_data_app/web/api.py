"""OGC API - Features Part 1 Core under /api: the landing page, conformance, collections and their items.

GIS tools (QGIS, OWSLib, ArcGIS) read this API. Each source in place.toml
that has been ingested is one collection. Items come as GeoJSON, or as CSV
with ``f=csv``. Beyond the standard ``bbox``, ``datetime``, ``limit`` and
``offset``, any schema field filters by its value, read the way ingest reads
it (so ``BabyChange=YES`` means true), ``area`` keeps one area's features (by
its GSS code), and ``near=lon,lat`` sorts by distance.
Every parameter is checked: a bad or unknown one is a 400 that names it.
docs/api.md describes every route.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from ..config import Settings
from ..normalise import FieldProblem, Parser, parser_for
from ..store import AREA_CODE, AREA_FIELDS, BBox, Between, Feature, Provenance, Store
from .security import ApiError, bad_parameter, not_found, shown

DEFAULT_LIMIT = 10
MAX_LIMIT = 1000  # a larger limit is clamped to this, as OGC API - Features permits
MAX_OFFSET = 2**53 - 1  # the largest whole number every JSON client reads exactly
GEOJSON = "application/geo+json"
JSON = "application/json"
CSV = "text/csv"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
)
ITEMS_PARAMETERS = ("bbox", "datetime", "limit", "offset", "near", "area", "f")
GSS_CODE = re.compile(r"[ENSWK][0-9]{8}")
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
# A date, or an RFC 3339 date-time (its offset required; a space for + is how an unencoded + arrives).
INSTANT = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt](?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.\d+)?"
    r"(?:(?P<utc>[Zz])|(?P<sign>[+ -])(?P<offset_hours>\d{2}):(?P<offset_minutes>\d{2})))?"
)
OPEN_END = {"", ".."}
WHOLE_NUMBER = re.compile(r"-?[0-9]+")
FEATURE_LINK_ID_SAFE = ""  # every character but letters, digits and _.-~ is percent-encoded in links

Format = Literal["json", "geojson", "csv"]


def in_digits(value: Any) -> Any:
    """A count as the document declares it, an integer in digits: pydantic alone reads 1.0, 1_0, +1 and " 1" too."""
    if isinstance(value, str) and not WHOLE_NUMBER.fullmatch(value):
        raise PydanticCustomError("whole_number", "Input should be a whole number written in digits, such as 10")
    return value


Count = Annotated[int, BeforeValidator(in_digits)]


class GeoJSONResponse(JSONResponse):
    media_type = GEOJSON


@dataclass
class ApiState:
    """What the routes share: the store, the settings, the schema and the cache of extents.

    The stores take calls from many threads at once (each thread reads on a
    connection of its own), so the routes call the store without a lock.
    """

    store: Store
    settings: Settings
    schema: dict[str, Any]
    extents: dict[str, tuple[Provenance, Extent]] = field(default_factory=dict)
    extents_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def fields(self) -> list[dict[str, Any]]:
        return list(self.schema["fields"])

    @property
    def temporal_field(self) -> str | None:
        """The field ``datetime`` filters on: the schema's first date field, or None if it has none."""
        return next((spec["name"] for spec in self.fields if spec.get("type") == "date"), None)

    def area_code(self, text: str) -> str:
        """The GSS code of one of the app's areas, as typed (in any case); ValueError saying which codes there are."""
        code = text.strip().upper()
        codes = [area.code for area in self.settings.all_areas]
        if not GSS_CODE.fullmatch(code):
            raise ValueError(
                f"{shown(text)} is not an ONS GSS code (a letter and 8 digits); give one of {', '.join(codes)}"
            )
        if code not in codes:
            raise ValueError(f"{shown(text)} is not one of the app's areas; give one of {', '.join(codes)}")
        return code

    def parsers(self) -> dict[str, Parser]:
        return {spec["name"]: parser_for(spec) for spec in self.fields}

    def collections(self) -> list[Provenance]:
        return self.store.provenance()

    def collection(self, name: str) -> Provenance:
        """A collection's provenance; 404 if no collection has this name."""
        for provenance in self.collections():
            if provenance.collection == name:
                return provenance
        raise not_found(f"There is no collection named {shown(name)}. The collections are listed at /api/collections.")

    def extent(self, provenance: Provenance) -> Extent:
        """A collection's box and dates, asked of the store once per load of its data.

        SQLite answers the box from its spatial index at once; PostgreSQL
        reads the whole table for it (a fifth of a second at 1,000,000 rows),
        and both read the whole table for the dates, hence the cache. Its
        lock makes requests that arrive together after a load wait for one
        reading rather than each read the table.
        """
        with self.extents_lock:
            cached = self.extents.get(provenance.collection)
            if cached and cached[0] == provenance:
                return cached[1]
            temporal = self.temporal_field
            found = Extent(
                self.store.extent(provenance.collection),
                self.store.span(provenance.collection, temporal) if temporal else None,
            )
            self.extents[provenance.collection] = (provenance, found)
            return found


@dataclass(frozen=True)
class Extent:
    """Where and when a collection's features are: the box around them and their first and last dates."""

    bbox: BBox | None
    dates: tuple[str, str] | None


def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


State = Annotated[ApiState, Depends(get_state)]


def only_parameters(request: Request, allowed: Sequence[str]) -> None:
    """A 400 for any query parameter the route does not take, or one given twice."""
    for name in request.query_params:
        if name not in allowed:
            takes = f"It takes {', '.join(allowed)}." if allowed else "It takes no parameters."
            raise bad_parameter(shown(name), f"not a parameter of this address. {takes}")
        if len(request.query_params.getlist(name)) > 1:
            raise bad_parameter(name, "given more than once; give it once")


def json_only(
    request: Request,
    f: Annotated[
        str | None,
        Query(description="json, the only format here, or left out.", json_schema_extra={"enum": ["json"]}),
    ] = None,
) -> None:
    """The routes other than items answer in JSON only: f may be json, nothing else."""
    only_parameters(request, ["f"])
    if f is not None and f != "json":
        raise bad_parameter("f", f"{shown(f)} is not a format of this address; use f=json or leave f out")


JsonOnly = Depends(json_only)


def api_url(request: Request, path: str = "") -> str:
    return str(request.base_url).rstrip("/") + "/api" + path


def link(href: str, rel: str, media_type: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


router = APIRouter()


@router.get("", summary="Landing page", dependencies=[JsonOnly])
@router.get("/", include_in_schema=False, dependencies=[JsonOnly])
def landing_page(request: Request, state: State) -> dict[str, Any]:
    """The API's entry point: what it is and links to the rest."""
    settings = state.settings
    return {
        "title": f"{state.schema['title']} in {settings.place.name}",
        "description": (
            f"Open data about {settings.place.name} from {settings.organisation.name}, served as OGC API - Features."
        ),
        "links": [
            link(api_url(request), "self", JSON, "This document"),
            link(api_url(request, "/openapi.json"), "service-desc", OPENAPI_JSON, "The API definition"),
            link(api_url(request, "/conformance"), "conformance", JSON, "The standards this API conforms to"),
            link(api_url(request, "/collections"), "data", JSON, "The collections of data"),
        ],
    }


@router.get("/conformance", summary="Conformance classes", dependencies=[JsonOnly])
def conformance() -> dict[str, Any]:
    """The OGC API - Features conformance classes the API implements."""
    return {"conformsTo": list(CONFORMANCE)}


@router.get("/collections", summary="Collections", dependencies=[JsonOnly])
def collections(request: Request, state: State) -> dict[str, Any]:
    """Every collection with data, one per ingested source."""
    found = state.collections()
    return {
        "links": [link(api_url(request, "/collections"), "self", JSON, "The collections")],
        "collections": [describe_collection(request, state, provenance, len(found)) for provenance in found],
    }


@router.get("/collections/{name}", summary="A collection", dependencies=[JsonOnly])
def collection(name: str, request: Request, state: State) -> dict[str, Any]:
    """One collection: its title, description, extent and links to its items."""
    provenance = state.collection(name)
    return describe_collection(request, state, provenance, len(state.collections()))


def describe_collection(request: Request, state: State, provenance: Provenance, how_many: int) -> dict[str, Any]:
    name = provenance.collection
    # With several areas a collection is one area's; with one, it is the place's (as named now).
    several = len(state.settings.all_areas) > 1 and provenance.area_name
    title = f"{state.schema['title']} in {provenance.area_name if several else state.settings.place.name}"
    if how_many > 1:
        title += f" ({name})"
    credit = f" {provenance.attribution}." if provenance.attribution else ""
    covers = f" Area: {provenance.area_name} ({provenance.area_code})." if provenance.area_code else ""
    here = api_url(request, f"/collections/{name}")
    body: dict[str, Any] = {
        "id": name,
        "title": title,
        "description": (
            f"{state.schema['description']} Loaded {provenance.fetched_at} from {provenance.location}: "
            f"{provenance.rows_loaded:,} rows. Licence: {provenance.licence}.{credit}{covers}"
        ),
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "links": [
            link(here, "self", JSON, "This collection"),
            link(here + "/items", "items", GEOJSON, "Its items as GeoJSON"),
            link(here + "/items?f=csv", "items", CSV, "Its items as CSV"),
            link(f"https://spdx.org/licenses/{quote(provenance.licence)}.html", "license", "text/html", "Licence"),
        ],
    }
    if provenance.area_code:
        body["areas"] = [{"code": provenance.area_code, "name": provenance.area_name}]
    extent = extent_json(state.extent(provenance))
    if extent:
        body["extent"] = extent
    return body


def extent_json(extent: Extent) -> dict[str, Any]:
    """A collection's extent as OGC API - Features writes it; a date's interval runs from its start to its end (UTC)."""
    found: dict[str, Any] = {}
    if extent.bbox is not None:
        found["spatial"] = {"bbox": [list(extent.bbox)], "crs": CRS84}
    if extent.dates is not None:
        first, last = extent.dates
        found["temporal"] = {"interval": [[f"{first}T00:00:00Z", f"{last}T23:59:59Z"]], "trs": GREGORIAN}
    return found


@dataclass(frozen=True)
class ItemsQuery:
    """The checked parameters of an items request."""

    bbox: BBox | None
    limit: int
    offset: int
    near: tuple[float, float] | None
    filters: dict[str, Any]
    raw_filters: dict[str, str]
    bbox_text: str | None
    near_text: str | None
    datetime_text: str | None = None
    area: str | None = None  # the GSS code given, checked; its filter is in filters


def items_query(
    request: Request,
    state: State,
    bbox: Annotated[
        str | None,
        Query(description="Only features inside this box: minlon,minlat,maxlon,maxlat in WGS84 degrees."),
    ] = None,
    limit: Annotated[
        Count,
        Query(ge=1, description=f"How many features per page: 1 or more; above {MAX_LIMIT}, {MAX_LIMIT} are returned."),
    ] = DEFAULT_LIMIT,
    offset: Annotated[Count, Query(ge=0, le=MAX_OFFSET, description="How many matching features to skip.")] = 0,
    near: Annotated[
        str | None,
        Query(description="lon,lat in WGS84: nearest features first, each with its distance in metres."),
    ] = None,
    datetime: Annotated[
        str | None,
        Query(
            description=(
                "Only features whose date is this date or date-time (RFC 3339, such as 2024-01-31 or "
                "2024-01-31T12:00:00Z) or falls in this interval (start/end, either end open as .. or empty, "
                "such as 2024-01-01/2024-06-30 or 2024-01-01/..). Features without a date always match; "
                "a collection without a date field matches whole."
            )
        ),
    ] = None,
    area: Annotated[
        str | None,
        Query(
            description=(
                "Only features of this area: its ONS GSS code (a letter and 8 digits). The areas are those of the "
                "app's place.toml; each collection says which it covers."
            )
        ),
    ] = None,
) -> ItemsQuery:
    parsers = state.parsers()
    only_parameters(request, [*ITEMS_PARAMETERS, *parsers])
    filters: dict[str, Any] = {}
    raw_filters: dict[str, str] = {}
    for name, parse in parsers.items():
        text = request.query_params.get(name)
        if text is None:
            continue
        try:
            value = parse(text)
        except (FieldProblem, ValueError, TypeError) as problem:
            raise bad_parameter(name, f"{problem}. Give a value as the data holds it") from None
        if value is None:
            raise bad_parameter(name, "give a value to filter by, or leave the parameter out")
        filters[name], raw_filters[name] = value, text
    if datetime is not None:
        add_dates(filters, state.temporal_field, parse_datetime(datetime))
    if area is not None:
        try:
            area = filters[AREA_CODE] = state.area_code(area)
        except ValueError as problem:
            raise bad_parameter("area", str(problem)) from None
    return ItemsQuery(
        bbox=parse_bbox(bbox) if bbox is not None else None,
        limit=min(limit, MAX_LIMIT),
        offset=offset,
        near=parse_point(near) if near is not None else None,
        filters=filters,
        raw_filters=raw_filters,
        bbox_text=bbox,
        near_text=near,
        datetime_text=datetime,
        area=area,
    )


Items = Annotated[ItemsQuery, Depends(items_query)]
FormatParameter = Annotated[Format | None, Query(description="json (GeoJSON, the default) or csv.")]


def parse_numbers(name: str, text: str, counts: Sequence[int], expected: str) -> list[float]:
    parts = text.split(",")
    try:
        numbers = [float(part) for part in parts] if len(parts) in counts else []
    except ValueError:
        numbers = []
    if not numbers or not all(math.isfinite(number) for number in numbers):
        raise bad_parameter(name, f"{shown(text)} is not {expected}")
    return numbers


def parse_bbox(text: str) -> BBox:
    """minlon,minlat,maxlon,maxlat (or six numbers with heights, which are ignored) in WGS84 degrees."""
    expected = "four numbers minlon,minlat,maxlon,maxlat in WGS84 degrees, such as -2.4,53.4,-2.2,53.5"
    numbers = parse_numbers("bbox", text, (4, 6), expected)
    west, south, east, north = numbers if len(numbers) == 4 else (numbers[0], numbers[1], numbers[3], numbers[4])
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise bad_parameter("bbox", f"{shown(text)} is outside the world: longitudes -180 to 180, latitudes -90 to 90")
    if south > north:
        raise bad_parameter("bbox", f"{shown(text)} has its minimum latitude above its maximum; swap them")
    if west > east:
        raise bad_parameter(
            "bbox",
            f"{shown(text)} has its minimum longitude above its maximum; boxes across the 180th meridian "
            "are not supported",
        )
    return (west, south, east, north)


def parse_datetime(text: str) -> tuple[str | None, str | None]:
    """The first and last dates (ISO 8601, UTC) of a ``datetime`` value; None for an open end.

    OGC API - Features Part 1 takes an RFC 3339 date-time or an interval of
    two, start/end, either end open as ``..`` or empty. A date alone is taken
    too, meaning that whole day. A date-time counts as its date in UTC,
    because the data's dates are days (see docs/api.md).
    """
    expected = (
        "a date, a date-time or an interval: for example 2024-01-31, 2024-01-31T12:00:00Z, "
        "2024-01-01/2024-06-30, 2024-01-01/.. or ../2024-06-30"
    )
    parts = text.split("/")
    if len(parts) > 2 or (len(parts) == 2 and all(part.strip() in OPEN_END for part in parts)):
        raise bad_parameter("datetime", f"{shown(text)} is not {expected}")
    try:
        dates = [None if len(parts) == 2 and part.strip() in OPEN_END else instant_date(part) for part in parts]
    except ValueError as problem:
        raise bad_parameter("datetime", f"{shown(text)} is not {expected} ({problem})") from None
    first, last = dates[0], dates[-1]
    if first is not None and last is not None and first > last:
        raise bad_parameter("datetime", f"{shown(text)} ends before it starts; put the earlier date first")
    return first, last


def instant_date(text: str) -> str:
    """The date (ISO 8601, in UTC) of a date or an RFC 3339 date-time; ValueError saying what is wrong."""
    found = INSTANT.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"{shown(text)} is neither a date nor a date-time with its offset, such as Z or +01:00")
    date = dt.date.fromisoformat(found["date"])
    if found["hour"] is None:
        return date.isoformat()
    hour, minute, second = int(found["hour"]), int(found["minute"]), int(found["second"])
    if hour > 23 or minute > 59 or second > 60:  # RFC 3339 allows a leap second
        raise ValueError(f"{shown(text)} has no such time of day")
    moment = dt.datetime.combine(date, dt.time(hour, minute, min(second, 59)))
    if found["sign"]:
        hours, minutes = int(found["offset_hours"]), int(found["offset_minutes"])
        if hours > 23 or minutes > 59:
            raise ValueError(f"{shown(text)} has no such offset from UTC")
        offset = dt.timedelta(hours=hours, minutes=minutes)
        moment = moment - offset if found["sign"] != "-" else moment + offset
    return moment.date().isoformat()


def add_dates(filters: dict[str, Any], temporal_field: str | None, dates: tuple[str | None, str | None]) -> None:
    """Narrow ``filters`` to the features dated within ``dates``, and those without a date, as OGC asks.

    Without a date field every feature matches, as OGC API - Features asks
    for features that have no time. With a filter on the same field already,
    both must hold: its one value, if it is within the dates.
    """
    if temporal_field is None:
        return
    first, last = dates
    value = filters.get(temporal_field)
    if value is None:
        filters[temporal_field] = Between(first, last, or_missing=True)
        return
    filters[temporal_field] = Between(
        value if first is None else max(value, first), value if last is None else min(value, last)
    )


def parse_point(text: str) -> tuple[float, float]:
    """lon,lat in WGS84 degrees."""
    lon, lat = parse_numbers("near", text, (2,), "a point lon,lat in WGS84 degrees, such as -2.3,53.45")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise bad_parameter("near", f"{shown(text)} is outside the world: longitude -180 to 180, latitude -90 to 90")
    return lon, lat


@router.get("/collections/{name}/items", summary="A collection's items", response_class=GeoJSONResponse)
def items(name: str, request: Request, state: State, query: Items, f: FormatParameter = None) -> Response:
    """A page of a collection's features as a GeoJSON FeatureCollection, or as CSV with f=csv."""
    return answer_items(name, request, state, query, f or "json")


@router.get("/collections/{name}/items.csv", summary="A collection's items as CSV", response_class=Response)
def items_csv(name: str, request: Request, state: State, query: Items, f: FormatParameter = None) -> Response:
    """The same as items?f=csv."""
    if f not in {None, "csv"}:
        raise bad_parameter("f", f"{shown(f)} does not fit items.csv; leave f out or use items?f={f}")
    return answer_items(name, request, state, query, "csv")


def answer_items(name: str, request: Request, state: ApiState, query: ItemsQuery, wanted: str) -> Response:
    provenance = state.collection(name)
    if query.area is not None and provenance.area_code is None:
        raise bad_parameter(
            "area", f"collection {name!r} was loaded before the app recorded areas; load it again with ingest"
        )
    store = state.store
    filters = query.filters or None

    def count_and_page() -> tuple[int, list[tuple[Feature, float | None]]]:
        matched = store.count(name, bbox=query.bbox, filters=filters)
        if query.near:
            near = store.nearest(
                name, *query.near, limit=query.limit, offset=query.offset, bbox=query.bbox, filters=filters
            )
            return matched, list(near)
        page = store.features(name, bbox=query.bbox, limit=query.limit, offset=query.offset, filters=filters)
        return matched, [(feature, None) for feature in page]

    with store_refusing_values():
        matched, found = store.consistent(count_and_page)  # so numberMatched and the links fit the page
    if wanted == "csv":
        return csv_response(provenance.collection, state.fields, found, query.near is not None)
    here = api_url(request, f"/collections/{name}")
    links = [
        link(items_url(here, query, {}), "self", GEOJSON, "This page"),
        link(items_url(here, query, {"f": "csv"}), "alternate", CSV, "This page as CSV"),
        link(here, "collection", JSON, "The collection"),
    ]
    if query.offset + len(found) < matched:
        links.append(link(items_url(here, query, {"offset": query.offset + query.limit}), "next", GEOJSON, "Next"))
    if query.offset > 0:
        back = max(0, query.offset - query.limit)
        links.append(link(items_url(here, query, {"offset": back}), "prev", GEOJSON, "Previous page"))
    body = {
        "type": "FeatureCollection",
        "features": [feature_json(feature, here, metres) for feature, metres in found],
        "links": links,
        "numberMatched": matched,
        "numberReturned": len(found),
        "timeStamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return GeoJSONResponse(body)


@contextmanager
def store_refusing_values() -> Iterator[None]:
    """A filter value the store cannot match (an integer beyond 64 bits, say) is the client's mistake: a 400."""
    try:
        yield
    except ValueError as error:
        raise ApiError(400, "InvalidParameterValue", f"{error}. Check the filter parameters.") from None


def items_url(collection_url: str, query: ItemsQuery, changes: Mapping[str, Any]) -> str:
    """The items address for a query, with some parameters changed: used for paging and format links."""
    parameters: dict[str, Any] = {}
    if query.bbox_text is not None:
        parameters["bbox"] = query.bbox_text
    if query.datetime_text is not None:
        parameters["datetime"] = query.datetime_text
    if query.near_text is not None:
        parameters["near"] = query.near_text
    if query.area is not None:
        parameters["area"] = query.area
    parameters.update(query.raw_filters)
    parameters["limit"] = query.limit
    parameters["offset"] = query.offset
    parameters.update(changes)
    if not parameters["offset"]:
        del parameters["offset"]
    return f"{collection_url}/items?{urlencode(parameters)}"


def feature_json(feature: Feature, collection_url: str, metres: float | None = None) -> dict[str, Any]:
    """A feature as GeoJSON: a point (or no geometry), its schema fields and, for near, its distance."""
    properties = dict(feature.properties)
    if metres is not None:
        properties["distance"] = round(metres, 1)
    located = feature.lon is not None and feature.lat is not None
    return {
        "type": "Feature",
        "id": feature.id,
        "geometry": {"type": "Point", "coordinates": [feature.lon, feature.lat]} if located else None,
        "properties": properties,
        "links": [
            link(f"{collection_url}/items/{quote(feature.id, safe=FEATURE_LINK_ID_SAFE)}", "self", GEOJSON, "This item")
        ],
    }


def csv_columns(fields: Sequence[dict[str, Any]], with_distance: bool) -> list[str]:
    """The schema's fields, the area fields every record carries, then id, position and (for near) distance."""
    names = [spec["name"] for spec in [*fields, *AREA_FIELDS]]
    columns = names + [name for name in ("id", "lon", "lat") if name not in names]
    return [*columns, "distance"] if with_distance else columns


def csv_rows(
    fields: Sequence[dict[str, Any]], found: Sequence[tuple[Feature, float | None]], with_distance: bool
) -> Iterator[list[Any]]:
    for feature, metres in found:
        values = {**feature.properties, "id": feature.id, "lon": feature.lon, "lat": feature.lat}
        if with_distance and metres is not None:
            values["distance"] = round(metres, 1)
        yield [csv_value(values.get(column)) for column in csv_columns(fields, with_distance)]


def csv_value(value: Any) -> Any:
    """Booleans as true and false (Table Schema's default words), missing values as empty cells."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def csv_response(
    collection: str, fields: Sequence[dict[str, Any]], found: Sequence[tuple[Feature, float | None]], near: bool
) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_columns(fields, near))
    writer.writerows(csv_rows(fields, found, near))
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{collection}.csv"'},
    )


@router.get(
    "/collections/{name}/items/{feature_id:path}",
    summary="One item",
    response_class=GeoJSONResponse,
    dependencies=[JsonOnly],
)
def item(name: str, feature_id: str, request: Request, state: State) -> Response:
    """One feature as GeoJSON; 404 if the collection has no feature with this id."""
    state.collection(name)
    feature = None
    if "\x00" not in feature_id:  # no stored id holds a NUL byte, and PostgreSQL refuses to compare one
        feature = state.store.feature(name, feature_id)
    if feature is None:
        raise not_found(f"Collection {name!r} has no item with the id {shown(feature_id)}.")
    return GeoJSONResponse(feature_json(feature, api_url(request, f"/collections/{name}")))
