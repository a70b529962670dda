"""CSV files, as councils publish them: any of the usual encodings, quoted cells over several lines.

Spreadsheets save CSV as UTF-8 (with or without a byte-order mark), Windows-1252
or UTF-16, so ``encoding = "auto"`` (the default) looks at the bytes: a
byte-order mark, the zero bytes of UTF-16, or a file that is not valid UTF-8
(then Windows-1252). Each record's number is the line it starts on, so a
rejected row can be found in a text editor; the header is line 1.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import Field

from ..errors import SourceError
from . import register
from .base import Adapter, RawRecord
from .http import HttpOptions
from .local_or_remote import local_copy

Encoding = Literal["auto", "utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "latin-1"]
SNIFF_BYTES = 4096
CHUNK_BYTES = 1 << 20


class CsvOptions(HttpOptions):
    encoding: Encoding = "auto"
    delimiter: str = Field(default=",", min_length=1, max_length=1)


@register
class CsvAdapter(Adapter):
    """Reads a CSV file with a header row."""

    name = "csv"
    Options = CsvOptions
    options: CsvOptions

    def records(self) -> Iterator[RawRecord]:
        with local_copy(self.source, self.options, ".csv") as path:
            encoding = self.options.encoding
            if encoding == "auto":
                encoding = detect_encoding(path)
            yield from self._read(path, encoding)

    def _read(self, path: Path, encoding: str) -> Iterator[RawRecord]:
        line = 1
        try:
            with path.open(encoding=encoding, newline="") as file:
                reader = csv.reader(file, delimiter=self.options.delimiter)
                header = next(reader, None)
                if not header or not any(cell.strip() for cell in header):
                    raise SourceError(f"Source {self.source.name!r}: {path.name} has no header row; is it empty?")
                columns = _column_names(header, self.source.name)
                line = reader.line_num
                for row in reader:
                    start, line = line + 1, reader.line_num
                    if not row or (len(row) == 1 and not row[0]):
                        continue  # a blank line holds no record
                    yield _record(start, columns, row)
        except UnicodeDecodeError as error:
            bad_line = first_undecodable_line(path, encoding)
            where = f" at line {bad_line}" if bad_line else ""
            raise SourceError(
                f"Source {self.source.name!r}: {path.name} is not valid {encoding}{where} ({error.reason}). "
                "Set the source's encoding (utf-8, utf-8-sig, cp1252 or utf-16) in place.toml, or leave it as auto."
            ) from error
        except csv.Error as error:
            raise SourceError(
                f"Source {self.source.name!r}: {path.name} could not be read as CSV after line {line}: {error}. "
                "Check the quoting there, and the source's delimiter."
            ) from error


def _column_names(header: list[str], source: str) -> list[str]:
    names = [cell.strip().lstrip("\ufeff") or f"column_{index}" for index, cell in enumerate(header, start=1)]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise SourceError(
            f"Source {source!r}: the header names {', '.join(repeated)} more than once; "
            "rename the columns so each is unique."
        )
    return names


def _record(number: int, columns: list[str], row: list[str]) -> RawRecord:
    if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns) :]):
        values = dict(zip(columns, row, strict=False))
        return RawRecord(number, values, problem=f"the row has {len(row)} cells but the header has {len(columns)}")
    if len(row) < len(columns):
        row = row + [""] * (len(columns) - len(row))
    return RawRecord(number, dict(zip(columns, row, strict=False)))


def detect_encoding(path: Path) -> str:
    """The encoding of a text file: from its byte-order mark, its zero bytes, or whether it is valid UTF-8."""
    with path.open("rb") as file:
        start = file.read(SNIFF_BYTES)
        if start.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if start and start.count(0) > len(start) // 4:
            # UTF-16 without a mark: ASCII characters have their zero byte first (big-endian) or second.
            return "utf-16-be" if start[0::2].count(0) > start[1::2].count(0) else "utf-16-le"
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = start
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = file.read(CHUNK_BYTES)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def first_undecodable_line(path: Path, encoding: str) -> int | None:
    """The number of the first line that does not decode (text files are decoded in chunks, not lines)."""
    if encoding.startswith("utf-16"):
        return None  # its line breaks are two bytes; the chunk position is all there is
    with path.open("rb") as file:
        for number, line in enumerate(file, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                return number
    return None
