"""This project's own adapter: JSON arrays of records, registered by name through pyproject.toml."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import PROJECT
from local_data_app import adapters
from local_data_app.config import load_settings
from local_data_app.errors import SourceError
from local_data_app.ingest import ingest

from {{ cookiecutter.package_name }}.json_array import JsonArrayAdapter


def test_it_is_registered_under_the_name_place_toml_uses() -> None:
    """The engine finds the adapter through the project's entry point, beside its own."""
    assert adapters.adapters()["json_array"] is JsonArrayAdapter
    assert {"csv", "geojson", "ckan"} <= set(adapters.adapters())


def test_it_reads_each_object_and_rejects_what_is_not_one(tmp_path: Path) -> None:
    """One record per object, numbered from 1; a value that is not an object is a record with a problem."""
    (tmp_path / "places.json").write_text(json.dumps({"results": [{"LocationText": "Park"}, 3]}), encoding="utf-8")
    spec = adapters.SourceSpec("places", "places.json", tmp_path)
    records = list(adapters.create("json_array", spec, {"records_key": "results"}).records())
    assert [(record.number, record.values, record.problem) for record in records] == [
        (1, {"LocationText": "Park"}, None),
        (2, {}, "the record is not a JSON object"),
    ]


def test_bad_files_and_options_are_named(tmp_path: Path) -> None:
    """No array where it is expected, broken JSON and an unknown option each give a message saying what to fix."""
    (tmp_path / "object.json").write_text('{"results": []}', encoding="utf-8")
    (tmp_path / "broken.json").write_text("[{", encoding="utf-8")
    with pytest.raises(SourceError, match="Set records_key"):
        list(adapters.create("json_array", adapters.SourceSpec("s", "object.json", tmp_path), {}).records())
    with pytest.raises(SourceError, match="is not valid JSON"):
        list(adapters.create("json_array", adapters.SourceSpec("s", "broken.json", tmp_path), {}).records())
    with pytest.raises(ValueError, match="record_key is not an option of the json_array adapter"):
        adapters.create("json_array", adapters.SourceSpec("s", "object.json", tmp_path), {"record_key": "results"})


@pytest.fixture
def json_project(tmp_path: Path, settings_only: str) -> tuple[Path, int]:
    """A project whose one source is the sample data as a JSON array read by json_array; its place.toml, its rows."""
    (sample,) = sorted((PROJECT / "data" / "sample").glob("*.csv"))
    with sample.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    (tmp_path / "sample.json").write_text(json.dumps(rows), encoding="utf-8")
    place = tmp_path / "place.toml"
    source = '[[sources]]\nname = "from_json"\nadapter = "json_array"\nlocation = "sample.json"\n'
    place.write_text(settings_only + source, encoding="utf-8")
    return place, len(rows)


def test_ingest_loads_a_source_that_names_it(json_project: tuple[Path, int]) -> None:
    """A [[sources]] entry with adapter = "json_array" loads through the same ingest as the built-in adapters."""
    place, rows = json_project
    (report,) = ingest(load_settings(place))
    assert (report.error, report.loaded, report.rejected) == (None, rows, 0)


def test_an_unchanged_file_is_not_loaded_again(json_project: tuple[Path, int]) -> None:
    """As a file adapter it has a content digest: a second ingest of the same file skips it."""
    place, rows = json_project
    (first,) = ingest(load_settings(place))
    (second,) = ingest(load_settings(place))
    assert (first.loaded, first.unchanged) == (rows, None)
    assert second.unchanged is not None
