"""Read one collection of an OGC API - Features server, page by page, following its ``next`` links.

Every app made from this template publishes its data so, in the same schema,
so a regional app can be made by reading the councils' own apps (federation:
each council stays the authority for its data); any other server of the
standard (pygeoapi, GeoServer, ldproxy, a commercial one) reads the same way.

The location is the collection's address (``.../collections/toilets``), its
items' address, or the API's landing page with the ``collection`` option.
Pages are followed by their ``next`` links, as the standard says a client
should, but only to the origin (scheme, host and port) the location names: a
hostile server must not send the ingest elsewhere. Features are GeoJSON, so
their points are WGS84 longitude and latitude (CRS84); a feature of another
geometry is rejected with a reason. Each feature's ``id`` is kept as its
record's ``id`` column, which is mapped as the record's id unless the source's
``fields`` says otherwise. Its properties are kept whole, the area fields an
app made from this template publishes (``area_code``, ``area_name``) among
them: the reading app sets its own area fields from the source's ``area``, or
from each record's ``area_code`` with ``area_column = "area_code"`` (areas.py),
which keeps the area the remote app gives each record and rejects a record of
an area the reading app does not serve. The collection's licence and
attribution, when it gives them, are recorded with the load when the source's
entry gives none, and the data quality its app reports (the document it links as ``describedby``,
as apps made from this template do) is kept beside the load's own measure.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from collections.abc import Iterator
from email.message import Message
from typing import Any, ClassVar

from pydantic import Field

from ..errors import SourceError
from .base import RawRecord
from .connection import origin
from .geojson_files import WGS84, feature_record
from .http import HttpClient, HttpOptions, hide_secrets, with_params
from .portal import PortalAdapter

COLLECTION_PATH = re.compile(r"/collections/([^/]+)(/items)?$")
GEOJSON = "application/geo+json"
SPDX_LICENCE = re.compile(r"^https?://spdx\.org/licenses/([A-Za-z0-9.+-]+?)(?:\.html|\.json)?$")
SPDX_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$")
MAX_ATTRIBUTION = 500  # characters: an attribution is a line of credit, not a document
# What a collection document's provenance (as this template's apps give it) says of the load it serves.
LOAD_KEYS = ("fetchedAt", "rowsRead", "rowsLoaded", "rowsRejected", "source", "sourceDigest")
QUALITY_REL = "describedby"  # the link from a collection to its data quality document, as ogc/quality.py makes it


class OgcapiOptions(HttpOptions):
    """Options of the ogcapi adapter."""

    collection: str | None = Field(
        default=None,
        min_length=1,
        pattern=r"^[^/?#]+$",
        description="the collection's id, when the location is the API's landing page",
    )
    page_size: int = Field(
        default=1000,
        ge=1,
        le=100_000,
        description="features to ask for in each request (limit; the server may send fewer)",
    )


class OgcapiAdapter(PortalAdapter):
    """Reads the features of one OGC API - Features collection."""

    name = "ogcapi"
    Options = OgcapiOptions
    options: OgcapiOptions
    location_example = "https://toilets.example.gov.uk/api/collections/toilets"
    implied_fields: ClassVar[dict[str, str]] = {"id": "id"}
    _quality_href: str | None = None  # the collection's link to its quality document, once described
    _remote_load: dict[str, Any] | None = None  # the load the remote app says it serves, once described

    def records(self) -> Iterator[RawRecord]:
        collection, items = self.addresses()
        client = self.client()
        self._describe(client, collection)
        self.remote_quality = self._remote_quality(client, collection)
        url: str | None = with_params(items, {"limit": self.options.page_size})
        read = page = 0
        pages: dict[bytes, int] = {}
        while url is not None:
            page += 1
            full_url, answer = self.get(client, url, {}, page)
            features, url = self._page(full_url, page, answer, items)
            self.check_new_page(full_url, page, features, pages)
            for feature in features:
                read += 1
                yield self._record(read, feature)
            if not features:
                break
        self.check_complete(full_url, page, read)

    def content_digest(self) -> str | None:
        """A digest of the collection as the server describes it, without reading it whole; None if that cannot tell.

        An app made from this template says in its collection document which
        load it serves (when it was fetched, a digest of what it read, how many
        rows): that vouches for the
        whole collection, however many pages, so an unchanged collection is not
        read again. Otherwise the first page is asked for as reading would ask for it. When it holds
        the whole collection (no ``next`` link), the server's ETag or
        Last-Modified for it, or without them a digest of ``numberMatched`` and
        its features, says whether the collection changed. A larger collection
        is read every time: neither a page's validator nor a count vouches for
        the records on later pages. The collection's licence and attribution
        count too, so a change of licence loads the data again.
        """
        collection, items = self.addresses()
        client = self.client()
        self._describe(client, collection)
        if self._remote_load is not None:  # an app that says when it loaded the collection vouches for all of it
            described = {
                "licence": self.remote_licence,
                "attribution": self.remote_attribution,
                "load": self._remote_load,
            }
            return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()
        url = with_params(items, {"limit": self.options.page_size})
        answer, headers = client.get_json_and_headers(url, page=1)
        features, following = self._page(url, 1, answer, items)
        if following is not None:
            return None
        described = {
            "licence": self.remote_licence,
            "attribution": self.remote_attribution,
            "version": _validator(headers) or {"numberMatched": self.total, "features": features},
        }
        return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()

    def addresses(self) -> tuple[str, str]:
        """The collection's address and its items' address, from the location and the ``collection`` option."""
        parts = urllib.parse.urlsplit(self.base_url())
        path = parts.path.rstrip("/")
        found = COLLECTION_PATH.search(path)
        wanted = self.options.collection
        if found is None:
            if wanted is None:
                raise SourceError(
                    f"Source {self.source.name!r}: the location {hide_secrets(self.source.location)!r} is not a "
                    "collection's address (.../collections/<id>) or its items' (.../collections/<id>/items); give the "
                    "collection's address, for example "
                    f"{self.location_example}, or set the collection option to the collection's id."
                )
            path = f"{path}/collections/{urllib.parse.quote(wanted, safe='')}"
        else:
            named = urllib.parse.unquote(found[1])
            if wanted is not None and wanted != named:
                raise SourceError(
                    f"Source {self.source.name!r}: the location names the collection {named!r} but the collection "
                    f"option says {wanted!r}; leave the option out, or give the API's landing page as the location."
                )
            path = path.removesuffix("/items")
        collection = urllib.parse.urlunsplit(parts._replace(path=path))
        items = urllib.parse.urlunsplit(parts._replace(path=path + "/items"))
        return collection, items

    def _describe(self, client: HttpClient, collection: str) -> None:
        """Note the collection's licence and attribution from its document, when it gives them."""
        full_url, document = self.get(client, collection, {}, None)
        if not isinstance(document, dict):
            raise self.unexpected(full_url, None, "a collection document (a JSON object)", document)
        provenance = document.get("provenance")
        provenance = provenance if isinstance(provenance, dict) else {}
        self.remote_licence = _licence(provenance.get("licence")) or next(
            (
                _licence(link.get("href"))
                for link in document.get("links") or []
                if isinstance(link, dict) and link.get("rel") == "license" and _licence(link.get("href"))
            ),
            None,
        )
        # An app made from this template says which load it serves: the same load is the same data, however large.
        load = {key: provenance.get(key) for key in LOAD_KEYS}
        fetched, loaded = load["fetchedAt"], load["rowsLoaded"]
        known = isinstance(fetched, str) and 0 < len(fetched) <= 64 and isinstance(loaded, int)
        self._remote_load = (
            load if known and all(isinstance(v, (str, int, type(None))) for v in load.values()) else None
        )
        attribution = document.get("attribution") or provenance.get("attribution")
        if isinstance(attribution, str) and attribution.strip():
            self.remote_attribution = " ".join(attribution.split())[:MAX_ATTRIBUTION]
        self._quality_href = next(
            (
                link["href"]
                for link in document.get("links") or []
                if isinstance(link, dict) and link.get("rel") == QUALITY_REL and isinstance(link.get("href"), str)
            ),
            None,
        )

    def _remote_quality(self, client: HttpClient, collection: str) -> dict[str, Any] | None:
        """What the remote app reports of its data's quality, from the document its collection links; else None.

        An app made from this template links it as ``describedby``
        (ogc/quality.py). It is read only at the collection's origin, and a
        report that cannot be read or is not one leaves the load as it is:
        the data does not depend on it.
        """
        from ..quality import remote_quality  # quality.py builds on normalise.py, which builds on the adapters

        href = self._quality_href
        if not href:
            return None
        target = urllib.parse.urljoin(collection, href.strip())
        web = urllib.parse.urlsplit(target).scheme.lower() in ("http", "https")
        if not web or origin(target) != origin(collection):
            return None
        try:
            _, document = self.get(client, target, {}, None)
        except SourceError:
            return None
        return remote_quality(document)

    def _page(self, url: str, page: int, answer: Any, items: str) -> tuple[list[dict[str, Any]], str | None]:
        """One page's features and the address of the next page, if any; a SourceError for any other answer."""
        if not isinstance(answer, dict) or answer.get("type") != "FeatureCollection" or "features" not in answer:
            raise self.unexpected(url, page, "a GeoJSON FeatureCollection", answer)
        features = self.objects(url, page, answer["features"], "'features'")
        if page == 1 and answer.get("numberMatched") is not None:
            self.total = self.count(url, page, answer["numberMatched"], "'numberMatched'")
        return features, self._next(url, page, answer.get("links"), items)

    def _next(self, url: str, page: int, links: Any, items: str) -> str | None:
        """The address of the next page, checked to stay at the origin of the items' address; None on the last."""
        if links is None:
            return None
        nexts = [link for link in self.objects(url, page, links, "'links'") if link.get("rel") == "next"]
        if not nexts:
            return None
        readable = [link for link in nexts if _json_type(link.get("type"))]
        if not readable:
            raise self.unexpected(
                url,
                page,
                "a 'next' link to GeoJSON (of type application/geo+json, or with no type)",
                nexts[0].get("type"),
            )
        link = min(readable, key=lambda link: link.get("type") != GEOJSON)
        href = link.get("href")
        if not isinstance(href, str) or not href.strip():
            raise self.unexpected(url, page, "the 'next' link's href to be an address", href)
        target = urllib.parse.urljoin(url, href.strip())
        scheme = urllib.parse.urlsplit(target).scheme.lower()
        if scheme not in ("http", "https") or origin(target) != origin(items):
            shown = hide_secrets(target)
            raise SourceError(
                f"Source {self.source.name!r}: page {page} of {hide_secrets(url)} links its next page to {shown}, "
                f"which is not at {_origin_text(items)}, where the collection is; the next page is followed only "
                "there (over http or https), so reading stopped. Check the location, or tell the server's "
                "publisher that its paging links point elsewhere."
            )
        return target

    def _record(self, number: int, feature: dict[str, Any]) -> RawRecord:
        """A feature as a record: its properties (the remote app's area fields among them), its ``id``, its point."""
        properties = feature.get("properties")
        properties = {} if properties is None else properties
        if isinstance(properties, dict):
            properties = {**properties, "id": feature.get("id")}
        return feature_record(number, {**feature, "properties": properties}, WGS84)


def _validator(headers: Message) -> dict[str, str] | None:
    """The answer's ETag or Last-Modified, which change when it does; None when it has neither."""
    for name in ("ETag", "Last-Modified"):
        value = headers.get(name)
        if value and value.strip():
            return {name: value.strip()}
    return None


def _licence(value: Any) -> str | None:
    """An SPDX licence id, from an id or from its address at spdx.org; None for anything else."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    found = SPDX_LICENCE.match(value)
    if found:
        return found[1]
    return value if SPDX_ID.match(value) else None


def _json_type(kind: Any) -> bool:
    """Whether a link's type is GeoJSON, JSON or left out: the kinds of page this adapter reads."""
    return kind is None or (isinstance(kind, str) and "json" in kind.lower())


def _origin_text(url: str) -> str:
    scheme, host, port = origin(url)
    return f"{scheme}://{host}:{port}"
