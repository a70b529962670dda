"""OGC API - Features Part 3 on a real server and both stores: queryables, CQL2 filters, sortby, properties.

The app serves 23 made-up toilets (conftest's) with a few values changed so
that each operator has something to find: a name holding a quote, ``%`` and
``_``; one in lower case; notes holding GLOB's own characters; charges on
half the toilets and none on the rest. Each filter's answer is compared
with the same question asked of the rows in Python.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from conftest import HOSTILE_NAME, Answer, Served, get, serving, toilet_rows
from pyproj import Transformer

from local_data_app.ogc.documents import CONFORMANCE
from local_data_app.ogc.filters import FILTER_CONFORMANCE, LONGEST_FILTER, MOST_IN_VALUES
from local_data_app.ogc.queryables import QUERYABLES_REL, SCHEMA_JSON

QUOTED_NAME = "O'Brien's 100% Toilet_A"
GLOB_NOTE = "a*b?c[d]"
COUNT = 23


def rows() -> list[dict[str, str]]:
    found = toilet_rows()
    for index, row in enumerate(found):
        row["ChargeAmount"] = {0: "0.20", 1: "0.50"}.get(index % 4, "")
        row["Notes"] = {5: GLOB_NOTE, 6: "aXbYcd"}.get(index, "")
    found[3]["LocationText"] = QUOTED_NAME
    found[4]["LocationText"] = "toilet 4"
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("project"), rows(), web_database_url) as served:
        yield served


# What each toilet holds, by its index (its id is T00 to T21, then T/22).
def feature_id(index: int) -> str:
    return f"T{index:02d}" if index != 22 else "T/22"


def name(index: int) -> str:
    return {3: QUOTED_NAME, 4: "toilet 4", 7: HOSTILE_NAME}.get(index, f"Toilet {index}")


def charge(index: int) -> float | None:
    return {0: 0.2, 1: 0.5}.get(index % 4)


def category(index: int) -> str:
    return ("Unisex", "Female and Male", "Male urinal")[index % 3]


def lon_lat(index: int) -> tuple[float, float]:
    return round(-2.3 + (index % 5) * 0.01, 5), round(53.45 + (index // 5) * 0.01, 5)


def date(index: int) -> str:
    return dt.date(2024 + index // 12, index % 12 + 1, 5).isoformat()


def inside(index: int, west: float, south: float, east: float, north: float) -> bool:
    lon, lat = lon_lat(index)
    return west <= lon <= east and south <= lat <= north


BOX = (-2.305, 53.445, -2.285, 53.465)
Predicate = Callable[[int], bool]

TEXT_CASES: list[tuple[str, Predicate]] = [
    ("Category = 'Unisex'", lambda i: category(i) == "Unisex"),
    ("Category <> 'Unisex'", lambda i: category(i) != "Unisex"),
    ("'Unisex' = Category", lambda i: category(i) == "Unisex"),
    ("ChargeAmount > 0.3", lambda i: charge(i) == 0.5),
    ("0.3 < ChargeAmount", lambda i: charge(i) == 0.5),
    ("ChargeAmount >= 0.2 AND ChargeAmount < 0.5", lambda i: charge(i) == 0.2),
    ("ChargeAmount <= 0.2", lambda i: charge(i) == 0.2),
    ("ChargeAmount = 1", lambda i: False),
    ("ChargeAmount IS NULL", lambda i: charge(i) is None),
    ("ChargeAmount IS NOT NULL", lambda i: charge(i) is not None),
    ("NOT (ChargeAmount > 0.3)", lambda i: charge(i) == 0.2),  # a missing charge is neither > 0.3 nor not
    ("BabyChange = true", lambda i: i % 2 == 0),
    ("BabyChange <> TRUE", lambda i: i % 2 == 1),
    ("BabyChange = false OR Category = 'Unisex'", lambda i: i % 2 == 1 or category(i) == "Unisex"),
    (
        "(Category = 'Unisex' OR Category = 'Male urinal') AND NOT (BabyChange = true)",
        lambda i: category(i) != "Female and Male" and i % 2 == 1,
    ),
    ("LocationText LIKE 'Toilet 1%'", lambda i: name(i).startswith("Toilet 1")),
    ("LocationText LIKE 'toilet%'", lambda i: i == 4),  # LIKE is case sensitive on both stores
    ("LocationText LIKE 'Toilet _'", lambda i: name(i).startswith("Toilet ") and len(name(i)) == 8),
    ("LocationText NOT LIKE 'Toilet%'", lambda i: not name(i).startswith("Toilet")),
    (r"LocationText LIKE '%100\%%'", lambda i: i == 3),
    (r"LocationText LIKE '%t\_A'", lambda i: i == 3),
    (r"LocationText LIKE '%1_0\%%'", lambda i: i == 3),
    ("LocationText LIKE '%Toilet_A'", lambda i: i == 3),
    ("Notes LIKE 'a*b?c[d]'", lambda i: i == 5),  # GLOB's own characters are literal in a LIKE pattern
    ("Notes LIKE 'a%c[d]'", lambda i: i == 5),
    ("Notes LIKE 'a_b_c%'", lambda i: i in {5, 6}),
    ("LocationText = 'O''Brien''s 100% Toilet_A'", lambda i: i == 3),
    ("LocationText = '" + HOSTILE_NAME.replace("'", "''") + "'", lambda i: i == 7),
    ("Category IN ('Unisex', 'Male urinal')", lambda i: category(i) != "Female and Male"),
    ("Category NOT IN ('Unisex')", lambda i: category(i) != "Unisex"),
    ("ChargeAmount IN (0.5, 7)", lambda i: charge(i) == 0.5),
    ("ChargeAmount BETWEEN 0.1 AND 0.3", lambda i: charge(i) == 0.2),
    ("ChargeAmount NOT BETWEEN 0.1 AND 0.3", lambda i: charge(i) == 0.5),
    ("ExtractDate > DATE('2025-01-01')", lambda i: date(i) > "2025-01-01"),
    ("ExtractDate < '2024-03-05'", lambda i: date(i) < "2024-03-05"),
    ("ExtractDate >= TIMESTAMP('2025-01-05T23:30:00Z')", lambda i: date(i) >= "2025-01-05"),
    ("ExtractDate BETWEEN DATE('2024-02-01') AND DATE('2024-04-30')", lambda i: "2024-02" <= date(i) <= "2024-04-30"),
    ("area_code = 'E06000999'", lambda i: True),
    ("area_name LIKE 'Test%'", lambda i: True),
    ("S_INTERSECTS(geometry, BBOX(-2.305,53.445,-2.285,53.465))", lambda i: inside(i, *BOX)),
    ("s_intersects(geometry, bbox(-2.305, 53.445, 0, -2.285, 53.465, 100))", lambda i: inside(i, *BOX)),
    ("S_INTERSECTS(geometry, POINT(-2.29 53.46))", lambda i: i == 6),
    ("S_INTERSECTS(geometry, POINT(-2.291 53.46))", lambda i: False),
    (
        "Category = 'Unisex' AND S_INTERSECTS(geometry, BBOX(-2.305,53.445,-2.285,53.475))",
        lambda i: category(i) == "Unisex" and inside(i, -2.305, 53.445, -2.285, 53.475),
    ),
    (
        "S_INTERSECTS(geometry, BBOX(-2.305,53.445,-2.285,53.465)) OR Category = 'Male urinal'",
        lambda i: inside(i, *BOX) or category(i) == "Male urinal",
    ),
    (
        "S_INTERSECTS(geometry, BBOX(-2.305,53.445,-2.295,53.455)) AND S_INTERSECTS(geometry, BBOX(0,0,1,1))",
        lambda i: False,
    ),
]


def items(served: Served, query: str) -> Answer:
    return get(f"{served.base}/api/collections/toilets/items?{query}")


def matched(served: Served, query: str) -> set[str]:
    """The ids of every feature the query matches, read in one page; numberMatched must agree."""
    body = items(served, f"limit=1000&{query}").json()
    assert body["numberMatched"] == len(body["features"])
    return {feature["id"] for feature in body["features"]}


def expected(predicate: Predicate) -> set[str]:
    return {feature_id(index) for index in range(COUNT) if predicate(index)}


def assert_error(answer: Answer, parameter: str, *words: str) -> str:
    """A 400 in JSON naming the parameter and holding these words, with no trace of the code."""
    assert answer.status == 400, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert body["code"] == "InvalidParameterValue"
    description = body["description"]
    assert description.startswith(f"{parameter}:"), description
    for word in words:
        assert word in description, description
    assert "Traceback" not in answer.text
    assert ".py" not in answer.text
    return str(description)


# Queryables and conformance


def test_each_collection_links_its_queryables(served: Served) -> None:
    """The collection document links its queryables with Part 3's relation and JSON Schema's media type."""
    body = get(f"{served.base}/api/collections/toilets").json()
    (found,) = [item for item in body["links"] if item["rel"] == QUERYABLES_REL]
    assert found["type"] == SCHEMA_JSON
    assert found["href"] == f"{served.base}/api/collections/toilets/queryables"


def test_queryables_are_a_json_schema_of_the_fields_areas_and_geometry(served: Served) -> None:
    """The queryables are a JSON Schema 2020-12 of the schema's fields, the area fields and the geometry."""
    answer = get(f"{served.base}/api/collections/toilets/queryables")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == SCHEMA_JSON
    body = answer.json()
    assert body["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert body["$id"] == f"{served.base}/api/collections/toilets/queryables"
    assert body["type"] == "object"
    properties = body["properties"]
    fields = [spec["name"] for spec in served.app.state.api.fields]
    assert list(properties) == ["geometry", *fields, "area_code", "area_name"]
    assert properties["geometry"]["format"] == "geometry-point"
    assert properties["BabyChange"]["type"] == "boolean"
    assert properties["ChargeAmount"]["type"] == "number"
    assert properties["ExtractDate"] == {**properties["ExtractDate"], "type": "string", "format": "date"}
    assert "Unisex" in properties["Category"]["enum"]
    assert {"self", "alternate"} <= {item["rel"] for item in body["links"]}


def test_queryables_have_a_page(served: Served) -> None:
    """With f=html the queryables are a page listing each name, linking back to the JSON Schema."""
    answer = get(f"{served.base}/api/collections/toilets/queryables?f=html")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    for word in ("Queryables of toilets", "BabyChange", "geometry-point", "Female and Male"):
        assert word in answer.text
    assert 'type="application/schema+json"' in answer.text


def test_queryables_of_an_unknown_collection_are_404(served: Served) -> None:
    answer = get(f"{served.base}/api/collections/nope/queryables")
    assert answer.status == 404
    assert get(f"{served.base}/api/collections/toilets/queryables?x=1").status == 400


def test_conformance_declares_filtering_and_sorting(served: Served) -> None:
    """The conformance document lists Part 3's and CQL2's classes the API implements, and sorting; no others."""
    declared = get(f"{served.base}/api/conformance").json()["conformsTo"]
    assert declared == list(CONFORMANCE)
    for uri in FILTER_CONFORMANCE:
        assert uri in declared
    assert "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/sorting" in declared
    # Classes the API does not implement are not claimed.
    for missing in ("spatial-functions", "basic-spatial-functions-plus", "property-property", "temporal-functions"):
        assert not any(uri.endswith("/" + missing) for uri in declared)


# Filters


@pytest.mark.parametrize(("text", "predicate"), TEXT_CASES, ids=[text[:60] for text, _ in TEXT_CASES])
def test_a_cql2_text_filter_keeps_what_it_says(served: Served, text: str, predicate: Predicate) -> None:
    """Each Basic CQL2 operator keeps the features it describes, the same on both stores."""
    assert matched(served, "filter=" + quote(text)) == expected(predicate)


JSON_CASES: list[tuple[dict[str, Any], Predicate]] = [
    ({"op": "=", "args": [{"property": "Category"}, "Unisex"]}, lambda i: category(i) == "Unisex"),
    (
        {
            "op": "and",
            "args": [
                {"op": ">=", "args": [{"property": "ChargeAmount"}, 0.2]},
                {"op": "<", "args": [{"property": "ChargeAmount"}, 0.5]},
            ],
        },
        lambda i: charge(i) == 0.2,
    ),
    (
        {
            "op": "or",
            "args": [
                {"op": "=", "args": [{"property": "BabyChange"}, False]},
                {"op": "isNull", "args": [{"property": "ChargeAmount"}]},
            ],
        },
        lambda i: i % 2 == 1 or charge(i) is None,
    ),
    (
        {"op": "not", "args": [{"op": "isNull", "args": [{"property": "ChargeAmount"}]}]},
        lambda i: charge(i) is not None,
    ),
    ({"op": "like", "args": [{"property": "LocationText"}, "Toilet 1%"]}, lambda i: name(i).startswith("Toilet 1")),
    ({"op": "like", "args": [{"property": "Notes"}, "a*b?c[d]"]}, lambda i: i == 5),
    (
        {"op": "in", "args": [{"property": "Category"}, ["Unisex", "Male urinal"]]},
        lambda i: category(i) != "Female and Male",
    ),
    ({"op": "between", "args": [{"property": "ChargeAmount"}, 0.1, 0.3]}, lambda i: charge(i) == 0.2),
    ({"op": ">", "args": [{"property": "ExtractDate"}, {"date": "2025-01-01"}]}, lambda i: date(i) > "2025-01-01"),
    ({"op": "=", "args": [{"property": "LocationText"}, QUOTED_NAME]}, lambda i: i == 3),
    ({"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": list(BOX)}]}, lambda i: inside(i, *BOX)),
    (
        {"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Point", "coordinates": [-2.29, 53.46]}]},
        lambda i: i == 6,
    ),
]


@pytest.mark.parametrize(("document", "predicate"), JSON_CASES, ids=[json.dumps(doc)[:60] for doc, _ in JSON_CASES])
def test_a_cql2_json_filter_keeps_what_it_says(served: Served, document: dict[str, Any], predicate: Predicate) -> None:
    """The same operators in CQL2 JSON (filter-lang=cql2-json) keep the same features."""
    assert matched(served, "filter-lang=cql2-json&filter=" + quote(json.dumps(document))) == expected(predicate)


def test_filter_crs_reads_boxes_in_epsg_4326_and_the_british_national_grid(served: Served) -> None:
    """filter-crs gives the BBOX's axis order and units: latitude first for EPSG:4326, metres for EPSG:27700."""
    inside_box = expected(lambda i: inside(i, *BOX))
    west, south, east, north = BOX
    lat_first = f"S_INTERSECTS(geometry, BBOX({south},{west},{north},{east}))"
    epsg_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
    assert matched(served, f"filter-crs={quote(epsg_4326)}&filter={quote(lat_first)}") == inside_box
    grid = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    corners = [grid.transform(*lon_lat(index)) for index in (0, 1, 5, 6)]  # the four toilets in the box
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    metres = f"S_INTERSECTS(geometry, BBOX({min(xs) - 100},{min(ys) - 100},{max(xs) + 100},{max(ys) + 100}))"
    epsg_27700 = "http://www.opengis.net/def/crs/EPSG/0/27700"
    assert matched(served, f"filter-crs={quote(epsg_27700)}&filter={quote(metres)}") == inside_box


@pytest.mark.parametrize(
    ("query", "predicate"),
    [
        (
            "bbox=-2.305,53.445,-2.285,53.475&filter=" + quote("Category = 'Unisex'"),
            lambda i: inside(i, -2.305, 53.445, -2.285, 53.475) and category(i) == "Unisex",
        ),
        ("Category=unisex&filter=" + quote("BabyChange = true"), lambda i: category(i) == "Unisex" and i % 2 == 0),
        (
            "datetime=2025-01-01/..&filter=" + quote("ChargeAmount IS NOT NULL"),
            lambda i: date(i) > "2025" and charge(i) is not None,
        ),
        ("area=E06000999&filter=" + quote("Category = 'Male urinal'"), lambda i: category(i) == "Male urinal"),
        (
            "bbox=-2.305,53.445,-2.285,53.465&filter="
            + quote("S_INTERSECTS(geometry, BBOX(-2.295,53.445,-2.28,53.5))"),
            lambda i: inside(i, -2.295, 53.445, -2.285, 53.465),
        ),
    ],
)
def test_a_filter_combines_with_the_other_parameters(served: Served, query: str, predicate: Predicate) -> None:
    """filter narrows what bbox, field filters, datetime and area leave: all must hold."""
    assert matched(served, query) == expected(predicate)


def test_a_filter_with_near_keeps_the_nearest_first(served: Served) -> None:
    """With near, the filter's features come nearest first, each with its distance."""
    body = items(served, "near=-2.3,53.45&limit=100&filter=" + quote("Category = 'Unisex'")).json()
    ids = [feature["id"] for feature in body["features"]]
    assert set(ids) == expected(lambda i: category(i) == "Unisex")
    distances = [feature["properties"]["distance"] for feature in body["features"]]
    assert distances == sorted(distances)
    assert ids[0] == "T00"


def test_paging_a_filter_visits_each_feature_once_and_keeps_the_filter(served: Served) -> None:
    """Every next link keeps filter and filter-lang; following them visits each matching feature once."""
    document = json.dumps({"op": "<>", "args": [{"property": "Category"}, "Unisex"]})
    url = f"{served.base}/api/collections/toilets/items?limit=4&filter-lang=cql2-json&filter={quote(document)}"
    seen: list[str] = []
    while url:
        body = get(url).json()
        seen += [feature["id"] for feature in body["features"]]
        found = {item["rel"]: item["href"] for item in body["links"]}
        kept = parse_qs(urlsplit(found["self"]).query)
        assert (kept["filter"], kept["filter-lang"]) == ([document], ["cql2-json"])
        url = found.get("next", "")
    assert len(seen) == len(set(seen))
    assert set(seen) == expected(lambda i: category(i) != "Unisex")


def test_the_csv_download_takes_the_filter(served: Served) -> None:
    """items.csv and f=csv hold the filter's features too."""
    for path in ("items.csv?", "items?f=csv&"):
        answer = get(f"{served.base}/api/collections/toilets/{path}limit=100&filter=" + quote("ChargeAmount > 0.3"))
        assert answer.status == 200
        ids = {row["id"] for row in csv.DictReader(io.StringIO(answer.text))}
        assert ids == expected(lambda i: charge(i) == 0.5)


# Mistakes and hostile filters


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("filter=" + quote("Nope = 1"), "filter", ["'Nope'", "not a queryable", "Category"]),
        ("filter=" + quote("Category ="), "filter", ["ends before"]),
        ("filter=" + quote("Category = 'Unisex' AND"), "filter", ["ends before"]),
        ("filter=" + quote("Category == 'Unisex'"), "filter", ["at character", "Basic CQL2"]),
        ("filter=" + quote("Category = 'x'; DROP TABLE x"), "filter", ["at character", "DROP TABLE"]),
        ("filter=" + quote("Category = 1"), "filter", ["'Category'", "text"]),
        ("filter=" + quote("ChargeAmount = 'cheap'"), "filter", ["'ChargeAmount'", "number"]),
        ("filter=" + quote("ChargeAmount = 1e999"), "filter", ["ChargeAmount", "finite"]),
        ("filter=" + quote("BabyChange > true"), "filter", ["no order", "="]),
        ("filter=" + quote("ChargeAmount LIKE '1%'"), "filter", ["LIKE needs a text field"]),
        ("filter=" + quote("Category = LocationText"), "filter", ["two queryables"]),
        ("filter=" + quote("geometry = 1"), "filter", ["S_INTERSECTS"]),
        ("filter=" + quote("CASEI(Category) = 'unisex'"), "filter", ["lower"]),
        ("filter=" + quote("ChargeAmount + 1 = 2"), "filter", ["Add"]),
        ("filter=" + quote("S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 0)))"), "filter", ["BBOX or a POINT"]),
        ("filter=" + quote("S_WITHIN(geometry, BBOX(0,0,1,1))"), "filter", ["GeometryWithin", "Basic CQL2"]),
        ("filter=" + quote("S_INTERSECTS(geometry, BBOX(1,0,0,1))"), "filter", ["minimum first"]),
        ("filter=" + quote("S_INTERSECTS(geometry, POINT(-2 95))"), "filter", ["outside the world"]),
        ("filter=" + quote("Category = 'a\x00b'"), "filter", ["Category"]),
        ("filter=", "filter", ["empty"]),
        ("filter=" + "x" * (LONGEST_FILTER + 1), "filter", [f"{LONGEST_FILTER:,}"]),
        (
            "filter=" + quote("Category IN (" + ", ".join(["'a'"] * (MOST_IN_VALUES + 1)) + ")"),
            "filter",
            [f"{MOST_IN_VALUES + 1:,} values"],
        ),
        (
            "filter=" + quote("(Category = 'a' AND (Category = 'b' OR " * 15 + "Category = 'c'" + "))" * 15),
            "filter",
            ["levels deep"],
        ),
        ("filter-lang=cql2-json&filter=" + quote("{not json"), "filter", ["not JSON"]),
        ("filter-lang=cql2-json&filter=" + quote('{"op": "nope", "args": []}'), "filter", ["CQL2 JSON"]),
        (
            "filter-lang=cql2-json&filter=" + quote('{"op": "not", "args": [' * 50 + "true" + "]}" * 50),
            "filter",
            ["levels deep"],
        ),
        ("filter-lang=cql2-json&filter=" + quote("[" * 6_000 + "]" * 6_000), "filter", ["characters"]),
        ("filter-lang=cql2-json&filter=" + quote("[" * 4_000 + "]" * 4_000), "filter", []),
        (
            "filter-lang=cql2-json&filter=" + quote('{"op": "=", "args": [{"property": "Nope"}, 1]}'),
            "filter",
            ["'Nope'"],
        ),
        ("filter-lang=sql&filter=" + quote("1=1"), "filter-lang", ["'sql'", "cql2-text", "cql2-json"]),
        ("filter-crs=EPSG:3857&filter=" + quote("Category = 'a'"), "filter-crs", ["EPSG:3857"]),
        ("filter-lang=cql2-text", "filter-lang", ["add filter"]),
        ("sortby=Nope", "sortby", ["'Nope'", "LocationText"]),
        ("sortby=LocationText,-LocationText", "sortby", ["twice"]),
        ("sortby=LocationText,,Category", "sortby", ["empty part"]),
        ("sortby=LocationText&near=-2.3,53.45", "sortby", ["near"]),
        ("properties=Nope", "properties", ["'Nope'"]),
        ("skipGeometry=maybe", "skipGeometry", ["'maybe'", "true nor false"]),
    ],
)
def test_a_bad_filter_or_selection_is_a_400_naming_the_part(
    served: Served, query: str, parameter: str, words: list[str]
) -> None:
    """A filter that cannot be read, names an unknown queryable or holds a wrong value is a 400 saying which part."""
    assert_error(items(served, query), parameter, *words)


def test_hostile_filters_leave_the_data_whole(served: Served) -> None:
    """Quotes, semicolons and comments in a filter are values or syntax errors, never SQL: the data stays whole."""
    for text in (
        "LocationText = '''; DROP TABLE x; --'",
        "LocationText LIKE '%'' OR 1=1 --'",
        'LocationText = \'" OR ""="\'',
        "\"LocationText\" = 'Toilet 1'",
    ):
        answer = items(served, "limit=100&filter=" + quote(text))
        assert answer.status in {200, 400}, answer.text
        if answer.status == 200:
            assert answer.json()["numberMatched"] <= 1
    assert matched(served, "") == expected(lambda i: True)


# sortby, properties and skipGeometry


def sorted_ids(key: Callable[[int], Any]) -> list[str]:
    return [feature_id(index) for index in sorted(range(COUNT), key=lambda index: (key(index), index))]


@pytest.mark.parametrize(
    ("sortby", "key"),
    [
        ("LocationText", lambda i: name(i)),
        ("-LocationText", None),
        ("+Category", lambda i: category(i)),  # + arrives as a space when a URL leaves it unencoded
        ("%2BCategory", lambda i: category(i)),
        ("-ChargeAmount,LocationText", lambda i: (charge(i) is None, -(charge(i) or 0), name(i))),
        ("ChargeAmount", lambda i: (charge(i) is None, charge(i) or 0)),
        ("-BabyChange", lambda i: i % 2),
    ],
)
def test_sortby_orders_every_page_and_keeps_ties_in_load_order(
    served: Served, sortby: str, key: Callable[[int], Any] | None
) -> None:
    """Pages sorted by sortby neither skip nor repeat, missing values come last, ties keep load order."""
    if key is None:  # descending text, ties impossible: reverse code point order
        wanted = [feature_id(index) for index in sorted(range(COUNT), key=name, reverse=True)]
    else:
        wanted = sorted_ids(key)
    url = f"{served.base}/api/collections/toilets/items?limit=4&sortby={sortby}"
    seen: list[str] = []
    while url:
        body = get(url).json()
        seen += [feature["id"] for feature in body["features"]]
        found = {item["rel"]: item["href"] for item in body["links"]}
        assert "sortby" in parse_qs(urlsplit(found["self"]).query)
        url = found.get("next", "")
    assert seen == wanted


def test_sortby_with_a_filter_and_csv(served: Served) -> None:
    """sortby orders a filtered answer, and the CSV download in the same order."""
    query = "limit=100&sortby=-LocationText&filter=" + quote("Category = 'Unisex'")
    wanted = [
        feature_id(i) for i in sorted((i for i in range(COUNT) if category(i) == "Unisex"), key=name, reverse=True)
    ]
    assert [feature["id"] for feature in items(served, query).json()["features"]] == wanted
    answer = items(served, "f=csv&" + query)
    assert [row["id"] for row in csv.DictReader(io.StringIO(answer.text))] == wanted


def test_properties_keeps_only_the_named_properties(served: Served) -> None:
    """properties keeps the named properties of each feature, in JSON and in CSV (the id stays)."""
    body = items(served, "properties=Category,LocationText,area_code").json()
    for feature in body["features"]:
        assert set(feature["properties"]) == {"LocationText", "Category", "area_code"}
        assert feature["geometry"]["type"] == "Point"
    assert parse_qs(urlsplit(body["links"][0]["href"]).query)["properties"] == ["Category,LocationText,area_code"]
    answer = items(served, "f=csv&properties=Category,LocationText")
    header = next(csv.reader(io.StringIO(answer.text)))
    assert header == ["LocationText", "Category", "id", "lon", "lat"]
    assert items(served, "properties=").json()["features"][0]["properties"] == {}


def test_skip_geometry_leaves_the_geometry_out(served: Served) -> None:
    """skipGeometry=true gives each feature a null geometry, and the CSV no position columns."""
    body = items(served, "skipGeometry=true&properties=LocationText").json()
    assert all(feature["geometry"] is None for feature in body["features"])
    assert {feature["id"] for feature in body["features"]} == {feature_id(i) for i in range(10)}
    assert all(feature["geometry"] for feature in items(served, "skipGeometry=FALSE").json()["features"])
    header = next(csv.reader(io.StringIO(items(served, "f=csv&skipGeometry=true&properties=Category").text)))
    assert header == ["Category", "id"]


def test_the_items_page_shows_only_the_chosen_properties(served: Served) -> None:
    """With f=html and properties, the table has a column for each property kept, and none for the others."""
    answer = items(served, "f=html&properties=Category&filter=" + quote("Category = 'Male urinal'"))
    assert answer.status == 200
    assert '<th scope="col">Category</th>' in answer.text
    for left_out in ("Baby change", "BabyChange", '<th scope="col">Location</th>'):
        assert left_out not in answer.text
    assert "Male urinal" in answer.text


# The API definition


def test_the_api_definition_declares_the_queryables_and_the_new_parameters(served: Served) -> None:
    """The OpenAPI document has the queryables route and the new items parameters."""
    document = get(f"{served.base}/api/openapi.json").json()
    queryables = document["paths"]["/api/collections/{name}/queryables"]["get"]
    assert SCHEMA_JSON in queryables["responses"]["200"]["content"]
    generic = document["paths"]["/api/collections/{name}/items"]["get"]
    names = {parameter.get("name") for parameter in generic["parameters"]}
    assert {"filter", "filter-lang", "filter-crs", "sortby", "properties", "skipGeometry"} <= names
