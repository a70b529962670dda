"""A file unchanged since its last load is not loaded again; a change to it or to its settings, or --force, loads it.

Ingest keeps a digest of what each load depended on (the file's bytes, the
source's entry in place.toml, the schema and the app's version) with the
collection's provenance. The data serving is what a load of the same inputs
would give, so loading them again would only cost time: on a large file,
minutes a day for a scheduled ingest.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import MADE_UP_PLACE, opened, tables, toilet_rows, toml_text, write_project
from portal_server import RESOURCE_ID, Item, PortalServer

from local_data_app import ingest as ingest_module
from local_data_app.cli import main
from local_data_app.store import Provenance

SOURCE = "toilets"
TOILETS = len(toilet_rows())
LOADED = f"{SOURCE}: read {TOILETS}, loaded {TOILETS - 1}, rejected 1 (reasons in data/rejects/toilets.csv)\n"


@dataclass
class Project:
    """A project whose toilets (one of them without a name, so rejected) have loaded once from data/raw/toilets.csv."""

    config: Path
    database_url: str
    capsys: pytest.CaptureFixture[str]

    @property
    def csv_file(self) -> Path:
        return self.config.parent / "data" / "raw" / "toilets.csv"

    @property
    def rejects_file(self) -> Path:
        return self.config.parent / "data" / "rejects" / "toilets.csv"

    def ingest(self, *options: str) -> tuple[int, str]:
        """Run `ingest` as the command line does: its exit status and what it printed."""
        self.capsys.readouterr()
        status = main(["--config", str(self.config), "ingest", *options])
        captured = self.capsys.readouterr()
        return status, captured.out + captured.err

    def state(self) -> tuple[list[Provenance], set[str]]:
        """The provenance and the tables in the store: a load that ran makes a new table and new provenance."""
        with opened(self.database_url, self.config.parent) as store:
            return store.provenance(), tables(self.database_url)

    def set_source(self, **entry: Any) -> None:
        """Give the toilets source these keys of its [[sources]] entry in place.toml."""
        source = {"name": SOURCE, "adapter": "csv", "location": "data/raw/toilets.csv", "fields": {"id": "Ref"}}
        text = f"database_url = {json.dumps(self.database_url)}\n\n"
        self.config.write_text(text + toml_text({**MADE_UP_PLACE, "sources": [{**source, **entry}]}), "utf-8")


def rows_with_one_bad() -> list[dict[str, str]]:
    rows = toilet_rows()
    rows[4]["LocationText"] = ""
    return rows


@pytest.fixture
def project(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Project:
    config = write_project(tmp_path / "project", rows_with_one_bad(), database_url=database_url)
    loaded = Project(config, database_url, capsys)
    assert loaded.ingest() == (0, LOADED)
    return loaded


def unchanged_line(project: Project) -> str:
    (provenance,), _ = project.state()
    return (
        f"{SOURCE}: unchanged since its last load (read {TOILETS}, loaded {TOILETS - 1}, rejected 1), so not loaded "
        f"again; --force loads it anyway\n  That load, fetched at {provenance.fetched_at}, is still serving.\n"
    )


def test_an_unchanged_file_is_not_loaded_again(project: Project) -> None:
    """The same bytes, even with a newer modification time: nothing is read or written, the rejects file stays."""
    before = project.state()
    rejects = project.rejects_file.read_bytes()
    later = project.csv_file.stat().st_mtime + 3600
    os.utime(project.csv_file, (later, later))
    assert project.ingest() == (0, unchanged_line(project))
    assert project.state() == before
    assert project.rejects_file.read_bytes() == rejects
    (provenance,), _ = before
    assert provenance.source_digest is not None
    assert len(provenance.source_digest) == 64


def test_force_loads_an_unchanged_file(project: Project) -> None:
    provenance_before, tables_before = project.state()
    assert project.ingest("--force") == (0, LOADED)
    provenance_after, tables_after = project.state()
    assert tables_after != tables_before, "a new load's table took the old one's place"
    assert [p.source_digest for p in provenance_after] == [p.source_digest for p in provenance_before]


def change_one_cell(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.csv_file.write_bytes(project.csv_file.read_bytes().replace(b"Toilet 3,", b"Toilet 3a,", 1))


def map_a_column_by_name(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.set_source(fields={"id": "Ref", "LocationText": "LocationText"})


def set_the_crs(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.set_source(crs="EPSG:4326")


def set_a_licence(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.set_source(licence="CC-BY-4.0")


def set_an_adapter_option(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.set_source(encoding="utf-8")


def upgrade_the_engine(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_module, "__version__", ingest_module.__version__ + ".post1")


def upgrade_the_adapters_distribution(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new release of whatever provides the adapter (a project's own adapter changes with the project)."""
    origin = ingest_module.adapters.origin
    monkeypatch.setattr(ingest_module.adapters, "origin", lambda name: origin(name) + ".post1")


Change = Callable[[Project, pytest.MonkeyPatch], None]
CHANGES: list[Change] = [
    change_one_cell,
    map_a_column_by_name,
    set_the_crs,
    set_a_licence,
    set_an_adapter_option,
    upgrade_the_engine,
    upgrade_the_adapters_distribution,
]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
def test_a_change_to_the_file_or_what_it_is_loaded_with_loads_it_again(
    project: Project, change: Change, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any input of the load that changed may change what loads, so the source is read and loaded again."""
    (before,), tables_before = project.state()
    change(project, monkeypatch)
    status, out = project.ingest()
    assert (status, out) == (0, LOADED)
    (after,), tables_after = project.state()
    assert tables_after != tables_before
    assert after.source_digest != before.source_digest
    assert project.ingest() == (0, unchanged_line(project)), "and the new load is the one remembered"


def test_a_failed_load_does_not_count_as_the_last_one(project: Project) -> None:
    """A spoilt file is refused; the same file as the serving load's, put back, is that load's data: no reload."""
    before = project.state()
    good = project.csv_file.read_bytes()
    project.csv_file.write_bytes(good.splitlines(keepends=True)[0])
    status, out = project.ingest()
    assert status == 1
    assert "but no rows of data" in out
    project.csv_file.write_bytes(good)
    assert project.ingest() == (0, unchanged_line(project))
    assert project.state() == before


def test_a_portal_source_is_read_every_time(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A portal cannot say whether its data changed without being read through, so it is read and loaded each time."""
    config = write_project(tmp_path / "project", database_url=database_url)
    project = Project(config, database_url, capsys)
    with PortalServer([Item(row) for row in toilet_rows()]) as portal:
        project.set_source(adapter="ckan", location=portal.url, resource_id=RESOURCE_ID)
        for load in (1, 2):
            assert project.ingest() == (0, f"{SOURCE}: read {TOILETS}, loaded {TOILETS}, rejected 0\n")
            assert len(portal.requests_to("ckan")) == load
            (provenance,), _ = project.state()
            assert provenance.source_digest is None
