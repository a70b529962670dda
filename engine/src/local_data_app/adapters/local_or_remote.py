"""Sources that are one file: on disk beside the project, or at a web address.

A file at a web address is downloaded once to a temporary file, with the web
adapters' timeouts and retries, and then read like a local one. A file on disk
has a content digest, so an ingest can skip it while it is unchanged.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import SourceError
from .base import Adapter, SourceSpec
from .http import HttpClient, HttpOptions

CHUNK = 1 << 20


class FileAdapter(Adapter):
    """An adapter whose source is one file, on disk or at a web address."""

    def content_digest(self) -> str | None:
        """The SHA-256 of a file on disk; None for one at a web address, or no file (reading says why)."""
        if self.source.is_url():
            return None
        digest = hashlib.sha256()
        try:
            with self.source.path().open("rb") as file:
                while chunk := file.read(CHUNK):
                    digest.update(chunk)
        except OSError:
            return None
        return digest.hexdigest()


@contextmanager
def local_copy(source: SourceSpec, options: HttpOptions, suffix: str) -> Iterator[Path]:
    """The path of the source's file, downloading it first if its location is a URL."""
    if not source.is_url():
        path = source.path()
        if not path.is_file():
            raise SourceError(
                f"Source {source.name!r}: no file at {path}. Check its location in place.toml "
                "(a path relative to the project folder, or a URL)."
            )
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="ingest-") as folder:
        client = HttpClient(source.name, options)
        yield client.download(source.location, Path(folder) / f"download{suffix}")
