"""The about page's schema.org ``Dataset`` in JSON-LD, which search engines and dataset search read.

Google's Dataset Search and other crawlers find data through a ``Dataset``
description in the page itself: its name, description, licence, publisher,
the area it covers and where to download it. The about page carries it in a
``<script type="application/ld+json">`` element written with Jinja's
``tojson`` filter, which escapes ``<``, ``>``, ``&`` and ``'`` as JSON
``\\u`` escapes, so no value from the data or the settings can close the
element (``</script>``) and start markup of its own.

Addresses are absolute where the site's address is known (the live app's, or
``[export] public_url``), and otherwise relative to the about page, which
JSON-LD resolves against the page's own address.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from ..ogc.catalogue import AREA_URI
from ..ogc.state import ApiState
from ..ogc.urls import CSV, GEOJSON, JSON
from .links import Links

SCHEMA_ORG = "https://schema.org"
# Where the licences councils publish under are read; any other SPDX identifier is read at SPDX's page for it.
LICENCE_PAGES = {
    "OGL-UK-3.0": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
}
SPDX_PAGE = "https://spdx.org/licenses/{}.html"


def licence_url(licence: str) -> str:
    """Where a licence, given by its SPDX identifier, can be read."""
    return LICENCE_PAGES.get(licence) or SPDX_PAGE.format(licence)


def dataset(state: ApiState, links: Links, site_url: str | None, api: str | None) -> dict[str, Any]:
    """The data as a schema.org ``Dataset``: ``links`` as the about page links, made absolute against ``site_url``.

    ``api`` is the OGC API's landing page, for the live app; None for the static export, which has none.
    """
    settings = state.settings
    organisation = {
        "@type": "GovernmentOrganization",
        "name": settings.organisation.name,
        "url": settings.organisation.url,
        "email": settings.organisation.contact_email,
    }

    def address(href: str) -> str:
        return urljoin(site_url, href) if site_url else href

    collections = state.collections()
    distribution = []
    for provenance in collections:
        name = provenance.collection
        for media_type, csv, label in ((GEOJSON, False, "GeoJSON"), (CSV, True, "CSV")):
            distribution.append(
                {
                    "@type": "DataDownload",
                    "name": f"{name} as {label}",
                    "encodingFormat": media_type,
                    "contentUrl": address(links.items(name, {}, csv=csv)),
                }
            )
    if api is not None:
        distribution.append(
            {
                "@type": "DataDownload",
                "name": "The data through OGC API - Features",
                "encodingFormat": JSON,
                "contentUrl": api,
            }
        )
    areas = [
        {"@type": "Place", "name": area.name, "identifier": area.code, "sameAs": AREA_URI + area.code}
        for area in settings.all_areas
    ]
    document: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "Dataset",
        "name": f"{state.schema['title']} in {settings.place.name}",
        "description": (
            f"{state.schema['title']} in {settings.place.name}, published by {settings.organisation.name}: where "
            "each one is and what is recorded about it, as pages, a map and data files to download."
        ),
        "url": address(links.about()),
        "license": licence_url(settings.dataset.licence),
        "isAccessibleForFree": True,
        "creator": organisation,
        "publisher": organisation,
        "keywords": [state.schema["title"], settings.place.name],
        "spatialCoverage": areas[0] if len(areas) == 1 else areas,
        "distribution": distribution,
    }
    if collections:
        document["dateModified"] = max(provenance.fetched_at for provenance in collections)
    return document
