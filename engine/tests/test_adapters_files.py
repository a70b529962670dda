"""The csv and geojson adapters read files as councils publish them, from disk or from a web server."""

from __future__ import annotations

import codecs
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from project_copy import serve_folder

from local_data_app import adapters
from local_data_app.adapters.csv_files import detect_encoding
from local_data_app.errors import SourceError

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


def utf_8_with_a_stray_byte() -> tuple[bytes, int]:
    """2,000 lines of UTF-8 with accents, and one Windows-1252 "è" (0xE8) on line 1,013; the file and its offset."""
    data = "".join(["LocationText,Notes\n", *(f"Caffè {line},Ynys Môn\n" for line in range(2, 2001))]).encode()
    offset = data.index("Caffè 1013,".encode()) + len("Caff")
    return data[:offset] + "è".encode("cp1252") + data[offset + len("è".encode()) :], offset


def test_csv_utf_8_with_a_stray_byte_is_refused_not_read_as_cp1252(tmp_path: Path) -> None:
    """One invalid byte in a UTF-8 file fails the source at its line and offset, rather than garble every accent."""
    data, offset = utf_8_with_a_stray_byte()
    name = write_bytes(tmp_path, "stray.csv", data)
    with pytest.raises(SourceError) as caught:
        read(tmp_path, name)
    assert str(caught.value) == (
        f"Source 'toilets': stray.csv is UTF-8 but for the byte 0xE8 on line 1,013 (at byte offset {offset:,} of the "
        "file), which is not valid UTF-8, so it was not read: read as Windows-1252, its other accented characters "
        "would be garbled. Correct or remove that byte or, if the file is in another encoding, set the source's "
        'encoding in place.toml (encoding = "cp1252", say).'
    )
    assert data[offset] == 0xE8


def test_csv_utf_8_with_a_stray_byte_is_read_as_the_encoding_set(tmp_path: Path) -> None:
    """Setting the encoding reads the file as that, without looking: the choice is the council's."""
    data, _ = utf_8_with_a_stray_byte()
    records = read(tmp_path, write_bytes(tmp_path, "stray.csv", data), encoding="cp1252")
    assert len(records) == 1999
    garbled = {"LocationText": "Caffè 2".encode().decode("cp1252"), "Notes": "Ynys Môn".encode().decode("cp1252")}
    assert records[0].values == garbled
    assert records[1013 - 2].values["LocationText"] == "Caffè 1013"


@pytest.mark.parametrize(("stray_first", "line"), [(True, "2"), (False, "5,003")], ids=["stray-first", "utf-8-first"])
def test_csv_stray_bytes_before_or_after_the_utf_8_are_found(tmp_path: Path, stray_first: bool, line: str) -> None:
    """Whichever comes first, a stray byte and valid UTF-8 in one file make it UTF-8 with a stray byte."""
    stray, utf_8, middle = "Caffè,1\n".encode("cp1252"), "Môn,2\n".encode(), b"x,y\n" * 5000
    data = b"a,b\n" + (stray + middle + utf_8 if stray_first else utf_8 + middle + stray)
    with pytest.raises(SourceError, match=rf"mixed\.csv is UTF-8 but for the byte 0xE8 on line {line} "):
        read(tmp_path, write_bytes(tmp_path, "mixed.csv", data))


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


def test_csv_header_only_has_no_records_and_says_so(tmp_path: Path) -> None:
    """The adapter gives no records; ingest refuses the source with what the adapter says it found."""
    name = write_bytes(tmp_path, "header.csv", b"LocationText,GeoX,GeoY\n\n")
    adapter = adapters.create("csv", adapters.SourceSpec("toilets", name, tmp_path), {})
    assert list(adapter.records()) == []
    assert adapter.no_records() == (
        "header.csv has a header (LocationText, GeoX, GeoY) but no rows of data. Check that the file was exported "
        "whole; if those are not its column names, check the source's encoding and delimiter"
    )


QUOTE_LEFT_OPEN = [
    ('a,b\n1,x\n2,"open\n3,y\n4,z\n', 3, None),
    ('a,b\n1,x\n2,y\n3,"open\n', 4, None),
    ('a,b\n1,x\n2,y\n3,"open', 4, None),
    ('a,b\r\n1,"x\r\ny"\r\n2,"open\r\n3,y\r\n', 4, None),
    ('a,"b\n1,x\n2,y\n', 1, None),
    ('a,b,c\n1,"x\ny",\n2,"m\nn","open\n3,y,z\n', 5, None),
    ('a,b\n1,x\n2,"open\n3,""\n4,"z"\n5,w\n', 3, 5),
    ('a,b\n1,x\n2,"open\n' + "3,y\n" * 40_000 + '4,"z"\n', 3, None),  # past the csv module's cell size limit
]


@pytest.mark.parametrize(
    ("text", "opens", "closes"),
    QUOTE_LEFT_OPEN,
    ids=[
        "mid-file",
        "last-row",
        "last-row-no-line-break",
        "crlf",
        "header",
        "after-a-cell-over-lines",
        "closed-later",
        "long",
    ],
)
def test_csv_quote_left_open_stops_the_read_at_its_line(
    tmp_path: Path, text: str, opens: int, closes: int | None
) -> None:
    """A quote that swallows the lines after it is a fault of the file, reported at the line where it opens."""
    name = write_bytes(tmp_path, "quote.csv", text.encode())
    if closes is None:
        expected = f"opens on line {opens} .* and is never closed, so the rest of the file would be read as one cell"
    else:
        expected = f"opens on line {opens} .* and closes on line {closes} with more text after it"
    with pytest.raises(SourceError, match=rf"^Source 'toilets': quote\.csv has a quote that {expected}") as caught:
        read(tmp_path, name)
    assert str(caught.value).endswith(f"Close the quote on line {opens} or remove it, then ingest again.")


def test_csv_quotes_the_csv_module_reads_whole_are_kept(tmp_path: Path) -> None:
    """Quotes inside unquoted cells are characters; doubled quotes and quoted line breaks are cell text."""
    text = 'a,b\n1,Smith "Jr" Street\n2,Smith "Jr"\n3,"Smith" Jr\n4,"say ""hi""\nthere"\n5,""\n6,"x\r\ny"\n7,"a,b"\n'
    name = write_bytes(tmp_path, "quotes.csv", text.encode())
    assert [(r.number, r.values["b"]) for r in read(tmp_path, name)] == [
        (2, 'Smith "Jr" Street'),
        (3, 'Smith "Jr"'),
        (4, "Smith Jr"),
        (5, 'say "hi"\nthere'),
        (7, ""),
        (8, "x\r\ny"),
        (10, "a,b"),
    ]


def test_csv_cells_run_together_at_a_quote_make_a_problem_of_the_row(tmp_path: Path) -> None:
    """A quote closed by the next one on its line merges cells; the row is rejected with that reason, not others'."""
    text = 'a,b,c,d\n1,"x,y,"z",w\n2,"Smith" Jr,v,u\n3,"p","q"r,t\n'
    run_on, kept, last = read(tmp_path, write_bytes(tmp_path, "run-on.csv", text.encode()))
    assert (run_on.number, run_on.problem) == (
        2,
        'the row has 3 cells but the header has 4: the quoted cell "x,y,"z",w has more text after its closing quote, '
        "so cells ran together. Close the quote where its cell ends, or remove it",
    )
    assert (kept.values, kept.problem) == (
        {"a": "2", "b": "Smith Jr", "c": "v", "d": "u"},
        None,
    )  # as many cells as the header
    assert (last.values, last.problem) == ({"a": "3", "b": "p", "c": "qr", "d": "t"}, None)


def test_csv_nul_bytes_are_not_taken_for_utf_16(tmp_path: Path) -> None:
    """A run of NUL bytes (a file cut short) has zero bytes at odd and even places alike: it is still UTF-8."""
    name = write_bytes(tmp_path, "padded.csv", b"a,b\n1,x\n" + b"\0" * 256)
    assert detect_encoding(tmp_path / name) == "utf-8"
    records = read(tmp_path, name)
    assert [r.values for r in records[:1]] == [{"a": "1", "b": "x"}]


def test_csv_header_with_nul_bytes_is_refused(tmp_path: Path) -> None:
    """UTF-16 read as Latin-1 has a NUL byte in every name: the encoding is wrong, not the names."""
    name = write_bytes(tmp_path, "wide.csv", "a,b\n1,2\n".encode("utf-16"))
    with pytest.raises(SourceError, match=r"the header row of wide\.csv holds NUL bytes.*it may be UTF-16"):
        read(tmp_path, name, encoding="latin-1")


def test_csv_utf_16_set_for_a_utf_8_file_is_refused_plainly(tmp_path: Path) -> None:
    name = write_bytes(tmp_path, "narrow.csv", b"a,b\n1,2\n")
    with pytest.raises(SourceError, match=r"narrow\.csv is not valid utf-16 \(UTF-16 stream does not start with BOM\)"):
        read(tmp_path, name, encoding="utf-16")


@pytest.mark.parametrize(("data", "message"), [(b"", "no header row"), (b"a,b,a\n1,2,3\n", "names a more than once")])
def test_csv_without_a_usable_header_is_refused(tmp_path: Path, data: bytes, message: str) -> None:
    name = write_bytes(tmp_path, "bad.csv", data)
    with pytest.raises(SourceError, match=message):
        read(tmp_path, name)


WIDE = 200_000  # columns: counting each name along the whole header, as before, took minutes (40,000 took 15 s)


def test_csv_header_of_200_000_columns_is_read(tmp_path: Path) -> None:
    """A header that wide is handled in one pass; its one row is read whole, a blank name named by its place."""
    header = [f"c{index}" for index in range(WIDE)]
    header[7] = ""
    text = ",".join(header) + "\n" + ",".join(str(index) for index in range(WIDE)) + "\n"
    (record,) = read(tmp_path, write_bytes(tmp_path, "wide.csv", text.encode()))
    assert len(record.values) == WIDE
    assert (record.values["c0"], record.values["column_8"], record.values[f"c{WIDE - 1}"]) == ("0", "7", str(WIDE - 1))


def test_csv_header_of_200_000_columns_names_its_repeats(tmp_path: Path) -> None:
    """Repeated names in a header that wide are found, and the message lists the first ten and counts the rest."""
    header = [f"c{index % (WIDE - 25)}" for index in range(WIDE)]  # the last 25 repeat the first 25
    name = write_bytes(tmp_path, "wide.csv", (",".join(header) + "\n1\n").encode())
    with pytest.raises(SourceError) as caught:
        read(tmp_path, name)
    assert str(caught.value) == (
        "Source 'toilets': the header names 25 columns (c0, c1, c10, c11, c12, c13, c14, c15, c16, c17 and 15 more) "
        "more than once; rename the columns so each is unique."
    )


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


def test_csv_errors_at_a_url_name_the_address_without_its_secrets(tmp_path: Path, file_server: str) -> None:
    (tmp_path / "www" / "header.csv").write_bytes(b"LocationText\n")
    (tmp_path / "www" / "quote.csv").write_bytes(b'LocationText\n"Park\n')
    header_only = adapters.create(
        "csv", adapters.SourceSpec("toilets", f"{file_server}/header.csv?key=s3cret", tmp_path), {}
    )
    assert list(header_only.records()) == []
    assert header_only.no_records().startswith(f"{file_server}/header.csv?key=*** has a header (LocationText)")
    with pytest.raises(SourceError, match=rf"^Source 'toilets': {file_server}/quote\.csv\?token=\*\*\* has a quote"):
        read(tmp_path, f"{file_server}/quote.csv?token=s3cret")


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


# Hostile and malformed GeoJSON: each is a record rejected with its reason, or a SourceError in words.


def write_geojson(tmp_path: Path, document: Any, name: str = "hostile.geojson") -> str:
    (tmp_path / name).write_text(json.dumps(document), encoding="utf-8")
    return name


def collection(*features: Any, **members: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features), **members}


DEEP = "[" * 100_000 + "]" * 100_000
DEEP_DOCUMENTS = {
    "member": '{"type": "FeatureCollection", "features": [], "extra": ' + DEEP + "}",
    "property": '{"type": "FeatureCollection", "features": [{}, {"properties": {"a": ' + DEEP + "}}]}",
}


@pytest.mark.parametrize(
    ("where", "text"),
    [("", DEEP_DOCUMENTS["member"]), (", in feature 2", DEEP_DOCUMENTS["property"])],
    ids=list(DEEP_DOCUMENTS),
)
def test_geojson_nested_100_000_deep_is_refused_in_words(tmp_path: Path, text: str, where: str) -> None:
    """Arrays nested 100,000 deep (a RecursionError for json.loads) are refused before any value is built."""
    (tmp_path / "deep.geojson").write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read(tmp_path, "deep.geojson", adapter="geojson")
    assert str(caught.value) == (
        f"Source 'toilets': deep.geojson nests arrays and objects more than 64 deep{where}, where GeoJSON points "
        "need 5, so it was not read. Check that the file holds the GeoJSON exported."
    )


def test_geojson_that_is_a_deep_list_is_not_a_feature_collection(tmp_path: Path) -> None:
    """A document that is a list is refused at its first bracket, however deep it goes."""
    (tmp_path / "deep.geojson").write_text(DEEP, encoding="utf-8")
    with pytest.raises(SourceError, match=r"deep\.geojson is not a GeoJSON FeatureCollection \(it is a list\)"):
        read(tmp_path, "deep.geojson", adapter="geojson")


def nested_lists(levels: int) -> list[Any]:
    nested: list[Any] = []
    for _ in range(levels - 1):
        nested = [nested]
    return nested


def test_geojson_nested_as_deep_as_allowed_is_read_and_no_deeper(tmp_path: Path) -> None:
    """64 levels from the document to the innermost list are read, whole; 65 are refused."""
    # The document, its features, a feature and its properties are four levels; the property holds the rest.
    deepest = collection(point(1, 2, deep=nested_lists(64 - 4)))
    (record,) = read(tmp_path, write_geojson(tmp_path, deepest), adapter="geojson")
    assert record.values == {"deep": nested_lists(60)}
    too_deep = collection(point(1, 2, deep=nested_lists(65 - 4)))
    with pytest.raises(SourceError, match="more than 64 deep, in feature 1"):
        read(tmp_path, write_geojson(tmp_path, too_deep), adapter="geojson")


def test_geojson_malformed_features_are_rejected_one_by_one(tmp_path: Path) -> None:
    """Properties that are not an object, and coordinates that are not a list of numbers, reject their feature."""
    features = [
        {"type": "Feature", "properties": "Park", "geometry": None},
        {"type": "Feature", "id": 3, "properties": ["ab", "cd"], "geometry": None},
        {"type": "Feature", "properties": {"n": 4}, "geometry": {"type": "Point", "coordinates": {"x": 1, "y": 2}}},
        {"type": "Feature", "properties": {"n": 5}, "geometry": {"type": "Point", "coordinates": "12"}},
        {"type": "Feature", "properties": {"n": 7}, "geometry": {"type": {"a": 1}, "coordinates": [1, 2]}},
        {"type": "Feature", "properties": {"n": 8}, "geometry": [1, 2]},
        point(-2.35, 53.41, n=9),
    ]
    records = read(tmp_path, write_geojson(tmp_path, collection(*features)), adapter="geojson")
    assert [(record.number, record.values, record.problem) for record in records] == [
        (1, {}, "the feature's properties are 'Park', not an object of values"),
        (2, {"id": 3}, "the feature's properties are ['ab', 'cd'], not an object of values"),
        (3, {"n": 4}, "the point's coordinates {'x': 1, 'y': 2} are not two numbers"),
        (4, {"n": 5}, "the point's coordinates '12' are not two numbers"),
        (5, {"n": 7}, "the geometry is a malformed value; only points are supported"),
        (6, {"n": 8}, "the geometry is a malformed value; only points are supported"),
        (7, {"n": 9}, None),
    ]
    assert records[-1].point == (-2.35, 53.41)


@pytest.mark.parametrize("crs", ["EPSG:27700", {"type": "name", "properties": "EPSG:27700"}, ["EPSG", 27700]])
def test_geojson_crs_that_is_not_an_object_is_refused_in_words(tmp_path: Path, crs: Any) -> None:
    """A crs member that is malformed names the value and the fix: guessing would put every point astray."""
    name = write_geojson(tmp_path, collection(point(383000, 395000), crs=crs))
    with pytest.raises(SourceError) as caught:
        read(tmp_path, name, adapter="geojson")
    assert str(caught.value) == (
        f'Source \'toilets\': hostile.geojson has a "crs" member {crs!r}, not an object such as {{"type": "name", '
        '"properties": {"name": "EPSG:27700"}}. Correct it, or remove it and set the source\'s crs in place.toml.'
    )


def test_geojson_members_after_the_features_are_honoured(tmp_path: Path) -> None:
    """The type and the crs may follow the features: the first pass finds them before any record is made."""
    text = (
        '{"features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [383000, 395000]}, '
        '"properties": {}}], "crs": {"type": "name", "properties": {"name": "EPSG:27700"}}, '
        '"type": "FeatureCollection"}'
    )
    (record,) = read(tmp_path, write_bytes(tmp_path, "late.geojson", text.encode()), adapter="geojson")
    assert (record.point, record.point_crs) == ((383000, 395000), "EPSG:27700")


def test_geojson_numbers_are_read_as_json_loads_reads_them(tmp_path: Path) -> None:
    """Integers beyond 64 bits stay whole, and fractions and exponents are floats, even beyond a float's range."""
    properties = '{"id": 123456789012345678901234567890, "share": 0.1, "huge": 1e999, "n": [7, 2.5e3]}'
    text = f'{{"type": "FeatureCollection", "features": [{{"properties": {properties}}}]}}'
    (record,) = read(tmp_path, write_bytes(tmp_path, "numbers.geojson", text.encode()), adapter="geojson")
    assert record.values == json.loads(text)["features"][0]["properties"]
    assert [type(value) for value in record.values.values()] == [int, float, float, list]


def test_geojson_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    name = write_bytes(tmp_path, "bom.geojson", codecs.BOM_UTF8 + json.dumps(collection(point(1, 2, a="é"))).encode())
    (record,) = read(tmp_path, name, adapter="geojson")
    assert (record.values, record.point) == ({"a": "é"}, (1, 2))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            '{"type": "FeatureCollection", "features": [{"properties": {}}, {"properties": {"a": tru}}]}',
            "is not valid GeoJSON (lexical error: invalid string in json text, in feature 2). Check that the file "
            "was exported whole, as GeoJSON in UTF-8.",
        ),
        (
            '{"type": "FeatureCollection", "features": [{"properties": {}}]',
            "is not valid GeoJSON (parse error: premature EOF). Check that the file was exported whole",
        ),
        ('{"type": "FeatureCollection", "features": [{"properties": {"a": "caf\xe9"}}]}', "invalid bytes in UTF8"),
        (
            '{"type": "FeatureCollection", "features": {"a": 1}}',
            'has "features": an object, where a FeatureCollection has a list of features.',
        ),
        (
            '{"type": "FeatureCollection", "features": "points"}',
            "has \"features\": 'points', where a FeatureCollection has a list of features.",
        ),
        (
            '{"type": "FeatureCollection", "features": [], "features": [{}]}',
            'has two "features" members; keep one list of features.',
        ),
        (
            '{"type": "FeatureCollection", "features.item": {}, "features": []}',
            'has a member named "features.item", which hides its features; rename it.',
        ),
        ('{"features": []}', 'is not a GeoJSON FeatureCollection (it has no "type"); expected an object with'),
        ("7", "is not a GeoJSON FeatureCollection (7); expected"),
    ],
    ids=[
        "bad-token",
        "cut-short",
        "not-utf-8",
        "features-object",
        "features-string",
        "features-twice",
        "features-item-member",
        "no-type",
        "a-number",
    ],
)
def test_geojson_that_cannot_be_read_is_refused_in_words(tmp_path: Path, text: str, says: str) -> None:
    """A document that is not a readable FeatureCollection fails the source, saying where and why."""
    name = write_bytes(tmp_path, "bad.geojson", text.encode("latin-1"))
    with pytest.raises(SourceError) as caught:
        read(tmp_path, name, adapter="geojson")
    assert str(caught.value).startswith("Source 'toilets': bad.geojson ")
    assert says in str(caught.value)


def peak_memory_reading(tmp_path: Path, features: int) -> tuple[int, int]:
    """The size of a GeoJSON file of this many features, each with 2 KB of notes, and the peak memory reading it."""
    notes = "Open 9-5. " * 200
    text = ",".join(json.dumps(point(-2.3, 53.4, Ref=f"T{index}", Notes=notes)) for index in range(features))
    name = write_bytes(
        tmp_path, f"{features}.geojson", f'{{"type": "FeatureCollection", "features": [{text}]}}'.encode()
    )
    adapter = adapters.create("geojson", adapters.SourceSpec("toilets", name, tmp_path), {})
    tracemalloc.start()
    try:
        assert sum(1 for _ in adapter.records()) == adapter.total == features
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (tmp_path / name).stat().st_size, peak


def test_geojson_is_streamed_in_flat_memory(tmp_path: Path) -> None:
    """Reading a file one feature at a time holds a small part of it, the same however large the file grows.

    json.loads holds the text and every feature at once: several times the file's size.
    """
    small_size, small_peak = peak_memory_reading(tmp_path, 500)
    large_size, large_peak = peak_memory_reading(tmp_path, 4_000)
    assert large_size > 8 * 1_000_000 > 7 * small_size
    assert large_peak < large_size / 20
    assert large_peak < small_peak * 1.5
