"""Ingest by columns gives exactly what checking cell by cell gives: the same rows, values, ids and reasons."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from local_data_app import adapters
from local_data_app.adapters.csv_files import detect_encoding
from local_data_app.normalise import FieldProblem, Normaliser, column_parser, parser_for
from local_data_app.schemas import load_schema
from local_data_app.store import Feature, FeatureWords, feature_words

TOILETS = load_schema("public_toilets")
FIELDS = {"LocationText": "Site", "GeoX": "Easting", "GeoY": "Northing"}
# A byte-order mark or Windows-1252, CRLF line ends, cells over two lines, a blank line, mixed and blank
# coordinate systems, blank required cells, impossible dates, short, long and repeated rows, a NUL byte,
# padded numbers, a cell quoted around a comma, and a last line without a line end.
TRICKY = (
    "ExtractDate,OrganisationLabel,ServiceTypeLabel,Site,CoordinateReferenceSystem,Easting,Northing,Category,"
    "BabyChange,OpeningHours,UPRN,Ward\r\n"
    "05/01/2024 09:15,Testshire,Toilets,Market Square,OSGB36,383000,395000,UNISEX,YES,"
    '"Mon-Sat 8-6\r\nSun 10-4",010012345678,Central\r\n'
    "2024-01-06,Testshire,Toilets,Caffè Row,wgs84,-2.2401,53.4808,female and male,no,,,North\r\n"
    "\r\n"
    "06/01/2024,Testshire,Toilets,,OSGB36,383900,395100,Unisex,yes,,,North\r\n"
    "06/01/2024,Testshire,Toilets,Library,,384100,395900,Unisex,maybe,,,South\r\n"
    "07/01/2024,Testshire,Toilets,Leisure Centre,,-1.5,52.5,Unisex,n,,,South\r\n"
    "31/02/2024,Testshire,Toilets,Cemetery,OSGB36,382000,396000,Male urinal,no,,,East\r\n"
    "06/01/2024,Testshire,Toilets,Short row,OSGB36,383000,395000\r\n"
    "06/01/2024,Testshire,Toilets,Long row,OSGB36,383000,395000,Unisex,no,,,East,extra\r\n"
    "06/01/2024,Testshire,Toilets,Library,,384100,395900,Unisex,Y,,,South\r\n"
    "06/01/2024,Testshire,Toilets,Library,,384100,395900,Unisex,Y,,,South\r\n"
    "2024-13-01,,Toilets,Nowhere,EPSG:4326,abc,,Squat,?,,12x,West\r\n"
    '08/01/2024,Testshire,Toilets,"Quoted, with comma",OSGB36,  383200 ,395200,Unisex,True,"Open\n24 hours",'
    '100012345679,"Cent\x00ral"'
)
SHARED = {"OrganisationLabel": "Testshire", "ServiceTypeLabel": "Toilets"}
EXPECTED_FEATURES = [
    (
        2,
        "a18851626e21955b6e6d",
        -2.257452,
        53.4514816,
        {
            **SHARED,
            "BabyChange": True,
            "Category": "Unisex",
            "CoordinateReferenceSystem": "OSGB36",
            "ExtractDate": "2024-01-05",
            "GeoX": 383000.0,
            "GeoY": 395000.0,
            "LocationText": "Market Square",
            "OpeningHours": "Mon-Sat 8-6\r\nSun 10-4",
            "UPRN": "010012345678",
        },
        {"Ward": "Central"},
    ),
    (
        4,
        "ce7ba362d487b8b07fde",
        -2.2401,
        53.4808,
        {
            **SHARED,
            "BabyChange": False,
            "Category": "Female and Male",
            "CoordinateReferenceSystem": "WGS84",
            "ExtractDate": "2024-01-06",
            "GeoX": -2.2401,
            "GeoY": 53.4808,
            "LocationText": "Caffè Row",
        },
        {"Ward": "North"},
    ),
    (
        8,
        "c74e53fbdd53f3bb87aa",
        -1.5,
        52.5,
        {
            **SHARED,
            "BabyChange": False,
            "Category": "Unisex",
            "ExtractDate": "2024-01-07",
            "GeoX": -1.5,
            "GeoY": 52.5,
            "LocationText": "Leisure Centre",
        },
        {"Ward": "South"},
    ),
    (
        10,
        "be81b32afcb921b6b591",
        -2.257452,
        53.4514816,
        {
            **SHARED,
            "CoordinateReferenceSystem": "OSGB36",
            "ExtractDate": "2024-01-06",
            "GeoX": 383000.0,
            "GeoY": 395000.0,
            "LocationText": "Short row",
        },
        {"Ward": ""},
    ),
    (
        12,
        "83d27f85796e73dd9051",
        -2.2409343,
        53.4596057,
        {
            **SHARED,
            "BabyChange": True,
            "Category": "Unisex",
            "ExtractDate": "2024-01-06",
            "GeoX": 384100.0,
            "GeoY": 395900.0,
            "LocationText": "Library",
        },
        {"Ward": "South"},
    ),
    (
        15,
        "bafb05563a3c2fcc74d9",
        -2.2544512,
        53.4532857,
        {
            **SHARED,
            "BabyChange": True,
            "Category": "Unisex",
            "CoordinateReferenceSystem": "OSGB36",
            "ExtractDate": "2024-01-08",
            "GeoX": 383200.0,
            "GeoY": 395200.0,
            "LocationText": "Quoted, with comma",
            "OpeningHours": "Open\n24 hours",
            "UPRN": "100012345679",
        },
        {"Ward": "Central"},
    ),
]
EXPECTED_REJECTIONS = [
    (6, ["LocationText (column 'Site'): required, but blank"]),
    (7, ["BabyChange: 'maybe' is not yes or no"]),
    (9, ["ExtractDate: '31/02/2024' is not a date like 31/01/2024 or 2024-01-31"]),
    (11, ["the row has 13 cells but the header has 12"]),
    (13, ["the row repeats an earlier row exactly"]),
    (
        14,
        [
            "ExtractDate: '2024-13-01' is not a date like 31/01/2024 or 2024-01-31",
            "OrganisationLabel: required, but blank",
            "CoordinateReferenceSystem: 'EPSG:4326' is not one of WGS84, OSGB36",
            "GeoX (column 'Easting'): 'abc' is not a number",
            "GeoY (column 'Northing'): required, but blank",
            "Category: 'Squat' is not one of Female, Male, Female and Male, Unisex, Male urinal, Children only, None",
            "BabyChange: '?' is not yes or no",
            "UPRN: '12x' does not match the pattern [0-9]{1,12}",
        ],
    ),
]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-8", "utf-16"])
def test_a_tricky_csv_gives_exactly_these_rows_values_and_reasons(tmp_path: Path, encoding: str) -> None:
    """Row numbers are the lines rows start on; every value, id, position and reason is pinned."""
    path = tmp_path / "tricky.csv"
    path.write_bytes(TRICKY.encode(encoding))
    assert detect_encoding(path) == encoding
    source = adapters.SourceSpec("toilets", str(path), tmp_path)
    records = list(adapters.create("csv", source, {}).records())
    assert [record.number for record in records] == [2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    normaliser = Normaliser(TOILETS, "toilets", FIELDS, None)
    features, rejections = normaliser.normalise(records)
    found = [
        (f.row, f.id, f.lon, f.lat, {k: v for k, v in f.properties.items() if v is not None}, f.extra) for f in features
    ]
    assert found == EXPECTED_FEATURES
    assert [(r.row, r.reasons) for r in rejections] == EXPECTED_REJECTIONS
    assert {r.row: r.values["Site"] for r in rejections}[11] == "Long row"  # rejected rows keep what they held
    assert normaliser.extra_seen == {"Ward"}
    assert "Notes" not in normaliser.filled
    assert {"OpeningHours", "UPRN", "GeoX"} <= normaliser.filled


def test_batches_give_what_one_batch_gives(tmp_path: Path) -> None:
    """A repeat in a later batch is still a repeat, and row numbers stay the file's."""
    path = tmp_path / "tricky.csv"
    path.write_bytes(TRICKY.encode("utf-8"))
    records = list(adapters.create("csv", adapters.SourceSpec("toilets", str(path), tmp_path), {}).records())
    whole = Normaliser(TOILETS, "toilets", FIELDS, None).normalise(records)
    normaliser = Normaliser(TOILETS, "toilets", FIELDS, None)
    parts = [normaliser.normalise(records[start : start + 5]) for start in range(0, len(records), 5)]
    assert [f for features, _ in parts for f in features] == whole[0]
    assert [r for _, rejections in parts for r in rejections] == whole[1]


# Values of every kind a source gives: text with spaces, case, NUL bytes and symbols; numbers as text and as
# numbers, 0.0 beside -0.0 (equal, but not the same text), booleans beside 1 and 0, blanks.
MIXED: list[Any] = [
    None, "", "  ", "\x00", " yes ", "YES", "no", "y", "maybe", "1", "0", 1, 0, 1.0, 0.0, -0.0, True, False,
    "12", " 12 ", "12.5", "£1,200.50", "1e3", "nan", "inf", "-inf", float("nan"), float("inf"), 7, 7.5, 10**20,
    "05/01/2024", "05/01/2024 09:15", "2024-01-31T10:00", "31/02/2024", "5.1.2024", 1704067200000, 1e300,
    "unisex", " Female  and male ", "Squat", "010012345678", "12x", "1234567890123", "a\x00b", " \x00 ", "Ynys Môn",
]  # fmt: skip


def cell_by_cell(parse: Any, raw: list[Any]) -> tuple[list[Any], dict[int, str]]:
    values, problems = [], {}
    for position, value in enumerate(raw):
        try:
            values.append(parse(value))
        except FieldProblem as problem:
            values.append(None)
            problems[position] = str(problem)
    return values, problems


def same(left: list[Any], right: list[Any]) -> bool:
    """Equal lists, telling 0.0 from -0.0 and True from 1, with NaN equal to itself."""
    return len(left) == len(right) and all(
        type(a) is type(b) and (repr(a) == repr(b) or (isinstance(a, float) and math.isnan(a) and math.isnan(b)))
        for a, b in zip(left, right, strict=True)
    )


@pytest.mark.parametrize("spec", TOILETS["fields"], ids=lambda spec: spec["name"])
@pytest.mark.parametrize(
    "column",
    [
        pytest.param([value for value in MIXED if value is None or isinstance(value, str)], id="text"),
        pytest.param(MIXED, id="mixed"),
        pytest.param([1, 0, None, 12, 1, 7], id="whole-numbers"),
        pytest.param([True, False, None, True], id="booleans"),
        pytest.param([1.0, -0.0, 0.0, None, 7.5], id="floats"),
    ],
)
def test_a_column_parses_as_its_cells_do(spec: dict[str, Any], column: list[Any]) -> None:
    """Parsing a field's values as a column gives each cell's value and problem, for every field and kind."""
    parse = parser_for(spec)
    values, problems = column_parser(spec, parse)(column)
    expected_values, expected_problems = cell_by_cell(parse, column)
    assert same(values, expected_values)
    assert problems == expected_problems


WORDY = [
    "Caffè Straße ǅemal İstanbul ﬁne",
    "e\u0301 cafe\u0301 \u0301start",
    "x" * 100 + " y",
    "T/22_a b-c",
    "Ω ω ΣΑΣ ς",
    "١٢٣ ٤",
    "tab\there\x1fsep",
    "Market Square",
    "MARKET square",
]


@pytest.mark.parametrize("first", WORDY)
def test_a_features_words_are_found_value_by_value_as_whole(first: str) -> None:
    """FeatureWords gives feature_words's words, in order, whatever the script, case or length of each value."""
    names = ["LocationText", "Notes", "UPRN", "Category"]
    words = FeatureWords(names)
    for second in WORDY:
        feature = Feature(second, None, None, {"LocationText": first, "Notes": second, "UPRN": None}, {}, 2)
        assert words(feature) == feature_words(feature, names)
        assert words(feature) == feature_words(feature, names)  # and again, from what it remembers


def test_a_date_in_milliseconds_that_is_no_date_is_a_reason_not_a_failure() -> None:
    """NaN, infinity or a year past 9999 from a portal rejects that row, naming the value, as text dates do."""
    spec = next(spec for spec in TOILETS["fields"] if spec["name"] == "ExtractDate")
    values, problems = column_parser(spec, parser_for(spec))([1704067200000, float("nan"), 1e300, None])
    assert values == ["2024-01-01", None, None, None]
    assert problems == {
        1: "nan is not a date in milliseconds since 1970",
        2: "1e+300 is not a date in milliseconds since 1970",
    }
