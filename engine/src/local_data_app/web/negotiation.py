"""Which representation a request to the API asks for: HTML or JSON, by its ``f`` parameter or its Accept header.

``f`` decides when it names a format: ``f=html`` is a page, ``f=json`` (and
the items' ``geojson`` and ``csv``) is data. Without ``f``, the Accept header
decides: HTML only when it prefers ``text/html`` to every JSON type, as a
browser's ``text/html,...,*/*;q=0.8`` does. ``application/json``,
``application/geo+json``, ``*/*`` and no Accept at all get JSON, so GIS
clients, scripts and curl see what they always saw. An answer chosen by
Accept says so with ``Vary: Accept``, so that caches keep the two apart.

The Accept header is read here rather than with a library: the app's
dependencies have no parser for it (Werkzeug's would bring a second web
framework), and the rule needs only each media range's quality and how
closely it matches (RFC 9110, section 12.5.1).
"""

from __future__ import annotations

from collections.abc import Iterable

HTML = "html"
DATA_FORMATS = frozenset({"json", "geojson", "csv"})  # the values of f that ask for data, on the routes that take them
HTML_TYPES = ("text/html",)
JSON_TYPES = ("application/json", "application/geo+json")
VARY = {"Vary": "Accept"}
LONGEST_ACCEPT = 4096  # characters of an Accept header read: browsers send about a hundred
MOST_RANGES = 64  # media ranges of one Accept header read


def wants_html(f: str | None, accept: str | None) -> bool:
    """Whether to answer with a page: ``f=html``, or no format in ``f`` and an Accept header preferring HTML.

    An ``f`` that is not a format (a mistake the route refuses with a 400)
    leaves the choice to Accept, so the 400 comes in the form a browser shows.
    """
    if f == HTML:
        return True
    if f in DATA_FORMATS:
        return False
    return prefers_html(accept)


def depends_on_accept(f: str | None) -> bool:
    """Whether the answer was chosen by the Accept header: when ``f`` names no format."""
    return f != HTML and f not in DATA_FORMATS


def prefers_html(accept: str | None) -> bool:
    """Whether an Accept header rates HTML above JSON (a tie, as with ``*/*``, is JSON's)."""
    if not accept:
        return False
    ranges = list(media_ranges(accept))
    html = max(quality(ranges, media_type) for media_type in HTML_TYPES)
    json = max(quality(ranges, media_type) for media_type in JSON_TYPES)
    return html > json


def media_ranges(accept: str) -> Iterable[tuple[str, str, float]]:
    """Each media range of an Accept header as (type, subtype, quality), in lower case; malformed ones are skipped."""
    for part in accept[:LONGEST_ACCEPT].split(",")[:MOST_RANGES]:
        media_range, *parameters = part.split(";")
        kind, slash, subtype = media_range.strip().lower().partition("/")
        if not slash or not kind or not subtype or (kind == "*" and subtype != "*"):
            continue
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
                if not 0.0 <= weight <= 1.0:  # also NaN
                    weight = 0.0
        yield kind, subtype, weight


def quality(ranges: list[tuple[str, str, float]], media_type: str) -> float:
    """The quality an Accept header gives a media type: that of the most specific range matching it, else 0."""
    kind, _, subtype = media_type.partition("/")
    best, weight = 0, 0.0
    for wanted_kind, wanted_subtype, wanted_weight in ranges:
        if (wanted_kind, wanted_subtype) == (kind, subtype):
            specificity = 3
        elif (wanted_kind, wanted_subtype) == (kind, "*"):
            specificity = 2
        elif (wanted_kind, wanted_subtype) == ("*", "*"):
            specificity = 1
        else:
            continue
        if specificity > best or (specificity == best and wanted_weight > weight):
            best, weight = specificity, wanted_weight
    return weight
