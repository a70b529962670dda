"""Where the OGC API's documents are: the live API's addresses, or the static export's files.

The documents in :mod:`.documents` link to each other through a :class:`Urls`,
so the same function builds a collection's document for the live API and for
the exported site.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import quote, urlencode

GEOJSON = "application/geo+json"
JSON = "application/json"
CSV = "text/csv"
HTML = "text/html"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
FEATURE_LINK_ID_SAFE = ""  # every character but letters, digits and _.-~ is percent-encoded in links
PLAIN_ID = re.compile(r"[A-Za-z0-9_.~-]+", re.ASCII)  # an id that percent-encoding leaves as it is


def link(href: str, rel: str, media_type: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


class Urls(Protocol):
    """The addresses the documents link to."""

    def landing(self) -> str: ...

    def collections(self) -> str: ...

    def collection(self, name: str) -> str | None:
        """The collection's own document, or None where it has none of its own (the export's)."""
        ...

    def items(self, name: str, parameters: Mapping[str, Any]) -> str:
        """The collection's items with these query parameters (``f=csv`` for CSV)."""
        ...

    def feature_link(self, name: str, feature_id: str) -> dict[str, str]:
        """The link a feature carries to itself, or to its page."""
        ...

    def quality(self, name: str) -> str:
        """The collection's data quality document (quality.py)."""
        ...

    def queryables(self, name: str) -> str | None:
        """The collection's queryables (queryables.py), or None where it cannot be filtered (the export)."""
        ...


class ApiUrls:
    """The live API's addresses under ``base`` (such as ``http://127.0.0.1:8000/api``, or ``.../cy/api`` in Welsh)."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def landing(self) -> str:
        return self.base

    def openapi(self) -> str:
        return self.base + "/openapi.json"

    def service_doc(self) -> str:
        """The page that describes the API for people, /api.html (/cy/api.html in Welsh): beside the API."""
        return self.base + ".html"

    def conformance(self) -> str:
        return self.base + "/conformance"

    def catalogue(self) -> str:
        """The DCAT description of the data, for catalogues (catalogue.py)."""
        return self.base + "/catalogue"

    def datapackage(self) -> str:
        """The CSV downloads described as a Frictionless Data Package (datapackage.py)."""
        return self.base + "/datapackage.json"

    def collections(self) -> str:
        return self.base + "/collections"

    def collection(self, name: str) -> str:
        return f"{self.base}/collections/{name}"

    def items(self, name: str, parameters: Mapping[str, Any]) -> str:
        query = f"?{urlencode(parameters, doseq=True)}" if parameters else ""  # a list: the parameter once per value
        return f"{self.collection(name)}/items{query}"

    def quality(self, name: str) -> str:
        return f"{self.collection(name)}/quality"

    def queryables(self, name: str) -> str:
        return f"{self.collection(name)}/queryables"

    def feature_link(self, name: str, feature_id: str) -> dict[str, str]:
        # Most ids are plain: a match takes a third of quote's time, fifty times a page.
        plain = PLAIN_ID.fullmatch(feature_id) is not None
        href = f"{self.collection(name)}/items/{feature_id if plain else quote(feature_id, safe=FEATURE_LINK_ID_SAFE)}"
        return link(href, "self", GEOJSON, "This item")
