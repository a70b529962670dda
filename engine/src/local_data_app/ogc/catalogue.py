"""The data described for catalogues: a DCAT document in JSON-LD, which data.gov.uk and other portals harvest.

National and regional catalogues find data by harvesting descriptions in the
W3C's Data Catalog Vocabulary (DCAT). The live API serves this one at
``/api/catalogue`` and the static export writes it as ``catalogue.jsonld``,
both from :func:`catalogue` through a :class:`~.urls.Urls`, as the other
documents are built. Each collection is a ``dcat:Dataset`` with the fields
data.gov.uk asks for (title, description, identifier, licence, publisher,
contact point) and its distributions: its items as GeoJSON and as CSV and,
live, the OGC API that serves them. Its area is the ONS statistical
geography's URI of its GSS code, the identifier government data links by.

The CSV distribution names the Frictionless Data Package that describes its
columns, their types and constraints (datapackage.py) with
``dct:conformsTo``: DCAT says a distribution's ``dct:conformsTo`` gives the
schema or profile it conforms to, which is what that descriptor is for the
CSV; it is not another representation of the data, so it is not a
distribution of its own. DCAT-AP harvesters (ckanext-dcat, which
data.gov.uk runs) read it as the resource's ``conforms_to``.

An app in more than one language (Welsh and English) gives each title,
description and keyword in every one of them, as literals tagged with their
language, and names them with the catalogue's ``dct:language``: a harvester
takes the ones in its own language (ckanext-dcat prefers its site's), and the
document is the same under ``/api`` and ``/cy/api``. An app in one language
gives plain text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..language import gettext as _
from ..language import using
from ..store import Provenance
from .documents import description, title
from .state import ApiState
from .urls import CSV, GEOJSON, Urls

JSON_LD = "application/ld+json"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
OGC_API_FEATURES = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
AREA_URI = "http://statistics.data.gov.uk/id/statistical-geography/"
MEDIA_TYPE_URI = "https://www.iana.org/assignments/media-types/"
LICENCE_URI = "https://spdx.org/licenses/"
FRICTIONLESS_DATA_PACKAGE = "https://specs.frictionlessdata.io/data-package/"
# DCAT's advice for dct:language: the Library of Congress's URIs of the ISO 639-1 codes.
LANGUAGE_URI = "http://id.loc.gov/vocabulary/iso639-1/"

Text = str | list[dict[str, str]]
T = TypeVar("T")


@dataclass(frozen=True)
class Languages:
    """The app's languages, in each of which the catalogue says its words."""

    codes: tuple[str, ...]
    project_dir: Path | None = None

    def made(self, make: Callable[[], T]) -> list[T]:
        """What ``make()`` gives in each language in turn, made as a page in that language would make it."""
        made = []
        for code in self.codes:
            with using(code, self.project_dir):
                made.append(make())
        return made

    def text(self, words: Callable[[], str]) -> Text:
        """One text in each language, tagged with it; plain text in an app of one language."""
        made = self.made(words)
        if len(made) == 1:
            return made[0]
        return [{"@value": each, "@language": code} for code, each in zip(self.codes, made, strict=True)]

    def keywords(self, words: Callable[[], list[str]]) -> list[Any]:
        """Keywords in each language, each tagged with it; plain text in an app of one language."""
        made = self.made(words)
        if len(made) == 1:
            return made[0]
        return [
            {"@value": word, "@language": code} for code, each in zip(self.codes, made, strict=True) for word in each
        ]


def catalogue(state: ApiState, urls: Urls, home: str, own: str, api: str | None, package: str) -> dict[str, Any]:
    """The DCAT catalogue: the app as a ``dcat:Catalog`` of one ``dcat:Dataset`` per collection.

    ``home`` is the site's home page, ``own`` this document's address, ``api``
    the OGC API's landing page (None for the static export, which has no API)
    and ``package`` the datapackage.json describing the CSV; relative
    addresses are read against the document's own.
    """
    settings = state.settings
    languages = Languages(tuple(settings.place.languages), state.project_dir)
    publisher = {
        "@type": "foaf:Organization",
        "foaf:name": settings.organisation.name,
        "foaf:homepage": {"@id": str(settings.organisation.url)},
    }
    contact = {
        "@type": "vcard:Organization",
        "vcard:fn": settings.organisation.name,
        "vcard:hasEmail": {"@id": f"mailto:{settings.organisation.contact_email}"},
    }
    service = None
    if api is not None:
        service = {
            "@id": api,
            "@type": "dcat:DataService",
            "dct:title": languages.text(lambda: _("%(title)s: OGC API - Features") % {"title": title(state)}),
            "dcat:endpointURL": {"@id": api},
            "dct:conformsTo": {"@id": OGC_API_FEATURES},
        }
    schema = {
        "@id": package,
        "@type": "dct:Standard",
        "dct:title": languages.text(
            lambda: _("The CSV's columns, types and constraints, as a Frictionless Data Package")
        ),
        "dct:conformsTo": {"@id": FRICTIONLESS_DATA_PACKAGE},
    }
    datasets = [
        dataset(state, languages, urls, provenance, home, publisher, contact, service, schema)
        for provenance in state.collections()
    ]
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": own,
        "@type": "dcat:Catalog",
        "dct:title": languages.text(lambda: title(state)),
        "dct:description": languages.text(lambda: description(state)),
        "dct:language": [{"@id": LANGUAGE_URI + code} for code in languages.codes],
        "dct:publisher": publisher,
        "foaf:homepage": {"@id": home},
        "dcat:dataset": datasets,
    }
    if service is not None:
        document["dcat:service"] = service
    return document


def dataset(
    state: ApiState,
    languages: Languages,
    urls: Urls,
    provenance: Provenance,
    home: str,
    publisher: dict[str, Any],
    contact: dict[str, Any],
    service: dict[str, Any] | None,
    schema: dict[str, Any],
) -> dict[str, Any]:
    """One collection as a ``dcat:Dataset`` with its distributions, the CSV's conforming to ``schema``."""
    settings = state.settings
    name = provenance.collection
    identifier = urls.collection(name) or urls.items(name, {})
    licence = {"@id": LICENCE_URI + provenance.licence}
    distributions = []
    for media_type, label, parameters in ((GEOJSON, "GeoJSON", {}), (CSV, "CSV", {"f": "csv"})):
        distribution: dict[str, Any] = {
            "@type": "dcat:Distribution",
            "dct:title": languages.text(
                lambda label=label: _("%(collection)s as %(format)s") % {"collection": name, "format": label}
            ),
            "dcat:accessURL": {"@id": urls.items(name, parameters)},
            "dcat:mediaType": {"@id": MEDIA_TYPE_URI + media_type},
            "dct:license": licence,
        }
        if service is not None:
            distribution["dcat:accessService"] = {"@id": service["@id"]}
        if media_type == CSV:
            distribution["dct:conformsTo"] = schema
        distributions.append(distribution)
    area = provenance.area_code or settings.place.code
    place = provenance.area_name or settings.place.name

    def titled() -> str:  # as a collection's own title names it among several (documents.describe_collection)
        return _("%(theme)s in %(place)s") % {"theme": _(state.schema["title"]), "place": place} + f" ({name})"

    def described() -> str:
        loaded = _("%(count)s records, loaded %(when)s.") % {
            "count": f"{provenance.rows_loaded:,}",
            "when": provenance.fetched_at,
        }
        return f"{_(state.schema['description'])} {loaded}"

    found: dict[str, Any] = {
        "@id": identifier,
        "@type": "dcat:Dataset",
        "dct:identifier": identifier,
        "dct:title": languages.text(titled),
        "dct:description": languages.text(described),
        "dct:publisher": publisher,
        "dcat:contactPoint": contact,
        "dct:license": licence,
        "dct:spatial": {"@id": AREA_URI + area},
        "dcat:keyword": languages.keywords(lambda: [settings.place.name, _(state.schema["title"])]),
        "dcat:landingPage": {"@id": home},
        "dcat:distribution": distributions,
    }
    if provenance.fetched_at:
        found["dct:modified"] = {"@value": provenance.fetched_at, "@type": "xsd:dateTime"}
    if provenance.attribution:
        found["dct:rights"] = provenance.attribution
    return found
