"""The ingest command: every row read is loaded or rejected with its reasons, and failures keep old data serving."""

from __future__ import annotations

import csv
import gc
import io
import json
import math
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import MADE_UP_PLACE, PROJECT_DIR, WritePlaceToml, toilet_rows, write_project

import local_data_app.ingest as ingest_module
from local_data_app.cli import main
from local_data_app.config import load_settings
from local_data_app.ingest import Progress, SourceReport, ingest
from local_data_app.lock import one_ingest_at_a_time
from local_data_app.store import open_store

# A council's real-shaped export: Windows-1252, British National Grid and WGS84 mixed, renamed
# columns (Site, ManagingBy, Easting, Northing), an extra column, a cell over two lines, dates with
# and without times, and the mistakes real files have.
REAL_SHAPED_CSV = """\
ExtractDate,OrganisationLabel,ServiceTypeLabel,Site,CoordinateReferenceSystem,Easting,Northing,Category,BabyChange,ManagingBy,OpeningHours,UPRN,Ward
05/01/2024 09:15,Testshire,Toilets,Market Square,OSGB36,383000,395000,Unisex,YES,Caffè Tours,"Mon-Sat 8-6
Sun 10-4",010012345678,Central
05/01/2024,Testshire,Toilets,Bus Station,osgb36,383500,395400,female and male,no,Parks team,,100012345679,Central
2024-01-06,Testshire,Toilets,Riverside Park,WGS84,-2.2401,53.4808,Unisex,yes,Parks team,Dawn to dusk,,North
06/01/2024,Testshire,Toilets,,OSGB36,383900,395100,Unisex,yes,Parks team,,,North
06/01/2024,Testshire,Toilets,Library,,384100,395900,Unisex,maybe,Libraries,,,South
07/01/2024,Testshire,Toilets,Leisure Centre,WGS84,2.35,48.86,Unisex,no,Leisure,,,South
31/02/2024,Testshire,Toilets,Cemetery,OSGB36,382000,396000,Male urinal,no,Parks team,,,East
"""
FIELDS = {"LocationText": "Site", "GeoX": "Easting", "GeoY": "Northing", "ManagedBy": "ManagingBy"}
# Rows are numbered by the line they start on: the first record spans lines 2 and 3.
EXPECTED_REJECTS = {
    "6": ["LocationText (column 'Site'): required, but blank"],
    "7": ["BabyChange: 'maybe' is not yes or no"],
    "8": ["GeoX, GeoY: (2.35, 48.86) in WGS84 is outside Great Britain and Northern Ireland"],
    "9": ["ExtractDate: '31/02/2024' is not a date like 31/01/2024 or 2024-01-31"],
}


def source(**entry: Any) -> dict[str, Any]:
    return {"name": "toilets", "adapter": "csv", "location": "data/raw/toilets.csv", **entry}


@pytest.fixture
def project(write_place_toml: WritePlaceToml, tmp_path: Path) -> Path:
    """A project folder whose place.toml ingests the real-shaped CSV into its own SQLite file."""
    values = {**MADE_UP_PLACE, "sources": [source(fields=FIELDS)]}
    config = write_place_toml(values)
    raw = config.parent / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "toilets.csv").write_bytes(REAL_SHAPED_CSV.encode("cp1252"))
    return config


def rejects(config: Path, name: str = "toilets") -> dict[str, list[str]]:
    with (config.parent / "data" / "rejects" / f"{name}.csv").open(encoding="utf-8", newline="") as file:
        return {row["row"]: row for row in csv.DictReader(file)}


def stored(config: Path) -> Any:
    loaded = load_settings(config)
    return open_store(loaded.settings.database_url, loaded.project_dir)


def test_real_shaped_csv_ingests_with_only_a_fields_mapping(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(project), "ingest"]) == 0
    assert capsys.readouterr().out == "toilets: read 7, loaded 3, rejected 4 (reasons in data/rejects/toilets.csv)\n"
    found = rejects(project)
    assert {row: value["reasons"].split("; ") for row, value in found.items()} == EXPECTED_REJECTS
    assert found["6"]["Site"] == ""
    assert found["7"]["ManagingBy"] == "Libraries"  # the original values, under the source's own column names
    store = stored(project)
    try:
        features = store.features("toilets", limit=100)
        (provenance,) = store.provenance()
    finally:
        store.close()
    assert [f.row for f in features] == [2, 4, 5]
    market = features[0]
    assert market.properties["ExtractDate"] == "2024-01-05"
    assert market.properties["OpeningHours"] == "Mon-Sat 8-6\nSun 10-4"
    assert market.properties["ManagedBy"] == "Caffè Tours"
    assert market.properties["BabyChange"] is True
    assert market.properties["UPRN"] == "010012345678"
    assert market.extra == {"Ward": "Central"}
    assert features[1].properties["Category"] == "Female and Male"
    for feature in features:
        assert 53.4 < feature.lat < 53.6
        assert -2.4 < feature.lon < -2.1
    assert (provenance.rows_read, provenance.rows_loaded, provenance.rows_rejected) == (7, 3, 4)
    assert provenance.licence == MADE_UP_PLACE["dataset"]["licence"]


def test_reingesting_keeps_ids_and_replaces_the_data(project: Path) -> None:
    assert main(["--config", str(project), "ingest"]) == 0
    store = stored(project)
    first = [f.id for f in store.features("toilets", limit=100)]
    store.close()
    assert main(["--config", str(project), "ingest"]) == 0
    store = stored(project)
    try:
        assert [f.id for f in store.features("toilets", limit=100)] == first
        assert store.count("toilets") == 3
    finally:
        store.close()


def test_a_load_runs_the_cycle_collector_seldom_and_gives_its_pace_back_whatever_happens(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While sources load, the collector waits for 50,000 new objects; after a load or a failure, it is as before."""
    paces: list[tuple[int, ...]] = []
    each_source = ingest_module.ingest_source

    def watched(*args: Any, **kwargs: Any) -> SourceReport:
        paces.append(gc.get_threshold())
        return each_source(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "ingest_source", watched)
    before = gc.get_threshold()
    assert before != ingest_module.LOADING_COLLECTIONS
    assert [report.loaded for report in ingest(load_settings(project))] == [3]
    assert paces == [ingest_module.LOADING_COLLECTIONS]
    assert gc.get_threshold() == before

    def fails(*args: Any, **kwargs: Any) -> SourceReport:
        raise KeyboardInterrupt  # Ctrl+C part way: not a source's failure, so it leaves ingest at once

    monkeypatch.setattr(ingest_module, "ingest_source", fails)
    with pytest.raises(KeyboardInterrupt):
        ingest(load_settings(project), force=True)
    assert gc.get_threshold() == before


def test_a_source_that_cannot_be_read_keeps_the_previous_data_serving(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(project), "ingest"]) == 0
    before = rejects(project)
    csv_file = project.parent / "data" / "raw" / "toilets.csv"
    csv_file.unlink()
    capsys.readouterr()
    assert main(["--config", str(project), "ingest"]) == 1
    out = capsys.readouterr().out
    assert "toilets: not loaded. Source 'toilets': no file at" in out
    assert "The previous data is still serving: 3 rows fetched at" in out
    store = stored(project)
    try:
        assert store.count("toilets") == 3
    finally:
        store.close()
    assert rejects(project) == before


def test_a_failure_part_way_through_leaves_the_old_data_and_rejects(project: Path) -> None:
    assert main(["--config", str(project), "ingest"]) == 0
    csv_file = project.parent / "data" / "raw" / "toilets.csv"
    broken = REAL_SHAPED_CSV.encode("cp1252") + "08/01/2024,Testshire,Toilets,Café".encode("cp1252") + b"\n"
    csv_file.write_bytes(broken)
    config = project.read_text(encoding="utf-8").replace(
        'location = "data/raw/toilets.csv"', 'location = "data/raw/toilets.csv"\nencoding = "utf-8"'
    )
    project.write_text(config, encoding="utf-8")
    assert main(["--config", str(project), "ingest"]) == 1
    store = stored(project)
    try:
        assert store.count("toilets") == 3
        assert len(store.provenance()) == 1
    finally:
        store.close()
    assert not list((project.parent / "data" / "rejects").glob(".*"))  # no scratch files left


def test_a_misspelt_mapping_is_reported_with_the_columns_there_are(
    write_place_toml: WritePlaceToml, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_place_toml({**MADE_UP_PLACE, "sources": [source(fields={**FIELDS, "ManagedBy": "ManagedBY"})]})
    assert main(["--config", str(project), "ingest"]) == 1
    out = capsys.readouterr().out
    assert "[sources.fields] maps ManagedBy = 'ManagedBY', but no record has such a column" in out
    assert "ManagingBy" in out
    assert "Nothing was loaded for it before, so it has no data yet." in out


def test_one_failing_source_does_not_stop_the_others(
    write_place_toml: WritePlaceToml, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = [source(name="gone", location="data/raw/gone.csv"), source(fields=FIELDS)]
    write_place_toml({**MADE_UP_PLACE, "sources": sources})
    assert main(["--config", str(project), "ingest"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("gone: not loaded.")
    assert lines[-1].startswith("toilets: read 7, loaded 3, rejected 4")


def test_source_option_ingests_only_that_source(
    write_place_toml: WritePlaceToml, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = [source(name="gone", location="data/raw/gone.csv"), source(fields=FIELDS)]
    write_place_toml({**MADE_UP_PLACE, "sources": sources})
    assert main(["--config", str(project), "ingest", "--source", "toilets"]) == 0
    assert capsys.readouterr().out.startswith("toilets: read 7")
    assert main(["--config", str(project), "ingest", "--source", "nope"]) == 1
    assert "No source is named 'nope' in place.toml. The sources are: gone, toilets." in capsys.readouterr().err


def test_no_sources_is_an_error_that_says_what_to_add(place_toml: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(place_toml), "ingest"]) == 1
    assert "has no [[sources]] to ingest" in capsys.readouterr().err


def test_a_clean_ingest_removes_an_old_rejects_file(project: Path) -> None:
    assert main(["--config", str(project), "ingest"]) == 0
    clean = "\n".join(REAL_SHAPED_CSV.splitlines()[:5]) + "\n"
    (project.parent / "data" / "raw" / "toilets.csv").write_text(clean, encoding="utf-8")
    assert main(["--config", str(project), "ingest"]) == 0
    assert not (project.parent / "data" / "rejects" / "toilets.csv").exists()


def test_the_shipped_sample_data_ingests_cleanly_around_the_map_centre(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read the sample whatever place.toml's sources now say: a team that points them at its own data keeps this test.
    copy = tmp_path / "shipped"
    shutil.copytree(PROJECT_DIR / "data" / "sample", copy / "data" / "sample")
    shutil.copyfile(PROJECT_DIR / "place.toml", copy / "place.toml")
    (sample,) = (copy / "data" / "sample").glob("*.csv")
    source = {"name": sample.stem, "adapter": "csv", "location": f"data/sample/{sample.name}"}
    monkeypatch.setenv("APP_SOURCES", json.dumps([source]))
    loaded = load_settings(copy / "place.toml")
    reports = ingest(loaded)
    assert reports
    for report in reports:
        assert report.ok, report.error
        assert report.rejected == 0
        assert report.read == report.loaded > 0
    centre_lat, centre_lon = loaded.settings.map.centre
    store = open_store(loaded.settings.database_url, loaded.project_dir)
    try:
        for report in reports:
            for feature in store.features(report.name, limit=1000):
                assert feature.lat is not None
                assert feature.lon is not None
                north_km = (feature.lat - centre_lat) * 111
                east_km = (feature.lon - centre_lon) * 111 * math.cos(math.radians(centre_lat))
                assert math.hypot(north_km, east_km) < 5
    finally:
        store.close()


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_a_terminal_only() -> None:
    report = SourceReport("toilets", read=50, loaded=45, rejected=5)
    terminal = Terminal()
    progress = Progress(terminal)
    progress.update(report, total=200)
    progress.done()
    assert terminal.getvalue() == "\rtoilets: 50 read, 45 loaded, 5 rejected [#####...............]  25%\r\033[K"
    piped = io.StringIO()
    Progress(piped).update(report, total=None)
    assert piped.getvalue() == ""


def test_an_ingest_killed_part_way_leaves_the_old_data_serving(project: Path) -> None:
    """SIGKILL in the middle of a load: the database still holds the previous data, whole, and ingests again."""
    assert main(["--config", str(project), "ingest"]) == 0
    csv_file = project.parent / "data" / "raw" / "toilets.csv"
    header, *rows = REAL_SHAPED_CSV.splitlines()
    good = rows[3]  # the Riverside Park row, in WGS84
    with csv_file.open("w", encoding="utf-8") as file:
        file.write(header + "\n")
        for number in range(150_000):
            file.write(good.replace("Riverside Park", f"Riverside Park {number}") + "\n")
    database = project.parent / "data" / "app.db"
    child = subprocess.Popen(  # noqa: S603 (this Python, this package)
        [sys.executable, "-m", "local_data_app", "--config", str(project), "ingest"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wal = database.with_name(database.name + "-wal")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            if wal.exists() and wal.stat().st_size > 2_000_000:  # the load is well under way
                break
            time.sleep(0.02)
        assert child.poll() is None, "the ingest finished before it could be interrupted"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    store = stored(project)
    try:
        assert store.count("toilets") == 3
        (provenance,) = store.provenance()
        assert provenance.rows_read == 7
    finally:
        store.close()
    with sqlite3.connect(database) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        (live,) = db.execute("SELECT table_name FROM _collections").fetchone()
    # The catalogue, the live table with its R*Tree, word index and hours, and SQLite's own statistics (sqlite_stat1,
    # which the planner reads): nothing of the killed load.
    left = [name for name in tables if name != "_collections" and not name.startswith((live, "sqlite_"))]
    assert left == []
    assert {live, f"{live}_rtree"} <= set(tables)
    csv_file.write_text(REAL_SHAPED_CSV, encoding="utf-8")
    assert main(["--config", str(project), "ingest"]) == 0


def test_the_summary_names_an_empty_field_beside_a_column_of_a_like_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file with Charge for ChargeAmount loads, and the summary gives the [sources.fields] line that maps it."""
    rows = [{**row, "Charge": "0.20"} for row in toilet_rows()]
    config = write_project(tmp_path, rows)
    assert main(["--config", str(config), "ingest"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "toilets: read 23, loaded 23, rejected 0"
    assert "ChargeAmount is empty in every row, and the column 'Charge' was kept as an extra property" in out
    assert 'map it in this source\'s [sources.fields] table: ChargeAmount = "Charge"' in out


def test_a_second_ingest_refuses_while_one_is_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """While an ingest holds the project's lock, another exits 1 naming the running one; afterwards it loads."""
    config = write_project(tmp_path, toilet_rows())
    with one_ingest_at_a_time(load_settings(config).settings.database_url, tmp_path):
        assert main(["--config", str(config), "ingest"]) == 1
        error = capsys.readouterr().err
        assert error.startswith("Error: Another ingest into this project's database is running (process ")
        assert "Traceback" not in error
    assert main(["--config", str(config), "ingest"]) == 0
    assert capsys.readouterr().out.startswith("toilets: read 23, loaded 23, rejected 0")


def test_no_path_of_the_server_reaches_the_public(tmp_path: Path) -> None:
    """A source outside the project folder is shown by its file name alone: on the about page and in the API."""
    from local_data_app.testing import get, running
    from local_data_app.web import create_app

    config = write_project(tmp_path / "project")
    hidden = tmp_path / "srv-private-share" / "exports"
    hidden.mkdir(parents=True)
    shutil.copy(config.parent / "data" / "raw" / "toilets.csv", hidden / "toilets.csv")
    config.write_text(
        config.read_text(encoding="utf-8").replace('"data/raw/toilets.csv"', json.dumps(str(hidden / "toilets.csv"))),
        encoding="utf-8",
    )
    loaded = load_settings(config)
    (report,) = ingest(loaded)
    assert report.loaded == 23
    with running(create_app(loaded)) as base:
        shown = [get(base + path).text for path in ("/about/", "/api/collections/toilets", "/api/collections", "/")]
    assert all("srv-private-share" not in text for text in shown)
    assert "toilets.csv" in shown[0]
    assert get_provenance_location(loaded) == "toilets.csv"


def get_provenance_location(loaded: Any) -> str:
    store = open_store(loaded.settings.database_url, loaded.project_dir)
    try:
        return store.provenance()[0].location
    finally:
        store.close()
