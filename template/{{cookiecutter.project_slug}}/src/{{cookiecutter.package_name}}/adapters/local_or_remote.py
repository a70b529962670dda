"""Sources that are one file: on disk beside the project, or at a web address.

A file at a web address is downloaded once to a temporary file, with the web
adapters' timeouts and retries, and then read like a local one.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import SourceError
from .base import SourceSpec
from .http import HttpClient, HttpOptions


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
