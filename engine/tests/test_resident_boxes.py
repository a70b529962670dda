"""The resident filters beyond a field's one value, on a real server and both stores.

The "Accessible toilet" box of public_toilets (a holds box: AccessibleCategory
holds a value other than "None") and the "Kind of place" boxes of
generic_points (a choices group: one box for each of the commonest values of
``category``, ticked ones OR-combined), each on the home page and in the API,
with every answer compared with the same question asked of the rows in Python.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from conftest import (
    CENTRE,
    ESCAPED_SCRIPT,
    HOSTILE_NAME,
    Page,
    Served,
    clean_settings_environment,
    get,
    listed,
    postgres_schema,
    running,
    serving,
    toilet_rows,
    write_project,
)

from local_data_app.config import load_settings
from local_data_app.errors import ClientError
from local_data_app.ingest import ingest
from local_data_app.ogc.boxes import MOST_VALUES
from local_data_app.ogc.parameters import ITEMS_PARAMETERS
from local_data_app.schemas import load_schema
from local_data_app.schemas.layout import (
    ENGINE_PARAMETERS,
    ChoicesFilter,
    HoldsFilter,
    ResidentFilter,
    layout,
    layout_problems,
)
from local_data_app.web import create_app

# Who each toilet's accessible toilet is for, in turn: blank and "None" both mean it has none.
ACCESSIBLE = ("Unisex", "None", "", "Female and Male", "Children only")


def toilets() -> list[dict[str, str]]:
    return [{**row, "AccessibleCategory": ACCESSIBLE[index % 5]} for index, row in enumerate(toilet_rows())]


def toilet_id(index: int) -> str:
    return f"T{index:02d}" if index != 22 else "T/22"


def accessible(index: int) -> bool:
    return ACCESSIBLE[index % 5] not in {"", "None"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Served]:
    """The 23 toilets, each accessible toilet for someone, for no one ("None") or not said (blank)."""
    with serving(tmp_path_factory.mktemp("toilets"), toilets(), web_database_url) as served:
        yield served


def matched(base: str, collection: str, query: str) -> set[str]:
    """The ids of every feature the query matches, read in one page; numberMatched must agree."""
    answer = get(f"{base}/api/collections/{collection}/items?limit=1000&{query}")
    assert answer.status == 200, answer.text
    body = answer.json()
    assert body["numberMatched"] == len(body["features"])
    return {feature["id"] for feature in body["features"]}


def assert_error(answer: Any, parameter: str, *words: str) -> None:
    """A 400 in JSON whose description starts with the parameter and holds these words, with no trace of the code."""
    assert answer.status == 400, answer.text
    description = answer.json()["description"]
    assert description.startswith(f"{parameter}:"), description
    for word in words:
        assert word in description, description
    assert "Traceback" not in answer.text


# The "Accessible toilet" box --------------------------------------------------------------------------------------


def test_accessible_keeps_the_toilets_with_an_accessible_toilet(served: Served) -> None:
    """accessible=true leaves out the toilets whose AccessibleCategory is "None" or blank; false keeps them all."""
    wanted = {toilet_id(index) for index in range(23) if accessible(index)}
    assert 0 < len(wanted) < 23
    assert matched(served.base, "toilets", "accessible=true") == wanted
    assert matched(served.base, "toilets", "accessible=TRUE") == wanted
    assert len(matched(served.base, "toilets", "accessible=false")) == 23


def test_accessible_combines_with_a_field_a_filter_and_near(served: Served) -> None:
    """With BabyChange, a CQL2 filter and near=, each answer holds only accessible toilets, nearest first."""
    babies = {toilet_id(index) for index in range(23) if accessible(index) and index % 2 == 0}
    assert matched(served.base, "toilets", "accessible=true&BabyChange=yes") == babies
    unisex = {toilet_id(index) for index in range(23) if ACCESSIBLE[index % 5] == "Unisex"}
    cql2 = quote("AccessibleCategory IN ('Unisex', 'None')")
    assert matched(served.base, "toilets", f"accessible=true&filter={cql2}") == unisex
    body = get(f"{served.base}/api/collections/toilets/items?accessible=true&near={CENTRE[0]},{CENTRE[1]}&limit=100")
    metres = [feature["properties"]["distance"] for feature in body.json()["features"]]
    assert metres == sorted(metres)
    assert len(metres) == sum(map(accessible, range(23)))


def test_paging_keeps_accessible(served: Served) -> None:
    """The next links keep accessible=true and walk through each accessible toilet once."""
    url: str | None = f"{served.base}/api/collections/toilets/items?accessible=true&limit=4"
    seen: list[str] = []
    while url:
        body = get(url).json()
        seen += [feature["id"] for feature in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        assert url is None or parse_qs(urlsplit(url).query)["accessible"] == ["true"]
    assert sorted(seen) == sorted(toilet_id(index) for index in range(23) if accessible(index))


@pytest.mark.parametrize("value", ["maybe", "", "1", "<script>"])
def test_a_bad_accessible_is_a_400_naming_it(served: Served, value: str) -> None:
    """A value other than true or false is a 400 that names accessible and says what it takes."""
    assert_error(get(f"{served.base}/api/collections/toilets/items?{urlencode({'accessible': value})}"), "accessible")
    answer = get(f"{served.base}/api/collections/toilets/items?accessible=true&accessible=true")
    assert_error(answer, "accessible", "more than once")


def test_the_home_page_box_narrows_the_list_and_keeps_the_search(served: Served) -> None:
    """Ticked, "Accessible toilet" lists only accessible toilets; the box stays ticked and the API link keeps it."""
    plain = Page(get(f"{served.base}/").text)
    (box,) = plain.find("input", id="field-accessible")
    assert (box["type"], box["name"], box["value"]) == ("checkbox", "accessible", "true")
    assert "checked" not in box
    assert any("Accessible toilet" in text for text in plain.texts)
    page = Page(get(f"{served.base}/?accessible=true").text)
    expected = [HOSTILE_NAME if index == 7 else f"Toilet {index}" for index in range(23) if accessible(index)]
    assert listed(page) == expected
    assert "checked" in page.find("input", id="field-accessible")[0]
    api = [link["href"] for link in page.find("a") if link.get("href", "").startswith("/api/collections/toilets/items")]
    assert api
    assert all(parse_qs(urlsplit(href).query)["accessible"] == ["true"] for href in api)


def test_a_bad_value_on_the_home_page_is_shown_by_the_box(served: Served) -> None:
    """A bad value is an error summary linking to the box, which is marked invalid."""
    answer = get(f"{served.base}/?accessible=maybe")
    assert answer.status == 400
    page = Page(answer.text)
    assert page.title.startswith("Error:")
    assert page.find("a", href="#field-accessible")
    assert page.find("input", id="field-accessible", aria_invalid="true")
    assert "Accessible toilet:" in page.text


def test_the_api_definition_declares_accessible(served: Served) -> None:
    """The OpenAPI document declares accessible on the items operation, true or false, saying what it keeps."""
    document = get(served.base + "/api/openapi.json").json()
    parameters = document["paths"]["/api/collections/{name}/items"]["get"]["parameters"]
    (declared,) = [parameter for parameter in parameters if parameter.get("name") == "accessible"]
    assert declared["schema"]["enum"] == ["true", "false"]
    assert "AccessibleCategory" in declared["description"]
    assert "None" in declared["description"]


# The "Kind of place" boxes ------------------------------------------------------------------------------------

# 40 places of 11 kinds: the eight commonest make the boxes. One kind is hostile text; some places have none.
HOSTILE_KIND = '<script>alert(1)</script> & "Parks"; DROP TABLE x; --'
KINDS = (
    ["Library"] * 7
    + ["Park"] * 6
    + [HOSTILE_KIND] * 5
    + ["Museum"] * 4
    + ["Leisure centre"] * 4
    + ["Allotment"] * 3
    + ["Car park"] * 3
    + ["Café, bar & grill"] * 2
    + ["Cemetery"] * 1
    + ["Zoo"] * 1
    + [""] * 4
)
SHOWN_KINDS = sorted([kind for kind, _ in Counter(kind for kind in KINDS if kind).most_common(8)], key=str.casefold)


def places() -> list[dict[str, str]]:
    return [
        {
            "Ref": f"P{number:02d}",
            "name": f"Place {number:02d}",
            "category": kind,
            "opening_hours": "24/7" if number % 2 == 0 else "dawn to dusk",  # words are never "open now"
            "wheelchair": "yes" if number % 3 == 0 else "no",
            "x": f"{CENTRE[0] + (number % 8) * 0.01:.5f}",
            "y": f"{CENTRE[1] + (number // 8) * 0.01:.5f}",
        }
        for number, kind in enumerate(KINDS)
    ]


def of_kinds(*kinds: str) -> set[str]:
    return {f"P{number:02d}" for number, kind in enumerate(KINDS) if kind in kinds}


@pytest.fixture(scope="module")
def served_points(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, web_database_url: str
) -> Iterator[Served]:
    """The places in a store of their own, of the kind the module's toilets are in (an app serves one theme)."""
    folder = tmp_path_factory.mktemp("places")
    project = {"name": "places", "theme": "generic_points"}
    if web_database_url.startswith("sqlite"):
        with serving(folder, places(), f"sqlite:///{folder.resolve() / 'places.db'}", **project) as served:
            yield served
        return
    with (
        postgres_schema(request.getfixturevalue("postgres_server_url")) as url,
        serving(folder, places(), url, **project) as served,
    ):
        yield served


@pytest.fixture
def points(served_points: Served) -> str:
    return served_points.base


def test_the_expected_kinds_are_the_commonest_eight() -> None:
    """The test's own answer: Cemetery, Zoo and the places without a kind make no box."""
    assert len(SHOWN_KINDS) == 8
    assert "Cemetery" not in SHOWN_KINDS
    assert HOSTILE_KIND in SHOWN_KINDS


def test_the_home_page_has_a_box_for_each_common_kind_by_name(points: str) -> None:
    """A "Kind of place" group of eight boxes, the commonest kinds by name, each sending category=<kind>."""
    answer = get(points + "/")
    assert answer.status == 200
    page = Page(answer.text)
    boxes = page.find("input", name="category")
    assert [box["value"] for box in boxes] == SHOWN_KINDS
    assert all(box["type"] == "checkbox" and "checked" not in box for box in boxes)
    assert [box["id"] for box in boxes] == ["field-category", *(f"field-category-{n}" for n in range(2, 9))]
    labels = [text.strip() for text in page.texts if text.strip() in SHOWN_KINDS]
    assert sorted(labels, key=str.casefold) == SHOWN_KINDS
    assert "Kind of place" in page.text
    assert "<script>alert(1)" not in answer.text  # the hostile kind is shown as text
    assert ESCAPED_SCRIPT in answer.text


def test_ticked_kinds_narrow_the_list_to_any_of_them(points: str) -> None:
    """Library and Park ticked: the places of either kind, both boxes ticked, the API link asking for both."""
    page = Page(get(points + "/?category=Library&category=Park").text)
    assert {name.replace("Place ", "P") for name in listed(page)} == of_kinds("Library", "Park")
    ticked = [box["value"] for box in page.find("input", name="category") if "checked" in box]
    assert ticked == ["Library", "Park"]
    api = [link["href"] for link in page.find("a") if link.get("href", "").startswith("/api/collections/places/items")]
    assert api
    assert all(parse_qs(urlsplit(href).query)["category"] == ["Library", "Park"] for href in api)


def test_a_hostile_kind_is_a_parameter_like_any_other(points: str) -> None:
    """The hostile kind, ticked, finds its five places on the page and in the API, and the data stays whole."""
    query = urlencode({"category": HOSTILE_KIND})
    page = Page(get(f"{points}/?{query}").text)
    assert {name.replace("Place ", "P") for name in listed(page)} == of_kinds(HOSTILE_KIND)
    assert matched(points, "places", query) == of_kinds(HOSTILE_KIND)
    assert len(matched(points, "places", "")) == len(KINDS)


def test_the_api_takes_a_kind_once_or_several_times(points: str) -> None:
    """category once keeps that kind; several times any of them; paging links keep every value."""
    assert matched(points, "places", "category=Museum") == of_kinds("Museum")
    assert matched(points, "places", "category=Zoo&category=Cemetery") == of_kinds("Zoo", "Cemetery")
    kinds = of_kinds("Library", "Park", "Museum")
    body = get(f"{points}/api/collections/places/items?category=Library&category=Park&category=Museum&limit=5").json()
    assert body["numberMatched"] == len(kinds)
    (next_link,) = [link["href"] for link in body["links"] if link["rel"] == "next"]
    assert parse_qs(urlsplit(next_link).query)["category"] == ["Library", "Park", "Museum"]
    assert matched(points, "places", "category=Nowhere") == set()


def test_a_kind_outside_the_boxes_is_shown_ticked(points: str) -> None:
    """A kind asked for in the address but too rare for a box gets a ticked box, so it can be unticked."""
    page = Page(get(points + "/?category=Zoo").text)
    assert listed(page) == ["Place 35"]
    ticked = [box["value"] for box in page.find("input", name="category") if "checked" in box]
    assert ticked == ["Zoo"]


def test_bad_kinds_are_400s_naming_category(points: str) -> None:
    """An empty kind, or more kinds than a request may hold, is a 400 naming category, in the API and on the page."""
    assert_error(get(f"{points}/api/collections/places/items?category="), "category", "give a value")
    too_many = urlencode([("category", f"Kind {number}") for number in range(MOST_VALUES + 1)])
    assert_error(get(f"{points}/api/collections/places/items?{too_many}"), "category", f"at most {MOST_VALUES}")
    answer = get(f"{points}/?{too_many}")
    assert answer.status == 400
    page = Page(answer.text)
    assert page.title.startswith("Error:")
    assert page.find("a", href="#field-category")


def test_the_api_definition_declares_category_as_repeatable(points: str) -> None:
    """The OpenAPI document declares category as an array given once per value, and no box parameter of toilets."""
    document = get(points + "/api/openapi.json").json()
    parameters = document["paths"]["/api/collections/{name}/items"]["get"]["parameters"]
    (declared,) = [parameter for parameter in parameters if parameter.get("name") == "category"]
    assert declared["schema"]["type"] == "array"
    assert (declared["style"], declared["explode"]) == ("form", True)
    assert not [parameter for parameter in parameters if parameter.get("name") == "accessible"]
    assert get(f"{points}/api/collections/places/items?accessible=true").status == 400


def test_kinds_combine_with_open_now_and_wheelchair(points: str) -> None:
    """generic_points also has "Open now" and "Wheelchair accessible" boxes, from its optional fields' annotation."""
    page = Page(get(points + "/").text)
    boxes = [box["id"] for box in page.find("input", type="checkbox")]
    assert boxes[:3] == ["field-open_now", "field-wheelchair", "field-category"]
    wanted = {f"P{n:02d}" for n, kind in enumerate(KINDS) if kind in {"Library", "Park"} and n % 6 == 0}
    assert wanted
    query = "open_now=true&wheelchair=yes&category=Library&category=Park"
    assert {name.replace("Place ", "P") for name in listed(Page(get(f"{points}/?{query}").text))} == wanted
    assert matched(points, "places", query) == wanted


def test_a_source_without_the_optional_columns_loads(tmp_path: Path) -> None:
    """Places with only an id, a name and a position load, with no kind boxes, and "open now" finds none open."""
    rows = [{"Ref": f"P{n}", "name": f"Place {n}", "x": "-2.3", "y": f"{53.4 + n / 100}"} for n in range(3)]
    with clean_settings_environment():
        loaded = load_settings(write_project(tmp_path / "project", rows, name="places", theme="generic_points"))
        (report,) = ingest(loaded)
        assert (report.loaded, report.rejected) == (3, 0)
        with running(create_app(loaded)) as base:
            page = Page(get(base + "/").text)
            assert listed(page) == ["Place 0", "Place 1", "Place 2"]
            assert page.find("input", name="category") == []
            assert get(base + "/api/collections/places/items?open_now=true").json()["numberMatched"] == 0


def test_the_store_lists_a_fields_commonest_values(served_points: Served) -> None:
    """Commonest first, ties by code point, without the places that have no kind; a number field is a 400."""
    store = served_points.app.state.api.store
    counts = Counter(kind for kind in KINDS if kind)
    expected = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    assert store.commonest("places", "category", 100) == expected
    assert store.commonest("places", "category", 3) == [("Library", 7), ("Park", 6), (HOSTILE_KIND, 5)]
    assert store.commonest("places", "category", 5)[3:] == [("Leisure centre", 4), ("Museum", 4)]
    for name in ("x", "nowhere"):
        with pytest.raises(ClientError) as raised:
            store.commonest("places", name, 3)
        assert (raised.value.status, raised.value.parameter) == (400, name)


# The annotation ---------------------------------------------------------------------------------------------------


def test_the_shipped_themes_declare_their_boxes() -> None:
    """public_toilets has "Accessible toilet" first; generic_points a wheelchair box and its eight commonest kinds."""
    toilets_layout = layout(load_schema("public_toilets"))
    assert toilets_layout.filters[0] == HoldsFilter("accessible", "AccessibleCategory", ("None",), "Accessible toilet")
    assert toilets_layout.holds() == {"accessible": toilets_layout.filters[0]}
    points = layout(load_schema("generic_points"))
    assert points.filters == (
        ResidentFilter("wheelchair", True, "Wheelchair accessible"),
        ChoicesFilter("category", 8, "Kind of place"),
    )
    assert points.hours == "opening_hours"


def test_a_none_word_is_one_of_the_fields_values() -> None:
    """The shipped "None" is one of AccessibleCategory's values, so the box cannot drift from the schema."""
    schema = load_schema("public_toilets")
    (spec,) = [spec for spec in schema["fields"] if spec["name"] == "AccessibleCategory"]
    assert set(layout(schema).filters[0].absent) <= set(spec["constraints"]["enum"])  # type: ignore[union-attr]


HOLDS = {"parameter": "accessible", "field": "AccessibleCategory", "not": ["None"], "label": "Accessible"}


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({**HOLDS, "not": "None"}, '"not": a list of values meaning none'),
        ({**HOLDS, "not": []}, '"not": a list of values meaning none'),
        ({**HOLDS, "field": "BabyChange", "not": ["no"]}, 'must have a boolean "not"'),
        ({**HOLDS, "parameter": "Accessible Toilet"}, "lower-case name"),
        ({**HOLDS, "parameter": "limit"}, "taken by the app or a field"),
        ({**HOLDS, "parameter": "open_now"}, "taken by the app or a field"),
        ({**HOLDS, "parameter": "bbox_crs"}, "taken by the app or a field"),
        ({**HOLDS, "parameter": "Postcode".lower()}, ""),  # a field's name in another case is free
        ({"field": "ChargeAmount", "choices": 5, "label": "Charges"}, "needs a text field"),
        ({"field": "Category", "choices": 0, "label": "Toilets"}, '"choices" as how many boxes, from 1 to 20'),
        ({"field": "Category", "choices": True, "label": "Toilets"}, '"choices" as how many boxes'),
        ({"field": "Category", "choices": 5, "label": ""}, "needs a label in words"),
        ({"field": "Category", "choices": 5}, 'filters must be a list of {"field"'),
    ],
)
def test_a_badly_shaped_box_is_refused_with_the_mistake(entry: dict[str, Any], words: str) -> None:
    """Each mistake in a holds box or a choices group is named, with what it should be."""
    schema = load_schema("public_toilets")
    schema["x-page"]["filters"] = [entry]
    problems = layout_problems(schema)
    if words:
        assert any(words in problem for problem in problems), problems
    else:
        assert problems == []


def test_the_names_a_box_may_not_take_hold_every_parameter_of_the_items_route() -> None:
    """layout.py's list of the app's own parameters keeps up with the items route's (with - written as _)."""
    assert {name.replace("-", "_").lower() for name in ITEMS_PARAMETERS} <= ENGINE_PARAMETERS


def test_two_boxes_may_not_share_a_parameter_or_a_choices_field() -> None:
    """A parameter given to two holds boxes, or a choices field that another box uses, is refused."""
    schema = load_schema("public_toilets")
    schema["x-page"]["filters"] = [HOLDS, {**HOLDS, "label": "Again"}]
    assert any("given to two filters" in problem for problem in layout_problems(schema))
    schema["x-page"]["filters"] = [
        {"field": "Category", "choices": 3, "label": "Toilets"},
        {"field": "Category", "value": "Unisex", "label": "Unisex"},
    ]
    assert any("the only filter on its field" in problem for problem in layout_problems(schema))
