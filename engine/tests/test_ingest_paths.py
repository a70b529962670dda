"""The short paths a load takes give what the long ones give, and the SQLite load's indexing thread fails safely.

A feature's words are found for its whole text at once when it is ASCII; a
number field's text is read by ``float`` when it can be; and the SQLite store
fills its R*Tree and word index batch by batch from a thread of its own. Each
is checked here against the plain path, or against a fault met in that thread.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import MADE_UP_PLACE, opened, tables, toilet_rows, toml_text, write_csv
from test_ingest_exact import MIXED, cell_by_cell, same

from local_data_app import ingest as ingesting
from local_data_app.config import load_settings
from local_data_app.normalise import column_parser, parser_for
from local_data_app.store import Feature, FeatureWords, Provenance, feature_words
from local_data_app.store.sqlite import SQLiteStore, _SQLiteStaging

LONG = "x" * 64
ASCII_VALUES = [
    "Market Square",
    "MARKET square, 12-14 High St.",
    "T/22_a b-c",
    LONG,
    LONG + "y",
    f"{LONG}z short {LONG}",
    "!!! ... ---",
    "",
    " \t\n\x1f\x00 ",
    "0123 456",
    "Caffè Row",
    None,
    7,
    2.5,
    True,
]


@pytest.mark.parametrize("first", ASCII_VALUES, ids=repr)
def test_a_features_words_taken_whole_are_those_of_each_value(first: Any) -> None:
    """ASCII text, long words, punctuation, blanks and values that are not text give feature_words's words."""
    names = ["LocationText", "Notes", "UPRN"]
    words = FeatureWords(names)
    for second in ASCII_VALUES:
        for feature_id in ("T/22", "id-1", "Ÿ-9"):
            feature = Feature(feature_id, None, None, {"LocationText": first, "Notes": second, "UPRN": "12"}, {}, 2)
            expected = feature_words(feature, names)
            assert words(feature) == expected
            assert words.text(feature) == " ".join(expected)


NUMBERS = [
    *MIXED,
    "1e400",
    "-1e400",
    " 1_000 ",
    "0x10",
    "١٢",
    "\u2003 5 \u2003",
    "5\x00",
    "+3",
    "-0",
    "100",
    "100.0000001",
    "-5",
    "-5.5",
    "3.0",
    "1E2",
    str(2**70),
    "  ",
    "£3",
    "1,5",
]
NUMBER_SPECS = [
    {"name": "n", "type": "number"},
    {"name": "n", "type": "number", "constraints": {"minimum": 0, "maximum": 100}},
    {"name": "n", "type": "integer"},
    {"name": "n", "type": "integer", "constraints": {"minimum": -5, "maximum": 100}},
]


@pytest.mark.parametrize("spec", NUMBER_SPECS, ids=lambda spec: f"{spec['type']} {spec.get('constraints', {})}")
@pytest.mark.parametrize(
    "column",
    [
        pytest.param([value for value in NUMBERS if value is None or isinstance(value, str)], id="text"),
        pytest.param(NUMBERS, id="mixed"),
    ],
)
def test_a_number_column_read_by_float_gives_each_cells_value_and_problem(
    spec: dict[str, Any], column: list[Any]
) -> None:
    """Signs, exponents, spaces of any kind, other digits, bounds and faults: the per-cell parser's answers."""
    parse = parser_for(spec)
    values, problems = column_parser(spec, parse)(column)
    expected_values, expected_problems = cell_by_cell(parse, column)
    assert same(values, expected_values)
    assert problems == expected_problems


# --- The SQLite load's indexing thread --------------------------------------------------------------------------

SOURCE, LATER = "toilets", "later"


def indexing_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("indexing ")]


def project(folder: Path, rows: list[dict[str, str]]) -> Path:
    """A project of two sources, the toilets and a later copy, ingested into an SQLite file in the folder."""
    sources = [
        {"name": name, "adapter": "csv", "location": write_csv(folder, name, rows), "fields": {"id": "Ref"}}
        for name in (SOURCE, LATER)
    ]
    config = folder / "place.toml"
    database = f"sqlite:///{folder.resolve() / 'app.db'}"
    config.write_text(f'database_url = "{database}"\n\n' + toml_text({**MADE_UP_PLACE, "sources": sources}), "utf-8")
    return config


def test_an_error_met_while_indexing_fails_that_load_and_the_previous_data_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The thread's error stops the load at the next batch: rolled back, in words, and the later source loads."""
    config = project(tmp_path, toilet_rows())
    (first, _) = ingesting.ingest(load_settings(config))
    assert first.ok
    before = tables(f"sqlite:///{tmp_path.resolve() / 'app.db'}")
    many = [{**row, "Ref": f"X{index}"} for index, row in enumerate(toilet_rows() * 4)]
    write_csv(tmp_path, SOURCE, many)
    write_csv(tmp_path, LATER, many)
    monkeypatch.setattr(ingesting, "BATCH_SIZE", 10)
    started = _SQLiteStaging.__init__

    def failing(self: _SQLiteStaging, db: sqlite3.Connection, collection: str, *rest: Any) -> None:
        started(self, db, collection, *rest)
        if collection == SOURCE:  # the index of the rows after the 30th cannot be written
            db.create_function("full_after", 2, lambda first, limit: 1 / (first <= limit))
            self.index_rows = (*self.index_rows, "SELECT full_after(?, 30 + 0 * ?)")

    monkeypatch.setattr(_SQLiteStaging, "__init__", failing)
    toilets, later = ingesting.ingest(load_settings(config), force=True)
    assert toilets.error is not None
    assert toilets.error.startswith(f"Source {SOURCE!r}: ")
    assert "user-defined function raised exception" in toilets.error
    assert toilets.previous is not None
    assert later.ok
    assert later.loaded == len(many)
    with opened(f"sqlite:///{tmp_path.resolve() / 'app.db'}", tmp_path) as store:
        assert store.count(SOURCE) == len(toilet_rows())
        assert store.count(LATER) == len(many)
        assert [found.row for found, _ in store.search(LATER, ["x91"]).page] == [93]
    assert len(tables(f"sqlite:///{tmp_path.resolve() / 'app.db'}")) == len(before)
    assert not list((tmp_path / "data" / "rejects").glob("*"))
    for thread in indexing_threads():
        thread.join(5)
    assert not indexing_threads()


def features(count: int, start: int = 0) -> list[Feature]:
    return [
        Feature(f"id-{number}", -1.5 + number * 1e-5, 52.5, {"LocationText": f"Toilet {number}"}, {}, number + 2)
        for number in range(start, start + count)
    ]


def provenance(rows: int) -> Provenance:
    return Provenance("toilets", "public_toilets", "csv", "data/toilets.csv", "OGL-UK-3.0", None, "2025", rows, rows, 0)


def left_while_indexing(store: SQLiteStore, fields: list[dict[str, Any]]) -> None:
    """Stage a batch, whose indexes then fill in their thread, and leave at once, as Ctrl+C would."""
    with store.replacing("toilets", fields) as staging:
        staging.add(features(20_000))
        raise KeyboardInterrupt


def test_a_load_left_while_its_indexes_fill_rolls_back_and_the_store_goes_on(tmp_path: Path) -> None:
    """Leaving without commit while a batch is being indexed keeps the old data; the next load commits whole."""
    fields = [{"name": "LocationText", "type": "string"}]
    store = SQLiteStore(tmp_path / "app.db")
    try:
        with store.replacing("toilets", fields) as staging:
            staging.add(features(3))
            staging.commit(provenance(3))
        with pytest.raises(KeyboardInterrupt):
            left_while_indexing(store, fields)
        assert store.count("toilets") == 3
        with store.replacing("toilets", fields) as staging:
            staging.add(features(3_000))
            staging.add(features(3_000, 3_000))
            staging.commit(provenance(6_000))
        assert store.count("toilets") == 6_000
        assert store.count("toilets", bbox=(-1.5, 52.4, -1.49, 52.6)) == 1_001
        assert store.search("toilets", ["toilet", "5999"]).matched == 1
    finally:
        store.close()
    for thread in indexing_threads():
        thread.join(5)
    assert not indexing_threads()
