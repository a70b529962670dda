"""The static files as the live app serves them: versioned addresses, long caching and gzip.

A phone on a slow connection should fetch the map library and the style sheet
once. Each page links a static file with its version, a digest of the file's
bytes as served (the project's copy over the engine's), so a file can be
cached for a year and marked immutable: a changed file gets a new address. A
request without the current version (an old page, a hand-typed address) is
served with ``no-cache``, so the browser asks again with the file's ETag and
gets 304 while it is unchanged. Text files (CSS, JavaScript, SVG) are
compressed with gzip when the browser accepts it, by Starlette's middleware,
which leaves images and fonts as they are. A few files are made from the
settings rather than read from disk (the brand's stylesheet and logo, see
brand.py): they are served, versioned and cached the same way.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .overrides import ENGINE_STATIC, project_static, static_files

VERSION_PARAMETER = "v"
YEAR = 365 * 24 * 60 * 60
IMMUTABLE = f"public, max-age={YEAR}, immutable"
REVALIDATE = "no-cache"
COMPRESS_FROM = 1024  # bytes: smaller files gain less than the compression costs
COMPRESS_LEVEL = 6  # zlib's default: most of level 9's saving for a fraction of its time


class StaticVersions:
    """Each static file's version, from its bytes as the app serves them: made from the settings, or a file's."""

    def __init__(self, project_dir: Path | None, generated: Mapping[str, bytes] | None = None) -> None:
        self.folders = [folder for folder in (project_static(project_dir), ENGINE_STATIC) if folder is not None]
        self.generated = dict(generated or {})
        self.version = lru_cache(maxsize=256)(self._version)

    def _version(self, path: str) -> str:
        """The first 12 hex digits of the file's BLAKE2b digest; empty for a path that names no file."""
        if path in self.generated:
            return hashlib.blake2b(self.generated[path], digest_size=6).hexdigest()
        for folder in self.folders:
            file = (folder / path).resolve()
            if file.is_relative_to(folder.resolve()) and file.is_file():
                return hashlib.blake2b(file.read_bytes(), digest_size=6).hexdigest()
        return ""

    def address(self, path: str) -> str:
        """The address pages link the file by: its path, with its version when the file exists."""
        version = self.version(path)
        return f"/static/{path}?{VERSION_PARAMETER}={version}" if version else f"/static/{path}"


class CacheHeaders:
    """ASGI middleware: a year's immutable caching for the current version of a file, revalidation otherwise."""

    def __init__(self, app: ASGIApp, versions: StaticVersions) -> None:
        self.app = app
        self.versions = versions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(VERSION_PARAMETER, [])
        path = scope.get("path", "").removeprefix(scope.get("root_path", "")).removeprefix("/static").lstrip("/")
        current = self.versions.version(path) if len(asked) == 1 else ""
        policy = IMMUTABLE if current and asked[0] == current else REVALIDATE

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                MutableHeaders(scope=message)["cache-control"] = policy
            await send(message)

        await self.app(scope, receive, send_with_policy)


class GeneratedFiles:
    """ASGI app: the files made from the settings answered from memory, any other path passed to ``app``."""

    def __init__(self, app: ASGIApp, files: Mapping[str, bytes]) -> None:
        self.app = app
        self.files = dict(files)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "").removeprefix(scope.get("root_path", "")).removeprefix("/static").lstrip("/")
        if scope["type"] != "http" or scope.get("method") != "GET" or path not in self.files:
            await self.app(scope, receive, send)  # other methods get the static files' own 405
            return
        data = self.files[path]
        tag = f'"{hashlib.blake2b(data, digest_size=8).hexdigest()}"'  # for the no-cache revalidation, as on disk
        if tag in Headers(scope=scope).get("if-none-match", ""):
            await Response(status_code=304, headers={"ETag": tag})(scope, receive, send)
            return
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        await Response(data, media_type=kind, headers={"ETag": tag})(scope, receive, send)


def static_app(project_dir: Path | None, versions: StaticVersions) -> ASGIApp:
    """The app mounted at /static: files made from the settings, the project's, the engine's; cached, gzipped."""
    files = CacheHeaders(GeneratedFiles(static_files(project_dir), versions.generated), versions)
    return GZipMiddleware(files, minimum_size=COMPRESS_FROM, compresslevel=COMPRESS_LEVEL)
