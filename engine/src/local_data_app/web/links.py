"""Where the pages link to: the live app's addresses, or the files of the static export.

The pages' code and templates build every link through a :class:`Links`, so
the same templates serve both: :data:`LIVE` gives the app's own absolute
addresses, and :class:`StaticLinks` (used by ``export``) gives paths relative
to the page being written, to files that exist in the export.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from ..language import ENGLISH, LANGUAGES, Language, current

SAFE_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}")
# Names Windows will not give a file, whatever its extension.
RESERVED_NAMES = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}


def page_parameter(collection: str) -> str:
    """The query parameter that holds a collection's page number on the home page."""
    return f"page-{collection}"


class Links:
    """The live app's addresses, as the routes in pages.py and api.py answer them."""

    static_site = False

    def __init__(
        self, static_address: Callable[[str], str] | None = None, language: Language = LANGUAGES[ENGLISH]
    ) -> None:
        self.static_address = static_address  # a static file's versioned address (assets.py), when the app has one
        self.language = language  # the pages' language: its prefix starts every page's address (not the API's)

    def speaking(self, language: Language) -> Links:
        """The same app's links for the pages in another language (under /cy/ for Welsh)."""
        return self if language == self.language else Links(self.static_address, language)

    def translated(self, language: Language) -> Links:
        """The same links in another language, from the same place: for the sitemap's alternates."""
        return self.speaking(language)

    def page(self, path: str) -> str:
        """A page's address in this language, from its English one."""
        return self.language.path(path)

    def translation(self, language: Language, path: str, query: str = "") -> str:
        """The page at ``path`` (its English address) and ``query`` in another language, for the language switch."""
        return language.path(path or "/") + (f"?{query}" if query else "")

    def static(self, path: str) -> str:
        return self.static_address(path) if self.static_address else f"/static/{path}"

    def home(self) -> str:
        return self.page("/")

    def about(self, fragment: str = "") -> str:
        return self.page("/about") + (f"#{fragment}" if fragment else "")

    def api(self) -> str:
        """Where a developer starts: the page describing the API (service_doc.py), which links the API itself."""
        return self.page("/api.html")

    def accessibility(self) -> str:
        """The accessibility statement (public_pages.py)."""
        return self.page("/accessibility")

    def privacy(self) -> str:
        """The privacy notice (public_pages.py)."""
        return self.page("/privacy")

    def list_page(self, collection: str, number: int, parameters: Mapping[str, str | list[str]]) -> str:
        """A page of a collection's list on the home page, keeping the search's parameters."""
        query = urlencode({**parameters, page_parameter(collection): str(number)}, doseq=True)  # a list: once per value
        return self.page("/") + "?" + query + f"#{collection}"

    def feature(self, collection: str, feature_id: str) -> str:
        return self.page(f"/features/{quote(collection, safe='')}/{quote(feature_id, safe='')}")

    def items(self, collection: str, parameters: Mapping[str, str | list[str]], csv: bool = False) -> str:
        """A collection's items for other programs, as GeoJSON or CSV, narrowed by these API parameters."""
        query = "?" + urlencode(parameters, doseq=True) if parameters else ""
        return f"/api/collections/{quote(collection, safe='')}/items{'.csv' if csv else ''}{query}"

    def item(self, collection: str, feature_id: str) -> str:
        return f"/api/collections/{quote(collection, safe='')}/items/{quote(feature_id, safe='')}"

    def quality(self, collection: str = "") -> str:
        """The data quality page (quality_pages.py), at one collection's section when one is named."""
        return self.page("/quality") + (f"#{quality_anchor(collection)}" if collection else "")

    def quality_json(self, collection: str) -> str:
        """A collection's data quality as JSON (the API's, or the export's file)."""
        return f"/api/collections/{quote(collection, safe='')}/quality"


LIVE = Links()


def live_links(app_state: Any) -> Links:
    """The links of one live app (its static files versioned, see assets.py), or plain ones for an app without pages.

    In the language of the request (language.py): a Welsh page's links stay Welsh.
    """
    found = getattr(app_state, "links", None)
    return (found if isinstance(found, Links) else LIVE).speaking(current())


class StaticLinks(Links):
    """Links between the files of a static export, relative to the file ``here`` (a path from the export's top).

    Every file name is plain ASCII that needs no percent-encoding, so links
    work from disk (file://), under any sub-path and on any static host.
    Only 404.html may link from the top of the server instead (see :meth:`rooted`).
    """

    static_site = True

    def __init__(
        self, here: str = "index.html", root: str | None = None, language: Language = LANGUAGES[ENGLISH]
    ) -> None:
        self.here = here
        self.root = root
        self.language = language  # a language but English has its pages in a folder of its code: cy/about.html
        # Shared by every page of one export: each feature's file name, and the names taken in each collection.
        self.file_names: dict[tuple[str, str], str] = {}
        self.taken: dict[str, set[str]] = {}

    def at(self, here: str) -> StaticLinks:
        """The same export's links, from another of its files (``here`` from the export's top)."""
        other = StaticLinks(here, language=self.language)
        other.file_names, other.taken = self.file_names, self.taken
        return other

    def speaking(self, language: Language) -> StaticLinks:
        """The same export's links for its copy of the pages in another language, from the same place in it."""
        other = self.at(language_file(language, self.page_file()))
        other.language, other.root = language, self.root
        return other

    def translated(self, language: Language) -> StaticLinks:
        other = self.at(self.here)
        other.language, other.root = language, self.root
        return other

    def page_file(self) -> str:
        """This page's file in the English copy: cy/about.html is about.html."""
        folder = language_folder(self.language)
        return self.here.removeprefix(folder)

    def page(self, path: str) -> str:
        return self.relative(language_file(self.language, path))

    def translation(self, language: Language, path: str, query: str = "") -> str:
        return self.relative(language_file(language, self.page_file()))

    def rooted(self, root: str) -> StaticLinks:
        """The same export's links as paths from the top of the web server, for a site published under ``root``.

        For 404.html, which a static host serves in place of any missing
        file, at whatever depth: relative links would resolve against the
        missing address. ``root`` starts and ends with ``/``.
        """
        other = self.at("index.html")
        other.root = root
        return other

    def relative(self, target: str) -> str:
        """The path from this page to ``target`` (a path from the export's top, perhaps with a #fragment).

        With a ``root``, the path from the top of the web server instead.
        """
        if self.root is not None:
            return self.root + target
        path, hash_sign, fragment = target.partition("#")
        found = posixpath.relpath(path, posixpath.dirname(self.here) or ".")
        return found + hash_sign + fragment

    def static(self, path: str) -> str:
        return self.relative(f"static/{path}")

    def home(self) -> str:
        return self.page("index.html")

    def about(self, fragment: str = "") -> str:
        return self.page("about.html" + (f"#{fragment}" if fragment else ""))

    def api(self) -> str:
        return self.about("data-files")

    def accessibility(self) -> str:
        return self.page("accessibility.html")

    def privacy(self) -> str:
        return self.page("privacy.html")

    def list_page(self, collection: str, number: int, parameters: Mapping[str, str | list[str]]) -> str:
        return self.page(list_file(collection, number) + f"#{collection}")

    def feature(self, collection: str, feature_id: str) -> str:
        return self.page(self.feature_file(collection, feature_id))

    def items(self, collection: str, parameters: Mapping[str, str | list[str]], csv: bool = False) -> str:
        return self.relative(data_file(collection, "csv" if csv else "geojson"))

    def item(self, collection: str, feature_id: str) -> str:
        return self.items(collection, {})

    def quality(self, collection: str = "") -> str:
        return self.page("quality.html" + (f"#{quality_anchor(collection)}" if collection else ""))

    def quality_json(self, collection: str) -> str:
        return self.relative(quality_file(collection))

    def feature_file(self, collection: str, feature_id: str) -> str:
        """The file of a feature's page: its id when that is a safe file name, else a safe name with a hash.

        Names are unique within a collection even on file systems that ignore
        case (Windows, macOS), so two ids that differ only in case get two files.
        """
        key = (collection, feature_id)
        if key not in self.file_names:
            taken = self.taken.setdefault(collection, set())
            name = feature_id
            if not SAFE_FILE_NAME.fullmatch(name) or name.lower() in RESERVED_NAMES or name.lower() in taken:
                digest = hashlib.sha256(feature_id.encode("utf-8")).hexdigest()[:12]
                name = (re.sub(r"[^A-Za-z0-9_-]+", "-", feature_id).strip("-")[:40] or "feature") + "-" + digest
            self.file_names[key] = name
            taken.add(name.lower())
        return f"features/{collection}/{self.file_names[key]}.html"


def language_folder(language: Language) -> str:
    """The export's folder of a language's pages: none for English, cy/ for Welsh."""
    return "" if language.code == ENGLISH else f"{language.code}/"


def language_file(language: Language, file: str) -> str:
    """A page's file in a language's copy of the export, from its English file: about.html, cy/about.html."""
    return language_folder(language) + file


def list_file(collection: str, number: int) -> str:
    """The export's file for a page of a collection's list: the home page holds every first page."""
    return "index.html" if number == 1 else f"list/{collection}/{number}.html"


def data_file(collection: str, extension: str) -> str:
    return f"{collection}.{extension}"


def quality_file(collection: str) -> str:
    """The export's file of a collection's data quality document, as the API's /collections/{id}/quality."""
    return f"quality/{collection}.json"


def quality_anchor(collection: str) -> str:
    """The id of a collection's section on the quality page."""
    return f"quality-{collection}"
