"""Ingest gives exactly the stored data, rejects and provenance it gave when the goldens were written, on both stores.

Each case is a project whose sources are ingest fixtures of the engine's
tests (the tricky CSV of test_ingest_exact.py in three encodings, the
real-shaped council file, the 23 toilets, rows spoilt by NUL bytes and stray
quotes, GeoJSON with malformed features and nested properties, a national
file with an area column, the councils' opening hours, rows of the
benchmark's file) or the template's sample data (toilets or places, and the
gazetteers). Each is ingested into a fresh store twice, in batches of the
usual size and in batches of four rows (holding only the five latest ids in
memory and the earlier ones on disk, see repeats.py), and dumped: every row of each
collection's live table in load order, every column (the words, the extra
columns' JSON, the area fields, the hours number), the hours and open-spans
tables, the provenance (without the time it was fetched, and only whether
there is a source digest, which depends on the engine's version), the
catalogue's fields, the report of each source and the bytes of every file in
the rejects folder. On SQLite the dump also holds the schema of the load's
tables and the word index's terms; the R*Tree and the word index are checked
against the table.

The goldens in ``data/ingest_goldens/`` hold what ingest gave when they were
written: a change that makes ingest faster must leave every one of them as it
is, so that what a user sees stays the same. PostgreSQL stores the
same values differently (a ``point``, ``jsonb``, a ``tsvector``, booleans): its
dump turns them into SQLite's forms where it can, and compares the extra
columns as JSON values and the words as a set where it cannot.

To write the goldens again (only when what ingest should give has changed on
purpose, or a fixture has), run this module on SQLite with
``UPDATE_INGEST_GOLDENS=1`` and read the difference before committing it::

    UPDATE_INGEST_GOLDENS=1 uv run pytest --rootdir engine -c engine/pyproject.toml \\
        engine/tests/test_ingest_equivalence.py -m "not postgres"
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import math
import os
import re
import sqlite3
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import MADE_UP_PLACE, PROJECT_DIR, STORES, postgres_schema, toilet_rows, toml_text, ward_rows
from generated_project import generate
from test_ingest import FIELDS as REAL_SHAPED_FIELDS
from test_ingest import REAL_SHAPED_CSV
from test_ingest_exact import FIELDS as TRICKY_FIELDS
from test_ingest_exact import TRICKY
from test_ingest_faults import csv_lines, every_row_spoilt, toilets_geojson
from test_national import AREAS, BAD_ROWS, COLUMN, GOOD_ROWS, PLACE

from local_data_app import ingest as ingesting
from local_data_app import repeats, testing
from local_data_app.config import load_settings
from local_data_app.ingest import SourceReport
from local_data_app.store import PROVENANCE_COLUMNS

GOLDENS = Path(__file__).parent / "data" / "ingest_goldens"
HOURS_FIXTURE = Path(__file__).parent / "data" / "council_opening_hours.csv"
UPDATE = os.environ.get("UPDATE_INGEST_GOLDENS") == "1"
SMALL_BATCH = 4  # rows per batch in the second ingest of each case: most fixtures span several batches
SMALL_MEMORY = 5  # ids held in memory by the small batches' ingest: the others are looked up on disk
SAME = "the same as in one batch"  # a golden's small-batch dump, when it equals the one-batch dump
LOAD_TABLE = re.compile(r"c_[0-9a-f]{8}_[0-9a-f]{12}")  # a load's table name (store.table_name)
LEXEME = re.compile(r"'((?:''|[^'])*)'")  # a lexeme of a tsvector's text form

Files = dict[str, bytes]  # a project's files written before one ingest, by path in the project


@dataclass(frozen=True)
class Case:
    """A project to ingest: its place.toml values, and the files written before each of its ingests."""

    id: str
    place: Callable[[], dict[str, Any]]
    loads: Callable[[], list[Files]]
    project: Callable[[], Path] | None = None  # a generated project copied first (its place.toml and sample data)
    encodings: tuple[str, ...] = field(default=("utf-8",))


def source(name: str, location: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "adapter": more.pop("adapter", "csv"), "location": location, **more}


def place(*sources: dict[str, Any], **tables: Any) -> Callable[[], dict[str, Any]]:
    return lambda: {**MADE_UP_PLACE, **tables, "sources": list(sources)}


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    return "".join(csv_lines(rows)).encode()


def geojson_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def spoilt_rows() -> bytes:
    """The toilets with NUL bytes, quotes inside cells, a cell over two lines, cells run together and NUL padding."""
    rows = toilet_rows()
    rows[3]["LocationText"] = 'Toilet 3, by the "Market"\nSquare'
    rows[4]["LocationText"] = "Toilet 4, Park Road"
    text = "".join(csv_lines(rows))
    text = text.replace(",Toilet 1,", ',Smith "Jr" Street,', 1).replace("Toilet 2,", "Toi\0let 2,", 1)
    text = text.replace(",Toilet 6,", ",\0\0,", 1).replace(",Toilet 9,", ',Toilet 9 "the old one",', 1)
    text = text.replace("\nT04,05/05/2024,Testshire,", '\nT04,05/05/2024,"Testshire,', 1)
    return text.encode() + b"\0" * 64


def hours_rows() -> list[dict[str, str]]:
    """A toilet for each of the councils' opening hours (test_hours.py's fixture), each at its own place."""
    with HOURS_FIXTURE.open(encoding="utf-8", newline="") as file:
        published = list(csv.DictReader(file))
    base = toilet_rows()
    rows = []
    for index, entry in enumerate(published):
        row = dict(base[index % len(base)])
        row.update(
            Ref=f"H{index:03d}",
            LocationText=f"{entry['council']} {index}",
            GeoY=f"{float(row['GeoY']) + index // len(base) * 0.001:.5f}",
            OpeningHours=entry["opening_hours"],
        )
        rows.append(row)
    return rows


def geojson_features() -> dict[str, Any]:
    """The 23 toilets as GeoJSON, one with nested properties of every JSON kind, then malformed features."""
    document = toilets_geojson()
    document["features"][0]["properties"]["survey"] = {
        "score": 0.1,
        "tiny": 1e-7,
        "huge": 1e300,
        "whole": 12345678901234567890123,
        "negative": -0.0,
        "tags": ["a", "é", "\u2028", "😀", "\\"],
        "done": True,
        "none": None,
    }
    document["features"][1]["properties"]["count"] = 3
    document["features"][2]["properties"]["ratio"] = 2.5
    document["features"][2]["id"] = "feature-2"
    point = {"type": "Point", "coordinates": [-2.35, 53.41]}
    document["features"] += [
        {"type": "Feature", "properties": "Park", "geometry": None},
        {"type": "Feature", "id": 7, "geometry": None, "properties": {"LocationText": "Nowhere"}},
        {"type": "Feature", "properties": {"n": 4}, "geometry": {"type": "Point", "coordinates": {"x": 1, "y": 2}}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}, "properties": {}},
        {"type": "Feature", "properties": {"LocationText": "No labels"}, "geometry": point},
        {"type": "Feature", "properties": {**toilet_rows()[5], "GeoX": "", "GeoY": ""}, "geometry": point},
    ]
    return document


def grid_geojson() -> dict[str, Any]:
    """Three toilets in British National Grid, named by the legacy crs member."""
    features = []
    for index, row in enumerate(toilet_rows()[:3]):
        del row["GeoX"], row["GeoY"]
        coordinates = [383000 + index * 150, 395000 + index * 90]
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": coordinates}, "properties": row}
        )
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    return {"type": "FeatureCollection", "crs": crs, "features": features}


def bench_place() -> dict[str, Any]:
    fields = {"ManagedBy": "ManagingBy", "ChargeAmount": "Charge"}
    return {**MADE_UP_PLACE, "sources": [source("toilets", "data/raw/bench_rows.csv", fields=fields)]}


@functools.cache
def generic_points_project() -> Path:
    """The project the template makes for generic_points (once per run), for its sample places."""
    return generate(dataset_theme="generic_points")


def template_place(project: Path) -> dict[str, Any]:
    return tomllib.loads((project / "place.toml").read_text(encoding="utf-8"))


TOILETS_SOURCE = source("toilets", "data/raw/toilets.csv", fields={"id": "Ref"})
CASES = [
    Case(
        "tricky",
        place(source("toilets", "data/raw/tricky.csv", fields=TRICKY_FIELDS)),
        lambda: [{"data/raw/tricky.csv": TRICKY.encode()}],
        encodings=("utf-8-sig", "cp1252", "utf-16"),
    ),
    Case(
        "real-shaped",
        place(source("toilets", "data/raw/toilets.csv", fields=REAL_SHAPED_FIELDS)),
        lambda: [{"data/raw/toilets.csv": REAL_SHAPED_CSV.encode("cp1252")}],
    ),
    Case("toilets", place(TOILETS_SOURCE), lambda: [{"data/raw/toilets.csv": csv_bytes(toilet_rows())}]),
    Case("wards", place(TOILETS_SOURCE), lambda: [{"data/raw/toilets.csv": csv_bytes(ward_rows())}]),
    Case("spoilt-rows", place(TOILETS_SOURCE), lambda: [{"data/raw/toilets.csv": spoilt_rows()}]),
    Case(
        "every-row-rejected",
        place(TOILETS_SOURCE),
        lambda: [
            {"data/raw/toilets.csv": csv_bytes(toilet_rows())},
            {"data/raw/toilets.csv": csv_bytes(every_row_spoilt())},
        ],
    ),
    Case("opening-hours", place(TOILETS_SOURCE), lambda: [{"data/raw/toilets.csv": csv_bytes(hours_rows())}]),
    Case(
        "geojson",
        place(
            source("toilets", "data/raw/toilets.geojson", adapter="geojson", fields={"id": "Ref"}),
            source("grid", "data/raw/grid.geojson", adapter="geojson"),
        ),
        lambda: [
            {
                "data/raw/toilets.geojson": geojson_bytes(geojson_features()),
                "data/raw/grid.geojson": geojson_bytes(grid_geojson()),
            }
        ],
    ),
    Case(
        "national",
        place(
            source("national", "data/raw/national.csv", area_column=COLUMN, fields={"id": "Ref"}),
            place=PLACE,
            areas=AREAS,
        ),
        lambda: [{"data/raw/national.csv": csv_bytes(GOOD_ROWS + BAD_ROWS)}],
    ),
    Case("bench-rows", bench_place, lambda: [{"data/raw/bench_rows.csv": (GOLDENS / "bench_rows.csv").read_bytes()}]),
    Case("template-toilets", lambda: template_place(PROJECT_DIR), lambda: [{}], project=lambda: PROJECT_DIR),
    Case(
        "template-places",
        lambda: template_place(generic_points_project()),
        lambda: [{}],
        project=generic_points_project,
    ),
]


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_ingest_gives_what_the_golden_holds(
    case: Case, store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """In one batch and in batches of four, in every encoding, each store holds the golden's rows, files and reports."""
    golden_path = GOLDENS / f"{case.id}.json"
    for encoding in case.encodings:
        one = run(case, store, tmp_path / f"{encoding}-one", request, encoding, None)
        small = run(case, store, tmp_path / f"{encoding}-small", request, encoding, SMALL_BATCH)
        found = {"one batch": one, f"batches of {SMALL_BATCH}": SAME if small == one else small}
        if UPDATE and store == "sqlite" and encoding == case.encodings[0]:  # the other encodings must agree
            GOLDENS.mkdir(parents=True, exist_ok=True)
            golden_path.write_text(golden_text(found) + "\n", encoding="utf-8")
        golden = json.loads(golden_path.read_text(encoding="utf-8"))
        expected_small = golden[f"batches of {SMALL_BATCH}"]
        golden[f"batches of {SMALL_BATCH}"] = golden["one batch"] if expected_small == SAME else expected_small
        found[f"batches of {SMALL_BATCH}"] = small
        if store == "postgres":
            golden = {key: as_postgres_holds(value) for key, value in golden.items()}
        assert found == golden, f"{case.id} ({encoding}) differs from {golden_path.name}: {difference(found, golden)}"


def run(
    case: Case, store: str, folder: Path, request: pytest.FixtureRequest, encoding: str, batch: int | None
) -> dict[str, Any]:
    """Ingest the case's project into a fresh store (in batches of ``batch`` rows, if given) and dump it."""
    with fresh_store(store, folder, request) as database_url, pytest.MonkeyPatch.context() as patch:
        if batch is not None:
            patch.setattr(ingesting, "BATCH_SIZE", batch)
            patch.setattr(repeats, "IN_MEMORY", SMALL_MEMORY)
        if case.project is not None:
            testing.copy_project(case.project(), folder)
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "place.toml"
        config.write_text(f"database_url = {json.dumps(database_url)}\n\n{toml_text(case.place())}", encoding="utf-8")
        reports = []
        for files in case.loads():
            for name, data in files.items():
                path = folder / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data.decode("utf-8").encode(encoding) if encoding != "utf-8" else data)
            reports.append([report_of(report, folder) for report in ingesting.ingest(load_settings(config))])
        return {"reports": reports, "rejects": rejects_files(folder), **dump(database_url)}


@contextlib.contextmanager
def fresh_store(store: str, folder: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The DATABASE_URL of an empty store: an SQLite file beside the project, or a new PostgreSQL schema."""
    if store == "sqlite":
        folder.parent.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder.parent.resolve() / (folder.name + '.db')}"
        return
    with postgres_schema(request.getfixturevalue("postgres_server_url")) as url:
        yield url


def report_of(report: SourceReport, folder: Path) -> dict[str, Any]:
    """What ingest reported of a source, its rejects file by its path in the project."""
    return {
        "name": report.name,
        "read": report.read,
        "loaded": report.loaded,
        "rejected": report.rejected,
        "error": report.error,
        "rejects_file": report.rejects_file.relative_to(folder).as_posix() if report.rejects_file else None,
        "previous": report.previous is not None,
        "near_misses": [list(pair) for pair in report.near_misses],
    }


def rejects_files(folder: Path) -> dict[str, str]:
    """Every file in the rejects folder, scratch files included, by name: its bytes as UTF-8 text."""
    found = folder / "data" / "rejects"
    return {path.name: path.read_bytes().decode("utf-8") for path in sorted(found.glob("*"))} if found.exists() else {}


def dump(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite:"):
        return sqlite_dump(Path(database_url.removeprefix("sqlite:///")))
    return postgres_dump(database_url)


def sqlite_dump(path: Path) -> dict[str, Any]:
    """Each collection as SQLite holds it, having checked that its R*Tree and word index match its table.

    Table names in the queries are the store's own, from its catalogue.
    """
    with contextlib.closing(sqlite3.connect(path)) as db:
        cursor = db.execute("SELECT * FROM _collections ORDER BY collection")
        names = [column[0] for column in cursor.description]
        catalogue = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        collections = {}
        for entry in catalogue:
            table = entry["table_name"]
            cursor = db.execute(f"SELECT * FROM {table} ORDER BY _rowid")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            rows = [list(row) for row in cursor.fetchall()]
            check_sqlite_indexes(db, table, rows, columns)
            collections[entry["collection"]] = {
                **catalogue_entry(entry, json.loads(entry["fields"])),
                "columns": columns,
                "rows": rows,
                **hours_tables(db.execute, table),
                "sqlite": {
                    "terms": [term for (term,) in db.execute(f"SELECT * FROM {table}_terms ORDER BY 1")],  # noqa: S608
                    "schema": [
                        [kind, unnamed(name, table), unnamed(sql or "", table)]
                        for kind, name, sql in db.execute(
                            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name LIKE ? ORDER BY type, name",
                            [table + "%"],
                        )
                    ],
                    "statistics": [
                        [unnamed(index, table), stat]
                        for index, stat in db.execute(
                            "SELECT idx, stat FROM sqlite_stat1 WHERE tbl = ? ORDER BY idx", [table]
                        )
                    ],
                },
            }
        live = {entry["table_name"] for entry in catalogue}
        every = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    left = sorted(name for name in every if (found := LOAD_TABLE.match(name)) and found.group(0) not in live)
    assert not left, f"tables of no live load were left behind: {left}"
    return {"collections": collections}


def check_sqlite_indexes(db: sqlite3.Connection, table: str, rows: list[list[Any]], columns: list[str]) -> None:
    """The R*Tree holds a box around each located row's position and no other; the word index matches the words."""
    rowid, lon, lat = (columns.index(name) for name in ("_rowid", "_lon", "_lat"))
    located = {row[rowid]: (row[lon], row[lat]) for row in rows if row[lon] is not None}
    boxes = {entry[0]: entry[1:] for entry in db.execute(f"SELECT * FROM {table}_rtree")}  # noqa: S608
    assert set(boxes) == set(located)
    for key, (min_lon, max_lon, min_lat, max_lat) in boxes.items():
        x, y = located[key]
        assert min_lon <= x <= max_lon
        assert min_lat <= y <= max_lat
        assert max_lon - min_lon <= abs(x) * 2**-20  # a 32-bit float each side
        assert max_lat - min_lat <= abs(y) * 2**-20
    assert db.execute(f"SELECT rtreecheck('{table}_rtree')").fetchone() == ("ok",)
    check = f"INSERT INTO {table}_fts({table}_fts, rank) VALUES ('integrity-check', 1)"  # noqa: S608
    db.execute(check)  # raises unless the word index holds the words of the table's rows


def postgres_dump(database_url: str) -> dict[str, Any]:
    """Each collection as PostgreSQL holds it, in SQLite's forms: numbers for booleans, the point as _lon and _lat."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as db:
        cursor = db.execute("SELECT * FROM _collections")
        names = [column.name for column in cursor.description]
        catalogue = sorted(
            (dict(zip(names, row, strict=True)) for row in cursor.fetchall()), key=lambda e: e["collection"]
        )
        collections = {}
        for entry in catalogue:
            table = entry["table_name"]
            columns = [
                name
                for (name,) in db.execute(
                    "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
                    "AND NOT attisdropped ORDER BY attnum",
                    [table],
                )
            ]
            selected = [
                "geom[0] AS _lon, geom[1] AS _lat" if name == "geom" else '"' + name.replace('"', '""') + '"'
                for name in columns
            ]
            cursor = db.execute(f"SELECT {', '.join(selected)} FROM {table} ORDER BY _rowid")  # noqa: S608
            columns = [column.name for column in cursor.description]
            order = ["_rowid", "_id", "_lon", "_lat", "_row", "_extra"]
            columns_in_order = [*order, *(name for name in columns if name not in order)]
            rows = []
            for row in cursor.fetchall():
                values = dict(zip(columns, row, strict=True))
                values["_extra"] = numbers_by_value(values["_extra"])
                values["_words"] = sorted(set(word.replace("''", "'") for word in LEXEME.findall(values["_words"])))
                rows.append([sqlite_form(values[name]) for name in columns_in_order])
            collections[entry["collection"]] = {
                **catalogue_entry(entry, entry["fields"]),
                "columns": columns_in_order,
                "rows": rows,
                **hours_tables(db.execute, table),
            }
        live = {entry["table_name"] for entry in catalogue}
        every = [
            name
            for (name,) in db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            )
        ]
    left = sorted(name for name in every if (found := LOAD_TABLE.match(name)) and found.group(0) not in live)
    assert not left, f"tables of no live load were left behind: {left}"
    return {"collections": collections}


def sqlite_form(value: Any) -> Any:
    """A value as SQLite would hold it: a boolean as 1 or 0."""
    return int(value) if isinstance(value, bool) else value


def catalogue_entry(entry: dict[str, Any], fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The catalogue's provenance and fields of a load, without what changes from one run to the next."""
    table = entry["table_name"]
    provenance = {name: entry[name] for name in PROVENANCE_COLUMNS if name not in {"fetched_at", "source_digest"}}
    digest = entry["source_digest"]
    provenance["source_digest"] = "a SHA-256" if digest and re.fullmatch(r"[0-9a-f]{64}", digest) else digest
    return {"provenance": provenance, "fields": json.loads(unnamed(json.dumps(fields), table))}


def hours_tables(execute: Callable[..., Any], table: str) -> dict[str, Any]:
    """The load's distinct opening hours and the weekly spans they are open."""
    hours = execute(f"SELECT hours, osm, weekly FROM {table}_hours ORDER BY 1")  # noqa: S608
    spans = execute(f"SELECT hours, start, stop FROM {table}_open ORDER BY 1, 2, 3")  # noqa: S608
    return {"hours": [list(map(sqlite_form, row)) for row in hours], "open": [list(row) for row in spans]}


def unnamed(text: str, table: str) -> str:
    """Text with the load's table name (which is new at every load) as <table>."""
    return text.replace(table, "<table>")


def numbers_by_value(value: Any) -> Any:
    """JSON with its numbers as decimals: ``jsonb`` keeps 1e300 as a number that reads back as a whole one."""
    if isinstance(value, dict):
        return {key: numbers_by_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [numbers_by_value(item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(repr(value))
    return value


def as_postgres_holds(dump: dict[str, Any] | str) -> dict[str, Any] | str:
    """A golden dump as PostgreSQL can give it back: extra columns as JSON values, words as a sorted set.

    ``jsonb`` keeps an object's keys in its own order and its numbers as
    decimals, and a ``tsvector`` its lexemes sorted, once each; SQLite's schema and terms have no counterpart.
    """
    if isinstance(dump, str):
        return dump
    collections = {}
    for name, collection in dump["collections"].items():
        columns = collection["columns"]
        extra, words = columns.index("_extra"), columns.index("_words")
        rows = []
        for row in collection["rows"]:
            row = list(row)
            row[extra] = numbers_by_value(json.loads(row[extra]))
            row[words] = sorted(set(row[words].split()))
            rows.append(row)
        collections[name] = {key: value for key, value in collection.items() if key != "sqlite"} | {"rows": rows}
    return {**dump, "collections": collections}


def difference(found: Any, golden: Any, where: str = "") -> str:
    """Where a dump first differs from its golden, and the two values there."""
    if isinstance(found, dict) and isinstance(golden, dict) and found.keys() == golden.keys():
        key = next(key for key in found if found[key] != golden[key])
        return difference(found[key], golden[key], f"{where}[{key!r}]")
    if isinstance(found, list) and isinstance(golden, list) and len(found) == len(golden):
        index = next(index for index, item in enumerate(found) if item != golden[index])
        return difference(found[index], golden[index], f"{where}[{index}]")
    return f"at {where or 'the top'}, found {found!r} where the golden has {golden!r}"


def golden_text(value: Any, indent: int = 0) -> str:
    """JSON with a row (a list of plain values) on one line, so that a golden reads row by row."""
    inner = " " * (indent + 1)
    if isinstance(value, dict) and value:
        items = (
            f"{inner}{json.dumps(key, ensure_ascii=False)}: {golden_text(item, indent + 1)}"
            for key, item in value.items()
        )
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        return "[\n" + ",\n".join(inner + golden_text(item, indent + 1) for item in value) + "\n" + " " * indent + "]"
    return json.dumps(value, ensure_ascii=False)


def test_the_goldens_are_the_cases() -> None:
    """Every case has its golden and every golden its case, so none is left unchecked."""
    assert {path.stem for path in GOLDENS.glob("*.json")} == {case.id for case in CASES}


def test_the_golden_text_reads_back_as_the_same_value() -> None:
    """How a golden is written loses nothing: floats, non-ASCII text and nesting read back as they were."""
    value = {"rows": [[1, 0.1, -0.0, 1e300, "é\u2028😀", None, True]], "nested": {"a": [[1], []], "b": {}}}
    assert json.loads(golden_text(value)) == value
    assert math.copysign(1, json.loads(golden_text(value))["rows"][0][2]) == -1
