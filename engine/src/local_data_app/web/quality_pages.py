"""The data quality page, /quality: a section per collection saying how its last load went, for people.

It shows what quality.py measured at load time, as the API's
/api/collections/{id}/quality gives it in JSON: the status in plain words,
rows read, loaded and rejected, the commonest reasons for rejection with
example row numbers, how complete each field is and the data's dates. The
static export writes the same page as quality.html (export.py). Reasons
quote the data, so the template shows them as text, escaped like every value.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..language import gettext as _
from ..ogc.state import ApiState
from ..quality import Quality, quality_of
from .api import State
from .pages import INGEST_COMMAND, page_site, render

router = APIRouter(include_in_schema=False)


@router.get("/quality", response_class=HTMLResponse)
def quality_page(request: Request, state: State) -> HTMLResponse:
    """Every collection's data quality, from its last load."""
    return render(request, "quality.html", **quality_context(state))


def quality_context(state: ApiState) -> dict[str, Any]:
    """What the quality page shows: each collection's quality, by area when the app has several."""
    reports: list[Quality] = [quality_of(provenance, state.fields) for provenance in state.collections()]
    return {
        "title": _("Data quality - %(site)s") % {"site": page_site(state)},
        "reports": reports,
        "several_areas": len(state.settings.all_areas) > 1,
        "ingest_command": INGEST_COMMAND,
    }
