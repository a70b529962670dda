"""The ids a load has taken so far, so that a row repeating one is rejected, in memory that does not grow with the file.

A load rejects a row whose id (its id column's, or the hash of its values)
an earlier row had. Holding a fingerprint of every id in a Python set grew
memory with the file, about 72 bytes a row: 360 MB more at 5,000,000 rows
(docs/performance.md). So the fingerprints of the latest ids are held in a
set, up to :data:`IN_MEMORY` of them, and earlier ones in a private
temporary SQLite database on disk (an unnamed one, which SQLite deletes when
it is closed) with a bounded cache. A batch's ids are looked up there in a
few queries. That costs about 6 seconds for 1,000,000 rows and 34 for
5,000,000 (against 1 and 5 for the set), a few per cent of their ingest,
for memory that stays under 40 MB whatever the size of the file; a file of
up to :data:`IN_MEMORY` rows never touches the disk.

A fingerprint is Python's 64-bit hash of the id, as before: two different
ids share one with a chance of about one in a million at 5,000,000 rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

IN_MEMORY = 100_000  # fingerprints held in the set before they are moved to disk: about 7 MB
LOOKUPS_AT_ONCE = 500  # fingerprints in one query's IN list
CACHE_KIB = 32_768  # the disk database's page cache: the fingerprints of about 2,500,000 rows


class Repeats:
    """Which ids of each batch are the first of their kind in the load so far (the earliest row keeps its id)."""

    def __init__(self, in_memory: int | None = None) -> None:
        self.in_memory = IN_MEMORY if in_memory is None else in_memory
        self.recent: set[int] = set()
        self._disk: sqlite3.Connection | None = None

    def firsts(self, ids: Sequence[str]) -> list[bool]:
        """For each id, in order, whether no earlier id (of this batch or an earlier one) was the same."""
        fingerprints = [hash(feature_id) for feature_id in ids]
        earlier = self._on_disk(fingerprints)
        recent = self.recent
        found: list[bool] = []
        for fingerprint in fingerprints:
            first = fingerprint not in recent and fingerprint not in earlier
            if first:
                recent.add(fingerprint)
            found.append(first)
        if len(recent) >= self.in_memory:
            self._move_to_disk()
        return found

    def close(self) -> None:
        """Forget every id, and delete the disk database."""
        self.recent.clear()
        if self._disk is not None:
            self._disk.close()
            self._disk = None

    def _on_disk(self, fingerprints: list[int]) -> set[int]:
        if self._disk is None:
            return set()
        held: set[int] = set()
        for start in range(0, len(fingerprints), LOOKUPS_AT_ONCE):
            some = fingerprints[start : start + LOOKUPS_AT_ONCE]
            query = f"SELECT fingerprint FROM seen WHERE fingerprint IN ({', '.join('?' * len(some))})"  # noqa: S608 (placeholders)
            held.update(fingerprint for (fingerprint,) in self._disk.execute(query, some))
        return held

    def _move_to_disk(self) -> None:
        if self._disk is None:
            self._disk = sqlite3.connect("", isolation_level=None)  # "": a temporary database, on disk
            self._disk.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._disk.execute("PRAGMA journal_mode = OFF")  # nothing to recover: it goes with the load
            self._disk.execute("PRAGMA synchronous = OFF")
            self._disk.execute("CREATE TABLE seen (fingerprint INTEGER PRIMARY KEY)")
        self._disk.execute("BEGIN")
        # In the table's order, so each page is filled in turn.
        self._disk.executemany("INSERT INTO seen VALUES (?)", ((fingerprint,) for fingerprint in sorted(self.recent)))
        self._disk.execute("COMMIT")
        self.recent.clear()
