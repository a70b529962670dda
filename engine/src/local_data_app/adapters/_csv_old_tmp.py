"""CSV files, as councils publish them: any of the usual encodings, quoted cells over several lines.

Spreadsheets save CSV as UTF-8 (with or without a byte-order mark), Windows-1252
or UTF-16, so ``encoding = "auto"`` (the default) looks at the bytes: a
byte-order mark, the zero bytes of UTF-16, or whether the file is UTF-8. A file
none of whose non-ASCII bytes is valid UTF-8 is Windows-1252. A file that is
UTF-8 but for a stray byte or two is refused, naming the line and the byte
offset of the first: read as Windows-1252, every other accented character in it
would silently turn to mojibake ("é" to "Ã©"). Setting ``encoding`` in
place.toml reads the file as that, without looking. Each record's number is the
line it starts on, so a rejected row can be found in a text editor; the header
is line 1.

A quote left open is a fault of the whole file, not of one row: the csv module
would read every line after it into one cell. So a quoted cell that never
closes, or that spans lines and has text after its closing quote (the quote
left open, closed by the opening quote of a later cell), stops the read with
the line where it opens. A quote left open that the next quote on its own line
closes runs cells together in that row only, which is then rejected with that
reason. A quote inside an unquoted cell (``Smith "Jr" Street``) is only a
character, and cells quoted over several lines are read whole.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Literal, NamedTuple, TextIO

from pydantic import Field

from ..errors import SourceError
from .base import RawRecord
from .http import HttpOptions, hide_secrets
from .local_or_remote import FileAdapter, local_copy

Encoding = Literal["auto", "utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "latin-1"]
SNIFF_BYTES = 4096
CHUNK_BYTES = 1 << 20
QUOTE = '"'
LINE_BREAKS = ("\r", "\n")
SHOWN_CHARACTERS = 40
SHOWN_NAMES = 10  # repeated column names an error message lists before saying how many more
# Decoded with surrogateescape, each byte that is not UTF-8 becomes one of these lone surrogates.
NOT_UTF_8 = re.compile("[\udc80-\udcff]")
# A character that valid UTF-8 of two bytes or more decoded to: neither ASCII nor an escaped byte.
WIDE_CHARACTER = re.compile("[^\x00-\x7f\udc80-\udcff]")


class CsvOptions(HttpOptions):
    encoding: Encoding = "auto"
    delimiter: str = Field(default=",", min_length=1, max_length=1)


class CsvAdapter(FileAdapter):
    """Reads a CSV file with a header row."""

    name = "csv"
    Options = CsvOptions
    options: CsvOptions

    header: list[str] | None = None  # the column names, once the header row is read

    def records(self) -> Iterator[RawRecord]:
        with local_copy(self.source, self.options, ".csv") as path:
            encoding = self.options.encoding
            if encoding == "auto":
                try:
                    encoding = detect_encoding(path)
                except StrayByte as stray:
                    raise SourceError(
                        f"Source {self.source.name!r}: {self._file()} is UTF-8 but for the byte 0x{stray.value:02X} "
                        f"on line {stray.line:,} (at byte offset {stray.offset:,} of the file), which is not valid "
                        "UTF-8, so it was not read: read as Windows-1252, its other accented characters would be "
                        "garbled. Correct or remove that byte or, if the file is in another encoding, set the "
                        'source\'s encoding in place.toml (encoding = "cp1252", say).'
                    ) from stray
            yield from self._read(path, encoding)

    def no_records(self) -> str:
        if self.header is None:
            return super().no_records()
        shown = _shorten(", ".join(self.header))
        return (
            f"{self._file()} has a header ({shown}) but no rows of data. Check that the file was exported whole; "
            "if those are not its column names, check the source's encoding and delimiter"
        )

    def _file(self) -> str:
        """The file as people know it: its address when it is downloaded, else its name."""
        return hide_secrets(self.source.location) if self.source.is_url() else self.source.path().name

    def _read(self, path: Path, encoding: str) -> Iterator[RawRecord]:
        line = 0  # the last line of the last record read
        lines: RecordLines | None = None
        try:
            with path.open(encoding=encoding, newline="") as file:
                lines = RecordLines(file)
                reader = csv.reader(lines, delimiter=self.options.delimiter)
                header = next(reader, None)
                self._check_quotes(lines.take(), 1)
                if not header or not any(cell.replace("\0", "").strip() for cell in header):
                    raise SourceError(
                        f"Source {self.source.name!r}: {self._file()} has no header row: it is empty, or holds "
                        "only blank lines or NUL bytes. Check that the file was exported whole."
                    )
                if any("\0" in cell for cell in header):
                    raise SourceError(
                        f"Source {self.source.name!r}: the header row of {self._file()} holds NUL bytes, so the "
                        f"file is not {encoding} text: it may be UTF-16 (leave the source's encoding as auto) "
                        "or damaged (export it again)."
                    )
                columns = _column_names(header, self.source.name)
                self.header = columns
                line = reader.line_num
                for row in reader:
                    start, line = line + 1, reader.line_num
                    read = lines.take()
                    if len(read) > 1 or not read[-1].endswith(LINE_BREAKS) or (row and row[-1].endswith(LINE_BREAKS)):
                        # A cell over several lines, the file's last line, or a cell that ran to the file's end.
                        self._check_quotes(read, start)
                    if not row or (len(row) == 1 and not row[0]):
                        continue  # a blank line holds no record
                    run_on = None
                    if len(row) != len(columns):  # cells may have run together at a quote
                        run_on = run_on_quote("".join(read), self.options.delimiter)
                    yield _record(start, columns, row, run_on)
        except UnicodeError as error:
            bad = first_undecodable(path, encoding)
            where = f" at line {bad.line}" if bad else ""
            reason = error.reason if isinstance(error, UnicodeDecodeError) else str(error)
            raise SourceError(
                f"Source {self.source.name!r}: {self._file()} is not valid {encoding}{where} ({reason}). "
                "Set the source's encoding (utf-8, utf-8-sig, cp1252 or utf-16) in place.toml, or leave it as auto."
            ) from error
        except csv.Error as error:
            if lines is not None:
                self._check_quotes(lines.take(), line + 1)  # a quote left open makes a cell too large
            raise SourceError(
                f"Source {self.source.name!r}: {self._file()} could not be read as CSV from line {line + 1}: "
                f"{error}. Check the quoting there, and the source's delimiter."
            ) from error

    def _check_quotes(self, lines: list[str], first_line: int) -> None:
        """A SourceError if a quoted cell in these lines of one record (starting at ``first_line``) runs away."""
        text = "".join(lines)
        found = runaway_quote(text, self.options.delimiter)
        if found is None:
            return
        opened, closed = found.opened, found.closed
        opened_line = first_line + _line_index(lines, opened)
        cell = _shown_from(text, opened)
        where = f"{self._file()} has a quote that opens on line {opened_line} ({cell})"
        if closed is None:
            problem = f"{where} and is never closed, so the rest of the file would be read as one cell"
        else:
            closed_line = first_line + _line_index(lines, closed)
            problem = (
                f"{where} and closes on line {closed_line} with more text after it, so lines {opened_line} "
                f"to {closed_line} would be read as one cell: the quote on line {opened_line} is most likely "
                "never closed"
            )
        raise SourceError(
            f"Source {self.source.name!r}: {problem}. Close the quote on line {opened_line} or remove it, "
            "then ingest again."
        )


class RecordLines:
    """A text file's lines as the csv reader takes them, keeping those of the record being read."""

    def __init__(self, file: TextIO) -> None:
        self._lines = iter(file)
        self._record: list[str] = []

    def __iter__(self) -> RecordLines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._record.append(line)
        return line

    def take(self) -> list[str]:
        """The lines read since the last call: the lines of the record the reader just returned."""
        record, self._record = self._record, []
        return record


class QuotedCell(NamedTuple):
    """A quoted cell in a record's text, as the csv module reads it."""

    opened: int  # where its opening quote is
    closed: int | None  # where its closing quote is; None when it never closes
    text_after: bool  # whether more text follows the closing quote, which csv joins to the cell
    spans_lines: bool


def quoted_cells(text: str, delimiter: str) -> Iterator[QuotedCell]:
    """The quoted cells of one record's text.

    As the csv module reads it, a quote opens a quoted cell only at the start of
    a cell, two quotes inside one stand for a quote, and text after the closing
    quote joins the cell.
    """
    position = 0
    while position < len(text):
        if text.startswith(QUOTE, position):
            opened = position
            position += 1
            while (position := text.find(QUOTE, position)) >= 0 and text.startswith(QUOTE, position + 1):
                position += 2
            if position < 0:
                yield QuotedCell(opened, None, text_after=False, spans_lines=True)
                return
            closed, position = position, position + 1
            after = text[position : position + 1]
            text_after = bool(after) and after != delimiter and after not in LINE_BREAKS
            yield QuotedCell(opened, closed, text_after, any(mark in text[opened:closed] for mark in LINE_BREAKS))
        position = text.find(delimiter, position)
        if position < 0:
            return
        position += 1


def runaway_quote(text: str, delimiter: str) -> QuotedCell | None:
    """The first quoted cell that never closes, or that spans lines and has text after its closing quote."""
    return next(
        (
            cell
            for cell in quoted_cells(text, delimiter)
            if cell.closed is None or (cell.spans_lines and cell.text_after)
        ),
        None,
    )


def run_on_quote(text: str, delimiter: str) -> str | None:
    """The start of the first quoted cell with text after its closing quote, as an error message shows it."""
    cell = next((cell for cell in quoted_cells(text, delimiter) if cell.text_after), None)
    return None if cell is None else _shown_from(text, cell.opened)


def _line_index(lines: list[str], offset: int) -> int:
    """Which of these lines holds the character at ``offset`` of their joined text."""
    for index, line in enumerate(lines):
        if offset < len(line):
            return index
        offset -= len(line)
    return len(lines) - 1


def _shown_from(text: str, offset: int) -> str:
    """The text from ``offset`` to the end of its line, shortened, as an error message shows it."""
    line = text[offset : offset + 2 * SHOWN_CHARACTERS].split("\n", 1)[0].split("\r", 1)[0]
    return _shorten(line)


def _shorten(text: str) -> str:
    text = text.replace("\0", "")
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "..."


def _column_names(header: list[str], source: str) -> list[str]:
    """The header's names, a blank one named by its place; a SourceError naming those given more than once.

    Counted in one pass, since a header may have hundreds of thousands of columns.
    """
    names = [cell.strip().lstrip("\ufeff") or f"column_{index}" for index, cell in enumerate(header, start=1)]
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        which = ", ".join(_shorten(name) for name in repeated[:SHOWN_NAMES])
        if len(repeated) > SHOWN_NAMES:
            which = f"{len(repeated):,} columns ({which} and {len(repeated) - SHOWN_NAMES:,} more)"
        raise SourceError(
            f"Source {source!r}: the header names {which} more than once; rename the columns so each is unique."
        )
    return names


def _record(number: int, columns: list[str], row: list[str], run_on: str | None = None) -> RawRecord:
    """A row as a record; a problem if it has more cells than the header, or cells run together at a quote."""
    cells = f"the row has {len(row)} cells but the header has {len(columns)}"
    if run_on is not None:
        problem = (
            f"{cells}: the quoted cell {run_on} has more text after its closing quote, so cells ran together. "
            "Close the quote where its cell ends, or remove it"
        )
        return RawRecord(number, dict(zip(columns, row, strict=False)), problem=problem)
    if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns) :]):
        return RawRecord(number, dict(zip(columns, row, strict=False)), problem=cells)
    if len(row) < len(columns):
        row = row + [""] * (len(columns) - len(row))
    return RawRecord(number, dict(zip(columns, row, strict=False)))


class StrayByte(ValueError):
    """A file that is UTF-8 but for some bytes: where the first of them is, and its value."""

    def __init__(self, line: int, offset: int, value: int) -> None:
        super().__init__(f"the byte 0x{value:02X} on line {line} (offset {offset}) is not UTF-8")
        self.line, self.offset, self.value = line, offset, value


class Undecodable(NamedTuple):
    """The first byte of a file that does not decode: its line (from 1), its offset in the file (from 0), its value."""

    line: int
    offset: int
    value: int


def detect_encoding(path: Path) -> str:
    """The encoding of a text file: from its byte-order mark, its zero bytes, or whether it is valid UTF-8.

    A file with bytes that are not UTF-8 is Windows-1252 only if none of its
    non-ASCII bytes is: one that holds valid UTF-8 beside them is UTF-8 with
    stray bytes, and a :class:`StrayByte` says where the first is.
    """
    with path.open("rb") as file:
        start = file.read(SNIFF_BYTES)
        if start.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        even, odd = start[0::2].count(0), start[1::2].count(0)
        if max(even, odd) > len(start) // 4 and min(even, odd) * 4 < max(even, odd):
            # UTF-16 without a mark: ASCII characters have their zero byte first (big-endian) or second. Zero
            # bytes at both places, such as a run of NUL bytes where a file was cut short, are not UTF-16.
            return "utf-16-be" if even > odd else "utf-16-le"
        decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        invalid = wide = False
        for chunk in chain([start], iter(lambda: file.read(CHUNK_BYTES), b""), [None]):
            text = decoder.decode(b"", final=True) if chunk is None else decoder.decode(chunk)
            invalid = invalid or NOT_UTF_8.search(text) is not None
            wide = wide or WIDE_CHARACTER.search(text) is not None
            if invalid and wide:
                break
    if not invalid:
        return "utf-8"
    if not wide:
        return "cp1252"
    stray = first_undecodable(path, "utf-8")
    if stray is None:  # not reached: read line by line, the byte the decoder found fails too
        return "cp1252"
    raise StrayByte(*stray)


def first_undecodable(path: Path, encoding: str) -> Undecodable | None:
    """The first byte that does not decode, with its line (text files are decoded in chunks, not lines)."""
    if encoding.startswith("utf-16"):
        return None  # its line breaks are two bytes; the chunk position is all there is
    offset = 0
    with path.open("rb") as file:
        for number, line in enumerate(file, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError as error:
                return Undecodable(number, offset + error.start, line[error.start])
            offset += len(line)
    return None
