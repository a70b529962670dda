"""Records read from the web, kept in a temporary file until the load starts, so the store is locked only to load.

A load holds the store's write transaction from its first row to its commit.
Read straight from a portal, that would be as long as the portal takes to
answer every page (minutes, for a slow one), and every other writer would wait
on it. So a web source is read whole first, into an unnamed temporary file
that the system removes however the ingest ends, and only then loaded. The
file is bounded as the download is: the source's ``max_source_bytes`` and
``max_pages`` stop reading before it grows large. A file on disk needs no
spool: reading it is as quick as loading it.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

from .adapters import RawRecord

SPOOL_BATCH = 1000  # records pickled together: fewer, larger writes


@contextmanager
def spooled(records: Iterable[RawRecord]) -> Iterator[Iterator[RawRecord]]:
    """Read every record into a temporary file, then yield them again from it, in order."""
    with tempfile.TemporaryFile(prefix="local-data-app-spool-") as file:
        iterator = iter(records)
        while batch := list(islice(iterator, SPOOL_BATCH)):
            pickle.dump(batch, file, protocol=pickle.HIGHEST_PROTOCOL)
        file.seek(0)

        def replayed() -> Iterator[RawRecord]:
            while True:
                try:
                    batch: list[RawRecord] = pickle.load(file)  # noqa: S301 (a file this process has just written)
                except EOFError:
                    return
                yield from batch

        yield replayed()
