"""The API described for people at /api.html: the landing page's ``service-doc``, made from the OpenAPI document.

The landing page links the OpenAPI document (``service-desc``) for programs
and this page (``service-doc``) for people, as OGC API - Features
recommends. The page is made from that same document, so it lists what the
API really takes: each route's summary, its parameters with their types,
bounds and defaults, the statuses it answers with, and an address to try,
filled in from the served data. It is a page like the others (base.html, no
script of its own), where FastAPI's interactive docs would load script from a
CDN, which the security policy forbids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..ogc.parameters import DEFAULT_LIMIT, MAX_LIMIT
from ..ogc.state import ApiState
from .api import State
from .pages import page_site, render

PATH = "/api.html"
PLACEHOLDER = re.compile(r"\{([^}]+)\}")
TYPES = {"integer": "a whole number", "number": "a number", "boolean": "true or false", "string": "text"}

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Parameter:
    """A parameter of a route as the page lists it: where it goes and what it accepts, in words."""

    name: str
    where: str  # path or query
    required: bool
    accepts: str
    description: str


@dataclass(frozen=True)
class Status:
    """A status a route answers with, and when."""

    code: str
    description: str


@dataclass(frozen=True)
class Route:
    """One route of the OpenAPI document, with an address to try it (None when there is no data to fill it in)."""

    path: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    statuses: tuple[Status, ...]
    example: str | None


@router.get(PATH, response_class=HTMLResponse)
def service_doc(request: Request, state: State) -> HTMLResponse:
    """Every route of the API, its parameters and answers, with an example address for each."""
    base = str(request.base_url).rstrip("/")
    return render(request, "api.html", **service_doc_context(state, request.app.openapi(), base))


def service_doc_context(state: ApiState, document: Mapping[str, Any], base: str) -> dict[str, Any]:
    """What the page shows: the API's addresses under ``base`` and each route of ``document``."""
    values = example_values(state)
    return {
        "title": f"The data API - {page_site(state)}",
        "api_href": base + "/api",
        "openapi_href": base + "/api/openapi.json",
        "default_limit": DEFAULT_LIMIT,
        "max_limit": MAX_LIMIT,
        "routes": routes(document, base, values),
    }


def example_values(state: ApiState) -> dict[str, str]:
    """Values from the served data for the path parameters: the first collection and its first feature."""
    collections = state.collections()
    if not collections:
        return {}
    name = collections[0].collection
    first = next(iter(state.store.features(name, limit=1)), None)
    return {"name": name} | ({"feature_id": first.id} if first is not None else {})


def routes(document: Mapping[str, Any], base: str, values: Mapping[str, str]) -> list[Route]:
    """Each GET operation of the document, in its order, with its example address under ``base``."""
    found = []
    for path, operations in document.get("paths", {}).items():
        operation = operations.get("get")
        if operation is None or "servers" in operations:  # a collection's own copy of a templated path, for GDAL
            continue
        found.append(
            Route(
                path=path,
                summary=operation.get("summary", path),
                description=operation.get("description", ""),
                parameters=tuple(parameter(resolved(document, item)) for item in operation.get("parameters", [])),
                statuses=tuple(
                    Status(code, answer.get("description", "")) for code, answer in operation["responses"].items()
                ),
                example=example(path, base, values),
            )
        )
    return found


def resolved(document: Mapping[str, Any], item: Mapping[str, Any]) -> Mapping[str, Any]:
    """A parameter as declared, following a ``$ref`` to ``components/parameters`` (where ``limit`` is)."""
    target = item.get("$ref")
    if not isinstance(target, str) or not target.startswith("#/components/parameters/"):
        return item
    return document["components"]["parameters"][target.rsplit("/", 1)[1]]


def parameter(declared: Mapping[str, Any]) -> Parameter:
    schema = declared.get("schema", {})
    return Parameter(
        name=declared["name"],
        where=declared["in"],
        required=bool(declared.get("required")),
        accepts=accepts(schema),
        description=declared.get("description") or schema.get("description", ""),
    )


def accepts(schema: Mapping[str, Any]) -> str:
    """A parameter's schema in words: its type, its values or bounds, and its default."""
    words = [TYPES.get(schema.get("type", "string"), "text")]
    if values := [str(value) for value in schema.get("enum", []) if value is not None]:
        words.append("one of " + ", ".join(values))
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        words.append(f"from {low} to {high}")
    elif low is not None:
        words.append(f"at least {low}")
    elif high is not None:
        words.append(f"at most {high}")
    if "default" in schema:
        words.append(f"default {schema['default']}")
    return ", ".join(words)


def example(path: str, base: str, values: Mapping[str, str]) -> str | None:
    """The route's address with its path parameters filled in from ``values``; None if one has no value."""
    if any(name not in values for name in PLACEHOLDER.findall(path)):
        return None
    return base + PLACEHOLDER.sub(lambda found: quote(values[found[1]], safe=""), path)
