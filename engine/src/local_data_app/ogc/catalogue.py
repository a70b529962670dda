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
"""

from __future__ import annotations

from typing import Any

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


def catalogue(state: ApiState, urls: Urls, home: str, own: str, api: str | None, package: str) -> dict[str, Any]:
    """The DCAT catalogue: the app as a ``dcat:Catalog`` of one ``dcat:Dataset`` per collection.

    ``home`` is the site's home page, ``own`` this document's address, ``api``
    the OGC API's landing page (None for the static export, which has no API)
    and ``package`` the datapackage.json describing the CSV; relative
    addresses are read against the document's own.
    """
    settings = state.settings
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
            "dct:title": f"{title(state)}: OGC API - Features",
            "dcat:endpointURL": {"@id": api},
            "dct:conformsTo": {"@id": OGC_API_FEATURES},
        }
    schema = {
        "@id": package,
        "@type": "dct:Standard",
        "dct:title": "The CSV's columns, types and constraints, as a Frictionless Data Package",
        "dct:conformsTo": {"@id": FRICTIONLESS_DATA_PACKAGE},
    }
    datasets = [
        dataset(state, urls, provenance, home, publisher, contact, service, schema)
        for provenance in state.collections()
    ]
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": own,
        "@type": "dcat:Catalog",
        "dct:title": title(state),
        "dct:description": description(state),
        "dct:publisher": publisher,
        "foaf:homepage": {"@id": home},
        "dcat:dataset": datasets,
    }
    if service is not None:
        document["dcat:service"] = service
    return document


def dataset(
    state: ApiState,
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
            "dct:title": f"{name} as {label}",
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
    found: dict[str, Any] = {
        "@id": identifier,
        "@type": "dcat:Dataset",
        "dct:identifier": identifier,
        "dct:title": f"{state.schema['title']} in {provenance.area_name or settings.place.name} ({name})",
        "dct:description": (
            f"{state.schema['description']} {provenance.rows_loaded:,} records, loaded {provenance.fetched_at}."
        ),
        "dct:publisher": publisher,
        "dcat:contactPoint": contact,
        "dct:license": licence,
        "dct:spatial": {"@id": AREA_URI + area},
        "dcat:keyword": [settings.place.name, state.schema["title"]],
        "dcat:landingPage": {"@id": home},
        "dcat:distribution": distributions,
    }
    if provenance.fetched_at:
        found["dct:modified"] = {"@value": provenance.fetched_at, "@type": "xsd:dateTime"}
    if provenance.attribution:
        found["dct:rights"] = provenance.attribution
    return found
