"""Every error a client sees, mapped in one place: an OGC API exception in JSON under /api, a page elsewhere.

Under /api, a request that asks for HTML (``f=html``, or a browser's Accept
header: see negotiation.py) is shown the same message as a page.

The OGC layer, the store and the pages raise :class:`ClientError`; FastAPI
raises its own for a parameter of the wrong type, and Starlette for an address
or method it does not serve. Each becomes one status, one OGC exception code
and one message safe to show, then JSON where a program is reading and HTML
where a person is. Anything unexpected is the security middleware's: logged,
and answered with a bare 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from ..errors import ClientError, shown
from ..language import gettext as _
from ..ogc.parameters import GOT
from . import api_pages, pages
from .methods import OPEN_DATA_METHODS, READ_METHODS
from .security import is_open_data

NOTHING_IN_THE_API = "Nothing is published at this address. The API starts at /api."


def error_body(code: str, description: str) -> dict[str, str]:
    """An OGC API exception: a code and a description."""
    return {"code": code, "description": description}


def for_programs(path: str) -> bool:
    """Whether an address is read by programs (the API, the health check) rather than by people."""
    return is_open_data(path)


def methods_answered(api: bool) -> str:
    """What a 405 says: the methods the address answers (methods.py), as a sentence."""
    *others, last = OPEN_DATA_METHODS if api else READ_METHODS
    return f"This address answers only {', '.join(others)} and {last} requests."


def client_error(error: Exception, api: bool) -> ClientError:
    """The error as the client is told it."""
    if isinstance(error, ClientError):
        return error
    if isinstance(error, RequestValidationError):
        # FastAPI's 422 for a query parameter of the wrong type is a 400 naming the parameter.
        problems, names = [], []
        for problem in error.errors():
            name = ".".join(str(part) for part in problem.get("loc", ())[1:]) or "request"
            value = problem.get("input")
            got = "" if value is None or isinstance(value, dict | list) else _(GOT) % {"value": shown(value)}
            problems.append(f"{name}: {validation_message(problem)}{got}")
            names.append(name)
        return ClientError(400, "InvalidParameterValue", "; ".join(problems), parameter=names[0] if names else None)
    status = getattr(error, "status_code", 500)
    if status == 404:
        return ClientError(404, "NotFound", NOTHING_IN_THE_API if api else pages.NO_PAGE)
    if status == 405:
        return ClientError(405, "MethodNotAllowed", methods_answered(api))
    return ClientError(status, "HTTPError", "The request could not be answered.")


def validation_message(problem: Mapping[str, Any]) -> str:
    """What FastAPI found wrong with one parameter (a format or a path's part), in pydantic's English words.

    The API's whole numbers, limit and offset, are the OGC layer's to check (ogc/parameters.py), in the
    request's language.
    """
    return str(problem.get("msg", "not valid"))


async def answer(request: Request, error: Exception) -> Response:
    """The one handler: JSON for programs, a page for people, and under /api a page when HTML was asked for."""
    api = for_programs(request.url.path)
    found = client_error(error, api)
    if not api:
        return pages.error_page(request, found.status, found.message)
    # Starlette's 405 gives Allow: GET, which methods.py completes; Vary when the Accept header chose the form.
    headers = {**(getattr(error, "headers", None) or {}), **api_pages.vary(request)}
    if api_pages.wants_html(request):
        page = pages.error_page(request, found.status, found.message)
        page.headers.update(headers)
        return page
    return JSONResponse(error_body(found.code, found.message), status_code=found.status, headers=headers)


def install(app: FastAPI) -> None:
    """Send the client errors of every kind to :func:`answer`."""
    for kind in (ClientError, RequestValidationError, HTTPException):
        app.add_exception_handler(kind, answer)
