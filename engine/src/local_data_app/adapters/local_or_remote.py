"""Sources that are one file: on disk beside the project, or at a web address.

A file at a web address is downloaded once to a temporary file, with the web
adapters' timeouts, retries and limits, and then read like a local one; the
temporary file is removed however reading ends, an error or Ctrl+C included.
A file on disk has a content digest, so an ingest can skip it while it is
unchanged.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import SourceError
from .base import Adapter, SourceSpec
from .http import HttpClient, HttpOptions

CHUNK = 1 << 20
LINE_ENDS = (b"\n", b"\r", b"\n\x00", b"\r\x00")  # the last bytes of a line break, UTF-16-LE's included
SHOWN_CHARACTERS = 40


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
        yield client.download(source.location, Path(folder) / f"download{suffix}", cut_short=CUT_SHORT.get(suffix))


def last_line_cut(path: Path) -> str | None:
    """Why a CSV file looks cut short: its last line has no line break though the lines before it have one.

    A server that gives neither a Content-Length nor a chunked body leaves no
    other way to tell a file cut off mid-line from a whole one. A file of one
    line, with nothing to compare, passes; one cut exactly at a line break
    cannot be told from a whole file.
    """
    with path.open("rb") as file:
        end = file.seek(0, io.SEEK_END)
        file.seek(max(0, end - 2))
        if end == 0 or file.read().endswith(LINE_ENDS):
            return None
        position = end
        while position > 0:  # back to the last line break: the last line is short, so this reads little
            start = max(0, position - CHUNK)
            file.seek(start)
            chunk = file.read(position - start)
            found = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
            if found >= 0:
                file.seek(start + found + 1)
                last = file.read(4 * SHOWN_CHARACTERS).decode("utf-8", "replace").replace("\0", "")
                shown = last if len(last) <= SHOWN_CHARACTERS else last[:SHOWN_CHARACTERS] + "..."
                return (
                    f"the file ends part way through a line: its last line ({shown!r}) has no line break though "
                    "the lines before it have, and the server did not say how long the file is, so it was most "
                    "likely cut short; if the file does end so, ask its publisher to end it with a line break"
                )
            position = start
    return None


# For each kind of file downloaded (by the suffix an adapter gives local_copy): how to tell that it was cut short.
CUT_SHORT: dict[str, Callable[[Path], str | None]] = {".csv": last_line_cut}
