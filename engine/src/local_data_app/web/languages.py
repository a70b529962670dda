"""Each page in each of the project's languages, at its own address: English as it is, Welsh under /cy/.

The language is chosen by the address, so each version can be linked,
bookmarked, cached and exported as files. A request under a language's prefix
(``/cy/about``) is answered by the same route as the English page (``/about``),
with the language set for the request (language.py), so every route, context
and template serves every language. The people's pages have a prefix, and so
does the API (``/cy/api/collections``): its pages for people (``f=html``) are
in the language, their links stay within it, and its JSON documents carry
their titles and the messages of its 400s in it; their data is the same in
every language. The API's page for people (/api.html) is one of the pages:
``/cy/api.html`` describes the API in Welsh, from the same OpenAPI document,
which stays in English (service_doc.py). The health checks and the static
files are the same for every language.

A browser's ``Accept-Language`` is read only on a first visit to the home
page: a request for ``/`` with no query, not coming from a page of this site
(no ``Referer`` of this host). A browser preferring Welsh is sent to ``/cy/``;
every later choice is the resident's own, through the language switch each
page carries, with no cookie. That answer carries ``Vary: Accept-Language``
so that caches keep the two apart.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..language import ENGLISH, LANGUAGES, preferred, using

PAGES = ("/", "/about", "/accessibility", "/privacy", "/quality", "/api.html")  # the people's pages with a prefix
FEATURE_PAGES = "/features/"
API = "/api"  # the OGC API, whose pages and titles are in each language too
VARY = "Accept-Language"


def is_page(path: str) -> bool:
    """Whether an English address is one of the people's pages, which each language has under its prefix."""
    return path in PAGES or path.startswith(FEATURE_PAGES)


def is_api(path: str) -> bool:
    """Whether an English address is the API's (/api and below, not its page /api.html), which each language has too."""
    return path == API or path.startswith(API + "/")


def is_api_in_a_language(path: str) -> bool:
    """Whether an address is the API's under a language's prefix (/cy/api/...): open data like /api (security.py)."""
    return any(
        path.startswith(language.prefix + "/") and is_api(path[len(language.prefix) :])
        for language in LANGUAGES.values()
        if language.prefix
    )


class LanguagePaths:
    """Answers /cy/... with the English route in Welsh, and sends a first visit to / to the browser's language."""

    def __init__(self, app: ASGIApp, languages: tuple[str, ...], project_dir: Path | None = None) -> None:
        self.app = app
        self.languages = languages
        self.project_dir = project_dir

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        for code in self.languages[1:]:
            prefix = LANGUAGES[code].prefix
            if path == prefix:  # /cy is the Welsh home page, whose address is /cy/
                query = scope.get("query_string", b"").decode("latin-1")
                await RedirectResponse(prefix + "/" + (f"?{query}" if query else ""), 308)(scope, receive, send)
                return
            if path.startswith(prefix + "/"):
                english = path[len(prefix) :]
                if is_page(english) or is_api(english):
                    scope = {**scope, "path": english, "raw_path": english.encode("utf-8")}
                with using(code, self.project_dir):
                    await self.app(scope, receive, send)
                return
        if path == "/" and len(self.languages) > 1 and not scope.get("query_string"):
            await self.home(scope, receive, send)
            return
        with using(ENGLISH, self.project_dir):
            await self.app(scope, receive, send)

    async def home(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The home page without a query: the browser's language on a first visit, English after."""
        headers = Headers(scope=scope)
        chosen = ENGLISH
        if not from_this_site(headers):
            chosen = preferred(headers.get("accept-language", ""), self.languages) or ENGLISH
        if chosen != ENGLISH:
            response = RedirectResponse(LANGUAGES[chosen].path("/"), 302, headers={"Vary": VARY})
            await response(scope, receive, send)
            return

        async def varied(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("Vary", VARY)
            await send(message)

        with using(ENGLISH, self.project_dir):
            await self.app(scope, receive, varied)


def from_this_site(headers: Headers) -> bool:
    """Whether the request follows a link on one of this site's pages: its Referer has this request's host."""
    referer, host = headers.get("referer", ""), headers.get("host", "")
    try:
        return bool(referer and host) and urlsplit(referer).netloc.lower() == host.lower()
    except ValueError:
        return False
