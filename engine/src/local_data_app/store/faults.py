"""A database driver's error met part way through a load, in words: which database, what went wrong, the fix.

The stores turn the faults they foresee into StoreErrors; a read-only, full
or damaged database can still surface as the driver's own error in the middle
of a load, and ingest reports it for that source with the fix found here.
"""

from __future__ import annotations

import sqlite3
import sys
from typing import NamedTuple

from . import hide_password

# What to do about the database faults people meet, by SQLite's error name or PostgreSQL's SQLSTATE (a prefix).
STORE_FIXES = (
    (
        ("SQLITE_READONLY", "25006"),
        "Make the database writable by the user that runs the ingest (an SQLite file and the folder it is in; "
        "a PostgreSQL primary server, not a read-only standby).",
    ),
    (("SQLITE_FULL", "53100"), "Free some space on the disk that holds the database, then ingest again."),
    (
        ("SQLITE_CORRUPT", "SQLITE_NOTADB", "XX001", "XX002"),
        "The database is damaged: restore it from a backup, or start a new one and ingest every source again "
        "(it holds nothing that the sources do not).",
    ),
    (("SQLITE_IOERR", "08"), "Check that the disk, or the database server, is working and can be reached."),
)
STORE_FIX = "Check that the database can be written, has room on its disk and is not damaged."


class StoreFault(NamedTuple):
    """A database driver's error in words: which database (its password hidden), what went wrong, the fix."""

    database: str
    problem: str
    fix: str


def store_fault(error: BaseException, database_url: str) -> StoreFault | None:
    """The database, what went wrong and the fix, if ``error`` is a database driver's; else None.

    The stores turn the faults they foresee into StoreErrors; this catches the
    rest, such as a read-only, full or damaged database met part way through
    a load. psycopg is only looked for if a PostgreSQL store has imported it.
    """
    psycopg = sys.modules.get("psycopg")
    drivers = (sqlite3.Error,) if psycopg is None else (sqlite3.Error, psycopg.Error)
    if not isinstance(error, drivers):
        return None
    code = getattr(error, "sqlite_errorname", None) or getattr(error, "sqlstate", None) or ""
    fix = next((fix for codes, fix in STORE_FIXES if code.startswith(codes)), STORE_FIX)
    problem = str(error).strip().split("\n", 1)[0] or type(error).__name__
    return StoreFault(hide_password(database_url), problem, fix)
