"""Faulty CSV files through the `ingest` command, on each store, after the 23 made-up toilets have loaded.

A fault that spoils the whole file (a quote left open, the wrong encoding, a
header and no rows, no bytes at all) stops the ingest with a message naming the
source, the fault and the fix, and the toilets loaded before keep serving,
untouched, with no table left behind. A fault that spoils only some rows (a NUL
byte, a quote inside a cell) loads the file, and every row read is loaded or
rejected with its reason: read = loaded + rejected. A quote left open that
the next quote on its own line closes spoils only that row, which is rejected.

The same holds for what no one foresaw: a hostile GeoJSON file, an error no
adapter turned into words, a database that is read-only, full or damaged. Each
is the failure of its source, in words and without a traceback; the toilets
loaded before keep serving and the sources after it still load. Only Ctrl+C
stops everything.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    MADE_UP_PLACE,
    opened,
    overwrite_page,
    postgres_schema,
    tables,
    toilet_rows,
    toml_text,
    write_project,
)
from portal_server import RESOURCE_ID, Item, PortalServer

from local_data_app.adapters.csv_files import CsvAdapter
from local_data_app.cli import main
from local_data_app.ingest import BATCH_SIZE
from local_data_app.store import Provenance
from local_data_app.store.sqlite import SQLiteStore

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

    def set_options(self, *later: dict[str, Any], database_url: str | None = None, **options: Any) -> None:
        """Give the toilets source these adapter options (or another adapter and location) in place.toml.

        ``later`` are sources ingested after it, and ``database_url`` another URL for the same store.
        """
        entry = {"name": SOURCE, "adapter": "csv", "location": "data/raw/toilets.csv", "fields": {"id": "Ref"}}
        text = f"database_url = {json.dumps(database_url or self.database_url)}\n\n"
        sources = [{**entry, **options}, *later]
        self.config.write_text(text + toml_text({**MADE_UP_PLACE, "sources": sources}), "utf-8")


def ingest(project: Project, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run `ingest` as the command line does: its exit status and what it printed."""
    capsys.readouterr()
    status = main(["--config", str(project.config), "ingest"])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@pytest.fixture
def project(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Project:
    return loaded_project(database_url, tmp_path, capsys)


def loaded_project(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Project:
    """The toilets ingested into ``database_url`` from a project in ``tmp_path``."""
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


def assert_still_serving(project: Project, out: str, set_aside: str | None = None, later: bool = False) -> None:
    """The toilets loaded first still serve, as they were, and the failed ingest left nothing behind.

    Nothing but the file of rows ``set_aside``, when there is one, and the tables of a ``later`` source loaded since.
    """
    assert f"The previous data is still serving: {TOILETS} rows fetched at {project.loaded.fetched_at}." in out
    with opened(project.database_url, project.config.parent) as store:
        assert [found for found in store.provenance() if found.collection == SOURCE] == [project.loaded]
        assert store.count(SOURCE) == TOILETS
        assert [feature.id for feature in store.features(SOURCE, limit=100)] == project.ids
        assert store.feature(SOURCE, "T07").properties["LocationText"].startswith("<script>")
        assert later or len(store.provenance()) == 1
    found = tables(project.database_url)
    assert found > project.tables if later else found == project.tables
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


# What no one foresaw: hostile GeoJSON, errors no adapter put in words, and a database that cannot be written.

LATER = "later"  # a source after the toilets, which loads whatever happens to them


def later_source(project: Project) -> dict[str, Any]:
    """A second source, after the toilets: the same 23 toilets in their own file and collection."""
    (project.csv_file.parent / f"{LATER}.csv").write_bytes(project.csv_file.read_bytes())
    return {"name": LATER, "adapter": "csv", "location": f"data/raw/{LATER}.csv", "fields": {"id": "Ref"}}


def assert_later_loaded(project: Project, out: str) -> None:
    assert out.endswith(f"{LATER}: read {TOILETS}, loaded {TOILETS}, rejected 0\n")
    with opened(project.database_url, project.config.parent) as store:
        assert store.count(LATER) == TOILETS


def toilets_geojson(**members: Any) -> dict[str, Any]:
    """The 23 toilets as a GeoJSON FeatureCollection of points."""
    features = []
    for row in toilet_rows():
        x, y = float(row.pop("GeoX")), float(row.pop("GeoY"))
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]}, "properties": row})
    return {"type": "FeatureCollection", "features": features, **members}


def deep_geojson() -> bytes:
    """A FeatureCollection whose first feature's name is a list nested 100,000 deep: a RecursionError for json."""
    nested = "[" * 100_000 + "]" * 100_000
    return json.dumps(toilets_geojson()).replace('"Toilet 0"', nested, 1).encode()


HOSTILE_GEOJSON = {
    "nested-100-000-deep": (
        deep_geojson,
        "toilets.geojson nests arrays and objects more than 64 deep, in feature 1, where GeoJSON points need 5, "
        "so it was not read.",
    ),
    "crs-a-string": (
        lambda: json.dumps(toilets_geojson(crs="EPSG:27700")).encode(),
        "toilets.geojson has a \"crs\" member 'EPSG:27700', not an object such as",
    ),
    "cut-short": (
        lambda: json.dumps(toilets_geojson()).encode()[:2000],
        "toilets.geojson is not valid GeoJSON (parse error: premature EOF, in feature 7).",
    ),
}


@pytest.mark.parametrize(("data", "says"), HOSTILE_GEOJSON.values(), ids=list(HOSTILE_GEOJSON))
def test_a_hostile_geojson_file_is_refused_in_words_and_the_next_source_loads(
    project: Project, capsys: pytest.CaptureFixture[str], data: Callable[[], bytes], says: str
) -> None:
    """A GeoJSON file that cannot be read fails its source in words; the toilets serve and the next source loads."""
    (project.csv_file.parent / "toilets.geojson").write_bytes(data())
    project.set_options(later_source(project), adapter="geojson", location="data/raw/toilets.geojson")
    status, out = ingest(project, capsys)
    assert status == 1
    assert out.startswith(f"{SOURCE}: not loaded. Source {SOURCE!r}: {says}")
    assert "Traceback" not in out
    assert_still_serving(project, out, later=True)
    assert_later_loaded(project, out)


def test_malformed_geojson_features_are_rejected_one_by_one(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """Properties that are a string or a list, and coordinates that are an object, reject only their feature."""
    document = toilets_geojson()
    features = document["features"]
    features[2]["properties"] = "Toilet 2"
    features[4]["properties"] = ["Toilet 4"]
    features[6]["geometry"]["coordinates"] = {"x": -2.28, "y": 53.46}
    (project.csv_file.parent / "toilets.geojson").write_text(json.dumps(document), encoding="utf-8")
    project.set_options(adapter="geojson", location="data/raw/toilets.geojson")
    status, out = ingest(project, capsys)
    assert (status, out) == (
        0,
        f"{SOURCE}: read {TOILETS}, loaded 20, rejected 3 (reasons in data/rejects/toilets.csv)\n",
    )
    reasons = {row: found["reasons"] for row, found in rejects(project).items()}
    assert reasons["3"].startswith("the feature's properties are 'Toilet 2', not an object of values")
    assert reasons["5"].startswith("the feature's properties are ['Toilet 4'], not an object of values")
    assert reasons["7"].startswith("the point's coordinates {'x': -2.28, 'y': 53.46} are not two numbers")


FailWith = Callable[[BaseException, int], None]


@pytest.fixture
def fail_with(monkeypatch: pytest.MonkeyPatch) -> FailWith:
    """Make the CSV adapter raise an error for the toilets after reading so many rows, as a bug in an adapter might."""

    def fail(error: BaseException, after: int) -> None:
        read = CsvAdapter._read

        def failing(self: CsvAdapter, path: Path, encoding: str) -> Iterator[Any]:
            for index, record in enumerate(read(self, path, encoding)):
                if self.source.name == SOURCE and index == after:
                    raise error
                yield record

        monkeypatch.setattr(CsvAdapter, "_read", failing)

    return fail


def test_an_error_no_one_foresaw_fails_its_source_in_words_and_the_next_source_loads(
    project: Project, capsys: pytest.CaptureFixture[str], fail_with: FailWith
) -> None:
    """Not a SourceError but any exception: the toilets' load is rolled back and the next source still loads."""
    project.set_options(later_source(project))
    project.csv_file.write_text("".join(csv_lines(toilet_rows()[:20])), encoding="utf-8")
    fail_with(ZeroDivisionError("float division by zero"), 5)
    status, out = ingest(project, capsys)
    assert status == 1
    assert out.startswith(
        f"{SOURCE}: not loaded. Source {SOURCE!r}: reading or loading it stopped on an error the app does not "
        "explain (ZeroDivisionError: float division by zero). Check the source's file or address and its options "
        "in place.toml; if they look right, report this message with the source so that it can be explained.\n"
    )
    assert "Traceback" not in out
    assert_still_serving(project, out, later=True)
    assert_later_loaded(project, out)


def test_ctrl_c_still_stops_everything(
    project: Project, capsys: pytest.CaptureFixture[str], fail_with: FailWith
) -> None:
    """KeyboardInterrupt is not a source's failure: the ingest stops, no later source loads, no scratch file stays."""
    project.set_options(later_source(project))
    project.csv_file.write_text("".join(csv_lines(every_row_spoilt() * 300)), encoding="utf-8")
    fail_with(KeyboardInterrupt(), BATCH_SIZE + 1000)  # after a batch of rows, rejected, was written to scratch
    with pytest.raises(KeyboardInterrupt):
        main(["--config", str(project.config), "ingest"])
    with opened(project.database_url, project.config.parent) as store:
        assert store.provenance() == [project.loaded]
        assert store.count(SOURCE) == TOILETS
    assert tables(project.database_url) == project.tables
    assert not list(project.rejects_folder.glob("*")), "no scratch file of rejects"


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The file made read-only: by its mode and, for root (whom modes do not stop), with chattr +i."""
    mode = path.stat().st_mode
    path.chmod(0o444)
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    chattr = shutil.which("chattr") if root else None
    immutable = False
    try:
        if root:
            immutable = chattr is not None and not subprocess.run([chattr, "+i", str(path)], check=False).returncode  # noqa: S603
            if not immutable:
                pytest.skip("root writes to files whatever their mode, and chattr +i cannot stop it here")
        yield
    finally:
        if immutable and chattr:
            subprocess.run([chattr, "-i", str(path)], check=True)  # noqa: S603
        path.chmod(mode)


def test_a_read_only_database_is_reported_in_words(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """A database that cannot be written fails the load with what to fix, and the toilets loaded before serve."""
    project.csv_file.write_text("".join(csv_lines(toilet_rows()[:20])), encoding="utf-8")
    if project.database_url.startswith("sqlite:"):
        database = Path(project.database_url.removeprefix("sqlite:///"))
        with read_only(database):
            status, out = ingest(project, capsys)
        says = "(attempt to write a readonly database), so its load was rolled back. Make the database writable"
    else:  # the URL's options end with the schema's search_path; a read-only transaction is added to them
        project.set_options(database_url=project.database_url + "%20-cdefault_transaction_read_only%3Don")
        status, out = ingest(project, capsys)
        project.set_options()
        says = "cannot execute CREATE TABLE in a read-only transaction"
    assert status == 1
    assert out.startswith(f"{SOURCE}: not loaded. ")
    assert says in out
    assert "Traceback" not in out
    assert_still_serving(project, out)


@pytest.fixture
def sqlite_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Project:
    """The toilets loaded into an SQLite file, for the faults of such a file."""
    return loaded_project(f"sqlite:///{tmp_path.resolve() / 'app.db'}", tmp_path, capsys)


def test_a_damaged_table_is_reported_in_words(sqlite_project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """A database damaged where the old load is kept fails the load, saying how to recover."""
    project = sqlite_project
    overwrite_page(Path(project.database_url.removeprefix("sqlite:///")), SOURCE)
    project.csv_file.write_text("".join(csv_lines(toilet_rows()[:20])), encoding="utf-8")
    status, out = ingest(project, capsys)
    assert status == 1
    assert out.startswith(
        f"{SOURCE}: not loaded. Source {SOURCE!r}: could not load it into the database {project.database_url} "
        "(database disk image is malformed), so its load was rolled back. The database is damaged: restore it from "
        "a backup, or start a new one and ingest every source again (it holds nothing that the sources do not).\n"
    )
    assert "Traceback" not in out


def test_a_damaged_catalogue_stops_the_ingest_in_words(
    sqlite_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """A catalogue of loads that cannot be read leaves what serves unknown: nothing is loaded, and the CLI says why."""
    project = sqlite_project
    overwrite_page(Path(project.database_url.removeprefix("sqlite:///")), SOURCE, "_collections")
    status, out = ingest(project, capsys)
    assert status == 1
    assert out == (
        f"Error: Could not read the catalogue of loads in the database {project.database_url} (database disk image "
        "is malformed), so no source was ingested. The database is damaged: restore it from a backup, or start a new "
        "one and ingest every source again (it holds nothing that the sources do not).\n"
    )


def test_a_full_disk_is_reported_in_words_and_the_next_source_loads(
    sqlite_project: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database that runs out of room part way fails that load only: rolled back, it frees room for the next."""
    project = sqlite_project
    project.set_options(later_source(project))
    many = [{**row, "Ref": f"X{index}"} for index, row in enumerate(toilet_rows() * 100)]
    project.csv_file.write_text("".join(csv_lines(many)), encoding="utf-8")
    replacing = SQLiteStore.replacing

    @contextmanager
    def cramped(store: SQLiteStore, collection: str, fields: Any) -> Iterator[Any]:
        if collection == SOURCE:  # the disk has room for a few more pages, not for 2,300 toilets
            pages = store.db.execute("PRAGMA page_count").fetchone()[0]
            store.db.execute(f"PRAGMA max_page_count = {pages + 30}")
        with replacing(store, collection, fields) as staging:
            yield staging
        store.db.execute("PRAGMA max_page_count = 1073741823")

    monkeypatch.setattr(SQLiteStore, "replacing", cramped)
    status, out = ingest(project, capsys)
    assert status == 1
    assert out.startswith(
        f"{SOURCE}: not loaded. Source {SOURCE!r}: could not load it into the database {project.database_url} "
        "(database or disk is full), so its load was rolled back. Free some space on the disk that holds the "
        "database, then ingest again.\n"
    )
    assert_still_serving(project, out, later=True)
    assert_later_loaded(project, out)


def writers_blocked(database_url: str) -> bool:
    """Whether another writer would wait on a write transaction held open in the store now."""
    if database_url.startswith("sqlite:"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0)) as db:
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True
            db.execute("ROLLBACK")
            return False
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as db:
        found = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_xid IS NOT NULL"
        ).fetchone()
    return bool(found[0])


def test_a_slow_portal_is_read_whole_before_the_store_is_locked(project: Project, tmp_path: Path) -> None:
    """While a portal is slow to send page 2, the ingest holds no write transaction; then all the pages load."""
    seen: list[bool] = []
    with PortalServer([Item(row) for row in toilet_rows()]) as portal:
        portal.fail("delay", endpoint="ckan", page=2, seconds=1.5)
        project.set_options(adapter="ckan", location=portal.url, resource_id=RESOURCE_ID, page_size=10, timeout=10)
        loading = threading.Thread(target=main, args=(["--config", str(project.config), "ingest", "--force"],))
        loading.start()
        started = time.monotonic()
        while len(portal.requests_to("ckan")) < 2 and time.monotonic() - started < 10:
            time.sleep(0.02)
        time.sleep(0.3)  # page 2 is being held back now
        seen.append(writers_blocked(project.database_url))
        loading.join(30)
    assert seen == [False]
    assert len(portal.requests_to("ckan")) == 3
    with opened(project.database_url, project.config.parent) as store:
        (provenance,) = store.provenance()
    assert provenance.adapter == "ckan"
    assert provenance.rows_loaded == TOILETS


@pytest.mark.postgres
def test_an_ingest_on_another_machine_into_the_same_postgresql_is_refused_in_words(
    postgres_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """The lock file guards one machine; the server's advisory lock guards them all: the second ingest refuses."""
    import psycopg

    with psycopg.connect(postgres_project.database_url, autocommit=True) as other_machine:
        key = hold_ingest_lock(other_machine)
        status, out = ingest(postgres_project, capsys)
    assert status == 1
    assert out.startswith("Error: Another ingest into the PostgreSQL database ")
    assert "perhaps on another machine. Wait for it to finish" in out
    assert "Traceback" not in out
    wait_until_free(postgres_project.database_url, key)  # the lock goes with the other machine's connection
    assert ingest(postgres_project, capsys)[0] == 0


@pytest.fixture
def postgres_project(postgres_server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Project]:
    """The toilets ingested into a schema of their own in the test server, dropped afterwards."""
    with postgres_schema(postgres_server_url) as database_url:
        yield loaded_project(database_url, tmp_path, capsys)


def hold_ingest_lock(db: Any) -> int:
    """Take the ingest lock of the app in the connection's schema, as an ingest on another machine does; its key."""
    from local_data_app.store.postgres import ingest_lock_key

    key = ingest_lock_key(db.execute("SELECT current_schema()").fetchone()[0])
    db.execute("SELECT pg_advisory_lock(%s)", [key])
    return key


def wait_until_free(database_url: str, key: int) -> None:
    """Wait until nobody holds the ingest lock: the server frees it when a connection's backend ends, a moment
    after the connection is closed or its backend told to end."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as watcher:
        for _ in range(200):
            if watcher.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0]:
                watcher.execute("SELECT pg_advisory_unlock(%s)", [key])
                return
            time.sleep(0.05)
    pytest.fail("the lock outlived its connection by 10 s")


@pytest.mark.postgres
def test_a_lock_left_by_a_machine_that_stopped_is_named_with_the_way_to_free_it(
    postgres_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """A connection holding the lock, never closed: the refusal names its server process and how to end it."""
    import psycopg

    database_url = postgres_project.database_url
    left = psycopg.connect(database_url, autocommit=True)  # a machine that stopped mid-ingest
    try:
        key = hold_ingest_lock(left)
        status, out = ingest(postgres_project, capsys)
        assert status == 1
        ending = f"SELECT pg_terminate_backend({left.info.backend_pid});"
        assert " (connected from " in out
        assert "If no ingest is running there (its machine stopped)" in out
        assert ending in out
        with psycopg.connect(database_url, autocommit=True) as administrator:  # as the message says
            assert administrator.execute(ending.removesuffix(";")).fetchone()[0] is True
        wait_until_free(database_url, key)
        assert ingest(postgres_project, capsys)[0] == 0
    finally:
        left.close()


@pytest.mark.postgres
def test_the_postgresql_ingest_lock_is_free_before_its_connection_has_closed(
    postgres_server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest straight after another need not wait for the server to notice that the first one's connection went."""
    with postgres_schema(postgres_server_url) as database_url, opened(database_url, tmp_path) as store:
        lingering: list[Any] = []
        connect = store._connect

        def slow_to_close(autocommit: bool) -> Any:  # as a server that has not yet seen the connection go
            db = connect(autocommit)
            lingering.append(db)
            monkeypatch.setattr(db, "close", lambda: None)
            return db

        monkeypatch.setattr(store, "_connect", slow_to_close)
        try:
            with store.ingesting():
                pass
            with store.ingesting():  # the first one's connection is still open
                pass
        finally:
            monkeypatch.undo()
            for db in lingering:
                db.close()
        assert len(lingering) == 2
