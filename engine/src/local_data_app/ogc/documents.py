"""The OGC API - Features documents: landing page, conformance, collections, a collection, items and an item.

Each function takes the shared :class:`ApiState`, a :class:`Urls` for its
links and checked parameters, and returns the document as a dict ready for
JSON; a collection or feature that does not exist is a 404 ClientError.
Titles, descriptions and link titles are for people: they are in the
language of the request (language.py; Welsh under /cy/api), the data is not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .. import areas
from ..errors import ClientError, not_found, shown
from ..language import gettext as _
from ..store import BBox, Feature, Provenance, intersection
from .boxes import combined
from .crs import CONFORMANCE_CRS, CRS84, DEFAULT, STORAGE_CRS, URIS, Crs, coordinates
from .filters import FILTER_CONFORMANCE, lifted_box
from .html import HTML_CONFORMANCE
from .parameters import ItemsQuery
from .quality import QUALITY_REL, QUALITY_TITLE
from .queryables import QUERYABLES_REL, SCHEMA_JSON
from .selection import SORTING_CONFORMANCE, Selection
from .state import ApiState, Extent
from .tables import Found, csv_text
from .urls import CSV, GEOJSON, HTML, JSON, OPENAPI_JSON, ApiUrls, Urls, link

GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    HTML_CONFORMANCE,  # every document has its page: see html.py
    CONFORMANCE_CRS,
    *FILTER_CONFORMANCE,  # filter in CQL2, and each collection's queryables: see filters.py
    SORTING_CONFORMANCE,  # sortby: see selection.py
)


def title(state: ApiState) -> str:
    """What the pages call the site too (pages.page_site): the theme's title in the place."""
    return _("%(theme)s in %(place)s") % {"theme": _(state.schema["title"]), "place": state.settings.place.name}


def description(state: ApiState) -> str:
    settings = state.settings
    return _("Open data about %(place)s from %(organisation)s, served as OGC API - Features.") % {
        "place": settings.place.name,
        "organisation": settings.organisation.name,
    }


def landing_page(state: ApiState, urls: ApiUrls) -> dict[str, Any]:
    """The API's entry point: what it is and links to the rest."""
    return {
        "title": title(state),
        "description": description(state),
        "links": [
            link(urls.landing(), "self", JSON, _("This document")),
            link(urls.openapi(), "service-desc", OPENAPI_JSON, _("The API definition")),
            link(urls.service_doc(), "service-doc", HTML, _("The API described for people, with examples")),
            link(urls.conformance(), "conformance", JSON, _("The standards this API conforms to")),
            link(urls.collections(), "data", JSON, _("The collections of data")),
            link(
                urls.catalogue(), "describedby", "application/ld+json", _("The data described in DCAT, for catalogues")
            ),
            # A second describedby (RFC 8288 allows several), told apart by its type: the CSV's columns and types.
            link(
                urls.datapackage(), "describedby", JSON, _("The CSV downloads described as a Frictionless Data Package")
            ),
        ],
    }


def conformance() -> dict[str, Any]:
    """The OGC API - Features conformance classes the API implements."""
    return {"conformsTo": list(CONFORMANCE)}


def collections(state: ApiState, urls: Urls, crs: Sequence[str] = URIS) -> dict[str, Any]:
    """Every collection with data, one per ingested source; ``crs``, the CRSs its items are served in."""
    found = state.collections()
    return {
        "title": title(state),
        "description": description(state),
        "links": [link(urls.collections(), "self", JSON, _("The collections"))],
        "collections": [describe_collection(state, urls, provenance, len(found), crs) for provenance in found],
    }


def collection(state: ApiState, urls: Urls, name: str) -> dict[str, Any]:
    """One collection: its title, description, provenance, extent and links to its items."""
    return describe_collection(state, urls, state.collection(name), len(state.collections()))


def describe_collection(
    state: ApiState, urls: Urls, provenance: Provenance, how_many: int, crs: Sequence[str] = URIS
) -> dict[str, Any]:
    name = provenance.collection
    # With several areas a collection is one area's; with one, it is the place's (as named now).
    several = len(state.settings.all_areas) > 1 and provenance.area_name
    place = provenance.area_name if several else state.settings.place.name
    named = _("%(theme)s in %(place)s") % {"theme": _(state.schema["title"]), "place": place}
    if how_many > 1:
        named += f" ({name})"
    credit = f" {provenance.attribution}." if provenance.attribution else ""
    covers = ""
    if provenance.area_code:
        covers = " " + _("Area: %(name)s (%(code)s).") % {"name": provenance.area_name, "code": provenance.area_code}
    links = []
    if (own := urls.collection(name)) is not None:
        links.append(link(own, "self", JSON, _("This collection")))
    links += [
        link(urls.items(name, {}), "items", GEOJSON, _("Its items as GeoJSON")),
        link(urls.items(name, {"f": "csv"}), "items", CSV, _("Its items as CSV")),
        link(f"https://spdx.org/licenses/{quote(provenance.licence)}.html", "license", "text/html", _("Licence")),
        link(urls.quality(name), QUALITY_REL, JSON, _(QUALITY_TITLE)),
    ]
    if (queryables := urls.queryables(name)) is not None:
        links.append(link(queryables, QUERYABLES_REL, SCHEMA_JSON, _("What its items may be filtered by")))
    loaded = _("Loaded %(when)s from %(source)s: %(rows)s rows. Licence: %(licence)s.") % {
        "when": provenance.fetched_at,
        "source": provenance.location,
        "rows": f"{provenance.rows_loaded:,}",
        "licence": provenance.licence,
    }
    body: dict[str, Any] = {
        "id": name,
        "title": named,
        "description": f"{_(state.schema['description'])} {loaded}{credit}{covers}",
        "itemType": "feature",
        "crs": list(crs),  # listed in full rather than as Part 2's "#/crs", which not every client follows
        "storageCrs": STORAGE_CRS,
        "provenance": {
            "source": provenance.location,
            "licence": provenance.licence,
            "attribution": provenance.attribution,
            "fetchedAt": provenance.fetched_at,
            "rowsRead": provenance.rows_read,
            "rowsLoaded": provenance.rows_loaded,
            "rowsRejected": provenance.rows_rejected,
            # What the load read, as a digest: with fetchedAt, which load this is (an aggregator's ogcapi adapter
            # reads the collection again only when they change). None for a source read from the web every time.
            "sourceDigest": provenance.source_digest,
        },
        "links": links,
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
class Page:
    """A page of a collection's features and how many match the query in all, read from one snapshot."""

    provenance: Provenance
    matched: int
    found: Found


def items_page(state: ApiState, name: str, query: ItemsQuery) -> Page:
    """The features for a query: the load, the count and the page from one snapshot, so numberMatched fits the links.

    One snapshot is also one read transaction, in which the store looks up
    the collection's table once, where each read on its own began its own.
    """
    store = state.store
    where, order = combined(query.selection.where, query.boxes.where), query.selection.sortby
    bbox = narrowed_box(query)

    def counted_page() -> Page:
        provenance = state.collection(name)
        if query.area is not None and provenance.area_code is None:
            raise ClientError(
                400,
                "InvalidParameterValue",
                f"area: collection {name!r} was loaded before the app recorded areas; load it again with ingest",
                parameter="area",
            )
        filters = areas.needed(query.filters, provenance, state.settings) or None  # no area filter all rows meet
        matched = store.count(name, bbox=bbox, filters=filters, where=where)
        if query.near:
            near = store.nearest(
                name, *query.near, limit=query.limit, offset=query.offset, bbox=bbox, filters=filters, where=where
            )
            return Page(provenance, matched, list(near))
        page = store.features(
            name, bbox=bbox, limit=query.limit, offset=query.offset, filters=filters, where=where, order=order
        )
        return Page(provenance, matched, [(feature, None) for feature in page])

    return store.consistent(counted_page)


def narrowed_box(query: ItemsQuery) -> BBox | None:
    """``bbox``, narrowed by a box the whole filter requires, so that the store's spatial index finds the features.

    The filter still tests its box, so where the two do not meet nothing
    matches whichever box the store is given.
    """
    lifted = lifted_box(query.selection.where)
    if lifted is None:
        return query.bbox
    if query.bbox is None:
        return lifted
    return intersection(query.bbox, lifted) or query.bbox


def selected(document: dict[str, Any], selection: Selection) -> dict[str, Any]:
    """A feature with only the properties ``properties`` keeps (and distance, with near), and no geometry if skipped."""
    if selection.properties is not None:
        kept = set(selection.properties) | {"distance"}
        document["properties"] = {key: value for key, value in document["properties"].items() if key in kept}
    if selection.skip_geometry:
        document["geometry"] = None
    return document


def items(state: ApiState, urls: Urls, name: str, query: ItemsQuery) -> dict[str, Any]:
    """A page of a collection's features as a GeoJSON FeatureCollection, with paging links."""
    page = items_page(state, name, query)

    def at(**changes: Any) -> str:
        return urls.items(name, paging_parameters(query, changes))

    links = [
        link(at(), "self", GEOJSON, "This page"),
        link(at(f="csv"), "alternate", CSV, "This page as CSV"),
    ]
    if (own := urls.collection(name)) is not None:
        links.append(link(own, "collection", JSON, "The collection"))
    if query.offset + len(page.found) < page.matched:
        links.append(link(at(offset=query.offset + query.limit), "next", GEOJSON, "Next page"))
    if query.offset > 0:
        links.append(link(at(offset=max(0, query.offset - query.limit)), "prev", GEOJSON, "Previous page"))
    positions = coordinates(query.crs, [feature for feature, _ in page.found])
    features = [
        selected(feature_json(feature, urls.feature_link(name, feature.id), metres, position), query.selection)
        for (feature, metres), position in zip(page.found, positions, strict=True)
    ]
    document = {
        "type": "FeatureCollection",
        "features": features,
        "links": links,
        "numberMatched": page.matched,
        "numberReturned": len(page.found),
        "timeStamp": time_stamp(),
    }
    if query.near_place is not None:  # near= named a postcode or a place: say which one the distances are from
        document["near"] = query.near_place.as_json()
    return document


def items_csv(state: ApiState, name: str, query: ItemsQuery) -> str:
    """A page of a collection's features as CSV."""
    page = items_page(state, name, query)
    selection = query.selection
    return csv_text(
        state.fields, page.found, query.near is not None, query.crs, selection.properties, selection.skip_geometry
    )


def paging_parameters(query: ItemsQuery, changes: dict[str, Any]) -> dict[str, Any]:
    """The query's parameters as given, with some changed: for the paging and format links."""
    parameters: dict[str, Any] = {}
    if query.bbox_text is not None:
        parameters["bbox"] = query.bbox_text
    if query.datetime_text is not None:
        parameters["datetime"] = query.datetime_text
    if query.near_text is not None:
        parameters["near"] = query.near_text
    if query.area is not None:
        parameters["area"] = query.area
    if query.bbox_crs_text is not None:
        parameters["bbox-crs"] = query.bbox_crs_text
    if query.crs_text is not None:
        parameters["crs"] = query.crs_text
    parameters.update(query.raw_filters)
    parameters.update(query.boxes.texts)  # a choices field's values as a list: one parameter each
    parameters.update(query.selection.texts)
    if query.open_now:
        parameters["open_now"] = "true"
    parameters["limit"] = query.limit
    parameters["offset"] = query.offset
    parameters.update(changes)
    if not parameters["offset"]:
        del parameters["offset"]
    return parameters


def item(state: ApiState, urls: Urls, name: str, feature_id: str, crs: Crs = DEFAULT) -> dict[str, Any]:
    """One feature as GeoJSON (its coordinates in ``crs``), linking to its collection; a 404 if there is none."""
    state.collection(name)
    feature = None
    if "\x00" not in feature_id:  # no stored id holds a NUL byte, and PostgreSQL refuses to compare one
        feature = state.store.feature(name, feature_id)
    if feature is None:
        raise not_found(f"Collection {name!r} has no item with the id {shown(feature_id)}.")
    (position,) = coordinates(crs, [feature])
    body = feature_json(feature, urls.feature_link(name, feature.id), coordinates=position)
    if (own := urls.collection(name)) is not None:
        body["links"].append(link(own, "collection", JSON, "The collection"))
    return body


def feature_json(
    feature: Feature, own_link: dict[str, str], metres: float | None = None, coordinates: list[float] | None = None
) -> dict[str, Any]:
    """A feature as GeoJSON: a point (or no geometry), its schema fields and, for near, its distance.

    ``coordinates`` are its position converted by crs.coordinates; without
    them it is given as stored, in CRS84.
    """
    properties = dict(feature.properties)
    if metres is not None:
        properties["distance"] = round(metres, 1)
    if coordinates is None and feature.lon is not None and feature.lat is not None:
        coordinates = [feature.lon, feature.lat]
    return {
        "type": "Feature",
        "id": feature.id,
        "geometry": {"type": "Point", "coordinates": coordinates} if coordinates is not None else None,
        "properties": properties,
        "links": [own_link],
    }


def time_stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
