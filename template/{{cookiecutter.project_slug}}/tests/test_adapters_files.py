"""The csv and geojson adapters read files as councils publish them, from disk or from a web server."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from project_copy import serve_folder

from {{ cookiecutter.package_name }} import adapters
from {{ cookiecutter.package_name }}.adapters.csv_files import detect_encoding
from {{ cookiecutter.package_name }}.errors import SourceError

# Text in every encoding councils use, with characters that differ between them.
MESSY_TEXT = "LocationText,Notes\nCaffè Nero,Charge £0.20 – ask staff\nPlas Newydd,Ynys Môn\n"  # noqa: RUF001
EXPECTED_ROWS = [
    {"LocationText": "Caffè Nero", "Notes": "Charge £0.20 – ask staff"},  # noqa: RUF001
    {"LocationText": "Plas Newydd", "Notes": "Ynys Môn"},
]


def read(tmp_path: Path, location: str, adapter: str = "csv", **options: Any) -> list[adapters.RawRecord]:
    source = adapters.SourceSpec("toilets", location, tmp_path)
    return list(adapters.create(adapter, source, options).records())


def write_bytes(tmp_path: Path, name: str, data: bytes) -> str:
    (tmp_path / name).write_bytes(data)
    return name


@pytest.mark.parametrize(
    ("encoding", "data", "detected"),
    [
        ("utf-8", MESSY_TEXT.encode("utf-8"), "utf-8"),
        ("utf-8-sig", MESSY_TEXT.encode("utf-8-sig"), "utf-8-sig"),
        ("cp1252", MESSY_TEXT.encode("cp1252"), "cp1252"),
        ("utf-16", MESSY_TEXT.encode("utf-16"), "utf-16"),
        ("utf-16-le", MESSY_TEXT.encode("utf-16-le"), "utf-16-le"),
        ("utf-16-be", MESSY_TEXT.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, data: bytes, detected: str) -> None:
    name = write_bytes(tmp_path, f"{encoding}.csv", data)
    assert detect_encoding(tmp_path / name) == detected
    assert [record.values for record in read(tmp_path, name)] == EXPECTED_ROWS


def test_csv_cp1252_found_after_a_long_ascii_start(tmp_path: Path) -> None:
    """A Windows-1252 character far into the file still decides the encoding."""
    text = "LocationText\n" + "Park\n" * 20_000 + "Caffè\n"
    name = write_bytes(tmp_path, "late.csv", text.encode("cp1252"))
    records = read(tmp_path, name)
    assert records[-1].values == {"LocationText": "Caffè"}
    assert len(records) == 20_001


def test_csv_configured_encoding_is_used(tmp_path: Path) -> None:
    name = write_bytes(tmp_path, "latin.csv", MESSY_TEXT.encode("cp1252"))
    assert [r.values for r in read(tmp_path, name, encoding="cp1252")] == EXPECTED_ROWS


def test_csv_wrong_configured_encoding_names_the_line_and_the_fix(tmp_path: Path) -> None:
    name = write_bytes(tmp_path, "latin.csv", ("LocationText\n" + "Park\n" * 3 + "Caffè\n").encode("cp1252"))
    with pytest.raises(
        SourceError, match=r"'toilets'.*latin\.csv is not valid utf-8 at line 5 .*Set the source's encoding"
    ):
        read(tmp_path, name, encoding="utf-8")


def test_csv_multi_line_cells_keep_their_lines_and_row_numbers(tmp_path: Path) -> None:
    text = 'LocationText,OpeningHours\nPark,"Mon-Fri 9-5\nSat 10-4\nSun closed"\n\nLibrary,9-5\n'
    name = write_bytes(tmp_path, "multi.csv", text.encode())
    records = read(tmp_path, name)
    assert [(r.number, r.values["OpeningHours"]) for r in records] == [
        (2, "Mon-Fri 9-5\nSat 10-4\nSun closed"),
        (6, "9-5"),
    ]


def test_csv_short_rows_are_padded_and_long_rows_are_a_problem(tmp_path: Path) -> None:
    name = write_bytes(tmp_path, "ragged.csv", b"a,b,c\n1,2\n1,2,3,4\n1,2,3,,\n")
    short, long, trailing = read(tmp_path, name)
    assert short.values == {"a": "1", "b": "2", "c": ""}
    assert short.problem is None
    assert long.problem == "the row has 4 cells but the header has 3"
    assert trailing.problem is None  # empty trailing cells, as spreadsheets write them, are harmless


def test_csv_semicolon_delimiter(tmp_path: Path) -> None:
    name = write_bytes(tmp_path, "semi.csv", b"a;b\n1;2\n")
    assert read(tmp_path, name, delimiter=";")[0].values == {"a": "1", "b": "2"}


def test_csv_header_only_has_no_records(tmp_path: Path) -> None:
    name = write_bytes(tmp_path, "header.csv", b"LocationText,GeoX,GeoY\n")
    assert read(tmp_path, name) == []


@pytest.mark.parametrize(("data", "message"), [(b"", "no header row"), (b"a,b,a\n1,2,3\n", "names a more than once")])
def test_csv_without_a_usable_header_is_refused(tmp_path: Path, data: bytes, message: str) -> None:
    name = write_bytes(tmp_path, "bad.csv", data)
    with pytest.raises(SourceError, match=message):
        read(tmp_path, name)


def test_csv_missing_file_names_the_path_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"'toilets': no file at .*missing\.csv\. Check its location in place\.toml"):
        read(tmp_path, "missing.csv")


def test_unknown_options_are_refused() -> None:
    with pytest.raises(ValueError, match="encodng is not an option of the csv adapter"):
        adapters.options_for("csv", {"encodng": "utf-8"})
    with pytest.raises(ValueError, match="expected an adapter name"):
        adapters.options_for("excel", {})


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[str]:
    """A real web server on 127.0.0.1 serving the files of tmp_path/www."""
    folder = tmp_path / "www"
    folder.mkdir()

    with serve_folder(folder) as base:
        yield base


def test_csv_from_a_url(tmp_path: Path, file_server: str) -> None:
    (tmp_path / "www" / "toilets.csv").write_bytes(MESSY_TEXT.encode("cp1252"))
    records = read(tmp_path, f"{file_server}/toilets.csv")
    assert [r.values for r in records] == EXPECTED_ROWS


def test_csv_url_that_is_missing_names_the_url(tmp_path: Path, file_server: str) -> None:
    with pytest.raises(SourceError, match=r"'toilets'.*/nothing\.csv.*HTTP 404"):
        read(tmp_path, f"{file_server}/nothing.csv", retries=0)


def point(x: float, y: float, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]}, "properties": properties}


def test_geojson_points_and_their_properties(tmp_path: Path, file_server: str) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            point(-2.35, 53.41, LocationText="Park"),
            {"type": "Feature", "id": 7, "geometry": None, "properties": {"LocationText": "Nowhere"}},
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}, "properties": {}},
        ],
    }
    (tmp_path / "www" / "toilets.geojson").write_text(json.dumps(collection))
    park, nowhere, polygon = read(tmp_path, f"{file_server}/toilets.geojson", adapter="geojson")
    assert (park.number, park.values, park.point, park.point_crs) == (
        1,
        {"LocationText": "Park"},
        (-2.35, 53.41),
        "EPSG:4326",
    )
    assert nowhere.point is None
    assert nowhere.values == {"LocationText": "Nowhere", "id": 7}
    assert polygon.problem == "the geometry is a Polygon; only points are supported"


def test_geojson_legacy_crs_member_is_honoured(tmp_path: Path) -> None:
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": [point(383000, 395000)],
    }
    (tmp_path / "grid.geojson").write_text(json.dumps(collection))
    (record,) = read(tmp_path, "grid.geojson", adapter="geojson")
    assert record.point_crs == "EPSG:27700"


@pytest.mark.parametrize(
    ("text", "message"), [("{", "not valid GeoJSON"), ('{"type": "Feature"}', "not a GeoJSON FeatureCollection")]
)
def test_geojson_that_is_not_a_feature_collection_is_refused(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad.geojson").write_text(text)
    with pytest.raises(SourceError, match=message):
        read(tmp_path, "bad.geojson", adapter="geojson")


def test_utf16_detection_without_a_mark_needs_zero_bytes(tmp_path: Path) -> None:
    """Plain ASCII is never mistaken for UTF-16."""
    (tmp_path / "ascii.csv").write_bytes(b"a,b\n1,2\n")
    assert detect_encoding(tmp_path / "ascii.csv") == "utf-8"
    assert codecs.lookup(detect_encoding(tmp_path / "ascii.csv")).name == "utf-8"
