"""The OGC API documents as pages for people: what each HTML page shows, made from the document JSON would carry.

OGC API - Features asks for an HTML representation of every resource beside
its JSON (the html conformance class). Each ``*_view`` here takes the very
document the JSON answer holds and returns what its page shows, as plain
values: every title, value and link of the page comes from the document, so
the two cannot drift apart. Links between the pages ask for HTML with
``f=html``, and each page's way back to its data asks for JSON with
``f=json``, because a browser following a link without ``f`` would be
given the page again. Nothing here knows of requests or templates; the web
layer (``web/api_pages.py``) renders these views with the site's templates,
which escape every value. The words a view adds are in the language of the
page being made (language.py): Welsh under /cy/api.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..language import N_
from ..language import gettext as _
from .crs import DEFAULT, Crs
from .state import NAME_FIELDS
from .urls import HTML, JSON, ApiUrls, link

HTML_FORMAT = "html"
JSON_FORMAT = "json"
HTML_CONFORMANCE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html"
# The words below are marked for the catalogue (N_) and translated where a page shows them (_).
YES_NO = {True: N_("Yes"), False: N_("No")}
LABELS = {"distance": N_("Distance in metres"), "area_code": N_("Area code"), "area_name": N_("Area")}
WEB_ADDRESS = ("http://", "https://")
AXIS_NAMES = {"lon": N_("longitude"), "lat": N_("latitude")}
# The conformance classes by the last part of their URI, as people call them.
CLASS_NAMES = {
    "core": N_("OGC API - Features Part 1: Core"),
    "oas30": N_("OpenAPI 3.0 definition"),
    "geojson": "GeoJSON",
    "html": "HTML",
    "crs": N_("OGC API - Features Part 2: Coordinate Reference Systems by Reference"),
    "queryables": N_("OGC API - Features Part 3: Queryables"),
    "filter": N_("OGC API - Features Part 3: Filter"),
    "features-filter": N_("OGC API - Features Part 3: Features Filter"),
    "cql2-text": N_("CQL2 Text encoding"),
    "cql2-json": N_("CQL2 JSON encoding"),
    "basic-cql2": N_("Basic CQL2"),
    "advanced-comparison-operators": N_("CQL2 Advanced Comparison Operators (LIKE, BETWEEN, IN)"),
    "basic-spatial-functions": N_("CQL2 Basic Spatial Functions (S_INTERSECTS with a box or a point)"),
    "sorting": N_("Sorting (sortby)"),
}


@dataclass(frozen=True)
class Anchor:
    """A link as a page shows it: where it goes and words that say so."""

    href: str
    text: str
    rel: str = ""  # prev or next, for the pager


@dataclass(frozen=True)
class Cell:
    """A value as a page shows it: text, with a link where the value is a web address."""

    text: str
    href: str | None = None


@dataclass(frozen=True)
class Detail:
    """One labelled value of a page's details."""

    label: str
    value: Cell


@dataclass(frozen=True)
class ItemRow:
    """One feature as the items table and map show it: its name, its page, its position and a cell per column."""

    id: str
    name: str
    href: str  # the feature's HTML page
    path: str  # the same, without scheme and host: the map's popups link only within the site
    lat: float | None  # WGS84, for the map: None without a point, or with coordinates in a grid
    lon: float | None
    position: str  # the coordinates as the document gives them, in its CRS
    cells: tuple[Cell, ...]


def with_format(href: str, f: str) -> str:
    """An address of the API with its ``f`` parameter set to ``f``, whatever it had."""
    parts = urlsplit(href)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name != "f"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("f", f)])))


def local_path(href: str) -> str:
    """An address without its scheme and host: a path on this site, as the map's popups accept."""
    parts = urlsplit(href)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def with_alternates(document: dict[str, Any], self_href: str | None = None) -> dict[str, Any]:
    """The document with a ``self`` link (``self_href``, if it had none) and an ``alternate`` link to its page.

    A collections document's collections each get theirs too.
    """
    alternate(document, self_href)
    for collection in document.get("collections", []):
        own = self_link(collection)
        if own is not None:
            alternate(collection, own["href"])
    return document


def alternate(document: dict[str, Any], self_href: str | None) -> None:
    links = document.setdefault("links", [])
    own = self_link(document)
    if own is None:
        if self_href is None:
            raise ValueError("the document has no self link and none was given")
        own = link(self_href, "self", JSON, _("This document"))
        links.insert(0, own)
    links.append(link(with_format(own["href"], HTML_FORMAT), "alternate", HTML, _("This document as HTML")))


def self_link(document: Mapping[str, Any]) -> dict[str, str] | None:
    return next((item for item in document.get("links", []) if item["rel"] == "self"), None)


def first_link(document: Mapping[str, Any], rel: str, media_type: str | None = None) -> str | None:
    """The address of the document's first link of this relation (and media type), or None."""
    for item in document.get("links", []):
        if item["rel"] == rel and (media_type is None or item.get("type") == media_type):
            return str(item["href"])
    return None


def json_href(document: Mapping[str, Any]) -> str:
    """Where the page's own data is: its document's ``self`` link, asking for JSON."""
    own = self_link(document)
    if own is None:
        raise ValueError("the document has no self link")
    return with_format(own["href"], JSON_FORMAT)


def crumbs(urls: ApiUrls, *more: Anchor) -> list[Anchor]:
    """The trail from the API's landing page to a page, each step its HTML page."""
    return [Anchor(with_format(urls.landing(), HTML_FORMAT), _("API")), *more]


def collections_crumb(urls: ApiUrls) -> Anchor:
    return Anchor(with_format(urls.collections(), HTML_FORMAT), _("Collections"))


def landing_view(document: Mapping[str, Any], urls: ApiUrls) -> dict[str, Any]:
    """The landing page: what the API is, and links to its collections, conformance and definition."""
    wanted = (
        ("data", _("The collections of data"), True),
        ("conformance", _("The standards this API conforms to"), True),
        ("service-doc", _("The API described for people, with examples"), False),
        ("service-desc", _("The API definition (OpenAPI 3.0, JSON)"), False),
    )
    found = []
    for rel, text, as_page in wanted:
        href = first_link(document, rel)
        if href is not None:
            found.append(Anchor(with_format(href, HTML_FORMAT) if as_page else href, text))
    return {
        "heading": document["title"],
        "description": document["description"],
        "api_links": found,
        "json_href": json_href(document),
        "crumbs": crumbs(urls),
    }


def conformance_view(document: Mapping[str, Any], urls: ApiUrls) -> dict[str, Any]:
    """The conformance classes, each a link to the class's definition."""
    return {
        "heading": _("Conformance classes"),
        "classes": [Anchor(uri, _(CLASS_NAMES.get(uri.rsplit("/", 1)[-1], uri))) for uri in document["conformsTo"]],
        "json_href": json_href(document),
        "crumbs": crumbs(urls, Anchor(with_format(urls.conformance(), HTML_FORMAT), _("Conformance"))),
    }


@dataclass(frozen=True)
class CollectionSummary:
    """A collection as the collections page lists it."""

    id: str
    title: str
    description: str
    href: str
    items_href: str


def collections_view(document: Mapping[str, Any], urls: ApiUrls) -> dict[str, Any]:
    """Every collection, each with a link to its page and to its items."""
    listed = [
        CollectionSummary(
            id=collection["id"],
            title=collection["title"],
            description=collection["description"],
            href=with_format(first_link(collection, "self") or urls.collection(collection["id"]), HTML_FORMAT),
            items_href=with_format(urls.items(collection["id"], {}), HTML_FORMAT),
        )
        for collection in document["collections"]
    ]
    return {
        "heading": _("Collections"),
        "description": document["description"],
        "collections": listed,
        "json_href": json_href(document),
        "crumbs": crumbs(urls, collections_crumb(urls)),
    }


def collection_view(document: Mapping[str, Any], urls: ApiUrls) -> dict[str, Any]:
    """One collection: its description, where and when its features are, its provenance and its items."""
    name = document["id"]
    provenance = document["provenance"]
    details = [
        Detail(_("Identifier"), Cell(name)),
        Detail(_("Source"), web_cell(provenance["source"])),
        Detail(_("Licence"), Cell(provenance["licence"], first_link(document, "license"))),
        Detail(_("Attribution"), Cell(provenance["attribution"] or "")),
        Detail(_("Last fetched"), Cell(provenance["fetchedAt"])),
        Detail(_("Rows read"), Cell(f"{provenance['rowsRead']:,}")),
        Detail(_("Rows loaded"), Cell(f"{provenance['rowsLoaded']:,}")),
        Detail(_("Rows rejected"), Cell(f"{provenance['rowsRejected']:,}")),
    ]
    details += [Detail(_("Area"), Cell(f"{area['name']} ({area['code']})")) for area in document.get("areas", [])]
    extent = document.get("extent", {})
    if "spatial" in extent:
        west, south, east, north = extent["spatial"]["bbox"][0]
        box = _("Longitude %(west)s to %(east)s, latitude %(south)s to %(north)s (WGS84)") % {
            "west": west,
            "east": east,
            "south": south,
            "north": north,
        }
        details.append(Detail(_("Where"), Cell(box)))
    if "temporal" in extent:
        first, last = extent["temporal"]["interval"][0]
        details.append(Detail(_("When"), Cell(_("%(first)s to %(last)s") % {"first": first[:10], "last": last[:10]})))
    # Each with its format in f: without one, a browser following the link would be given the items' page.
    data = [
        Anchor(with_format(href, f), text)
        for media_type, f, text in (
            ("application/geo+json", JSON_FORMAT, _("Its items as GeoJSON")),
            ("text/csv", "csv", _("Its items as CSV")),
        )
        if (href := first_link(document, "items", media_type)) is not None
    ]
    return {
        "heading": document["title"],
        "page_title": _("The %(name)s collection") % {"name": name},
        "name": name,
        "description": document["description"],
        "details": details,
        "items_href": with_format(urls.items(name, {}), HTML_FORMAT),
        "data_links": data,
        "json_href": json_href(document),
        "crumbs": crumbs(urls, collections_crumb(urls), Anchor(with_format(urls.collection(name), HTML_FORMAT), name)),
    }


def items_view(
    document: Mapping[str, Any],
    urls: ApiUrls,
    name: str,
    fields: Sequence[Mapping[str, Any]],
    offset: int,
    crs: Crs = DEFAULT,
) -> dict[str, Any]:
    """A page of features: a table of them (a column per property), links to the pages before and after, a map.

    ``crs`` is the coordinates' system: the map draws those in WGS84 degrees, and none in a grid.
    """
    features = document["features"]
    titles = {spec["name"]: _(spec.get("title") or spec["name"]) for spec in fields}  # as the pages do
    keys = list(titles)
    for feature in features:  # the area fields, and distance with near
        keys += [key for key in feature["properties"] if key not in keys]
    columns = [titles.get(key) or _(LABELS.get(key, key)) for key in keys]
    rows = [item_row(feature, fields, keys, crs) for feature in features]
    returned = document["numberReturned"]
    pages = [
        Anchor(with_format(href, HTML_FORMAT), text, rel)
        for rel, text in (("prev", _("Previous page")), ("next", _("Next page")))
        if (href := first_link(document, rel)) is not None
    ]
    csv = first_link(document, "alternate", "text/csv")
    data = [Anchor(csv, _("This page as CSV"))] if csv is not None else []
    return {
        "heading": _("Items of %(name)s") % {"name": name},
        "name": name,
        "columns": columns,
        "position_label": _("Position (%(axes)s)") % {"axes": axes(crs)},
        "rows": rows,
        "located": any(row.lat is not None and row.lon is not None for row in rows),
        "first": offset + 1,
        "last": offset + returned,
        "matched": document["numberMatched"],
        "pages": pages,
        "data_links": data,
        "json_href": json_href(document),
        "collection_href": with_format(urls.collection(name), HTML_FORMAT),
        "first_href": with_format(urls.items(name, {}), HTML_FORMAT),
        "crumbs": crumbs(
            urls,
            collections_crumb(urls),
            Anchor(with_format(urls.collection(name), HTML_FORMAT), name),
            Anchor(with_format(urls.items(name, {}), HTML_FORMAT), _("Items")),
        ),
    }


def item_row(feature: Mapping[str, Any], fields: Sequence[Mapping[str, Any]], keys: Sequence[str], crs: Crs) -> ItemRow:
    properties = feature["properties"]
    lon, lat = lon_lat(feature, crs)
    href = with_format(first_link(feature, "self") or "", HTML_FORMAT)
    return ItemRow(
        id=str(feature["id"]),
        name=feature_name(fields, properties, str(feature["id"])),
        href=href,
        path=local_path(href),
        lat=lat,
        lon=lon,
        position=coordinates(feature),
        cells=tuple(cell(properties.get(key)) for key in keys),
    )


def item_view(
    document: Mapping[str, Any], urls: ApiUrls, name: str, fields: Sequence[Mapping[str, Any]], crs: Crs = DEFAULT
) -> dict[str, Any]:
    """One feature: each property with its field's title, its position, and a map of it (in WGS84 degrees)."""
    properties = document["properties"]
    titles = {spec["name"]: _(spec.get("title") or spec["name"]) for spec in fields}  # as the pages do
    keys = [*titles, *(key for key in properties if key not in titles)]
    details = [Detail(titles.get(key) or _(LABELS.get(key, key)), cell(properties.get(key))) for key in keys]
    lon, lat = lon_lat(document, crs)
    feature_id = str(document["id"])
    heading = feature_name(fields, properties, feature_id)
    own = self_link(document)
    href = with_format(own["href"], HTML_FORMAT) if own else ""
    return {
        "heading": heading,
        "feature_id": feature_id,
        "details": details,
        "lat": lat,
        "lon": lon,
        "position": coordinates(document),
        "position_label": _("Position (%(axes)s)") % {"axes": axes(crs)},
        "local_href": local_path(href),  # for the map's popup, which links only within the site
        "json_href": json_href(document),
        "collection_href": with_format(urls.collection(name), HTML_FORMAT),
        "items_href": with_format(urls.items(name, {}), HTML_FORMAT),
        "name": name,
        "crumbs": crumbs(
            urls,
            collections_crumb(urls),
            Anchor(with_format(urls.collection(name), HTML_FORMAT), name),
            Anchor(with_format(urls.items(name, {}), HTML_FORMAT), _("Items")),
            Anchor(href, heading),
        ),
    }


def point(feature: Mapping[str, Any]) -> list[float] | None:
    geometry = feature.get("geometry")
    if not geometry or geometry.get("type") != "Point":
        return None
    return list(geometry["coordinates"][:2])


def coordinates(feature: Mapping[str, Any]) -> str:
    """A feature's coordinates as the document gives them, or nothing when it has no point."""
    found = point(feature)
    return "" if found is None else ", ".join(str(number) for number in found)


def lon_lat(feature: Mapping[str, Any], crs: Crs) -> tuple[float | None, float | None]:
    """A feature's longitude and latitude for the map, or None and None without a point or with grid coordinates."""
    found = point(feature)
    if found is None or not crs.geographic:
        return None, None
    x, y = found
    return (y, x) if crs.lat_first else (x, y)


def axes(crs: Crs) -> str:
    """The names of a position's numbers in this CRS, in its order: "longitude, latitude" for CRS84."""
    x, y = (_(AXIS_NAMES.get(name, name)) for name in crs.columns)
    return f"{y}, {x}" if crs.lat_first else f"{x}, {y}"


def feature_name(fields: Sequence[Mapping[str, Any]], properties: Mapping[str, Any], feature_id: str) -> str:
    """What a feature is called: its name field (see NAME_FIELDS), or its id when that is blank."""
    names = {spec["name"] for spec in fields}
    for field in NAME_FIELDS:
        if field in names and properties.get(field) not in {None, ""}:
            return str(properties[field])
    return feature_id


def cell(value: Any) -> Cell:
    """A property as text: yes or no for true or false, nothing for null, a link for a web address."""
    if value is None:
        return Cell("")
    if isinstance(value, bool):
        return Cell(_(YES_NO[value]))
    return web_cell(str(value))


def web_cell(text: str) -> Cell:
    """Text, linked when it is a web address (http or https only: never javascript: or data:)."""
    return Cell(text, text if text.lower().startswith(WEB_ADDRESS) and "\n" not in text else None)


@dataclass(frozen=True)
class QueryableRow:
    """A queryable as its page lists it: its name, what it holds, its title and the values it is limited to."""

    name: str
    kind: str
    title: str
    values: str


def queryables_view(document: Mapping[str, Any], urls: ApiUrls, name: str) -> dict[str, Any]:
    """A collection's queryables: a table of the names a filter, sortby and properties may use."""
    rows = [
        QueryableRow(
            key,
            spec.get("format") or spec.get("type", ""),
            spec.get("title", ""),
            ", ".join(str(value) for value in spec.get("enum", [])),
        )
        for key, spec in document["properties"].items()
    ]
    return {
        "heading": _("Queryables of %(name)s") % {"name": name},
        "name": name,
        "rows": rows,
        "items_href": with_format(urls.items(name, {}), HTML_FORMAT),
        "json_href": with_format(first_link(document, "self") or urls.queryables(name), JSON_FORMAT),
        "crumbs": crumbs(
            urls,
            collections_crumb(urls),
            Anchor(with_format(urls.collection(name), HTML_FORMAT), name),
            Anchor(with_format(urls.queryables(name), HTML_FORMAT), _("Queryables")),
        ),
    }
