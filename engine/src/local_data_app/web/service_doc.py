"""The API described for people at /api.html: the landing page's ``service-doc``, made from the OpenAPI document.

The landing page links the OpenAPI document (``service-desc``) for programs
and this page (``service-doc``) for people, as OGC API - Features
recommends. The page is made from that same document, so it lists what the
API really takes: each route's summary, its parameters with their types,
bounds and defaults, the statuses it answers with, and an address to try,
filled in from the served data. It is a page like the others (base.html, no
script of its own), where FastAPI's interactive docs would load script from a
CDN, which the security policy forbids.

The page is in each language of the project (/cy/api.html in Welsh, its
examples under /cy/api), while the OpenAPI document stays in English: each
summary and description is translated here, as the page is made, by looking
its English up in the catalogue. The field filters' descriptions differ only
by the field's name, so their one pattern is translated and filled in again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..language import N_, current
from ..language import gettext as _
from ..ogc.parameters import DEFAULT_LIMIT, MAX_LIMIT
from ..ogc.state import ApiState
from .api import State
from .languages import is_api
from .openapi import PATTERNS
from .pages import page_site, render

PATH = "/api.html"
PLACEHOLDER = re.compile(r"\{([^}]+)\}")
TYPES = {
    "integer": N_("a whole number"),
    "number": N_("a number"),
    "boolean": N_("true or false"),
    "string": N_("text"),
}
PATTERN_VALUE = re.compile(r"%\((\w+)\)s")

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
    """What the page shows: the API's addresses under ``base``, in the language, and each route of ``document``."""
    values = example_values(state)
    return {
        "title": _("The data API - %(site)s") % {"site": page_site(state)},
        "api_href": base + current().prefix + "/api",
        "openapi_href": base + current().prefix + "/api/openapi.json",  # the same English document in every language
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
                summary=translated(operation.get("summary", path)),
                description=translated(operation.get("description", "")),
                parameters=tuple(parameter(resolved(document, item)) for item in operation.get("parameters", [])),
                statuses=tuple(
                    Status(code, translated(answer.get("description", "")))
                    for code, answer in operation["responses"].items()
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
        description=translated(declared.get("description") or schema.get("description", "")),
    )


def translated(text: str) -> str:
    """A summary or description of the document in the page's language: as it is, or as a field filter's pattern.

    Text the catalogue does not hold stays English, as every untranslated message does.
    """
    found = _(text)
    if found != text or not text or current().prefix == "":
        return found
    for pattern in PATTERNS:
        if matched := pattern_regex(pattern).fullmatch(text):
            values = matched.groupdict()
            if "label" in values:  # a resident filter's label, which the theme's pages translate by value
                values["label"] = _(values["label"])
            return _(pattern) % values
    return text


@lru_cache(maxsize=8)
def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A pattern's English filled in with any values: each ``%(name)s`` a group, the same value where repeated."""
    parts, seen, start = [], set(), 0
    for placeholder in PATTERN_VALUE.finditer(pattern):
        name = placeholder[1]
        parts.append(re.escape(pattern[start : placeholder.start()]))
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        start = placeholder.end()
    parts.append(re.escape(pattern[start:]))
    return re.compile("".join(parts), re.DOTALL)


def accepts(schema: Mapping[str, Any]) -> str:
    """A parameter's schema in words: its type, its values or bounds, and its default."""
    words = [_(TYPES.get(schema.get("type", "string"), TYPES["string"]))]
    if values := [str(value) for value in schema.get("enum", []) if value is not None]:
        words.append(_("one of %(values)s") % {"values": ", ".join(values)})
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        words.append(_("from %(low)s to %(high)s") % {"low": low, "high": high})
    elif low is not None:
        words.append(_("at least %(low)s") % {"low": low})
    elif high is not None:
        words.append(_("at most %(high)s") % {"high": high})
    if "default" in schema:
        words.append(_("default %(value)s") % {"value": schema["default"]})
    return ", ".join(words)


def example(path: str, base: str, values: Mapping[str, str]) -> str | None:
    """The route's address with its path parameters filled in from ``values``; None if one has no value.

    The API's routes are under the page's language (/cy/api in Welsh); the health checks are the same in every one.
    """
    if any(name not in values for name in PLACEHOLDER.findall(path)):
        return None
    prefix = current().prefix if is_api(path) else ""
    return base + prefix + PLACEHOLDER.sub(lambda found: quote(values[found[1]], safe=""), path)
