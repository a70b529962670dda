"""One ingest into a database at a time, on one machine: a second one refuses at once, saying which is running.

Two ingests at once would both wait on the store's write lock and the later
would fail part way with "database is locked" (SQLite) or load the same source
twice (PostgreSQL). A lock file in the system's temporary folder, named by a
digest of the database's address, is held for the whole ingest with an
advisory lock that the operating system releases when the process ends,
however it ends, so a killed ingest never leaves a stale lock and nothing is
written in the project. Where the platform has no ``fcntl`` (Windows) there is
no lock, and the store's own lock is the only guard. Ingests on other machines
into one PostgreSQL database are kept apart by the store's own ingest lock
(:meth:`~local_data_app.store.Store.ingesting`), an advisory lock on the server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import IngestRunning
from .store.sqlite import database_path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_PREFIX = "local-data-app-ingest-"


def lock_path(database_url: str, project_dir: Path) -> Path:
    """The lock file of a database: an SQLite file by its absolute path, any other store by its address."""
    if database_url.lower().startswith("sqlite:"):
        database_url = "sqlite:///" + str(database_path(database_url, project_dir).resolve())
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:24]
    return Path(tempfile.gettempdir()) / f"{LOCK_PREFIX}{digest}.lock"


@contextmanager
def one_ingest_at_a_time(database_url: str, project_dir: Path) -> Iterator[None]:
    """Hold the database's ingest lock while the block runs; IngestRunning if another ingest holds it."""
    if fcntl is None:
        yield
        return
    with lock_path(database_url, project_dir).open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise IngestRunning(
                f"Another ingest into this project's database is running ({holder}). Wait for it to finish, then "
                "run ingest again: what it loads serves as soon as each source commits."
            ) from None
        handle.seek(0)
        handle.truncate()
        started = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        handle.write(f"process {os.getpid()}, started {started}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
