"""ETags on the API's answers: 304 Not Modified while the client's copy is current, a new ETag once it is not."""

from __future__ import annotations

from email.message import Message
from pathlib import Path

from conftest import Served, serving, toilet_rows, write_csv

from local_data_app.config import load_settings
from local_data_app.ingest import ingest
from local_data_app.ogc import documents
from local_data_app.testing import get
from local_data_app.web.validators import matches

ITEMS = "/api/collections/toilets/items?limit=5"


def fetch(url: str, method: str = "GET", **headers: str) -> tuple[int, Message, bytes]:
    answer = get(url, method, **headers)
    return answer.status, answer.headers, answer.body


def test_an_api_answer_carries_an_etag_and_a_current_copy_gets_304(served: Served) -> None:
    status, headers, body = fetch(served.base + ITEMS)
    etag = headers["ETag"]
    assert status == 200
    assert etag.startswith('W/"')
    assert body
    for method in ("GET", "HEAD"):
        status, again, body = fetch(served.base + ITEMS, method, **{"If-None-Match": etag})
        assert (status, again["ETag"], body) == (304, etag, b""), method
    # Another copy in the list, the strong form of the same tag, or *: still current.
    assert fetch(served.base + ITEMS, **{"If-None-Match": f'"other", {etag.removeprefix("W/")}'})[0] == 304
    assert fetch(served.base + ITEMS, **{"If-None-Match": "*"})[0] == 304
    # A copy of something else is not.
    assert fetch(served.base + ITEMS, **{"If-None-Match": 'W/"0123456789abcdef"'})[0] == 200


def test_an_items_page_made_a_second_later_is_still_current(served: Served, monkeypatch) -> None:
    """Its timeStamp says when it was made: a copy from a moment ago is still the same answer, and gets 304."""
    monkeypatch.setattr(documents, "time_stamp", lambda: "2026-01-01T00:00:00Z")
    status, headers, body = fetch(served.base + ITEMS)
    assert status == 200
    assert b'"timeStamp":"2026-01-01T00:00:00Z"' in body
    monkeypatch.setattr(documents, "time_stamp", lambda: "2026-01-01T00:00:01Z")
    assert fetch(served.base + ITEMS, **{"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(served.base + ITEMS + "&offset=1", **{"If-None-Match": headers["ETag"]})[0] == 200


def test_each_answer_has_its_own_etag(served: Served) -> None:
    tags = {
        fetch(served.base + path)[1]["ETag"]
        for path in (ITEMS, ITEMS + "&offset=5", ITEMS + "&f=csv", "/api/collections/toilets", "/api/collections")
    }
    assert len(tags) == 5


def test_errors_and_the_pages_for_people_carry_no_etag(served: Served) -> None:
    status, headers, _ = fetch(served.base + "/api/collections/toilets/items?limit=none")
    assert (status, headers["ETag"]) == (400, None)
    assert fetch(served.base + "/api/collections/nothing")[1]["ETag"] is None
    assert fetch(served.base + "/")[1]["ETag"] is None


def test_a_new_load_changes_the_etag(tmp_path: Path, database_url: str) -> None:
    rows = toilet_rows()
    with serving(tmp_path / "project", rows, database_url) as served:
        etag = fetch(served.base + ITEMS)[1]["ETag"]
        collection_etag = fetch(served.base + "/api/collections/toilets")[1]["ETag"]
        write_csv(tmp_path / "project", "toilets", [{**rows[0], "LocationText": "Renamed"}, *rows[1:]])
        (report,) = ingest(load_settings(served.config))
        assert report.error is None
        status, headers, body = fetch(served.base + ITEMS, **{"If-None-Match": etag})
        assert status == 200
        assert b"Renamed" in body
        assert headers["ETag"] != etag
        assert fetch(served.base + "/api/collections/toilets")[1]["ETag"] != collection_etag


def test_if_none_match_compares_weakly() -> None:
    assert matches('W/"a"', 'W/"a"')
    assert matches('"a"', 'W/"a"')
    assert matches(' "b" , W/"a" ', 'W/"a"')
    assert matches("*", 'W/"a"')
    assert not matches('"b"', 'W/"a"')
    assert not matches("", 'W/"a"')
