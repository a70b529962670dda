"""The HTML pages under generated query strings: never a 5xx, never markup or an attribute that came from the URL.

hypothesis draws query strings for the home page (its search, filters, point,
dates, area and paging, a parameter given twice, names it does not know) and
record ids for the record pages, from any text, numbers of any size, points,
dates and intervals. Every drawn value may carry a tag and an attribute
breakout with a marker; a page that showed either as markup, rather than as
text, would let a link run script in a reader's browser. The values the
hostile list in test_injection.py sends by hand are where these start from.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from conftest import Answer, Page, Served, get
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = 300  # requests per store and kind of page
PAGE_PARAMETERS = ["q", "near", "page", "area", "datetime"]
MARKER = "fuzzmark"
TAG = f"<i {MARKER}=1>"
BREAKOUT = f'" {MARKER}="1'
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same cases every run, so a failure comes back
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)  # lone surrogates cannot go in a URL
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.from_regex(r"\A-?\d{1,400}\Z"),
)
points = st.tuples(numbers, numbers).map(",".join) | st.tuples(
    st.floats(-10, 3, allow_nan=False), st.floats(49, 61, allow_nan=False)
).map(lambda point: f"{point[1]},{point[0]}")
dates = st.dates().map(str) | st.datetimes().map(lambda moment: moment.isoformat() + "Z")
intervals = st.tuples(dates | st.sampled_from(["..", ""]), dates | st.sampled_from(["..", ""])).map("/".join)
plain_values = st.one_of(any_text, numbers, points, dates, intervals, st.sampled_from(["Unisex", "yes", "E06000999"]))


@st.composite
def values(draw: st.DrawFn) -> str:
    """A value, with the tag or the attribute breakout put in it two times in three."""
    value = draw(plain_values)
    if draw(st.integers(0, 2)):
        at = draw(st.integers(0, len(value)))
        value = value[:at] + draw(st.sampled_from([TAG, BREAKOUT])) + value[at:]
    return value


@pytest.fixture(scope="module")
def filter_names(served: Served) -> list[str]:
    """Each field filter of the served data, and a name the app does not know."""
    (collection,) = get(served.base + "/api/collections").json()["collections"]
    (feature,) = get(f"{served.base}/api/collections/{collection['id']}/items?limit=1").json()["features"]
    return [*sorted(feature["properties"]), "unknown"]


def assert_safe_page(answer: Answer) -> None:
    """Not a server error; a page whose markup and attributes all came from the app, not from the request."""
    assert answer.status < 500, answer.body[:500]
    assert answer.headers["Content-Type"].startswith("text/html"), answer.headers["Content-Type"]
    text = answer.body.decode("utf-8")
    assert "Traceback" not in text
    page = Page(text)
    assert not [element for element in page.elements if MARKER in element[1]], "an attribute from the URL"
    assert "<i fuzzmark" not in text


@given(data=st.data())
@FUZZ
def test_the_home_page_under_any_query_string(served: Served, filter_names: list[str], data: st.DataObject) -> None:
    """One to four parameters, a name now and then twice, each with a drawn value: a page or a 4xx, always safe.

    Half the names are the page's own parameters, half field filters or a name it does not know.
    """
    name = st.sampled_from(PAGE_PARAMETERS) | st.sampled_from(filter_names)
    names = data.draw(st.lists(name, min_size=1, max_size=4))
    pairs = [(name, data.draw(values())) for name in names]
    answer = get(f"{served.base}/?{urlencode(pairs)}")
    assert_safe_page(answer)
    assert answer.status in (200, 400), answer.status


@given(record_id=values())
@FUZZ
def test_a_record_page_under_any_id(served: Served, record_id: str) -> None:
    """Any id, quoted into the path as a link would be: the record, or a 404 page, always safe."""
    collections = get(served.base + "/api/collections").json()["collections"]
    answer = get(f"{served.base}/features/{collections[0]['id']}/{quote(record_id, safe='')}")
    assert_safe_page(answer)
    assert answer.status in (200, 404), answer.status


def test_a_marker_in_a_search_is_shown_as_text(served: Served) -> None:
    """The checks above can see the marker: the search box holds it, escaped, as the text it was."""
    answer = get(f"{served.base}/?{urlencode({'q': TAG + BREAKOUT})}")
    assert answer.status == 200
    assert_safe_page(answer)
    boxes = [
        attributes for tag, attributes in Page(answer.text).elements if tag == "input" and attributes.get("name") == "q"
    ]
    assert [box["value"] for box in boxes] == [TAG + BREAKOUT]
