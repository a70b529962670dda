"""The pages for people: the home page with its list, search and map, a page per feature, and the about page.

Every page is complete HTML from the server, so it works without JavaScript;
``static/app.js`` adds the map and the "near me" button on top. Pages use the
same :class:`~.api.ApiState` and store calls as the API.
Templates live in ``templates/`` with autoescaping on, so values from the data
are always shown as text. docs/pages.md describes the pages.

Each page's content comes from a ``*_context`` function that needs no request,
and every link is built by a :class:`~.links.Links`, so ``export`` (export.py)
renders the same pages, through the same templates, as static files.

What a list item's summary line and a record page's first answers hold is
the theme's ``x-page`` annotation (schemas/layout.py), written for people
by answers.py. A record opened from a page of results carries that page's
address in ``from``, checked by :func:`back_href`, for its back link.

Word search (``q``) is the store's (:meth:`~..store.Store.search`): each word
must begin a word, in any case, of one of the schema's string fields or of the
id, found through a word index the store builds at load time, with the
filters and the point applied in the same query. The count stops at
:data:`SEARCH_LIMIT` and the search at :data:`SEARCH_SECONDS` (less when the
request's deadline is nearer), and the page says so. A collection loaded
before the index existed is searched here instead, by reading its features in
batches (:func:`scan_search`), until it is loaded again.
"""

from __future__ import annotations

import functools
import html
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse

from .. import areas, deadline
from ..checks.area_country import COUNTRIES, country_of
from ..config import Area
from ..errors import ClientError, not_found, shown
from ..extensions import ENGINE
from ..gazetteer import looks_like_a_point
from ..hours import LONDON
from ..language import LANGUAGES, N_, using
from ..language import gettext as _
from ..normalise import FieldProblem
from ..ogc.boxes import Boxes, choice_fields, commonest_values, parse_chosen, parse_held
from ..ogc.html import feature_name as named
from ..ogc.parameters import MAX_LIMIT, OPEN_NOW, add_dates, add_open_now, parse_datetime, parse_numbers
from ..ogc.state import NAME_FIELDS, ApiState
from ..schemas.layout import HoldsFilter, Layout, ResidentFilter
from ..store import AREA_CODE, AREA_NAME, Feature, Provenance, searched_fields
from . import answers
from .api import State
from .assets import StaticVersions, static_app
from .languages import is_page
from .links import Links, live_links, page_parameter
from .overrides import ENGINE_STATIC, page_environment
from .structured_data import dataset, licence_url

STATIC_DIR = ENGINE_STATIC  # the engine's own static files; a project's static/ folder is served over them
PACKAGE = __package__.rpartition(".")[0]
PAGE_SIZE = 20
SEARCH_BATCH = 500
# The most features one word search counts: "1,000 or more" past it. Counting is most of a search's work once the
# index has found the words (each match with a filter is a row to read), so this bounds its time.
SEARCH_LIMIT = 1_000
SCAN_LIMIT = 20_000  # the most features a search without the store's word index reads
SEARCH_SECONDS = 2.0  # and the longest it works for: past either, the count is "or more"
SEARCH_SHARE = 0.6  # at most this share of the request's time left (see deadline.py)
LONGEST_QUERY = 200
MOST_WORDS = 10
NOT_RECORDED = N_("Not recorded")
OTHER_AREAS = "Other areas"  # the chooser's group for codes of no one country (K, spanning several)
ANY = ""
YES_NO = {"true": N_("Yes"), "false": N_("No")}
INGEST_COMMAND = f"python -m {PACKAGE} ingest"
NO_PAGE = N_("There is no page at this address.")
FROM = "from"  # a record page's parameter holding the list page it was opened from, for its back link
LONGEST_FROM = 2000
MOST_EMPTY_AREAS = 20  # beyond this many areas the about page leaves out those with no source of their own
LONGEST_DESCRIPTION = 300  # a meta description's characters: search engines show about the first 160

router = APIRouter(include_in_schema=False)


def form_error(field: str, message: str) -> ClientError:
    """A mistake in a page's query (a filter value the data cannot hold, say): shown beside its field."""
    return ClientError(400, "InvalidParameterValue", message, parameter=field)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Filter:
    """A select box of the search form: a schema field with a set list of values (an enum or yes/no)."""

    name: str
    label: str
    choices: tuple[Choice, ...]
    selected: str


@dataclass(frozen=True)
class Checkbox:
    """A box of the resident filters (the theme's x-page ``filters``): ticked, only the places whose field holds it."""

    name: str
    value: str  # as the query carries it: "true", "false", "0"
    label: str
    checked: bool
    id: str = ""  # the input's id, when the name is not enough (a choices group's boxes share their name)


@dataclass(frozen=True)
class ChoiceGroup:
    """A choices group of the resident filters: a box for each of a field's commonest values, any of them."""

    name: str  # the field, which each box sends
    legend: str
    boxes: tuple[Checkbox, ...]


@dataclass
class Search:
    """What the home page was asked for: words, field filters and a point, as typed and as parsed."""

    q: str = ""
    words: tuple[str, ...] = ()
    filters: dict[str, Any] = field(default_factory=dict)
    raw_filters: dict[str, str] = field(default_factory=dict)
    near_text: str = ""
    near: tuple[float, float] | None = None  # lon, lat
    near_name: str = ""  # the postcode or place that near_text named, as the gazetteer found it
    datetime_text: str = ""  # dates as the API's datetime takes them; the filter they make is in filters
    area: str = ""  # the chosen area's GSS code; the filter it makes is in filters
    open_now: bool = False  # only the places open now; the filter it makes is in filters
    boxes: Boxes = field(default_factory=Boxes)  # the holds boxes ticked and the choices given (ogc/boxes.py)
    errors: list[ClientError] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.words or self.filters or self.near or self.datetime_text or self.boxes.texts)

    def parameters(self) -> dict[str, str | list[str]]:
        """The query as URL parameters, for paging links (a choices field's values as a list)."""
        parameters: dict[str, str | list[str]] = {"q": self.q} if self.q else {}
        if self.area:
            parameters["area"] = self.area
        parameters.update(self.raw_filters)
        parameters.update(self.boxes.texts)
        if self.open_now:
            parameters[OPEN_NOW] = "true"
        if self.datetime_text:
            parameters["datetime"] = self.datetime_text
        if self.near_text:
            parameters["near"] = self.near_text
        return parameters


@dataclass(frozen=True)
class Item:
    """One feature as the list shows it."""

    id: str
    name: str
    href: str
    lat: float | None
    lon: float | None
    summary: str
    distance: str | None
    hours: str | None = None  # open or closed now, in words (live pages only)


@dataclass
class Listing:
    """One collection's page of results on the home page."""

    provenance: Provenance
    items: list[Item]
    first: int
    matched: int
    complete: bool  # False when a word search stopped counting at SEARCH_LIMIT, or stopped for time
    page: int
    pages: int  # how many pages the count makes (at least 1)
    first_href: str
    previous_href: str | None
    next_href: str | None
    api_href: str
    csv_href: str
    map_href: str | None = None  # the API's pages of every feature the search matches, for the map (live app only)
    name_fields: tuple[str, ...] = ()  # the fields that name a feature, first filled first (see feature_name)
    note: str | None = None  # said below the pager: where a static export's list stops, and what reaches the rest

    @property
    def name(self) -> str:
        return self.provenance.collection


# Rendering


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page of the live app from a template, linking to the app's own addresses."""
    links = live_links(request.app.state)
    body = render_text(
        request.app.state.api, template, path=request.url.path, links=links, query=request.url.query, **context
    )
    return HTMLResponse(body, status_code=status)


def render_text(
    state: ApiState,
    template: str,
    *,
    path: str,
    links: Links,
    page_policy: str | None = None,
    query: str = "",
    alternates: bool | None = None,
    **context: Any,
) -> str:
    """A page from a template, with what every page shows: the site's title, place and organisation.

    ``path`` is the page's English address in the live app (for the navigation's
    current page, and with ``query`` for the language switch, which links the
    same page in each other language of the project); ``links`` builds every
    link, live or to the static export's files, in the page's language.
    Only the people's pages have other versions (``alternates``, by default
    for any page of the export and for the live pages web/languages.py lists).
    The static export, which has no headers of its own, puts its security
    policy in the page (``page_policy``).
    """
    settings = state.settings
    # A search engine shows the description under the page's title: what the page holds, else what it is called.
    summary = context.pop("description", None) or (
        f"{context['heading']}: {page_site(state)}, from {settings.organisation.name}."
        if context.get("heading")
        else f"{context.get('title') or page_site(state)}, from {settings.organisation.name}."
    )
    environment = page_environment(state.project_dir)
    if alternates is None:
        alternates = links.static_site or is_page(path)
    with using(links.language.code, state.project_dir):  # the words in the language the links are in
        return environment.get_template(template).render(
            site=page_site(state),
            theme_title=_(state.schema["title"]),  # in the page's language, as in its title
            settings=settings,
            path=path,
            links=links,
            tile_attribution=plain_text(settings.map.tile_attribution),
            page_policy=page_policy,
            description=meta_description(summary),
            licence_href=licence_url(settings.dataset.licence),
            language=links.language,
            translations=[
                (LANGUAGES[code], links.translation(LANGUAGES[code], path, query))
                for code in settings.place.languages
                if code != links.language.code and alternates
            ],
            **context,
        )


def meta_description(text: str) -> str:
    """A page's description, on one line and cut at a word to :data:`LONGEST_DESCRIPTION` characters."""
    text = " ".join(text.split())
    if len(text) <= LONGEST_DESCRIPTION:
        return text
    return text[:LONGEST_DESCRIPTION].rsplit(" ", 1)[0].rstrip(",.;:") + "..."


def plain_text(markup: str) -> str:
    """Attribution written as HTML (``&copy; OpenStreetMap``) as plain text: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", markup)).strip()


# The home page


@router.get("/", response_class=HTMLResponse)
def home(request: Request, state: State) -> HTMLResponse:
    """Every collection as a paged list beside a map, narrowed by the search form's words, filters, area and point."""
    search = read_search(request, state)
    links = live_links(request.app.state)
    context = home_context(state, search, lambda name: page_number(first_value(request, page_parameter(name))), links)
    return render(request, "home.html", status=400 if search.errors else 200, **context)


def home_context(state: ApiState, search: Search, page_of: Callable[[str], int], links: Links) -> dict[str, Any]:
    """What the home page shows for a search: each collection's page (``page_of`` its name) of the list."""
    collections = state.collections()
    sources = state.settings.collection_sources
    if search.area:  # the chosen area's collections, and those covering several areas: the filter narrows their rows
        shown_areas = {search.area, state.settings.whole_place.code}
        collections = [p for p in collections if p.area_code in shown_areas]
        sources = tuple(s for s in sources if state.settings.area_of(s).code in shown_areas)
    listings = [] if search.errors else [listing(state, search, p, page_of(p.collection), links) for p in collections]
    missing = sorted({s.name for s in sources} - {p.collection for p in collections})
    return {
        "title": (
            _("Error: %(site)s") if search.errors else _("Search results: %(site)s") if search.active else "%(site)s"
        )
        % {"site": page_site(state) if search.errors or search.active else home_heading(state)},
        "heading": home_heading(state),
        "description": _(
            "Find %(theme)s in %(place)s on a list and a map, by name, by what each offers and by how near it is. "
            "From %(organisation)s."
        )
        % {
            "theme": _(state.schema["title"]).lower(),
            "place": state.settings.place.name,
            "organisation": state.settings.organisation.name,
        },
        "search": search,
        "areas": area_choices(state),
        "area_groups": area_groups(state),
        "form_filters": form_filters(state, search),
        "open_now_box": state.shape.hours is not None,  # a static site cannot know what is open now
        "resident_filters": resident_filters(state, search),
        "resident_names": [OPEN_NOW, *(box.name for box in resident_filters(state, search))],
        # a static site has no form: it asks the store for no values to show as boxes
        "choice_groups": [] if links.static_site else choice_groups(state, search),
        "more_filters_open": more_filters_open(state, search),
        "date_field": field_titles(state).get(state.temporal_field) if state.temporal_field else None,
        "listings": listings,
        "page_size": PAGE_SIZE,
        "missing": missing,
        "ingest_command": INGEST_COMMAND,
    }


def home_heading(state: ApiState) -> str:
    """What the service is for, as a resident would put it: "Find a public toilet in Trafford".

    The theme's ``x-page`` ``singular`` names one of its things; a theme without it is named by its title.
    """
    place = state.settings.place.name
    singular = state.shape.singular
    if singular:
        # The catalogue holds the words as they read after "Find" in each language (Welsh mutates them).
        return _("Find %(singular)s in %(place)s") % {"singular": _(singular), "place": place}
    return _("Find %(theme)s in %(place)s") % {"theme": _(state.schema["title"]).lower(), "place": place}


def page_site(state: ApiState) -> str:
    """The site's name, in the page's language: the theme's title (in the catalogue) in the place."""
    return _("%(theme)s in %(place)s") % {"theme": _(state.schema["title"]), "place": state.settings.place.name}


def first_value(request: Request, name: str) -> str:
    """A query parameter's first value, trimmed; empty if it is missing."""
    values = request.query_params.getlist(name)
    return values[0].strip() if values else ""


def read_search(request: Request, state: ApiState) -> Search:
    """The home page's query, parsed the way the API parses its filters; each mistake is kept to show."""
    search = Search()
    # The Postcode or place box comes first on the form, so its mistake comes first in the error summary.
    search.near_text = first_value(request, "near")
    if search.near_text:
        try:
            if looks_like_a_point(search.near_text):
                search.near = parse_lat_lon(search.near_text)
            else:  # a postcode or a place name, looked up in the project's gazetteers
                found = state.locate(search.near_text)
                search.near, search.near_name = (found.lon, found.lat), found.name
        except (ClientError, ValueError) as error:
            message = str(getattr(error, "resident", None) or getattr(error, "message", error)).removeprefix("near: ")
            search.errors.append(
                form_error("near", _("Postcode or place: %(problem)s") % {"problem": message[:1].upper() + message[1:]})
            )
    search.q = first_value(request, "q")[:LONGEST_QUERY]
    search.words = tuple(dict.fromkeys(word.casefold() for word in search.q.split()))[:MOST_WORDS]
    repeatable = choice_fields(state)  # read with the boxes, below
    for name, parse in state.parsers().items():
        if name in repeatable:
            continue
        text = first_value(request, name)
        if not text:
            continue
        try:
            value = parse(text)
        except (FieldProblem, ValueError, TypeError) as problem:
            title = field_titles(state).get(name, name)
            message = _("%(field)s: %(problem)s. Choose a value from the list.") % {"field": title, "problem": problem}
            search.errors.append(form_error(name, message))
            continue
        if value is not None:
            search.filters[name], search.raw_filters[name] = value, text
    search.boxes = read_resident_boxes(request, state, search)
    open_now = first_value(request, OPEN_NOW)
    if open_now:
        try:
            search.open_now = add_open_now(state, search.filters, open_now)
        except ClientError as error:
            problem = error.message.removeprefix("open_now: ")
            search.errors.append(form_error(OPEN_NOW, _("Open now: %(problem)s") % {"problem": problem}))
    area = first_value(request, "area")
    if area and len(state.settings.all_areas) > 1:
        try:
            search.area = search.filters[AREA_CODE] = state.area_code(area)
        except ValueError as problem:
            message = _("Area: %(problem)s. Choose an area from the list.") % {"problem": problem}
            search.errors.append(form_error("area", message))
    search.datetime_text = first_value(request, "datetime")
    if search.datetime_text:
        try:
            dates = parse_datetime(search.datetime_text)
        except ClientError as error:
            title = field_titles(state).get(state.temporal_field or "", _("Dates"))
            search.errors.append(form_error("datetime", f"{title}: {error.message.removeprefix('datetime: ')}"))
        else:
            add_dates(search.filters, state.temporal_field, dates)
    return search


def read_resident_boxes(request: Request, state: ApiState, search: Search) -> Boxes:
    """The holds boxes ticked and the choices given, as the API reads them; each mistake kept by its parameter."""
    shape = state.shape
    held: list[HoldsFilter] = []
    chosen: dict[str, tuple[str, ...]] = {}
    texts: dict[str, str | list[str]] = {}
    for parameter, entry in shape.holds().items():
        text = first_value(request, parameter)
        try:
            if text and parse_held(entry, text):
                held.append(entry)
                texts[parameter] = "true"
        except ClientError as error:
            problem = error.message.removeprefix(f"{parameter}: ")
            message = _("%(label)s: %(problem)s") % {"label": _(entry.label), "problem": problem}
            search.errors.append(form_error(parameter, message))
    for name in shape.choices():
        given = [text.strip() for text in request.query_params.getlist(name) if text.strip()]
        if not given:
            continue
        try:
            chosen[name] = parse_chosen(state, name, given)
        except ClientError as error:
            title = field_titles(state).get(name, name)
            message = _("%(field)s: %(problem)s. Choose a value from the list.") % {
                "field": title,
                "problem": error.message.removeprefix(f"{name}: "),
            }
            search.errors.append(form_error(name, message))
            continue
        texts[name] = given
    return Boxes(tuple(held), chosen, texts)


def parse_lat_lon(text: str) -> tuple[float, float]:
    """A point typed as "latitude, longitude" (the order maps and phones show), returned as (lon, lat)."""
    expected = _("a point as latitude, longitude in decimal degrees, such as 53.45, -2.3")
    lat, lon = parse_numbers("near", text, (2,), expected)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        problem = _("%(value)s is not on Earth: latitude runs from -90 to 90 and longitude from -180 to 180")
        raise ValueError(problem % {"value": shown(text)})
    return lon, lat


def field_titles(state: ApiState) -> dict[str, str]:
    """Each field's title, in the page's language (the shipped themes' titles are in the catalogue)."""
    return {spec["name"]: _(spec.get("title", spec["name"])) for spec in state.fields}


def described_fields(state: ApiState) -> list[dict[str, Any]]:
    """The schema's fields that describe a feature: all but the one naming the coordinate system."""
    crs_field = (state.schema.get("x-geometry") or {}).get("crs_field")
    return [spec for spec in state.fields if spec["name"] != crs_field]


def area_choices(state: ApiState) -> list[Choice]:
    """The areas to choose from on the home page, by name: none when the app has only one."""
    areas = state.settings.all_areas
    return [Choice(area.code, area.name) for area in sorted(areas, key=area_order)] if len(areas) > 1 else []


@dataclass(frozen=True)
class AreaGroup:
    """The areas of one country, as one ``<optgroup>`` of the area chooser."""

    label: str
    choices: tuple[Choice, ...]


def area_groups(state: ApiState) -> list[AreaGroup]:
    """The area chooser's areas by country (from each GSS code's letter), each by name: one group per country.

    With hundreds of areas (a national app) a person finds theirs under its
    country; a native select with groups stays usable with a keyboard and a
    screen reader, which announces each option's group.
    """
    groups: dict[str, list[Choice]] = {}
    for choice in area_choices(state):
        country = country_of(choice.value)
        groups.setdefault(country.name if country else OTHER_AREAS, []).append(choice)
    order = [*(country.name for country in COUNTRIES.values()), OTHER_AREAS]
    return [AreaGroup(name, tuple(groups[name])) for name in order if name in groups]


def area_order(area: Area) -> tuple[str, str]:
    """Areas by name as people read them (case aside), then by code."""
    return area.name.casefold(), area.code


def resident_filters(state: ApiState, search: Search) -> list[Checkbox]:
    """The boxes a resident ticks first, from the theme's x-page ``filters`` (schemas/layout.py), in its order.

    A box of a field's value sends the field's parameter; a holds box its own
    (``accessible=true``). The choices groups are :func:`choice_groups`.
    """
    boxes = []
    for entry in state.shape.filters:
        if isinstance(entry, ResidentFilter):
            ticked = checked(search, entry.field, entry.value)
            boxes.append(Checkbox(entry.field, query_value(entry.value), _(entry.label), ticked))
        elif isinstance(entry, HoldsFilter):
            boxes.append(Checkbox(entry.parameter, "true", _(entry.label), entry in search.boxes.held))
    return boxes


def choice_groups(state: ApiState, search: Search) -> list[ChoiceGroup]:
    """A group of boxes for each choices filter: the field's commonest values, by name, and any other one chosen.

    The values are the data's, shown as text; each box's id is numbered,
    never made of its value.
    """
    groups = []
    for name, entry in state.shape.choices().items():
        chosen = search.boxes.chosen.get(name, ())
        values = commonest_values(state, entry)
        values += [value for value in chosen if value not in values]
        boxes = tuple(
            Checkbox(name, value, value, value in chosen, f"field-{name}" + (f"-{number}" if number > 1 else ""))
            for number, value in enumerate(values, 1)
        )
        if boxes:
            groups.append(ChoiceGroup(name, _(entry.label), boxes))
    return groups


def query_value(value: str | float | int | bool) -> str:
    """A filter's value as a query carries it, which the field's parser reads back: true, false, 0, 0.5."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def checked(search: Search, name: str, value: str | float | int | bool) -> bool:
    """Whether the search filters ``name`` on exactly ``value`` (a yes/no field's True is not a number's 1)."""
    if name not in search.filters:
        return False
    given = search.filters[name]
    return isinstance(given, bool) == isinstance(value, bool) and given == value


def more_filters_open(state: ApiState, search: Search) -> bool:
    """Whether "More filters" starts open: one of its filters is chosen, or holds a mistake to show."""
    shape = state.shape
    boxes = shape.box_fields() | set(shape.holds())
    chosen = set(search.raw_filters) - boxes
    mistaken = {error.parameter for error in search.errors} - boxes - {OPEN_NOW, "near", "area"}
    return bool(chosen or mistaken or search.datetime_text)


def form_filters(state: ApiState, search: Search) -> list[Filter]:
    """A select box for each field with an enum, and a yes/no one for each boolean field, but the resident filters."""
    found = []
    boxes = state.shape.box_fields()
    for spec in described_fields(state):
        name = spec["name"]
        if name in boxes:  # a box among the resident filters
            continue
        selected = search.raw_filters.get(name, "")
        if spec.get("type") == "boolean":
            value = search.filters.get(name)
            selected = ANY if value is None else ("true" if value else "false")
            choices = tuple(Choice(value, _(label)) for value, label in YES_NO.items())
        elif (spec.get("constraints") or {}).get("enum"):
            value = search.filters.get(name)
            selected = ANY if value is None else str(value)
            choices = tuple(Choice(str(option), str(option)) for option in spec["constraints"]["enum"])
        else:
            continue
        found.append(Filter(name, _(spec.get("title", name)), choices, selected))
    return found


def listing(state: ApiState, search: Search, provenance: Provenance, page: int, links: Links) -> Listing:
    """One page of a collection's features for this search: a store query, then the text match if asked."""
    name = provenance.collection
    offset = (page - 1) * PAGE_SIZE
    # The store is not asked to check an area that every row of the collection is in (see areas.needed).
    query = replace(search, filters=areas.needed(search.filters, provenance, state.settings))
    # One consistent read, so that the count and the page come from the same load.
    if search.words:
        found, matched, complete = state.store.consistent(lambda: text_search(state, name, query, offset))
    else:
        found, matched = state.store.consistent(lambda: page_and_count(state, name, query, offset))
        complete = True

    def page_href(number: int) -> str:
        return links.list_page(name, number, search.parameters())

    # A record opened from a search, or from a later page, links back to this page of results.
    back = page_href(page) if (search.active or page > 1) and not links.static_site else None
    listed = Listed(fields_by_name(state), "?" + urlencode({FROM: back}) if back else "", moment(state, links))
    items = [as_item(state, name, feature, metres, links, listed) for feature, metres in found]
    more = offset + len(items) < matched or not complete
    return Listing(
        provenance=provenance,
        items=items,
        first=offset + 1,
        matched=matched,
        complete=complete,
        page=page,
        pages=max(1, math.ceil(matched / PAGE_SIZE)),
        first_href=page_href(1),
        previous_href=page_href(page - 1) if page > 1 else None,
        next_href=page_href(page + 1) if more and len(items) == PAGE_SIZE else None,
        api_href=links.items(name, api_parameters(search)),
        csv_href=links.items(name, api_parameters(search), csv=True),
        # The API has no word search: with words, the map keeps to the list's page rather than show what they exclude.
        map_href=None if links.static_site or search.q else links.items(name, map_parameters(state, search)),
        name_fields=name_fields(state),
    )


def name_fields(state: ApiState) -> tuple[str, ...]:
    """The schema's fields that name a feature, in the order feature_name tries them."""
    present = {spec["name"] for spec in state.schema["fields"]}
    return tuple(field for field in NAME_FIELDS if field in present)


def map_parameters(state: ApiState, search: Search) -> dict[str, str | list[str]]:
    """The API's parameters for the map's markers: the search's features, a large page each, only their names."""
    return {**api_parameters(search), "limit": str(MAX_LIMIT), "properties": ",".join(name_fields(state))}


def page_number(text: str) -> int:
    """A page number from the URL; anything that is not a whole number from 1 is the first page."""
    return int(text) if text.isdigit() and 0 < int(text) < 10**9 else 1


def page_and_count(
    state: ApiState, name: str, search: Search, offset: int
) -> tuple[list[tuple[Feature, float | None]], int]:
    """A page of features for this search, and how many match it in all."""
    found = batch(state, name, search, offset, PAGE_SIZE)
    return found, state.store.count(name, filters=search.filters or None, where=search.boxes.where)


def batch(state: ApiState, name: str, search: Search, offset: int, limit: int) -> list[tuple[Feature, float | None]]:
    """Features as the store finds them for this search's filters: nearest first when a point is given."""
    filters, where = search.filters or None, search.boxes.where
    if search.near:
        return list(state.store.nearest(name, *search.near, limit=limit, offset=offset, filters=filters, where=where))
    page = state.store.features(name, limit=limit, offset=offset, filters=filters, where=where)
    return [(feature, None) for feature in page]


def text_search(
    state: ApiState, name: str, search: Search, offset: int
) -> tuple[list[tuple[Feature, float | None]], int, bool]:
    """The page of features, from ``offset``, holding every word; the count; whether it counted them all.

    The store's word index answers, within :data:`SEARCH_SECONDS` or the
    share of the request's time left, whichever is less: past it, the page is
    empty and the count "or more" rather than the request failing (unless the
    request's own time is up). A collection loaded without the index is read
    through by :func:`scan_search`.
    """
    request = deadline.current()
    seconds = SEARCH_SECONDS if request is None else min(SEARCH_SECONDS, request.left() * SEARCH_SHARE)
    try:
        with deadline.within(seconds):
            found = state.store.search(
                name,
                search.words,
                limit=PAGE_SIZE,
                offset=offset,
                filters=search.filters or None,
                near=search.near,
                most=SEARCH_LIMIT,
                where=search.boxes.where,
            )
    except deadline.TooSlow:
        if request is not None and request.passed():
            raise
        return [], 0, False
    if found is None:
        return scan_search(state, name, search, offset)
    # past the count's limit the page may run beyond it: the count is "or more" of at least what is shown
    return found.page, max(found.matched, offset + len(found.page)), found.complete


def scan_search(
    state: ApiState, name: str, search: Search, offset: int
) -> tuple[list[tuple[Feature, float | None]], int, bool]:
    """:func:`text_search` by reading features, for a collection loaded before the store indexed words.

    Each word must appear anywhere, in any case, in the searched fields (see
    :func:`~local_data_app.store.searched_fields`) or the id.

    Reads the store's filtered features in batches, up to :data:`SCAN_LIMIT`
    features and :data:`SEARCH_SECONDS` of reading (less when the request's
    deadline is nearer), so that no request works for long whatever it asks;
    what was not read makes the count "or more".
    Nearest first, the store ranks twice as many candidates each time the
    ranked ones run out (500, 1,000, 2,000, ...): a ranking per batch would
    rank the collection again for every batch, and one of all 20,000 at once
    could outlast the request's time before a word is matched.
    """
    text_fields = searched_fields(state.fields)
    page: list[tuple[Feature, float | None]] = []
    matched = read = 0
    seconds = SEARCH_SECONDS
    if (request := deadline.current()) is not None:  # leave the request time to answer with what was found
        seconds = min(seconds, request.left() * SEARCH_SHARE)
    stop = time.monotonic() + seconds
    ranked: list[tuple[Feature, float | None]] = []
    ranked_all = False
    while read < SCAN_LIMIT and time.monotonic() < stop:
        if search.near and read == len(ranked):  # rank twice as many: the work grows with what is read
            asked = min(max(2 * read, SEARCH_BATCH), SCAN_LIMIT)
            ranked = batch(state, name, search, 0, asked)
            ranked_all = len(ranked) < asked
        found = ranked[read : read + SEARCH_BATCH] if search.near else batch(state, name, search, read, SEARCH_BATCH)
        for feature, metres in found:
            if matches(feature, text_fields, search.words):
                if offset <= matched < offset + PAGE_SIZE:
                    page.append((feature, metres))
                matched += 1
        read += len(found)
        if (ranked_all and read == len(ranked)) if search.near else len(found) < SEARCH_BATCH:
            return page, matched, True
    return page, matched, False


def matches(feature: Feature, text_fields: Sequence[str], words: Sequence[str]) -> bool:
    """Whether every word appears, in any case, in the feature's searched fields or its id."""
    values = [feature.id, *(feature.properties.get(name) for name in text_fields)]
    text = " ".join(value for value in values if isinstance(value, str)).casefold()
    return all(word in text for word in words)


def feature_name(state: ApiState, feature: Feature) -> str:
    """What a feature is called: its name field, or its id when that is blank, as the API's own pages name it."""
    return named(state.fields, feature.properties, feature.id)


def page_layout(state: ApiState) -> Layout:
    """What the theme's x-page annotation puts first (checked when the schema was loaded)."""
    return state.shape


def fields_by_name(state: ApiState) -> dict[str, dict[str, Any]]:
    return {spec["name"]: spec for spec in described_fields(state)}


@dataclass(frozen=True)
class Listed:
    """What every item of one list page shares: the fields by name, the query back to the page, and now.

    It keeps each opening-hours text's words at that moment as the page
    works them out: a list's places share a few texts ("24 hours", "8am to
    6pm daily"), and evaluating one took about as long as the rest of an item.
    """

    fields: dict[str, dict[str, Any]]
    back: str  # "?from=<the list page>" for the record's back link, or ""
    moment: datetime | None
    hours_words: dict[str, str | None] = field(default_factory=dict, compare=False)

    def opening(self, shape: Layout, properties: Mapping[str, Any]) -> str | None:
        """The place's opening hours at the list's moment, in words (answers.opening)."""
        text = properties.get(shape.hours or "")
        if not isinstance(text, str):
            return answers.opening(shape, properties, self.moment)
        words = self.hours_words.get(text)
        if words is None and text not in self.hours_words:
            words = self.hours_words[text] = answers.opening(shape, properties, self.moment)
        return words


def as_item(
    state: ApiState, collection: str, feature: Feature, metres: float | None, links: Links, listed: Listed
) -> Item:
    """A feature as the list shows it; its link carries the list page (``listed.back``) for the record's back link."""
    shape = page_layout(state)
    listed_hours = answers.filled(feature.properties.get(shape.hours or ""))  # "not known" only on its page
    return Item(
        id=feature.id,
        name=feature_name(state, feature),
        href=links.feature(collection, feature.id) + listed.back,
        lat=feature.lat,
        lon=feature.lon,
        summary=answers.summary_line(shape, listed.fields, feature.properties),
        distance=describe_distance(metres) if metres is not None else None,
        hours=listed.opening(shape, feature.properties) if listed_hours else None,
    )


def moment(state: ApiState, links: Links) -> datetime | None:
    """Now, in the place's time, for "open now"; None for the static export, whose pages would say it for ever."""
    return None if links.static_site else state.clock().astimezone(LONDON)


def describe_distance(metres: float) -> str:
    if metres < 1000:
        return _("%(distance)s m away") % {"distance": f"{round(metres):,}"}
    return _("%(distance)s km away") % {"distance": f"{metres / 1000:,.1f}"}


def api_parameters(search: Search) -> dict[str, str | list[str]]:
    """The API's parameters for the same features (without the words: the API has no text search)."""
    parameters: dict[str, str | list[str]] = {**search.raw_filters, **search.boxes.texts}
    if search.area:
        parameters["area"] = search.area
    if search.datetime_text:
        parameters["datetime"] = search.datetime_text
    if search.open_now:
        parameters[OPEN_NOW] = "true"
    if search.near:
        parameters["near"] = f"{search.near[0]},{search.near[1]}"
    return parameters


# One feature


@dataclass(frozen=True)
class Row:
    """One line of a feature's details: a label and the value as text, with a link where it is a web address."""

    label: str
    value: str
    href: str | None = None


@router.get("/features/{collection}/{feature_id:path}", response_class=HTMLResponse)
def feature_page(collection: str, feature_id: str, request: Request, state: State) -> HTMLResponse:
    """Every field of one feature with its title, its extra source columns, a link to its JSON and a map."""
    provenance = next((p for p in state.collections() if p.collection == collection), None)
    if provenance is None:
        raise not_found(f"There is no collection named {shown(collection)}. The home page lists them.")
    feature = None
    if "\x00" not in feature_id:
        feature = state.store.feature(collection, feature_id)
    if feature is None:
        raise not_found(
            f"There is nothing with the id {shown(feature_id)} in {collection}. "
            "It may have gone when the data was last loaded."
        )
    back = back_href(state, first_value(request, FROM))
    links = live_links(request.app.state)
    page_url = str(request.base_url).rstrip("/") + links.feature(collection, feature.id)
    context = feature_context(state, provenance, feature, links, back=back, page_url=page_url)
    return render(request, "feature.html", **context)


def back_href(state: ApiState, text: str) -> str | None:
    """The list page a record was opened from, when ``from`` holds one; None for anything else.

    Only the home page's own address (``/?...#collection``) with its own
    parameters passes, rebuilt from its parts: never another site
    (``https://...``, ``//...``), another scheme (``javascript:``) or markup.
    """
    if not text or len(text) > LONGEST_FROM or "\\" in text or not text.isprintable():
        return None
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or parts.path != "/":
        return None
    names = {p.collection for p in state.collections()}
    allowed = {"q", "area", "datetime", "near", *state.parsers(), *(page_parameter(name) for name in names)}
    try:
        pairs = parse_qsl(parts.query, strict_parsing=bool(parts.query), max_num_fields=len(allowed))
    except ValueError:
        return None
    if any(name not in allowed for name, _ in pairs):
        return None
    query = "?" + urlencode(pairs) if pairs else ""
    return ("/" + query + (f"#{parts.fragment}" if parts.fragment in names else "")) if query else None


@dataclass(frozen=True)
class Report:
    """How to report a problem with a place: an e-mail with its subject and body written, and perhaps a form."""

    address: str
    mailto: str


def feature_context(
    state: ApiState,
    provenance: Provenance,
    feature: Feature,
    links: Links,
    back: str | None = None,
    page_url: str | None = None,
) -> dict[str, Any]:
    """What a feature's page shows: the resident's first answers, then every field, the extra columns and links.

    ``back`` is the list page it was opened from (see :func:`back_href`);
    ``page_url`` the page's own address, written into a problem report.
    """
    shape = page_layout(state)
    properties = feature.properties
    organisation = state.settings.organisation
    email = answers.email_address(properties.get(shape.report_email)) if shape.report_email else None
    telephone = properties.get(shape.report_telephone) if shape.report_telephone else None
    telephone = telephone.strip() if isinstance(telephone, str) and telephone.strip() else None
    rows = [
        Row(_(spec.get("title", spec["name"])), *shown_value(spec, feature.properties.get(spec["name"])))
        for spec in state.fields
    ]
    if len(state.settings.all_areas) > 1 and feature.properties.get(AREA_CODE):
        rows.append(Row(_("Area"), f"{feature.properties.get(AREA_NAME)} ({feature.properties[AREA_CODE]})"))
    extra = [Row(str(key), *shown_value({}, value)) for key, value in sorted(feature.extra.items())]
    name = feature_name(state, feature)
    collection = provenance.collection
    report_to = email or organisation.contact_email
    about = _("the record %(id)s in %(collection)s") % {"id": feature.id, "collection": collection}
    about += f", {page_url}" if page_url else ""
    body = _("I would like to report a problem with %(name)s, %(about)s.") % {"name": name, "about": about}
    body += "\n\n" + _("The problem:") + "\n"
    subject = _("Problem with %(name)s (%(id)s)") % {"name": name, "id": feature.id}
    return {
        "title": f"{name} - {page_site(state)}",
        "description": _("%(name)s: %(summary)s, in %(place)s.")
        % {
            "name": name,
            "summary": answers.summary_line(shape, fields_by_name(state), properties) or _(state.schema["title"]),
            "place": state.settings.place.name,
        },
        "name": name,
        "back_href": back or links.home(),
        "back_is_search": back is not None,
        "answers": answers.first_answers(shape, fields_by_name(state), properties, shown_value, moment(state, links)),
        "directions": answers.directions(feature.lat, feature.lon),
        "email": email,
        "email_href": answers.mailto(email) if email else None,
        "telephone": telephone,
        "telephone_href": answers.telephone_href(telephone),
        "report": Report(report_to, answers.mailto(report_to, subject, body)),
        "report_url": organisation.report_url,
        "feature": feature,
        "provenance": provenance,
        "rows": rows,
        "extra": extra,
        "json_href": links.item(collection, feature.id),
        "csv_href": links.items(collection, {}, csv=True),
        "href": links.feature(collection, feature.id),
    }


def shown_value(spec: Mapping[str, Any], value: Any) -> tuple[str, str | None]:
    """A value as a person reads it: yes or no, "Not recorded" for a blank, and a link for a web address."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _(NOT_RECORDED), None
    if isinstance(value, bool):
        return (_("Yes") if value else _("No")), None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and spec.get("type") != "number":
        value = int(value)
    text = str(value)
    if spec.get("format") == "uri" and re.match(r"https?://", text, re.IGNORECASE):
        return text, text
    return text, None


# About


@router.get("/about", response_class=HTMLResponse)
def about(request: Request, state: State) -> HTMLResponse:
    """Where each collection's data came from, the app's licence, and how to run it for another area."""
    site_url = str(request.base_url).rstrip("/") + "/"
    json_ld = dataset(state, live_links(request.app.state), site_url, api=site_url + "api")
    return render(request, "about.html", **about_context(state), json_ld=json_ld)


@dataclass(frozen=True)
class AreaSection:
    """One area on the about page: its loaded collections, and its sources not loaded yet."""

    area: Area | None  # None for data loaded before areas were recorded
    collections: list[Provenance]
    missing: list[str]
    many: bool = False  # the sources covering many areas, each row naming its own (area_column)


def about_context(state: ApiState) -> dict[str, Any]:
    """What the about page shows: each collection's provenance (by area, when there are several) and the licence."""
    collections = state.collections()
    settings = state.settings
    sections = []
    if len(settings.all_areas) > 1:
        place = settings.whole_place
        # A source covering many areas (area_column) is credited once, for the whole place, not under each area.
        many = [p for p in collections if p.area_code == place.code]
        wanted = {s.name for s in settings.collection_sources if s.area_column is not None}
        placed = bool(many or wanted)
        if placed:
            sections.append(AreaSection(place, many, sorted(wanted - {p.collection for p in many}), many=True))
        for area in settings.all_areas:
            if placed and area.code == place.code:
                continue
            loaded = [p for p in collections if p.area_code == area.code]
            wanted = {s.name for s in settings.collection_sources if settings.area_of(s).code == area.code}
            if not loaded and not wanted and (many or len(settings.all_areas) > MOST_EMPTY_AREAS):
                continue  # an area whose data comes from a source covering many: nothing of its own to say
            sections.append(AreaSection(area, loaded, sorted(wanted - {p.collection for p in loaded})))
        known = {area.code for area in settings.all_areas} | {place.code}
        others = [p for p in collections if p.area_code not in known]
        if others:
            sections.append(AreaSection(None, others, []))
    return {
        "title": _("About - %(site)s") % {"site": page_site(state)},
        "description": _(
            "Where the data about %(theme)s in %(place)s comes from, its licence (%(licence)s), and how to "
            "download it or run this app for another area."
        )
        % {
            "theme": _(state.schema["title"]).lower(),
            "place": settings.place.name,
            "licence": settings.dataset.licence,
        },
        "collections": collections,
        "areas": sections,
        "gazetteers": state.gazetteers(),  # the postcodes and place names near= looks up: their licence and source
        "code_licence": code_licence(),
        "ingest_command": INGEST_COMMAND,
    }


@functools.cache
def code_licence() -> str | None:
    """The app's code licences as installed package metadata gives them: the project's, then the engine's.

    The project is any installed distribution that depends on the engine (a
    generated project does); the engine's licence covers Leaflet, which it ships.
    Read once a process: reading every installed distribution's metadata took
    about 100 ms, on every request for the about page, and what is installed
    does not change while the app runs.
    """
    found = []
    for distribution in sorted(metadata.distributions(), key=lambda item: item.metadata["Name"] or ""):
        name = distribution.metadata["Name"] or ""
        depends = any(re.match(r"local[-_.]data[-_.]app\b(?![-_.]\w)", line) for line in distribution.requires or [])
        if depends or name == ENGINE:
            licence = distribution.metadata.get("License-Expression") or distribution.metadata.get("License")
            if licence:
                found.append((name == ENGINE, f"{licence} ({name})"))
    return "; ".join(text for _, text in sorted(found)) or None


# Errors, static files and installation


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """An error as a page, for a person: web/errors.py decides when."""
    return render(request, "error.html", status=status, **error_context(request.app.state.api, status, message))


def error_context(state: ApiState, status: int, message: str) -> dict[str, Any]:
    heading = _("Page not found") if status == 404 else _("Sorry, there is a problem")
    message = _(message)  # a message the catalogue holds (NO_PAGE) in the page's language; others as they are
    return {"title": f"{heading} - {page_site(state)}", "heading": heading, "message": message, "description": message}


def install(app: FastAPI, project_dir: Path | None = None, generated: Mapping[str, bytes] | None = None) -> None:
    """Add the pages and the static files to an app that has the API.

    The static files are those ``generated`` from the settings (brand.py), then the project's, then the engine's.
    """
    app.include_router(router)
    versions = StaticVersions(project_dir, generated)
    app.state.links = Links(static_address=versions.address)
    app.mount("/static", static_app(project_dir, versions), name="static")
