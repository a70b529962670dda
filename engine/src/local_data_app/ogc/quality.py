"""A collection's data quality as a JSON document: the live API's /api/collections/{id}/quality and the export's file.

Built from :class:`~..quality.Quality` alone, with the addresses it links to
given by the caller, so the live API and the static export write the same
document. Its members are named in camelCase as the collection document's
``provenance`` is; docs/api.md describes each.
"""

from __future__ import annotations

from typing import Any

from ..language import N_
from ..language import gettext as _
from ..quality import Quality
from .urls import HTML, JSON, link

QUALITY_REL = "describedby"  # the collection document's link to this one (IANA: a description of the resource)
QUALITY_TITLE = N_("Its data quality: rows read, loaded and rejected, and how complete each field is")


def quality_document(quality: Quality, own: str, page: str, collection: str | None) -> dict[str, Any]:
    """The document for one collection; ``collection`` is its own document's address, where it has one."""
    provenance = quality.provenance
    links = [link(own, "self", JSON, _("This document")), link(page, "alternate", HTML, _("This as a page"))]
    if collection is not None:
        links.append(link(collection, "collection", JSON, "The collection"))
    area = {"code": provenance.area_code, "name": provenance.area_name} if provenance.area_code else None
    return {
        "collection": provenance.collection,
        "status": quality.status,
        "summary": quality.summary,
        "measured": quality.measured,
        "fetchedAt": provenance.fetched_at,
        "source": provenance.location,
        "licence": provenance.licence,
        "attribution": provenance.attribution,
        "area": area,
        "rowsRead": provenance.rows_read,
        "rowsLoaded": provenance.rows_loaded,
        "rowsRejected": provenance.rows_rejected,
        "rejectedShare": round(quality.rejected_share, 4),
        "reasons": [
            {"reason": reason.reason, "rows": reason.rows, "exampleRows": reason.example_rows}
            for reason in quality.reasons
        ],
        "otherReasons": quality.other_reasons,
        "completeness": [
            {"field": entry.field, "title": entry.title, "rowsWithValue": entry.rows, "share": round(entry.share, 4)}
            for entry in quality.completeness
        ],
        "dates": [
            {"field": entry.field, "title": entry.title, "first": entry.first, "last": entry.last}
            for entry in quality.dates
        ],
        **({"remote": quality.remote} if quality.remote else {}),
        "links": links,
    }
