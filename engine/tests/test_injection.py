"""Hostile requests: SQL, markup and traversal in every parameter and path get a 4xx or a safe answer, never a 5xx.

Each store is served with the same records; every query parameter of the items
API and of the home page is sent values that try to break out of SQL or HTML,
or that are far too large, and every path that names a collection, a record or
a static file is sent traversal attempts. Afterwards the data must be whole.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from conftest import HOSTILE_NAME, Answer, Served, get

from local_data_app.ogc.parameters import MAX_LIMIT

HOSTILE_VALUES = [
    "' OR '1'='1",
    "1; DROP TABLE _collections; --",
    '") OR 1=1 --',
    "1 UNION SELECT sqlite_version()",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{" + "{ 7 * 7 }}",  # template syntax (split so that the project template leaves it alone)
    "%00",
    "\u0000",
    "../../place.toml",
    "9" * 400,
    "1e309",
    "-1e309",
    "nan",
    "inf",
    "x" * 6000,
]
ITEMS_PARAMETERS = ["bbox", "limit", "offset", "near", "datetime", "area", "f", "q"]
PAGE_PARAMETERS = ["q", "near", "page", "area", "datetime"]
TRAVERSALS = [
    "..%2F..%2Fplace.toml",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2fplace.toml",
    "....//....//place.toml",
    "%252e%252e%252fplace.toml",
    "place.toml%00.html",
]


@pytest.fixture(scope="module")
def collection(served: Served) -> str:
    (only,) = get(served.base + "/api/collections").json()["collections"]
    return only["id"]


@pytest.fixture(scope="module")
def field_names(served: Served, collection: str) -> list[str]:
    """The collection's property names, each of which is also a filter."""
    features = get(f"{served.base}/api/collections/{collection}/items?limit=1").json()["features"]
    return sorted(features[0]["properties"])


def assert_safe(answer: Answer) -> None:
    """A client error or a success, never a server error or a leaked stack trace or file."""
    assert answer.status < 500, answer.text[:500]
    text = answer.body.decode("utf-8", "replace")
    assert "Traceback" not in text
    assert "[place]" not in text  # place.toml's contents
    assert "root:x:0:0" not in text


def whole(served: Served, collection: str) -> int:
    return get(f"{served.base}/api/collections/{collection}/items?limit=1").json()["numberMatched"]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_every_items_parameter_and_filter_refuses_or_answers_safely(served, collection, field_names, value) -> None:
    """SQL, markup and huge values in each parameter and each field filter: 4xx or a safe answer; data whole."""
    before = whole(served, collection)
    for name in [*ITEMS_PARAMETERS, *field_names]:
        answer = get(f"{served.base}/api/collections/{collection}/items?{quote(name)}={quote(value)}")
        assert_safe(answer)
        if answer.status == 200 and answer.headers["Content-Type"].startswith("application/geo+json"):
            assert len(answer.json()["features"]) <= MAX_LIMIT
    assert whole(served, collection) == before


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_every_page_parameter_refuses_or_answers_safely(served, field_names, value) -> None:
    """The same values in the home page's search, filters, point and paging: never a 5xx, never live markup."""
    for name in [*PAGE_PARAMETERS, *field_names]:
        answer = get(f"{served.base}/?{quote(name)}={quote(value)}")
        assert_safe(answer)
        assert "<script>alert(1)</script>" not in answer.body.decode("utf-8", "replace")
        assert "<img src=x onerror" not in answer.body.decode("utf-8", "replace")


@pytest.mark.parametrize("attempt", TRAVERSALS)
def test_traversal_in_collection_names_record_ids_and_static_paths_finds_nothing(served, collection, attempt) -> None:
    """A path that climbs out of the app finds a 404 (or a 400), never a file of the project or the system."""
    for path in (
        f"/api/collections/{attempt}",
        f"/api/collections/{attempt}/items",
        f"/api/collections/{collection}/items/{attempt}",
        f"/collections/{collection}/items/{attempt}",
        f"/static/{attempt}",
    ):
        answer = get(served.base + path)
        assert_safe(answer)
        assert answer.status in {400, 404}, (path, answer.status)


def test_a_hostile_record_id_is_looked_up_as_text(served, collection) -> None:
    """An id holding SQL is a value to look up, so it is simply not found."""
    for feature_id in ("' OR '1'='1", "1 OR 1=1", HOSTILE_NAME):
        answer = get(f"{served.base}/api/collections/{collection}/items/{quote(feature_id, safe='')}")
        assert answer.status == 404, feature_id


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("limit=1000000000000", 200),
        ("limit=-1", 400),
        ("offset=99999999999999999999", 400),
        ("bbox=-1e308,-1e308,1e308,1e308", 400),
        ("bbox=" + ",".join(["1"] * 4000), 400),
        ("near=" + "1" * 5000 + ",53", 400),
    ],
)
def test_oversized_limits_and_boxes_are_clamped_or_refused(served, collection, query, status) -> None:
    """A limit past the maximum is clamped, as OGC API - Features allows; other absurd sizes are 400s."""
    answer = get(f"{served.base}/api/collections/{collection}/items?{query}")
    assert_safe(answer)
    assert answer.status == status, answer.text[:300]
    if status == 200:
        assert len(answer.json()["features"]) <= MAX_LIMIT
