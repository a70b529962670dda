"""HttpClient retries what may pass, reports what will not at once, and names the source, URL and page."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from portal_server import FOUR_BY_FOUR, Item, PortalServer

from local_data_app.adapters import http
from local_data_app.adapters.http import HttpClient, HttpOptions, hide_secrets, with_params
from local_data_app.errors import SourceError

RECORDS = [Item({"name": "One"}), Item({"name": "Two"})]
ANSWER = [{"name": "One"}, {"name": "Two"}]  # what the Socrata endpoint serves for RECORDS
PATH = f"/resource/{FOUR_BY_FOUR}.json"


@pytest.fixture
def portal() -> Iterator[PortalServer]:
    """A portal server holding two records; its Socrata endpoint serves them as a JSON array."""
    with PortalServer(RECORDS) as server:
        yield server


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses between tries, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(http.time, "sleep", slept.append)
    return slept


def client(retries: int = 2, timeout: float = 0.5, backoff: float = 0.01, **headers: str) -> HttpClient:
    return HttpClient("toilets", HttpOptions(timeout=timeout, retries=retries, backoff=backoff), headers)


def failure(call: Any, *args: Any, **kwargs: Any) -> str:
    """The message of the SourceError that the call raises."""
    with pytest.raises(SourceError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


def test_get_json_returns_the_answer_and_sends_its_headers(portal: PortalServer) -> None:
    """It parses the JSON answer, and says who is asking and that it wants JSON."""
    assert client(**{"X-App-Token": "abc"}).get_json(portal.url + PATH) == ANSWER
    (seen,) = portal.requests_to("socrata")
    assert seen.headers["User-Agent"].startswith("local-data-app/")
    assert seen.headers["Accept"] == "application/json"
    assert seen.headers["X-App-Token"] == "abc"


def test_parameters_are_added_and_encoded(portal: PortalServer) -> None:
    """Parameters are encoded and added after any already in the URL."""
    assert (
        with_params("https://x.example/a", {"where": "a = 'b c'", "n": 3})
        == "https://x.example/a?where=a+%3D+%27b+c%27&n=3"
    )
    assert with_params("https://x.example/a?f=json", {"n": 3}) == "https://x.example/a?f=json&n=3"
    assert with_params("https://x.example/a", None) == "https://x.example/a"
    client().get_json(portal.url + PATH, {"$limit": 1, "$order": ":id"})
    assert portal.requests_to("socrata")[0].params == {"$limit": "1", "$order": ":id"}


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_failures_that_may_pass_are_retried(portal: PortalServer, status: int, waits: list[float]) -> None:
    """A 429 or 5xx answer is tried again, and the read succeeds when the portal recovers."""
    portal.fail("status", status=status, times=2)
    assert client(retries=2).get_json(portal.url + PATH) == ANSWER
    assert len(portal.requests_to("socrata")) == 3


def test_gives_up_after_the_retries(portal: PortalServer, waits: list[float]) -> None:
    """A portal that keeps failing is tried retries + 1 times, then reported with source, URL and page."""
    portal.fail("status", times=None)
    message = failure(client(retries=2).get_json, portal.url + PATH, {"$offset": 20}, page=4)
    assert message == (
        f"Source 'toilets': could not read page 4 of {portal.url}{PATH}?$offset=20 (tried up to 3 times): "
        "HTTP 500 Internal Server Error: the portal failed."
    )
    assert len(portal.requests_to("socrata")) == 3


def test_backoff_doubles_from_the_option(portal: PortalServer, waits: list[float]) -> None:
    """The pause before each retry starts at backoff and doubles: bounded by retries, never endless."""
    portal.fail("status", times=None)
    failure(client(retries=3, backoff=0.01).get_json, portal.url + PATH)
    assert waits == [0.01, 0.02, 0.04]


def test_real_backoff_is_short_when_the_option_is(portal: PortalServer) -> None:
    """With a tiny backoff the retries really do happen quickly (no pause is hidden elsewhere)."""
    portal.fail("status", times=None)
    started = time.monotonic()
    failure(client(retries=3, backoff=0.01).get_json, portal.url + PATH)
    assert time.monotonic() - started < 1.5
    assert len(portal.requests_to("socrata")) == 4


@pytest.mark.parametrize(("retry_after", "expected"), [("0.05", 0.05), ("3600", 60.0), ("soon", 0.01)])
def test_retry_after_is_obeyed_up_to_a_limit(
    portal: PortalServer, waits: list[float], retry_after: str, expected: float
) -> None:
    """A Retry-After header lengthens the pause, up to a minute; one that is not a number is ignored."""
    portal.fail("status", status=503, times=1, headers={"Retry-After": retry_after})
    assert client(retries=1).get_json(portal.url + PATH) == ANSWER
    assert waits == [expected]


def test_not_found_is_not_retried(portal: PortalServer, waits: list[float]) -> None:
    """A 404 will not pass by trying again: it is reported at once, with a hint."""
    message = failure(client(retries=3).get_json, portal.url + "/resource/zzzz-9999.json", page=1)
    assert "HTTP 404" in message
    assert "check the location and the dataset, resource or layer id" in message
    assert len(portal.log) == 1
    assert waits == []


def test_timeout_is_reported_with_its_length(portal: PortalServer) -> None:
    """An answer slower than the timeout is reported with the timeout and what to do."""
    portal.fail("delay", seconds=2.0, times=None)
    started = time.monotonic()
    message = failure(client(retries=0, timeout=0.2).get_json, portal.url + PATH, page=2)
    assert time.monotonic() - started < 1.5
    assert f"could not read page 2 of {portal.url}{PATH}" in message
    assert "no answer within 0.2 seconds" in message
    assert "raise the source's timeout" in message


def test_timeout_is_retried(portal: PortalServer) -> None:
    """A slow answer counts as a failure that may pass."""
    portal.fail("delay", seconds=2.0, times=1)
    assert client(retries=1, timeout=0.2).get_json(portal.url + PATH) == ANSWER
    assert len(portal.requests_to("socrata")) == 2


def test_html_is_not_json(portal: PortalServer) -> None:
    """A web page (a login or maintenance page) is reported at once, not parsed or retried."""
    portal.fail("html", times=None)
    message = failure(client(retries=3).get_json, portal.url + PATH)
    assert "the answer is a web page (text/html; charset=utf-8), not JSON. Check the URL" in message
    assert len(portal.log) == 1


def test_xml_is_not_json(portal: PortalServer) -> None:
    """An XML document is reported with its content type and how it starts, not as JSON cut short."""
    portal.fail("xml", times=None)
    message = failure(client(retries=3).get_json, portal.url + PATH, page=2)
    assert f"could not read page 2 of {portal.url}{PATH} " in message
    assert message.endswith(
        """the answer is application/xml, not JSON (it starts '<?xml version="1.0" encoding="UTF-8"?><S'). """
        "Check the URL."
    )
    assert "cut short" not in message
    assert len(portal.log) == 1


def test_json_labelled_as_plain_text_is_read(portal: PortalServer) -> None:
    """Some portals send JSON as text/plain: the answer is read all the same."""
    portal.fail("plain", times=None)
    assert client().get_json(portal.url + PATH) == ANSWER


@pytest.mark.parametrize("kind", ["truncate", "empty"])
def test_json_cut_short_is_reported(portal: PortalServer, kind: str) -> None:
    """JSON cut short, or no body at all, is reported as not valid JSON."""
    portal.fail(kind, times=None)
    message = failure(client().get_json, portal.url + PATH, page=3)
    assert f"could not read page 3 of {portal.url}{PATH}" in message
    assert "not valid JSON" in message
    assert "it may have been cut short" in message


def test_body_shorter_than_announced_is_reported(portal: PortalServer) -> None:
    """A connection closed before the announced Content-Length is an error naming the URL."""
    portal.fail("short", times=None)
    message = failure(client().get_json, portal.url + PATH, page=1)
    assert f"could not read page 1 of {portal.url}{PATH}" in message
    assert "the answer was cut short: 17 bytes of the 34 announced arrived before the connection closed" in message


def test_download_cut_short_is_reported(portal: PortalServer, tmp_path: Path) -> None:
    """A download whose connection closes early is an error, not a quietly shorter file."""
    portal.fail("short", times=None)
    message = failure(client().download, portal.url + PATH, tmp_path / "records.json")
    assert f"could not read {portal.url}{PATH}" in message
    assert "the answer was cut short" in message


def test_refused_connection_is_reported(waits: list[float]) -> None:
    """Nothing listening at the address is reported with the address, after the retries."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = failure(client(retries=1).get_json, f"http://127.0.0.1:{port}/api")
    assert f"could not read http://127.0.0.1:{port}/api (tried up to 2 times)" in message
    assert "check the address and your network connection" in message
    assert waits == [0.01]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://x.example/a?app_token=abc&$limit=5", "https://x.example/a?app_token=***&$limit=5"),
        (
            "https://x.example/a?api_key=abc&token=d&password=e",
            "https://x.example/a?api_key=***&token=***&password=***",
        ),
        ("https://x.example/a?SECRET=abc&where=1=1", "https://x.example/a?SECRET=***&where=1=1"),
        ("https://x.example/a?f=json", "https://x.example/a?f=json"),
        ("https://x.example/a", "https://x.example/a"),
    ],
)
def test_secrets_in_urls_are_hidden(url: str, shown: str) -> None:
    """Values of parameters named like keys, tokens, secrets or passwords are hidden."""
    assert hide_secrets(url) == shown


def test_error_messages_hide_secrets(portal: PortalServer) -> None:
    """A secret in a failing URL does not reach the error message."""
    message = failure(client().get_json, portal.url + "/nowhere", {"api_key": "s3cr3t"})
    assert "s3cr3t" not in message
    assert "api_key=***" in message


def test_download_saves_the_answer(portal: PortalServer, tmp_path: Path) -> None:
    """A download writes the answer to the file, retrying a failure that may pass."""
    portal.fail("status", times=1)
    saved = client().download(portal.url + PATH, tmp_path / "records.json")
    assert saved.read_text(encoding="utf-8") == '[{"name": "One"}, {"name": "Two"}]'
    assert len(portal.log) == 2


def test_download_failure_names_the_url(portal: PortalServer, tmp_path: Path) -> None:
    """A download that cannot succeed is reported with the source and URL."""
    message = failure(client().download, portal.url + "/nowhere.csv", tmp_path / "x.csv")
    assert message.startswith(f"Source 'toilets': could not read {portal.url}/nowhere.csv")
    assert "HTTP 404" in message


@pytest.mark.parametrize("options", [{"timeout": 0}, {"retries": -1}, {"retries": 11}, {"backoff": -1}, {"wait": 1}])
def test_options_are_checked(options: dict[str, Any]) -> None:
    """A timeout of zero, retries out of range, a negative backoff or an unknown key are refused."""
    with pytest.raises(ValueError):  # noqa: PT011 (pydantic's messages; the adapters test the wording)
        HttpOptions.model_validate(options)
