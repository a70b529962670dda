"""The rejects file: every row an ingest could not load, with where it was and why.

Rows are written as they are found, to a scratch file beside the final one, and
the CSV is only put in place when the ingest succeeds: a failed ingest leaves
the previous rejects file, which still describes the data that is serving.
Cells are written as the source held them, except that none is a spreadsheet
formula (see formulas.py). A
load refused because every row was rejected sets its rows aside in
``<source>.refused.csv`` instead, so the reasons can be read while the previous
data serves; the next load that succeeds removes that file.
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .formulas import neutralised
from .normalise import Rejection

ROW_COLUMN = "row"
REASONS_COLUMN = "reasons"


class RejectsWriter:
    """Collects one source's rejected rows and writes them to ``<folder>/<source>.csv``."""

    def __init__(self, folder: Path, source_name: str) -> None:
        self.path = folder / f"{source_name}.csv"
        self.refused_path = folder / f"{source_name}.refused.csv"
        self.scratch = folder / f".{source_name}.csv.partial"
        self.count = 0
        self._file: Any = None

    def add(self, rejections: Iterable[Rejection]) -> None:
        for rejection in rejections:
            if self._file is None:
                self.scratch.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.scratch.open("w", encoding="utf-8")
            line = {"row": rejection.row, "reasons": rejection.reasons, "values": rejection.values}
            self._file.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
            self.count += 1

    def finish(self) -> Path | None:
        """Put the rejects file in place (removing an old one when nothing was rejected); its path, if any.

        The load succeeded, so rows set aside by an earlier refused load no longer apply.
        """
        self.refused_path.unlink(missing_ok=True)
        return self._write(self.path)

    def set_aside(self) -> Path | None:
        """Write the rows collected to the refused-load file, keeping the rejects file of the data serving."""
        return self._write(self.refused_path)

    def commonest_reasons(self, shown: int = 3) -> list[tuple[str, int]]:
        """The reasons given most often so far, with how many rows gave each (read back from the scratch file)."""
        if self._file is None:
            return []
        self._file.flush()
        with self.scratch.open(encoding="utf-8") as lines:
            return Counter(reason for line in lines for reason in json.loads(line)["reasons"]).most_common(shown)

    def _write(self, path: Path) -> Path | None:
        if self._file is None:
            path.unlink(missing_ok=True)
            return None
        self._file.close()
        self._file = None
        columns = _columns(self.scratch)
        final = self.scratch.with_suffix(".new")
        with self.scratch.open(encoding="utf-8") as lines, final.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([ROW_COLUMN, REASONS_COLUMN, *(neutralised(column) for column in columns)])
            for line in lines:
                entry = json.loads(line)
                values = entry["values"]
                reasons = neutralised("; ".join(entry["reasons"]))
                writer.writerow([entry["row"], reasons, *(_cell(values.get(c)) for c in columns)])
        os.replace(final, path)
        self.scratch.unlink()
        return path

    def discard(self) -> None:
        """Throw away what was collected, keeping any earlier rejects file."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self.scratch.unlink(missing_ok=True)


def reasons_in_words(reasons: Iterable[tuple[str, int]]) -> str:
    """``reason (3 rows); other reason (1 row)``: reasons with how many rows gave each."""
    return "; ".join(f"{reason} ({number:,} row{'' if number == 1 else 's'})" for reason, number in reasons)


def _columns(scratch: Path) -> list[str]:
    """Every source column seen in the rejected rows, in the order first seen."""
    seen: dict[str, None] = {}
    with scratch.open(encoding="utf-8") as lines:
        for line in lines:
            seen.update(dict.fromkeys(json.loads(line)["values"]))
    return [column for column in seen if column not in {ROW_COLUMN, REASONS_COLUMN}]


def _cell(value: Any) -> str:
    """A source's value as the rejects file shows it: as read, but never as a spreadsheet formula."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return neutralised(json.dumps(value, ensure_ascii=False))
    return neutralised(str(value))
