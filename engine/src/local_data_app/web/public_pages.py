"""The pages a public body must publish: the accessibility statement and the privacy notice, from place.toml.

The Public Sector Bodies (Websites and Mobile Applications) Accessibility
Regulations 2018 ask for a statement in the model format GOV.UK publishes:
the compliance status against WCAG 2.2 AA, what is not accessible and its
alternative, how the site was tested and when, how to report a problem, and
the enforcement procedure, which depends on the country: the Equality and
Human Rights Commission in England, Scotland and Wales, the Equality
Commission for Northern Ireland there. The country comes from the areas' GSS
codes, read as the ``area-country`` check reads them.

The privacy notice says what the site processes: the location a resident
shares leaves their browser only as the search near it they ask for, there are no
cookies, and the server's logs are kept for ``[privacy] log_days``. Both pages
are written from ``[accessibility]``, ``[privacy]`` and ``[organisation]``, so
a team sets facts, not wording; the templates hold the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..checks.area_country import country_of
from ..config import Settings
from ..hours.status import MONTHS
from ..language import N_, ngettext
from ..language import gettext as _
from ..ogc.state import ApiState
from .api import State
from .pages import page_site, render

REGULATIONS = N_(
    "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 "
    "(the \N{LEFT SINGLE QUOTATION MARK}accessibility regulations\N{RIGHT SINGLE QUOTATION MARK})"
)
# The compliance sentence the model statement requires, for each [accessibility] status.
COMPLIANCE = {
    "fully": N_(
        "This website is fully compliant with the Web Content Accessibility Guidelines version 2.2 AA standard."
    ),
    "partially": N_(
        "This website is partially compliant with the Web Content Accessibility Guidelines version 2.2 AA standard, "
        "due to the non-compliances listed below."
    ),
    "not": N_(
        "This website is not compliant with the Web Content Accessibility Guidelines version 2.2 AA standard. "
        "The non-compliances are listed below."
    ),
}
# What the engine knows about its own pages, said on every statement: the map, and the list that stands in for it.
MAP_LIMITATION = N_(
    "The maps are pictures drawn from map tiles, which have no text alternative, and moving around a map needs a "
    "pointer or the arrow keys. Every map shows the places listed beside it: that list, and the page each place "
    "has, give the same information in text and work with a keyboard and a screen reader."
)
AUTOMATED_TESTING = N_(
    "Every kind of page this website is built from is checked on every build of its software with axe-core, an "
    "automated accessibility checker, in the Chromium browser, against WCAG 2.0, 2.1 and 2.2 at levels A and AA, "
    "with JavaScript on and off."
)
NO_MANUAL_TESTING = N_(
    "The site has not yet been tested by hand by the people who run it. Automated checks find only some problems: "
    "testing with a keyboard alone, a screen reader and screen magnification, ideally with disabled people, is "
    "still to be done."
)


@dataclass(frozen=True)
class EnforcementBody:
    """Who enforces the accessibility regulations where the site's areas are, and where a resident turns to."""

    country: str  # where it applies, as the statement says it
    name: str
    contact: str  # whom a resident contacts
    url: str


GREAT_BRITAIN = EnforcementBody(
    N_("England, Scotland and Wales"),
    N_("the Equality and Human Rights Commission (EHRC)"),
    N_("the Equality Advisory and Support Service (EASS)"),
    "https://www.equalityadvisoryservice.com/",
)
NORTHERN_IRELAND = EnforcementBody(
    N_("Northern Ireland"),
    N_("the Equality Commission for Northern Ireland (ECNI)"),
    N_("the Equality Commission for Northern Ireland"),
    "https://www.equalityni.org/Home",
)


def enforcement_bodies(codes: list[str]) -> list[EnforcementBody]:
    """The bodies for the countries of these GSS codes: the EHRC for E, W and S codes, ECNI for N codes.

    A K code spans countries: K02 (the United Kingdom) counts for both, K03
    (Great Britain) and K04 (England and Wales) for the EHRC.
    """
    found: list[EnforcementBody] = []
    for code in codes:
        for body in bodies_for(code):
            if body not in found:
                found.append(body)
    return sorted(found, key=lambda body: body is NORTHERN_IRELAND) or [GREAT_BRITAIN]


def bodies_for(code: str) -> tuple[EnforcementBody, ...]:
    """The bodies for one GSS code's area; none for a code of no known country."""
    if code.upper().startswith("K02"):
        return GREAT_BRITAIN, NORTHERN_IRELAND
    if code.upper().startswith("K"):
        return (GREAT_BRITAIN,)
    country = country_of(code)
    if country is None:
        return ()
    return (NORTHERN_IRELAND,) if country.name == "Northern Ireland" else (GREAT_BRITAIN,)


def written(day: date | None) -> str | None:
    """A date as the statement writes it, 15 January 2026, in the page's language whatever the server's locale."""
    return f"{day.day} {_(MONTHS[day.month - 1])} {day.year}" if day else None


def area_codes(settings: Settings) -> list[str]:
    """The codes of the areas the site serves: the [[areas]], or without them [place]."""
    return [area.code for area in settings.all_areas]


def accessibility_context(state: ApiState) -> dict[str, Any]:
    """What the statement says, from ``[accessibility]``, the organisation and the areas' countries."""
    settings = state.settings
    statement = settings.accessibility
    site = page_site(state)
    return {
        "title": _("Accessibility statement - %(site)s") % {"site": site},
        "description": _(
            "How accessible %(site)s is, what does not work for everyone yet, and how to report a problem "
            "to %(organisation)s."
        )
        % {"site": site, "organisation": settings.organisation.name},
        "statement": statement,
        "compliance": _(COMPLIANCE[statement.status]),
        "map_limitation": _(MAP_LIMITATION),
        "automated_testing": _(AUTOMATED_TESTING),
        "no_manual_testing": _(NO_MANUAL_TESTING),
        "contact_email": statement.contact_email or settings.organisation.contact_email,
        "report_url": settings.organisation.report_url,
        "regulations": _(REGULATIONS),
        "bodies": enforcement_bodies(area_codes(settings)),
        "prepared": written(statement.prepared),
        "reviewed": written(statement.reviewed),
        "tested": written(statement.tested),
    }


def privacy_context(state: ApiState) -> dict[str, Any]:
    """What the notice says, from ``[privacy]`` and the organisation."""
    settings = state.settings
    privacy = settings.privacy
    site = page_site(state)
    controller = privacy.controller or settings.organisation.name
    return {
        "title": _("Privacy notice - %(site)s") % {"site": site},
        "description": _(
            "What %(site)s does with information about you: no cookies, your location is sent only with a search "
            "you ask for, and server logs are kept for %(period)s."
        )
        % {"site": site, "period": days(privacy.log_days)},
        "privacy": privacy,
        "controller": controller,
        "contact_email": privacy.contact_email or settings.organisation.contact_email,
        "log_period": days(privacy.log_days),
    }


def days(count: int) -> str:
    if count == 0:
        return _("no time at all: they are not kept")
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": f"{count:,}"}


router = APIRouter(include_in_schema=False)


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility(request: Request, state: State) -> HTMLResponse:
    """The accessibility statement in the model format."""
    return render(request, "accessibility.html", **accessibility_context(state))


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request, state: State) -> HTMLResponse:
    """The privacy notice."""
    return render(request, "privacy.html", **privacy_context(state))
