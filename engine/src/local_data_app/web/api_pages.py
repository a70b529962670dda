"""The API's answers as JSON or as HTML pages, whichever the request asks for (see negotiation.py).

Each route of api.py builds its document with the OGC layer and hands it
here: it gains its ``alternate`` link to its page, then goes out as JSON, or
as the page :mod:`local_data_app.ogc.html` makes from that same document,
rendered with the site's templates (``templates/api/``, which a project can
override like any other, see overrides.py). An answer chosen by the Accept
header carries ``Vary: Accept``. errors.py asks :func:`wants_html` too, so a
mistake made in a browser is shown as a page.

The pages speak the request's language (``/cy/api/...`` is Welsh, see
languages.py): their words come from the catalogue, their links stay under
the same prefix, and each links to its version in the project's other
languages with ``hreflang``, keeping its query (``f=html`` and the rest).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from ..language import N_
from ..language import gettext as _
from ..ogc import html
from ..ogc.state import ApiState
from ..ogc.urls import JSON
from . import negotiation
from .links import live_links
from .responses import FastJSONResponse

API_NAME = N_("Data API")

View = Callable[[dict[str, Any]], dict[str, Any]]


def requested_format(request: Request) -> str | None:
    """The request's ``f``, as first given (a second is refused by the route)."""
    values = request.query_params.getlist("f")
    return values[0] if values else None


def wants_html(request: Request) -> bool:
    """Whether the request asks for a page: ``f=html``, or no format and a browser's Accept header."""
    return negotiation.wants_html(requested_format(request), request.headers.get("accept"))


def vary(request: Request) -> dict[str, str]:
    """``Vary: Accept`` when the Accept header chose the answer, for caches; nothing when ``f`` did."""
    return dict(negotiation.VARY) if negotiation.depends_on_accept(requested_format(request)) else {}


def represent(
    request: Request,
    document: dict[str, Any],
    template: str,
    view: View,
    *,
    self_href: str | None = None,
    media_type: str = JSON,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The document as JSON of ``media_type``, or as ``template`` showing ``view(document)`` when HTML is asked for.

    ``self_href`` is the document's own address, for one that has no self link (conformance);
    ``headers`` go with either (Content-Crs, say).
    """
    document = html.with_alternates(document, self_href)
    headers = {**(headers or {}), **vary(request)}
    if wants_html(request):
        return page(request, template, view(document), headers=headers)
    return FastJSONResponse(document, media_type=media_type, headers=headers)


def page(
    request: Request, template: str, context: Mapping[str, Any], *, headers: Mapping[str, str], status: int = 200
) -> HTMLResponse:
    """An API page from its template and view, under the site's header and footer."""
    state: ApiState = request.app.state.api
    # pages.py imports api.py, which imports this module: pages is read when a page is made, not on import.
    from .pages import page_site, render_text

    site = page_site(state)
    named = context.get("page_title") or context["heading"]
    title = f"{_(API_NAME)} - {site}" if named == site else f"{named} - {_(API_NAME)} - {site}"
    links = live_links(request.app.state)
    # The path is the English one (languages.py answers /cy/api/... with /api/...); the switch keeps the query.
    body = render_text(
        state,
        template,
        path=request.url.path,
        links=links,
        title=title,
        query=request.url.query,
        alternates=True,
        **context,
    )
    return HTMLResponse(body, status_code=status, headers=dict(headers))
