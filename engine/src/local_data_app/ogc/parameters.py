"""The items request's parameters, checked: each mistake is a 400 ClientError that names the parameter.

``bbox``, ``datetime``, ``limit`` and ``offset`` are OGC API - Features Part 1's;
``crs`` and ``bbox-crs`` Part 2's (see crs.py);
any schema field filters by its value, read the way ingest reads it (so
``BabyChange=YES`` means true); ``area`` keeps one area's features by its GSS
code; ``near=lon,lat`` sorts by distance, and so does ``near=`` a postcode
or a place name, looked up in the project's gazetteers (gazetteer.py).
Everything is checked here, ``limit`` and ``offset`` as the whole numbers the
OpenAPI document declares, but for Part 3's ``filter`` and the choice of order
and properties (``sortby``, ``properties``, ``skipGeometry``), which
selection.py checks, and the theme's resident boxes that are more than a
field's value (``accessible=true``, ``category`` given more than once), which
boxes.py checks.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import bad_parameter, shown
from ..gazetteer import Located, looks_like_a_point
from ..language import N_
from ..language import gettext as _
from ..normalise import FieldProblem
from ..store import AREA_CODE, BBox, Between
from ..store.opening import OpenAt
from .boxes import Boxes, box_parameters, choice_fields, read_boxes, true_or_false
from .crs import DEFAULT, Crs, bbox_in_crs84, parse_crs
from .selection import SELECTION_PARAMETERS, Selection, parse_selection
from .state import ApiState

DEFAULT_LIMIT = 10
MAX_LIMIT = 1000  # a larger limit is clamped to this, as OGC API - Features permits
MAX_OFFSET = 2**53 - 1  # the largest whole number every JSON client reads exactly
# Nearest first, the store ranks offset + limit candidates: deeper pages would rank ever more for one request.
MAX_NEAR_DEPTH = 10_000
OPEN_NOW = "open_now"
ITEMS_PARAMETERS = ("bbox", "bbox-crs", "crs", "datetime", "limit", "offset", "near", "area", OPEN_NOW, "f")
ITEMS_PARAMETERS += SELECTION_PARAMETERS
# A date, or an RFC 3339 date-time (its offset required; a space for + is how an unencoded + arrives).
INSTANT = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt](?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.\d+)?"
    r"(?:(?P<utc>[Zz])|(?P<sign>[+ -])(?P<offset_hours>\d{2}):(?P<offset_minutes>\d{2})))?"
)
OPEN_END = {"", ".."}

# limit's and offset's mistakes, worded as pydantic's were when FastAPI checked them; the catalogue has them in Welsh.
NOT_WHOLE = N_("Input should be a whole number written in digits, such as 10")
AT_LEAST = N_("Input should be greater than or equal to %(ge)s")
AT_MOST = N_("Input should be less than or equal to %(le)s")
GOT = N_(" (got %(value)s)")
WHOLE_NUMBER = re.compile(r"-?[0-9]+")  # digits only: int() alone reads " 1", "+1", "1_0" and other scripts' digits
BEYOND = 10**20  # a number of more digits than this stands for any larger one: no bound here comes near it

RawQuery = Mapping[str, Sequence[str]]  # each parameter's values, in the order the query gave them


@dataclass(frozen=True)
class ItemsQuery:
    """The checked parameters of an items request, and the text of each as given (for paging links)."""

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
    crs: Crs = DEFAULT  # the coordinate system of the answer's coordinates
    crs_text: str | None = None
    bbox_crs_text: str | None = None
    near_place: Located | None = None  # the postcode or place near= named, when it was not a point
    open_now: bool = False  # only the features open now (the filter is in filters, on the theme's hours field)
    selection: Selection = field(default_factory=Selection)  # filter, sortby, properties, skipGeometry: selection.py
    boxes: Boxes = field(default_factory=Boxes)  # the theme's holds boxes and choices groups: boxes.py


def only_parameters(query: RawQuery, allowed: Sequence[str]) -> None:
    """A 400 for any query parameter the address does not take, or one given twice."""
    for name, values in query.items():
        if name not in allowed:
            takes = (
                _("It takes %(names)s.") % {"names": ", ".join(allowed)} if allowed else _("It takes no parameters.")
            )
            raise bad_parameter(shown(name), _("not a parameter of this address. %(takes)s") % {"takes": takes})
        if len(values) > 1:
            raise bad_parameter(name, _("given more than once; give it once"))


def one(query: RawQuery, name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def whole_number(query: RawQuery, name: str, default: int, least: int, most: int | None = None) -> int:
    """A count given as the OpenAPI document declares it: an integer in digits, from ``least`` (to ``most``)."""
    text = one(query, name)
    if text is None:
        return default
    got = _(GOT) % {"value": shown(text)}
    if not WHOLE_NUMBER.fullmatch(text):
        raise bad_parameter(name, _(NOT_WHOLE) + got)
    # Python reads at most 4,300 digits at once; so many are far beyond any bound anyway.
    value = int(text) if len(text) < len(str(BEYOND)) else (-BEYOND if text.startswith("-") else BEYOND)
    if value < least:
        raise bad_parameter(name, _(AT_LEAST) % {"ge": least} + got)
    if most is not None and value > most:
        raise bad_parameter(name, _(AT_MOST) % {"le": most} + got)
    return value


def items_query(state: ApiState, query: RawQuery) -> ItemsQuery:
    """The items request's parameters checked against the collection's schema and the app's areas."""
    parsers = state.parsers()
    repeatable = choice_fields(state)  # a choices group's field takes several values (boxes.py)
    only_parameters(
        {name: values for name, values in query.items() if name not in repeatable},
        [*ITEMS_PARAMETERS, *parsers, *box_parameters(state)],
    )
    limit = whole_number(query, "limit", DEFAULT_LIMIT, 1)  # above MAX_LIMIT, clamped
    offset = whole_number(query, "offset", 0, 0, MAX_OFFSET)
    filters: dict[str, Any] = {}
    raw_filters: dict[str, str] = {}
    for name, parse in parsers.items():
        if name in repeatable:
            continue
        text = one(query, name)
        if text is None:
            continue
        try:
            value = parse(text)
        except (FieldProblem, ValueError, TypeError) as problem:
            raise bad_parameter(
                name, _("%(problem)s. Give a value as the data holds it") % {"problem": problem}
            ) from None
        if value is None:
            raise bad_parameter(name, _("give a value to filter by, or leave the parameter out"))
        filters[name], raw_filters[name] = value, text
    if (datetime := one(query, "datetime")) is not None:
        add_dates(filters, state.temporal_field, parse_datetime(datetime))
    open_now = (text := one(query, OPEN_NOW)) is not None and add_open_now(state, filters, text)
    if (area := one(query, "area")) is not None:
        try:
            area = filters[AREA_CODE] = state.area_code(area)
        except ValueError as problem:
            raise bad_parameter("area", str(problem)) from None
    bbox, near = one(query, "bbox"), one(query, "near")
    crs_text, bbox_crs_text = one(query, "crs"), one(query, "bbox-crs")
    crs, bbox_crs = parse_crs("crs", crs_text), parse_crs("bbox-crs", bbox_crs_text)
    if near is not None and offset + min(limit, MAX_LIMIT) > MAX_NEAR_DEPTH:
        raise bad_parameter(
            "offset",
            _(
                "with near, offset + limit may be at most %(most)s: the nearest %(most)s features. "
                "Narrow the search with bbox or a filter instead"
            )
            % {"most": f"{MAX_NEAR_DEPTH:,}"},
        )
    near_point = parse_near(state, near) if near is not None else None
    return ItemsQuery(
        bbox=parse_bbox(bbox, bbox_crs) if bbox is not None else None,
        limit=min(limit, MAX_LIMIT),
        offset=offset,
        near=near_point[:2] if near_point is not None else None,
        filters=filters,
        raw_filters=raw_filters,
        bbox_text=bbox,
        near_text=near,
        datetime_text=datetime,
        area=area,
        crs=crs,
        crs_text=crs_text,
        bbox_crs_text=bbox_crs_text,
        near_place=near_point[2] if near_point is not None else None,
        open_now=open_now,
        selection=parse_selection(state, query, near is not None),
        boxes=read_boxes(state, query),
    )


def parse_numbers(name: str, text: str, counts: Sequence[int], expected: str) -> list[float]:
    """Comma-separated finite numbers, as many as one of ``counts``; a 400 for ``name`` saying what was expected."""
    parts = text.split(",")
    try:
        numbers = [float(part) for part in parts] if len(parts) in counts else []
    except ValueError:
        numbers = []
    if not numbers or not all(math.isfinite(number) for number in numbers):
        raise bad_parameter(name, _("%(value)s is not %(expected)s") % {"value": shown(text), "expected": expected})
    return numbers


def parse_bbox(text: str, crs: Crs = DEFAULT) -> BBox:
    """minlon,minlat,maxlon,maxlat (or six numbers with heights, which are ignored) in WGS84 degrees.

    With ``bbox-crs``, the four numbers are in that CRS and its axis order
    (see crs.py), and the box returned is the CRS84 box the store searches.
    """
    expected = _("four numbers %(order)s") % {"order": crs.bbox_order}
    if not crs.geographic:
        return bbox_in_crs84(crs, parse_numbers("bbox", text, (4,), expected), text)
    numbers = parse_numbers("bbox", text, (4, 6), expected)
    four = numbers if len(numbers) == 4 else [numbers[0], numbers[1], numbers[3], numbers[4]]
    west, south, east, north = bbox_in_crs84(crs, four, text)
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        problem = _("%(value)s is outside the world: longitudes -180 to 180, latitudes -90 to 90")
        raise bad_parameter("bbox", problem % {"value": shown(text)})
    if south > north:
        problem = _("%(value)s has its minimum latitude above its maximum; swap them")
        raise bad_parameter("bbox", problem % {"value": shown(text)})
    if west > east:
        problem = _(
            "%(value)s has its minimum longitude above its maximum; boxes across the 180th meridian are not supported"
        )
        raise bad_parameter("bbox", problem % {"value": shown(text)})
    return (west, south, east, north)


def parse_datetime(text: str) -> tuple[str | None, str | None]:
    """The first and last dates (ISO 8601, UTC) of a ``datetime`` value; None for an open end.

    OGC API - Features Part 1 takes an RFC 3339 date-time or an interval of
    two, start/end, either end open as ``..`` or empty. A date alone is taken
    too, meaning that whole day. A date-time counts as its date in UTC,
    because the data's dates are days (see docs/api.md).
    """
    expected = _(
        "a date, a date-time or an interval: for example 2024-01-31, 2024-01-31T12:00:00Z, "
        "2024-01-01/2024-06-30, 2024-01-01/.. or ../2024-06-30"
    )
    parts = text.split("/")
    if len(parts) > 2 or (len(parts) == 2 and all(part.strip() in OPEN_END for part in parts)):
        raise bad_parameter(
            "datetime", _("%(value)s is not %(expected)s") % {"value": shown(text), "expected": expected}
        )
    try:
        dates = [None if len(parts) == 2 and part.strip() in OPEN_END else instant_date(part) for part in parts]
    except ValueError as problem:
        message = _("%(value)s is not %(expected)s (%(problem)s)")
        raise bad_parameter(
            "datetime", message % {"value": shown(text), "expected": expected, "problem": problem}
        ) from None
    first, last = dates[0], dates[-1]
    if first is not None and last is not None and first > last:
        problem = _("%(value)s ends before it starts; put the earlier date first")
        raise bad_parameter("datetime", problem % {"value": shown(text)})
    return first, last


def instant_date(text: str) -> str:
    """The date (ISO 8601, in UTC) of a date or an RFC 3339 date-time; ValueError saying what is wrong."""
    found = INSTANT.fullmatch(text.strip())
    if found is None:
        problem = _("%(value)s is neither a date nor a date-time with its offset, such as Z or +01:00")
        raise ValueError(problem % {"value": shown(text)})
    date = dt.date.fromisoformat(found["date"])
    if found["hour"] is None:
        return date.isoformat()
    hour, minute, second = int(found["hour"]), int(found["minute"]), int(found["second"])
    if hour > 23 or minute > 59 or second > 60:  # RFC 3339 allows a leap second
        raise ValueError(_("%(value)s has no such time of day") % {"value": shown(text)})
    moment = dt.datetime.combine(date, dt.time(hour, minute, min(second, 59)))
    if found["sign"]:
        hours, minutes = int(found["offset_hours"]), int(found["offset_minutes"])
        if hours > 23 or minutes > 59:
            raise ValueError(_("%(value)s has no such offset from UTC") % {"value": shown(text)})
        offset = dt.timedelta(hours=hours, minutes=minutes)
        try:
            moment = moment - offset if found["sign"] != "-" else moment + offset
        except OverflowError:  # 9999-12-31T23:59:59-23:59 is in the year 10000, which no date holds
            raise ValueError(_("%(value)s is outside the years 0001 to 9999 in UTC") % {"value": shown(text)}) from None
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


def add_open_now(state: ApiState, filters: dict[str, Any], text: str) -> bool:
    """Narrow ``filters`` to the features open at the state's time, for ``open_now=true``; whether it was true.

    The filter goes on the theme's hours field (``x-page`` ``hours``), whose
    hours the store indexed at load time (store/opening.py). A 400 names
    ``open_now`` for a value other than true or false, a theme without hours,
    or a filter on the hours field's text given as well.
    """
    if not true_or_false(OPEN_NOW, text):
        return False
    hours = state.shape.hours
    if hours is None:
        problem = _("the theme %(theme)s names no opening hours field, so leave open_now out")
        raise bad_parameter(OPEN_NOW, problem % {"theme": repr(state.schema.get("name"))})
    if hours in filters:
        raise bad_parameter(OPEN_NOW, _("give either open_now or a filter on %(field)s, not both") % {"field": hours})
    filters[hours] = OpenAt(state.clock())
    return True


def parse_near(state: ApiState, text: str) -> tuple[float, float, Located | None]:
    """lon, lat of a point given as numbers, or of a postcode or place name found in the gazetteers, and which."""
    if looks_like_a_point(text):
        return (*parse_point(text), None)
    found = state.locate(text)
    return found.lon, found.lat, found


def parse_point(text: str) -> tuple[float, float]:
    """lon,lat in WGS84 degrees."""
    lon, lat = parse_numbers("near", text, (2,), _("a point lon,lat in WGS84 degrees, such as -2.3,53.45"))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        problem = _("%(value)s is outside the world: longitude -180 to 180, latitude -90 to 90")
        raise bad_parameter("near", problem % {"value": shown(text)})
    return lon, lat
