"""Faulty CSV files through the `ingest` command, on each store, after the 23 made-up toilets have loaded.

A fault that spoils the whole file (a quote left open, the wrong encoding, a
header and no rows, no bytes at all) stops the ingest with a message naming the
source, the fault and the fix, and the toilets loaded before keep serving,
untouched, with no table left behind. A fault that spoils only some rows (a NUL
byte, a quote inside a cell) loads the file, and every row read is loaded or
rejected with its reason: read = loaded + rejected. A quote left open that
the next quote on its own line closes spoils only that row, which is rejected.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import MADE_UP_PLACE, opened, tables, toilet_rows, toml_text, write_project
from portal_server import RESOURCE_ID, Item, PortalServer

from local_data_app.cli import main
from local_data_app.store import Provenance

SOURCE = "toilets"
TOILETS = len(toilet_rows())


@dataclass
class Project:
    """A project whose one source, toilets, has loaded the 23 made-up toilets from data/raw/toilets.csv."""

    config: Path
    database_url: str
    loaded: Provenance  # the toilets' provenance after that first ingest
    ids: list[str]
    tables: set[str]

    @property
    def csv_file(self) -> Path:
        return self.config.parent / "data" / "raw" / "toilets.csv"

    @property
    def rejects_folder(self) -> Path:
        return self.config.parent / "data" / "rejects"

    def set_options(self, **options: Any) -> None:
        """Give the toilets source these adapter options (or another adapter and location) in place.toml."""
        entry = {"name": SOURCE, "adapter": "csv", "location": "data/raw/toilets.csv", "fields": {"id": "Ref"}}
        text = f"database_url = {json.dumps(self.database_url)}\n\n"
        self.config.write_text(text + toml_text({**MADE_UP_PLACE, "sources": [{**entry, **options}]}), "utf-8")


def ingest(project: Project, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run `ingest` as the command line does: its exit status and what it printed."""
    capsys.readouterr()
    status = main(["--config", str(project.config), "ingest"])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@pytest.fixture
def project(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Project:
    config = write_project(tmp_path / "project", database_url=database_url)
    assert main(["--config", str(config), "ingest"]) == 0
    assert capsys.readouterr().out == f"{SOURCE}: read {TOILETS}, loaded {TOILETS}, rejected 0\n"
    with opened(database_url, config.parent) as store:
        (provenance,) = store.provenance()
        ids = [feature.id for feature in store.features(SOURCE, limit=100)]
    assert len(ids) == TOILETS
    return Project(config, database_url, provenance, ids, tables(database_url))


def csv_lines(rows: list[dict[str, str]] | None = None) -> list[str]:
    """The toilets (or these rows) as the lines of a CSV file, the header first, each with its line break."""
    buffer = io.StringIO()
    rows = toilet_rows() if rows is None else rows
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().splitlines(keepends=True)


def with_cell(line: str, old: str, new: str) -> str:
    assert old in line
    return line.replace(old, new, 1)


def quote_left_open_mid_file() -> bytes:
    """Line 6 (Toilet 4) opens a quote that nothing closes."""
    lines = csv_lines()
    lines[5] = with_cell(lines[5], ",Toilet 4,", ',"Toilet 4,')
    return "".join(lines).encode()


def quote_closed_by_a_later_cell() -> bytes:
    """Line 6 opens a quote; the quoted name on line 22 (Toilet 20, Park Road) closes it instead of its own."""
    rows = toilet_rows()
    rows[20]["LocationText"] = "Toilet 20, Park Road"  # written in quotes, because of its comma
    lines = csv_lines(rows)
    assert lines[21].count('"') == 2
    lines[5] = with_cell(lines[5], ",Toilet 4,", ',"Toilet 4,')
    return "".join(lines).encode()


def quote_left_open_on_the_last_row() -> bytes:
    """The last line (24) opens a quote, and the file ends with no line break."""
    lines = csv_lines()
    lines[-1] = with_cell(lines[-1], ",Toilets,", ',"Toilets,').rstrip("\n")
    return "".join(lines).encode()


def windows_1252_text() -> bytes:
    """Windows-1252, with an è on line 10, while place.toml says UTF-8."""
    lines = csv_lines()
    lines[9] = with_cell(lines[9], "Toilet 8,", "Caffè 8,")
    return "".join(lines).encode("cp1252")


@dataclass(frozen=True)
class Refused:
    """A file whose fault stops the ingest: its bytes, the options it is read with, and what the message says."""

    id: str
    data: Callable[[], bytes]
    says: str
    options: dict[str, Any] | None = None


REFUSED = [
    Refused(
        "quote-left-open-mid-file",
        quote_left_open_mid_file,
        'toilets.csv has a quote that opens on line 6 ("Toilet 4,-2.26000,53.45000,Female and M...) and is never '
        "closed, so the rest of the file would be read as one cell. Close the quote on line 6 or remove it, then "
        "ingest again.",
    ),
    Refused(
        "quote-closed-by-a-later-cell",
        quote_closed_by_a_later_cell,
        'toilets.csv has a quote that opens on line 6 ("Toilet 4,-2.26000,53.45000,Female and M...) and closes on '
        "line 22 with more text after it, so lines 6 to 22 would be read as one cell: the quote on line 6 is most "
        "likely never closed. Close the quote on line 6 or remove it, then ingest again.",
    ),
    Refused(
        "quote-left-open-on-the-last-row",
        quote_left_open_on_the_last_row,
        'toilets.csv has a quote that opens on line 24 ("Toilets,Toilet 22,-2.28000,53.49000,Fem...) and is never '
        "closed, so the rest of the file would be read as one cell. Close the quote on line 24 or remove it",
    ),
    Refused(
        "wrong-encoding",
        windows_1252_text,
        "toilets.csv is not valid utf-8 at line 10 (invalid continuation byte). Set the source's encoding "
        "(utf-8, utf-8-sig, cp1252 or utf-16) in place.toml, or leave it as auto.",
        {"encoding": "utf-8"},
    ),
    Refused(
        "utf-8-read-as-utf-16",
        lambda: "".join(csv_lines()).encode(),
        "toilets.csv is not valid utf-16 (UTF-16 stream does not start with BOM). Set the source's encoding",
        {"encoding": "utf-16"},
    ),
    Refused(
        "header-only",
        lambda: csv_lines()[0].encode(),
        "toilets.csv has a header (Ref, ExtractDate, OrganisationLabel, Ser...) but no rows of data. "
        "Check that the file was exported whole; if those are not its column names, check the source's encoding "
        "and delimiter. An ingest that reads no records does not replace the source's data.",
    ),
    Refused(
        "header-and-blank-lines",
        lambda: (csv_lines()[0] + "\n\r\n\n").encode(),
        "toilets.csv has a header (Ref, ExtractDate, OrganisationLabel, Ser...) but no rows of data.",
    ),
    Refused(
        "empty-file",
        lambda: b"",
        "toilets.csv has no header row: it is empty, or holds only blank lines or NUL bytes. "
        "Check that the file was exported whole.",
    ),
    Refused("only-nul-bytes", lambda: b"\0" * 8192, "toilets.csv has no header row: it is empty, or holds only"),
]


def assert_still_serving(project: Project, out: str, set_aside: str | None = None) -> None:
    """The toilets loaded first still serve, as they were, and the failed ingest left nothing behind.

    Nothing but the file of rows ``set_aside``, when there is one.
    """
    assert f"The previous data is still serving: {TOILETS} rows fetched at {project.loaded.fetched_at}." in out
    with opened(project.database_url, project.config.parent) as store:
        assert store.provenance() == [project.loaded]
        assert store.count(SOURCE) == TOILETS
        assert [feature.id for feature in store.features(SOURCE, limit=100)] == project.ids
        assert store.feature(SOURCE, "T07").properties["LocationText"].startswith("<script>")
    assert tables(project.database_url) == project.tables
    left = [path.name for path in project.rejects_folder.glob("*")]
    assert left == ([set_aside] if set_aside else []), "no scratch file, nor a rejects file for the toilets serving"


@pytest.mark.parametrize("fault", REFUSED, ids=[fault.id for fault in REFUSED])
def test_a_file_spoilt_whole_is_refused_and_the_previous_data_serves(
    project: Project, fault: Refused, capsys: pytest.CaptureFixture[str]
) -> None:
    """It exits 1, says which source, what is wrong and what to do, and the toilets loaded before still serve."""
    if fault.options:
        project.set_options(**fault.options)
    project.csv_file.write_bytes(fault.data())
    status, out = ingest(project, capsys)
    assert status == 1
    assert out.startswith(f"{SOURCE}: not loaded. Source {SOURCE!r}: ")
    assert fault.says in out
    assert "Traceback" not in out
    assert_still_serving(project, out)


def test_a_header_only_file_with_nothing_loaded_before_loads_nothing(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A first ingest of a header-only file fails too, and makes no collection."""
    config = write_project(tmp_path / "project", database_url=database_url)
    (config.parent / "data" / "raw" / "toilets.csv").write_text(csv_lines()[0], encoding="utf-8")
    assert main(["--config", str(config), "ingest"]) == 1
    out = capsys.readouterr().out
    assert "has a header (Ref, ExtractDate, OrganisationLabel, Ser...) but no rows of data." in out
    assert "Nothing was loaded for it before, so it has no data yet." in out
    with opened(database_url, config.parent) as store:
        assert store.provenance() == []


def test_a_portal_with_no_records_is_refused_the_same_way(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """Every adapter is held to it: a CKAN portal answering with no records does not empty the collection."""
    with PortalServer([]) as portal:
        project.set_options(adapter="ckan", location=portal.url, resource_id=RESOURCE_ID, retries=0)
        status, out = ingest(project, capsys)
    assert status == 1
    assert (
        f"{SOURCE}: not loaded. Source {SOURCE!r}: {portal.url} gave no records. Check its location and options." in out
    )
    assert_still_serving(project, out)


def test_a_portal_that_repeats_a_page_is_refused_and_the_previous_data_serves(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CKAN portal that sends page 1 again for page 2 stops the ingest before a toilet is loaded twice."""
    with PortalServer([Item(row) for row in toilet_rows()]) as portal:
        portal.fail("repeat", endpoint="ckan", page=2, times=None)
        project.set_options(adapter="ckan", location=portal.url, resource_id=RESOURCE_ID, page_size=10, retries=0)
        status, out = ingest(project, capsys)
    assert status == 1
    assert f"{SOURCE}: not loaded. Source {SOURCE!r}: page 2 of {portal.url}/api/3/action/datastore_search?" in out
    assert "repeats page 1, the same 10 records, so reading stopped rather than load them twice." in out
    assert_still_serving(project, out)


def every_row_spoilt() -> list[dict[str, str]]:
    """The toilets, every row with a GeoX that is not a number, and every third also without a LocationText."""
    rows = toilet_rows()
    for index, row in enumerate(rows):
        row["GeoX"] = "east"
        if index % 3 == 0:
            row["LocationText"] = ""
    return rows


def test_a_file_whose_every_row_is_rejected_is_refused_and_its_rows_set_aside(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """All 23 rows rejected: the toilets loaded before still serve, and the rows and reasons are kept to read.

    The next ingest that loads takes the rows set aside away, since they describe a load that never served.
    """
    project.csv_file.write_text("".join(csv_lines(every_row_spoilt())), encoding="utf-8")
    status, out = ingest(project, capsys)
    assert status == 1
    assert out.startswith(
        f"{SOURCE}: not loaded. Source {SOURCE!r}: all 23 rows read were rejected, so they do not replace the "
        "source's data. The commonest reasons: GeoX: 'east' is not a number (23 rows); "
        "LocationText: required, but blank (8 rows). Map the source's columns onto the schema's fields in "
        "[sources.fields], or set its crs, in place.toml (see docs/data-sources.md).\n"
    )
    assert out.endswith("\n  The rows read and why each was rejected: data/rejects/toilets.refused.csv\n")
    assert_still_serving(project, out, set_aside="toilets.refused.csv")
    found = rejects(project, "toilets.refused.csv")
    assert list(found) == [str(line) for line in range(2, 25)]
    assert found["2"]["Ref"] == "T00"
    assert found["2"]["reasons"] == "LocationText: required, but blank; GeoX: 'east' is not a number"

    project.csv_file.write_text("".join(csv_lines()), encoding="utf-8")
    status, out = ingest(project, capsys)
    assert (status, out) == (0, f"{SOURCE}: read {TOILETS}, loaded {TOILETS}, rejected 0\n")
    assert not list(project.rejects_folder.glob("*"))


def test_a_first_ingest_whose_every_row_is_rejected_makes_no_collection(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With nothing loaded before, the refused load leaves the source without a collection, not an empty one."""
    config = write_project(tmp_path / "project", rows=every_row_spoilt(), database_url=database_url)
    assert main(["--config", str(config), "ingest"]) == 1
    out = capsys.readouterr().out
    assert "all 23 rows read were rejected" in out
    assert "Nothing was loaded for it before, so it has no data yet." in out
    assert (config.parent / "data" / "rejects" / "toilets.refused.csv").is_file()
    with opened(database_url, config.parent) as store:
        assert store.provenance() == []


def rejects(project: Project, name: str = "toilets.csv") -> dict[str, dict[str, str]]:
    with (project.rejects_folder / name).open(encoding="utf-8", newline="") as file:
        return {row["row"]: row for row in csv.DictReader(file)}


def loads_with(project: Project, capsys: pytest.CaptureFixture[str], data: bytes, loaded: int) -> dict[str, Any]:
    """Ingest this file: it must succeed with read = loaded + rejected; the rejects file's rows by row number."""
    project.csv_file.write_bytes(data)
    status, out = ingest(project, capsys)
    assert status == 0, out
    rejected = TOILETS - loaded
    if rejected:
        assert out == (
            f"{SOURCE}: read {TOILETS}, loaded {loaded}, rejected {rejected} (reasons in data/rejects/toilets.csv)\n"
        )
        found = rejects(project)
    else:
        assert out == f"{SOURCE}: read {TOILETS}, loaded {TOILETS}, rejected 0\n"
        found = {}
    assert len(found) == rejected
    with opened(project.database_url, project.config.parent) as store:
        (provenance,) = store.provenance()
        assert (provenance.rows_read, provenance.rows_loaded, provenance.rows_rejected) == (TOILETS, loaded, rejected)
        assert store.count(SOURCE) == loaded
    assert len(tables(project.database_url)) == len(project.tables)  # the new load's tables took the old ones' place
    return found


def test_nul_bytes_are_dropped_and_a_row_left_blank_is_rejected(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """A NUL byte inside a name is dropped; a name that was only NUL bytes is blank, so its row is rejected."""
    lines = csv_lines()
    lines[3] = with_cell(lines[3], "Toilet 2,", "Toi\0let 2,")
    lines[5] = with_cell(lines[5], "Toilet 4,", "\0\0,")
    found = loads_with(project, capsys, "".join(lines).encode(), loaded=TOILETS - 1)
    assert found["6"]["reasons"] == "LocationText: required, but blank"
    assert found["6"]["Ref"] == "T04"
    with opened(project.database_url, project.config.parent) as store:
        assert store.feature(SOURCE, "T02").properties["LocationText"] == "Toilet 2"


def test_nul_bytes_after_the_last_row_are_not_mistaken_for_utf_16(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file padded with NUL bytes, as a copy cut short can be, is still read as UTF-8; the padding is rejected."""
    rows = toilet_rows()[:3]
    data = "".join(csv_lines(rows)).encode() + b"\0" * 1024
    project.csv_file.write_bytes(data)
    status, out = ingest(project, capsys)
    assert status == 0, out
    assert out == f"{SOURCE}: read 4, loaded 3, rejected 1 (reasons in data/rejects/toilets.csv)\n"
    (row,) = rejects(project).values()
    assert row["row"] == "5"
    assert "required, but blank" in row["reasons"]


def test_a_quote_closed_on_its_own_line_rejects_only_that_row(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """A quote left open that the next quote on the same line closes runs cells together: that row is rejected."""
    rows = toilet_rows()
    rows[4]["LocationText"] = "Toilet 4, Park Road"  # written in quotes, because of its comma
    lines = csv_lines(rows)
    lines[5] = with_cell(lines[5], ",Testshire,", ',"Testshire,')
    found = loads_with(project, capsys, "".join(lines).encode(), loaded=TOILETS - 1)
    assert found["6"]["reasons"].startswith(
        'the row has 8 cells but the header has 9: the quoted cell "Testshire,Toilets,"Toilet 4, Park Road"... '
        "has more text after its closing quote, so cells ran together. Close the quote where its cell ends, "
        "or remove it; "
    )


def test_a_quote_inside_a_cell_is_only_a_character(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """Quotes inside an unquoted cell, and quoted cells over several lines, load as written."""
    rows = toilet_rows()
    rows[3]["LocationText"] = 'Toilet 3, by the "Market"\nSquare'  # quoted over two lines by the CSV writer
    lines = csv_lines(rows)
    lines[2] = with_cell(lines[2], ",Toilet 1,", ',Smith "Jr" Street,')
    lines[6] = with_cell(lines[6], ",Toilet 4,", ',Toilet 4 "the old one",')
    loads_with(project, capsys, "".join(lines).encode(), loaded=TOILETS)
    with opened(project.database_url, project.config.parent) as store:
        assert store.feature(SOURCE, "T01").properties["LocationText"] == 'Smith "Jr" Street'
        assert store.feature(SOURCE, "T03").properties["LocationText"] == 'Toilet 3, by the "Market"\nSquare'
        assert store.feature(SOURCE, "T04").properties["LocationText"] == 'Toilet 4 "the old one"'
        assert store.feature(SOURCE, "T04").row == 7  # numbered by its line, after the cell over two lines
