"""OGC API - Features Part 1 Core under /api, on FastAPI: each route parses its parameters and calls the OGC layer.

GIS tools (QGIS, OWSLib, ArcGIS) read this API. The documents come from
:mod:`local_data_app.ogc`, which the static export calls too; this module
only declares the routes and their parameters (for the OpenAPI document),
gives the OGC layer the request's query and base address, and wraps what it
returns in a response. docs/api.md describes every route.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from .. import ogc
from ..errors import bad_parameter, shown
from ..language import current
from ..ogc import html
from ..ogc.catalogue import JSON_LD, catalogue
from ..ogc.crs import URIS, content_crs, parse_crs
from ..ogc.datapackage import data_package, live_paths
from ..ogc.html import HTML_FORMAT
from ..ogc.parameters import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, RawQuery, only_parameters
from ..ogc.quality import quality_document
from ..ogc.queryables import SCHEMA_JSON, queryables
from ..ogc.state import ApiState
from ..ogc.urls import GEOJSON, OPENAPI_JSON
from ..quality import quality_of
from . import workers
from .api_pages import represent
from .links import LIVE

Format = Literal["json", "geojson", "csv", "html"]


class GeoJSONResponse(JSONResponse):
    media_type = GEOJSON


class OpenApiResponse(JSONResponse):
    media_type = OPENAPI_JSON


async def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


State = Annotated[ApiState, Depends(get_state)]


def raw_query(request: Request) -> RawQuery:
    """The query's parameters, each with every value given, as the OGC layer takes them."""
    return {name: request.query_params.getlist(name) for name in request.query_params}


def urls(request: Request) -> ogc.ApiUrls:
    """The API's addresses in the request's language: under /cy/api for Welsh (web/languages.py), /api for English."""
    root = str(request.base_url).rstrip("/")
    return ogc.ApiUrls(root + current().prefix + "/api")


async def json_or_html(
    request: Request,
    f: Annotated[
        str | None,
        Query(
            description="json or html; left out, the Accept header decides (JSON unless it prefers text/html).",
            json_schema_extra={"enum": ["json", HTML_FORMAT]},
        ),
    ] = None,
) -> None:
    """The routes other than items answer in JSON or HTML: f may be json or html, nothing else (an item takes crs)."""
    only_parameters(raw_query(request), ["f", "crs"] if "feature_id" in request.path_params else ["f"])
    if f is not None and f not in {"json", HTML_FORMAT}:
        raise bad_parameter("f", f"{shown(f)} is not a format of this address; use f=json, f=html or leave f out")


JsonOrHtml = Depends(json_or_html)
CollectionName = Annotated[str, Path(description="A collection's id, as /api/collections lists it.")]
FeatureId = Annotated[str, Path(description="A feature's id, as the collection's items give it.")]
router = APIRouter()


@router.get("", summary="Landing page", dependencies=[JsonOrHtml])
@router.get("/", include_in_schema=False, dependencies=[JsonOrHtml])
def landing_page(request: Request, state: State) -> Response:
    """The API's entry point: what it is and links to the rest."""
    here = urls(request)
    return represent(request, ogc.landing_page(state, here), "api/landing.html", partial(html.landing_view, urls=here))


@router.get("/openapi.json", include_in_schema=False, response_class=OpenApiResponse)
def openapi_document(request: Request) -> OpenApiResponse:
    """The OpenAPI document (web/openapi.py), of the media type the landing page's service-desc link gives it."""
    return OpenApiResponse(request.app.openapi())


class JsonLdResponse(JSONResponse):
    media_type = JSON_LD


@router.get("/catalogue", include_in_schema=False, response_class=JsonLdResponse)
def catalogue_document(request: Request, state: State) -> JsonLdResponse:
    """The data described in DCAT (ogc/catalogue.py), for the catalogues that harvest it."""
    only_parameters(raw_query(request), [])
    here = urls(request)
    home = str(request.base_url)
    document = catalogue(state, here, home=home, own=here.catalogue(), api=here.landing(), package=here.datapackage())
    return JsonLdResponse(document)


@router.get("/conformance", summary="Conformance classes", dependencies=[JsonOrHtml])
def conformance(request: Request) -> Response:
    """The OGC API - Features conformance classes the API implements."""
    here = urls(request)
    view = partial(html.conformance_view, urls=here)
    return represent(request, ogc.conformance(), "api/conformance.html", view, self_href=here.conformance())


@router.get("/collections", summary="Collections", dependencies=[JsonOrHtml])
def collections(request: Request, state: State) -> Response:
    """Every collection with data, one per ingested source."""
    here = urls(request)
    view = partial(html.collections_view, urls=here)
    return represent(request, ogc.collections(state, here), "api/collections.html", view)


@router.get("/collections/{name}", summary="A collection", dependencies=[JsonOrHtml])
def collection(name: CollectionName, request: Request, state: State) -> Response:
    """One collection: its title, description, provenance, extent and links to its items."""
    here = urls(request)
    view = partial(html.collection_view, urls=here)
    return represent(request, ogc.collection(state, here, name), "api/collection.html", view)


JsonOnly = Annotated[
    str | None,
    Query(description="json, or left out: this address answers in JSON only.", json_schema_extra={"enum": ["json"]}),
]


@router.get("/collections/{name}/quality", summary="A collection's data quality")
def quality(name: CollectionName, request: Request, state: State, f: JsonOnly = None) -> JSONResponse:
    """Rows read, loaded and rejected at its last load, the commonest reasons, how complete each field is, dates."""
    only_parameters(raw_query(request), ["f"])
    if f not in {None, "json"}:
        raise bad_parameter("f", f"{shown(f)} is not a format of this address; use f=json or leave f out")
    here = urls(request)
    measured = quality_of(state.collection(name), state.fields)
    page = str(request.base_url).rstrip("/") + LIVE.speaking(current()).quality(name)  # the quality page, likewise
    return JSONResponse(quality_document(measured, here.quality(name), page, here.collection(name)))


@router.get("/datapackage.json", summary="The CSV downloads described as a Frictionless Data Package")
def datapackage_document(request: Request, state: State, f: JsonOnly = None) -> JSONResponse:
    """Each collection's CSV download (items.csv, page by page) with its Table Schema (ogc/datapackage.py)."""
    only_parameters(raw_query(request), ["f"])
    if f not in {None, "json"}:
        raise bad_parameter("f", f"{shown(f)} is not a format of this address; use f=json or leave f out")
    collections = state.collections()
    return JSONResponse(data_package(state, collections, live_paths(urls(request), collections)))


class SchemaResponse(JSONResponse):
    media_type = SCHEMA_JSON


@router.get(
    "/collections/{name}/queryables",
    summary="A collection's queryables",
    response_class=SchemaResponse,
    dependencies=[JsonOrHtml],
)
def collection_queryables(name: CollectionName, request: Request, state: State) -> Response:
    """What filter may test, sortby sort by and properties keep: a JSON Schema (OGC API - Features Part 3)."""
    here = urls(request)
    view = partial(html.queryables_view, urls=here, name=name)
    document = queryables(state, here, name)
    return represent(request, document, "api/queryables.html", view, media_type=SCHEMA_JSON)


# The items parameters, declared for the OpenAPI document only (see items_parameters); the OGC layer checks them.
Bbox = Annotated[
    str | None, Query(description="Only features inside this box: minlon,minlat,maxlon,maxlat in WGS84 degrees.")
]
# The maximum is declared, not enforced: a larger limit is clamped to it, as OGC API - Features allows, and
# clients such as GDAL and QGIS read it to ask for the largest pages.
Limit = Annotated[
    int,
    Query(
        ge=1,
        description=f"How many features per page: 1 or more, {DEFAULT_LIMIT} if left out; above {MAX_LIMIT}, "
        f"{MAX_LIMIT} are returned.",
        json_schema_extra={"maximum": MAX_LIMIT},
    ),
]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many matching features to skip.")]
Near = Annotated[
    str | None,
    Query(
        description=(
            "Nearest features first, each with its distance in metres, from: a point lon,lat in WGS84 "
            "(-2.32,53.42); a full postcode in any case and spacing (M33 7ZR, m337zr); a partial postcode, "
            "its outward code (M33) or sector (M33 7), meaning the middle of its postcodes; or a place name "
            "(Sale). Postcodes and names are looked up in the gazetteers the app loads (sources with role = "
            '"postcodes" or "places" in place.toml), never another service; the response\'s near member '
            "says which place was used. One not found, or outside the app's areas, is a 400 saying so."
        )
    ),
]
Datetime = Annotated[
    str | None,
    Query(
        description=(
            "Only features whose date is this date or date-time (RFC 3339, such as 2024-01-31 or "
            "2024-01-31T12:00:00Z) or falls in this interval (start/end, either end open as .. or empty, "
            "such as 2024-01-01/2024-06-30 or 2024-01-01/..). Features without a date always match; "
            "a collection without a date field matches whole."
        )
    ),
]
Area = Annotated[
    str | None,
    Query(
        description=(
            "Only features of this area: its ONS GSS code (a letter and 8 digits). The areas are those of the "
            "app's place.toml; each collection says which it covers."
        )
    ),
]
OpenNow = Annotated[
    str | None,
    Query(
        alias="open_now",
        description="true keeps only the features open now by their opening hours (the theme's hours field, "
        "evaluated on the clock of Europe/London, public holidays and seasons included); false, or left out, keeps "
        "them all. Hours not known, or given only in words (dawn to dusk), are never open now. The count and the "
        "pages are of the open features; paging links keep open_now. A theme without an hours field answers 400.",
        json_schema_extra={"enum": ["true", "false"]},
    ),
]
FormatParameter = Annotated[
    Format | None,
    Query(
        description="json or geojson (GeoJSON), csv, or html (a page with a table and a map); left out, the Accept "
        "header decides (GeoJSON unless it prefers text/html)."
    ),
]
CsvFormat = Annotated[
    str | None,
    Query(description="csv, or left out: this address answers in CSV only.", json_schema_extra={"enum": ["csv"]}),
]
CrsParameter = Annotated[
    str | None,
    Query(
        description="The coordinate system of the answer's coordinates (OGC API - Features Part 2): CRS84 "
        "(longitude, latitude; the default), EPSG:4326 (latitude, longitude) or EPSG:27700 (British National "
        "Grid easting, northing in metres). The Content-Crs header names it.",
        json_schema_extra={"enum": list(URIS)},
    ),
]
BboxCrs = Annotated[
    str | None,
    Query(
        alias="bbox-crs",
        description="The coordinate system of bbox, in its axis order: CRS84 (the default), EPSG:4326 "
        "(minlat,minlon,maxlat,maxlon) or EPSG:27700 (eastings and northings in metres).",
        json_schema_extra={"enum": list(URIS)},
    ),
]


Filter = Annotated[
    str | None,
    Query(
        alias="filter",
        description="Only features for which this condition holds, in CQL2 (OGC API - Features Part 3): Basic "
        "CQL2 with LIKE, BETWEEN, IN and S_INTERSECTS of geometry with a BBOX or a POINT, such as "
        "Category = 'Unisex' AND BabyChange = true. The names are the collection's queryables.",
    ),
]
FilterLang = Annotated[
    str | None,
    Query(
        alias="filter-lang",
        description="How filter is written: cql2-text (the default) or cql2-json.",
        json_schema_extra={"enum": ["cql2-text", "cql2-json"]},
    ),
]
FilterCrs = Annotated[
    str | None,
    Query(
        alias="filter-crs",
        description="The coordinate system of the filter's BBOX and POINT, in its axis order: CRS84 (the default), "
        "EPSG:4326 or EPSG:27700.",
        json_schema_extra={"enum": list(URIS)},
    ),
]
Sortby = Annotated[
    str | None,
    Query(
        description="Fields to sort by, most significant first, separated by commas; - before a field sorts it "
        "descending, + or nothing ascending (such as -ExtractDate,LocationText). Missing values come last; ties "
        "keep load order. Not with near.",
    ),
]
Properties = Annotated[
    str | None,
    Query(description="The properties each feature keeps, separated by commas; empty keeps none."),
]
SkipGeometry = Annotated[
    str | None,
    Query(
        alias="skipGeometry",
        description="true leaves each feature's geometry out (and the position columns of CSV); false, the "
        "default, keeps it.",
        json_schema_extra={"enum": ["true", "false"]},
    ),
]


def items_parameters(
    bbox: Bbox = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    near: Near = None,
    datetime: Datetime = None,
    area: Area = None,
    open_now: OpenNow = None,
    crs: CrsParameter = None,
    bbox_crs: BboxCrs = None,
    filter_text: Filter = None,
    filter_lang: FilterLang = None,
    filter_crs: FilterCrs = None,
    sortby: Sortby = None,
    properties: Properties = None,
    skip_geometry: SkipGeometry = None,
) -> None:
    """The items parameters as the OpenAPI document gives them; never called (see :func:`declared`)."""


def declared(parameters: Callable[..., None]) -> dict[str, Any]:
    """``openapi_extra`` giving a route the parameters of a function's signature, as FastAPI writes them.

    A route declaring its 15 parameters one by one spent about 0.8 ms a request
    in FastAPI's checks of them (docs/performance.md), though the OGC layer reads
    and checks every one again from the raw query. So the items routes read only
    the raw query, and take their OpenAPI parameters from this one declaration.
    """
    document = get_openapi(title="", version="", routes=[APIRoute("/", parameters)])
    return {"parameters": document["paths"]["/"]["get"]["parameters"]}


Endpoint = Callable[..., Response]


def items_query(request: Request, state: ApiState) -> ogc.ItemsQuery:
    """The items parameters, read from the raw query and checked by the OGC layer."""
    return ogc.items_query(state, raw_query(request))


def items_route(path: str, summary: str, response_class: type[Response]) -> Callable[[Endpoint], Endpoint]:
    """An items route, whose OpenAPI parameters are the declared ones (see :func:`declared`)."""
    return router.get(path, summary=summary, response_class=response_class, openapi_extra=declared(items_parameters))


@items_route("/collections/{name}/items", "A collection's items", GeoJSONResponse)
def items(name: CollectionName, request: Request, state: State, f: FormatParameter = None) -> Response:
    """A page of a collection's features as a GeoJSON FeatureCollection, as CSV with f=csv, or as a page with f=html."""
    query = items_query(request, state)
    if f == "csv":
        return csv_response(name, ogc.items_csv(state, name, query), query)
    here = urls(request)
    kept = query.selection.kept([spec["name"] for spec in state.fields])
    fields = [spec for spec in state.fields if spec["name"] in kept]
    view = partial(html.items_view, urls=here, name=name, fields=fields, offset=query.offset, crs=query.crs)
    document = ogc.items(state, here, name, query)
    return represent(request, document, "api/items.html", view, media_type=GEOJSON, headers=crs_header(query))


@items_route("/collections/{name}/items.csv", "A collection's items as CSV", Response)
def items_csv(name: CollectionName, request: Request, state: State, f: CsvFormat = None) -> Response:
    """The same as items?f=csv."""
    if f not in {None, "csv"}:
        raise bad_parameter("f", f"{shown(f)} does not fit items.csv; leave f out or use items?f={f}")
    query = items_query(request, state)
    return csv_response(name, ogc.items_csv(state, name, query), query)


def crs_header(query: ogc.ItemsQuery) -> dict[str, str]:
    """Content-Crs, naming the coordinate system of the answer's coordinates, as OGC API - Features Part 2 asks."""
    return {"Content-Crs": content_crs(query.crs)}


def csv_response(collection: str, text: str, query: ogc.ItemsQuery) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{collection}.csv"', **crs_header(query)},
    )


@router.get(
    "/collections/{name}/items/{feature_id:path}",
    summary="One item",
    response_class=GeoJSONResponse,
    dependencies=[JsonOrHtml],
)
async def item(
    name: CollectionName, feature_id: FeatureId, request: Request, state: State, crs: CrsParameter = None
) -> Response:
    """One feature as GeoJSON, its coordinates in crs; 404 if the collection has no feature with this id."""
    return await workers.brief(state.store, one_item, name, feature_id, request, state, crs)


def one_item(name: str, feature_id: str, request: Request, state: ApiState, crs: str | None) -> Response:
    """The item route's work: one feature read by its id, so cheap enough for the event loop on SQLite (workers.py)."""
    chosen = parse_crs("crs", crs)
    here = urls(request)
    view = partial(html.item_view, urls=here, name=name, fields=state.fields, crs=chosen)
    document = ogc.item(state, here, name, feature_id, chosen)
    headers = {"Content-Crs": content_crs(chosen)}
    return represent(request, document, "api/item.html", view, media_type=GEOJSON, headers=headers)
