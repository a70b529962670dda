"""The stores' ``where`` and ``order`` (store/conditions.py), on SQLite and PostgreSQL, against Python's answers.

Each condition is also evaluated here in Python, with SQL's rule for a
missing value (a comparison with it is unknown, and so is its ``NOT``), and
the stores must give exactly those features: through features() and count(),
nearest() each way SQLite finds candidates, and search().
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_store import (
    COLLECTION,
    MIDLANDS,
    NEAREST_WAYS,
    brute_nearest,
    load,
    make_feature,
    nearest_way,
    ragged_cluster,
)

from local_data_app.errors import ClientError
from local_data_app.store import open_store
from local_data_app.store.conditions import (
    All,
    AnyOf,
    At,
    Compare,
    Condition,
    In,
    Inside,
    IsNull,
    Like,
    Not,
    Range,
    glob_pattern,
)


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """An open, empty store of each kind, closed afterwards."""
    opened = open_store(database_url, tmp_path)
    yield opened
    opened.close()


HOURS = 'Opening "hours"; DROP TABLE x'  # the test schema's hostile field names
SHARE = "Share 100% {table}"


def features() -> list[Any]:
    """Features of every kind of value, some missing, some text holding LIKE's and GLOB's own characters."""
    texts = ["Park 100%", "park_side", "Park*?[x]", "Pa'rk; --", "Ün Park", None]
    found = []
    for number in range(60):
        feature = make_feature(
            number,
            None if number % 11 == 3 else -1.5 + (number % 8) * 0.01,
            None if number % 11 == 3 else 52.5 + (number // 8) * 0.01,
            ChargeAmount=None if number % 5 == 0 else number / 4,
        )
        feature.properties[HOURS] = texts[number % len(texts)]
        found.append(feature)
    return found


def like(text: str, pattern: str) -> bool:
    """CQL2 LIKE, by a regular expression built apart from the stores' patterns."""
    expression, characters = "", iter(pattern)
    for character in characters:
        if character == "\\":
            expression += re.escape(next(characters, "\\"))
        elif character == "%":
            expression += ".*"
        elif character == "_":
            expression += "."
        else:
            expression += re.escape(character)
    return re.fullmatch(expression, text, re.DOTALL) is not None


def holds(condition: Condition, feature: Any) -> bool | None:
    """True, False or None (unknown) for a feature, as SQL's three-valued logic has it."""
    properties = feature.properties
    if isinstance(condition, Compare):
        value = properties[condition.field]
        if value is None:
            return None
        return {
            "=": value == condition.value,
            "<>": value != condition.value,
            "<": value < condition.value,
            "<=": value <= condition.value,
            ">": value > condition.value,
            ">=": value >= condition.value,
        }[condition.operator]
    if isinstance(condition, Like):
        value = properties[condition.field]
        return None if value is None else like(value, condition.pattern)
    if isinstance(condition, In):
        value = properties[condition.field]
        return None if value is None else value in condition.values
    if isinstance(condition, Range):
        value = properties[condition.field]
        return None if value is None else condition.low <= value <= condition.high
    if isinstance(condition, IsNull):
        return properties[condition.field] is None
    if isinstance(condition, Inside):
        west, south, east, north = condition.box
        return feature.lon is not None and west <= feature.lon <= east and south <= feature.lat <= north
    if isinstance(condition, At):
        return (feature.lon, feature.lat) == (condition.lon, condition.lat)
    if isinstance(condition, Not):
        inner = holds(condition.part, feature)
        return None if inner is None else not inner
    results = [holds(part, feature) for part in condition.parts]
    if isinstance(condition, All):
        return False if False in results else (None if None in results else True)
    assert isinstance(condition, AnyOf)
    return True if True in results else (None if None in results else False)


def kept(condition: Condition, found: list[Any]) -> list[Any]:
    return [feature for feature in found if holds(condition, feature) is True]


CONDITIONS: list[Condition] = [
    Compare("LocationText", "=", "Toilet 7"),
    Compare("ChargeAmount", ">", 10.0),
    Compare("ChargeAmount", "<=", 3),  # an int for a number field
    Compare("Cubicles", ">=", 30),
    Compare("Cubicles", "<", 4.5),  # a float for an integer field, compared as a number
    Compare("BabyChange", "<>", True),
    Compare(SHARE, "=", "share 2"),
    Compare(HOURS, "<", "Pa'rk; --"),  # text by code point: upper case before lower, Ü after both
    Like(HOURS, "Park%"),
    Like(HOURS, "park%"),
    Like(HOURS, r"%100\%"),
    Like(HOURS, "park_side"),
    Like(HOURS, r"park\_side"),
    Like(HOURS, "Park*?[x]"),
    Like(HOURS, "P_rk%"),
    Like(HOURS, "%rk%"),
    Like(HOURS, "Pa'rk; --"),
    Like(HOURS, "Ün%"),
    In("Cubicles", (1, 2, 3, 50)),
    In(HOURS, ("Park 100%", "Ün Park")),
    In("LocationText", ()),
    Range("ChargeAmount", 2.0, 4.0),
    Range(HOURS, "P", "Q"),
    IsNull("ChargeAmount"),
    Not(IsNull(HOURS)),
    Not(Compare("ChargeAmount", ">", 5.0)),
    Not(Like(HOURS, "Park%")),
    Inside((-1.485, 52.505, -1.455, 52.535)),
    At(-1.48, 52.51),
    All((Compare("BabyChange", "=", True), Not(IsNull("ChargeAmount")), Like(SHARE, "share _"))),
    AnyOf((Compare("Cubicles", "=", 2), IsNull(HOURS), Inside((-1.5, 52.5, -1.49, 52.56)))),
    Not(AnyOf((Compare("ChargeAmount", ">", 12.0), Compare(HOURS, "=", "Ün Park")))),
    All(()),
    AnyOf(()),
]


@pytest.mark.parametrize("condition", CONDITIONS, ids=[repr(condition)[:70] for condition in CONDITIONS])
def test_where_keeps_what_python_keeps(store, condition: Condition) -> None:
    """features() and count() keep exactly the features for which the condition is true, in load order."""
    found = features()
    load(store, found, batch=20)
    expected = kept(condition, found)
    assert store.features(COLLECTION, limit=100, where=condition) == expected
    assert store.count(COLLECTION, where=condition) == len(expected)
    box = (-1.5, 52.5, -1.46, 52.58)
    inside = [feature for feature in expected if holds(Inside(box), feature)]
    assert store.features(COLLECTION, bbox=box, limit=100, where=condition) == inside
    assert store.count(COLLECTION, bbox=box, filters={"BabyChange": True}, where=condition) == len(
        [feature for feature in inside if feature.properties["BabyChange"]]
    )


def test_glob_patterns_hold_their_characters_literally() -> None:
    """SQLite's GLOB pattern for a CQL2 pattern: GLOB's own characters in brackets, the wildcards translated."""
    assert glob_pattern(r"a*b?c[d]%_\%\_\\") == "a[*]b[?]c[[]d]*?%_\\"
    for text in ("a*b?c[d]xy%_\\", "aXbYcdxy%_\\"):
        assert fnmatch.fnmatchcase(text, glob_pattern(r"a*b?c[d]%_\%\_\\")) == like(text, r"a*b?c[d]%_\%\_\\")


@pytest.mark.parametrize("way", NEAREST_WAYS)
def test_nearest_keeps_to_where(store, monkeypatch, way) -> None:
    """nearest() ranks only the features the condition keeps, whichever way SQLite finds its candidates."""
    nearest_way(monkeypatch, way)
    found = ragged_cluster(200, seed=11)
    load(store, found, batch=64)
    lon, lat = -1.7, 52.3
    for condition in (
        Compare("BabyChange", "=", True),
        AnyOf((Compare("Cubicles", "<", 20), Compare("Cubicles", ">", 180))),
        Inside((-1.55, 52.45, -1.40, 52.60)),
        Compare("Cubicles", "=", -1),
    ):
        expected = brute_nearest(kept(condition, found), lon, lat)
        ranked = store.nearest(COLLECTION, lon, lat, limit=500, where=condition)
        assert [feature for feature, _ in ranked] == expected
        pages = [store.nearest(COLLECTION, lon, lat, limit=5, offset=n, where=condition) for n in (0, 5)]
        assert [feature for page in pages for feature, _ in page] == expected[:10]


def test_search_keeps_to_where(store) -> None:
    """search() counts and pages only the features holding the words for which the condition holds."""
    found = features()
    load(store, found, batch=20)
    condition = Compare("ChargeAmount", ">", 6.0)
    result = store.search(COLLECTION, ["toilet"], limit=100, where=condition)
    assert [feature for feature, _ in result.page] == kept(condition, found)
    assert result.matched == len(kept(condition, found))
    near = store.search(COLLECTION, ["toilet"], limit=100, where=condition, near=MIDLANDS)
    assert [feature for feature, _ in near.page] == brute_nearest(kept(condition, found), *MIDLANDS)


@pytest.mark.parametrize(
    "order",
    [
        [("ChargeAmount", False)],
        [("ChargeAmount", True)],
        [("BabyChange", True), (HOURS, False)],
        [(HOURS, True), ("Cubicles", True)],
        [(SHARE, False), ("ChargeAmount", True)],
    ],
)
def test_order_sorts_with_missing_values_last_and_ties_in_load_order(store, order) -> None:
    """order sorts by each field in turn, missing values last either way, ties in load order; pages follow it."""
    found = features()
    load(store, found, batch=20)

    def key(feature: Any) -> tuple[Any, ...]:
        parts: list[Any] = []
        for field, descending in order:
            value = feature.properties[field]
            parts.append(value is None)
            if value is None:
                parts.append(0)
            elif isinstance(value, str):  # by code point, reversed for descending
                parts.append((*(-ord(c) for c in value), 1) if descending else tuple(map(ord, value)))
            else:
                parts.append(-value if descending else value)
        return tuple(parts)

    expected = sorted(found, key=key)  # sorted() is stable: ties keep load order
    assert store.features(COLLECTION, limit=100, order=order) == expected
    pages = [store.features(COLLECTION, limit=7, offset=start, order=order) for start in range(0, 60, 7)]
    assert [feature for page in pages for feature in page] == expected
    condition = Compare("Cubicles", ">=", 10)
    assert store.features(COLLECTION, limit=100, order=order, where=condition) == kept(condition, expected)
    assert store.features(COLLECTION, bbox=(-1.6, 52.4, -1.4, 52.6), limit=100, order=order) == [
        feature for feature in expected if feature.lon is not None
    ]


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        (Compare("Nope", "=", 1), ["'Nope'", "queryables"]),
        (Compare("LocationText", "=", 1), ["'LocationText'", "text"]),
        (Compare("ChargeAmount", "=", "1"), ["'ChargeAmount'", "number"]),
        (Compare("ChargeAmount", "=", float("nan")), ["'ChargeAmount'", "finite"]),
        (Compare("Cubicles", "=", 2**63), ["'Cubicles'", "whole number"]),
        (Compare("ChargeAmount", "=", 10**400), ["'ChargeAmount'", "number"]),
        (Compare("BabyChange", "=", 1), ["'BabyChange'", "true or false"]),
        (Compare("BabyChange", "<", True), ["no order"]),
        (Compare("LocationText", "=", "a\x00b"), ["'LocationText'"]),
        (Like("Cubicles", "1%"), ["LIKE needs a text field"]),
        (Range("BabyChange", False, True), ["BETWEEN"]),
        (Not(In("LocationText", ("a", 2))), ["'LocationText'"]),
    ],
)
def test_a_condition_the_store_cannot_run_is_a_400(store, condition: Condition, words: list[str]) -> None:
    """An unknown field or a value of the wrong kind, anywhere in the tree, is a 400 naming filter and the field."""
    load(store, features()[:3])
    with pytest.raises(ClientError) as raised:
        store.features(COLLECTION, where=condition)
    assert (raised.value.status, raised.value.parameter) == (400, "filter")
    for word in words:
        assert word in raised.value.message


def test_an_unknown_sort_field_is_a_400(store) -> None:
    load(store, features()[:3])
    with pytest.raises(ClientError) as raised:
        store.features(COLLECTION, order=[("Nope", False)])
    assert (raised.value.status, raised.value.parameter) == (400, "sortby")
    assert "'Nope'" in raised.value.message
