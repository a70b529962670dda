"""HttpClient retries what may pass, reports what will not at once, and names the source, URL and page.

It also holds against servers that are hostile or broken: redirects only to
http(s), never down to http, at most five, without credentials to another
origin; a deadline for the whole source, byte caps per answer and per source;
answers checked to be whole; and no downloaded file left behind.
"""

from __future__ import annotations

import email.message
import io
import socket
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_DIR
from portal_server import FOUR_BY_FOUR, Item, PortalServer

from local_data_app import adapters
from local_data_app.adapters import connection, http
from local_data_app.adapters.connection import hide_secrets
from local_data_app.adapters.http import HttpClient, HttpOptions, with_params
from local_data_app.adapters.local_or_remote import local_copy
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


def limited(**options: Any) -> HttpClient:
    """A client with quick retries and the given options (limits, deadline) for the source 'toilets'."""
    return HttpClient("toilets", HttpOptions(**{"timeout": 0.5, "retries": 1, "backoff": 0.01, **options}))


def advice(option: str) -> str:
    """How every limit's message ends."""
    return f"if that is expected, raise {option} in the source's [[sources]] entry in place.toml."


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
    portal.fail("delay", seconds=4.0, times=1)
    assert client(retries=1, timeout=1.5).get_json(portal.url + PATH) == ANSWER  # a busy machine answers within 1.5 s
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


# Redirects

CREDENTIALS = {"X-App-Token": "s3cr3t-token", "Authorization": "Bearer s3cr3t"}


def test_redirect_at_the_same_origin_keeps_the_credentials(portal: PortalServer) -> None:
    """A redirect within the portal (same scheme, host and port) is followed with the source's token."""
    portal.redirect("/old/records.json", PATH, status=301)
    assert client(**CREDENTIALS).get_json(portal.url + "/old/records.json") == ANSWER
    (seen,) = portal.requests_to("socrata")
    assert seen.headers["X-App-Token"] == "s3cr3t-token"
    assert seen.headers["Authorization"] == "Bearer s3cr3t"


def test_redirect_to_another_origin_drops_the_credentials(portal: PortalServer) -> None:
    """A redirect to another port (another origin) is followed without the token, even when it comes back."""
    with PortalServer(RECORDS) as elsewhere:
        portal.redirect("/moved.json", elsewhere.url + "/and-back.json", status=307)
        elsewhere.redirect("/and-back.json", portal.url + PATH)
        assert client(**CREDENTIALS).get_json(portal.url + "/moved.json") == ANSWER
        (away,) = elsewhere.requests_to("redirect")
    (first,) = portal.requests_to("redirect")
    (last,) = portal.requests_to("socrata")
    assert first.headers["X-App-Token"] == "s3cr3t-token"
    for seen in (away, last):
        assert "X-App-Token" not in seen.headers
        assert "Authorization" not in seen.headers
        assert seen.headers["User-Agent"].startswith("local-data-app/")


@pytest.mark.parametrize("target", ["ftp://127.0.0.1/toilets.csv", "file:///etc/passwd", "FILE:/etc/passwd"])
def test_redirect_to_another_scheme_is_refused(portal: PortalServer, tmp_path: Path, target: str) -> None:
    """A redirect to ftp:// or file:// fails the source at once, naming the URL and the refused target."""
    portal.redirect("/toilets.csv", target)
    message = failure(client(retries=2).download, portal.url + "/toilets.csv", tmp_path / "toilets.csv")
    assert message == (
        f"Source 'toilets': could not read {portal.url}/toilets.csv: it redirects to {target}, and only redirects "
        "to http:// and https:// addresses are followed; set the source's location to the web address of the "
        "data itself."
    )
    assert len(portal.log) == 1
    assert not (tmp_path / "toilets.csv").exists()


def test_redirect_from_https_to_http_is_refused() -> None:
    """A redirect from https to http would send the request unencrypted: the handler refuses it."""
    request = urllib.request.Request("https://data.example.gov.uk/api/records?app_token=abc")
    location = email.message.Message()
    location["Location"] = "http://data.example.gov.uk/api/records?app_token=abc"
    with pytest.raises(connection.StopReading) as caught:
        connection.Redirects().http_error_302(request, io.BytesIO(), 302, "Found", location)
    assert caught.value.reason.startswith(
        "it redirects from https to http://data.example.gov.uk/api/records?app_token=***, which would send the "
        "request unencrypted, so the redirect was not followed"
    )
    assert connection.refusal(request, "https://elsewhere.example/records") is None
    assert (
        connection.refusal(urllib.request.Request("http://data.example.gov.uk/"), "https://data.example.gov.uk/")
        is None
    )


def test_at_most_five_redirects_are_followed(portal: PortalServer) -> None:
    """Five redirects in a row are followed; a sixth, or a loop, fails the source naming where it led."""
    for hop in range(5):
        portal.redirect(f"/hop/{hop}", f"/hop/{hop + 1}")
    portal.redirect("/hop/5", PATH)
    assert client().get_json(portal.url + "/hop/1") == ANSWER
    message = failure(client().get_json, portal.url + "/hop/0", page=1)
    assert message.startswith(f"Source 'toilets': could not read page 1 of {portal.url}/hop/0: ")
    assert f"it redirects more than 5 times (the next to {portal.url}{PATH}); set the source's location" in message
    portal.redirect("/loop", "/loop")
    assert "it redirects more than 5 times (the next to" in failure(client().get_json, portal.url + "/loop")
    assert len([seen for seen in portal.log if seen.url == "/loop"]) == 6


# The deadline


@pytest.mark.parametrize("how", ["get_json", "download"])
def test_a_slow_drip_fails_at_the_deadline(portal: PortalServer, tmp_path: Path, how: str) -> None:
    """A byte every half second is within the timeout of each read, but not within the deadline of 2 seconds."""
    portal.fail("drip", seconds=0.5, times=None)
    reader = limited(deadline=2, timeout=1, retries=2)
    started = time.monotonic()
    if how == "get_json":
        message = failure(reader.get_json, portal.url + PATH, page=1)
    else:
        message = failure(reader.download, portal.url + PATH, tmp_path / "records.json")
    assert 1.9 <= time.monotonic() - started < 3
    where = "page 1 of " if how == "get_json" else ""
    assert message == (
        f"Source 'toilets': could not read {where}{portal.url}{PATH}: reading the source took longer than its "
        "deadline of 2 seconds, so it stopped (timeout bounds each wait for an answer, deadline the whole read); "
        + advice("deadline")
    )
    assert len(portal.log) == 1
    assert not (tmp_path / "records.json").exists()


def test_the_deadline_covers_every_page_and_retry(portal: PortalServer) -> None:
    """The deadline is the source's, not the page's: later pages and retries draw on the same time."""
    # Pauses of 0.2 and 0.4 s leave 0.4 s, less than the next pause of 0.8 s: room for a busy machine.
    reader = limited(deadline=1, retries=10, backoff=0.2)
    assert reader.get_json(portal.url + PATH, page=1) == ANSWER
    portal.fail("status", status=503, times=None)
    started = time.monotonic()
    message = failure(reader.get_json, portal.url + PATH, page=2)
    assert time.monotonic() - started < 1.2
    assert f"could not read page 2 of {portal.url}{PATH}: HTTP 503 Service Unavailable: " in message
    assert "the source's deadline of 1 second leaves no time to try again; " + advice("deadline") in message
    assert len(portal.requests_to("socrata")) < 5
    time.sleep(1)
    message = failure(reader.get_json, portal.url + PATH, page=3)
    assert "could not read page 3 of" in message
    assert "reading the source took longer than its deadline of 1 second" in message


# Byte caps


def test_an_answer_announced_larger_than_the_cap_is_not_read(portal: PortalServer) -> None:
    """A Content-Length over max_answer_bytes is refused before the body is read, and not tried again."""
    message = failure(limited(max_answer_bytes=20).get_json, portal.url + PATH, page=1)
    assert message == (
        f"Source 'toilets': could not read page 1 of {portal.url}{PATH}: the answer announces 34 bytes (its "
        "Content-Length), more than the source's max_answer_bytes of 20, so it was not read; "
        + advice("max_answer_bytes")
    )
    assert len(portal.log) == 1


@pytest.mark.parametrize("kind", ["unsized", "chunked"])
def test_an_answer_over_the_cap_stops_at_the_cap(portal: PortalServer, tmp_path: Path, kind: str) -> None:
    """An answer that does not say how long it is stops being read once it passes the cap, before any parsing."""
    portal.fail(kind, times=None)
    reader = limited(max_answer_bytes=20)
    expected = "the answer holds more than the source's max_answer_bytes of 20 bytes, so reading stopped; " + advice(
        "max_answer_bytes"
    )
    assert failure(reader.get_json, portal.url + PATH).endswith(expected)
    assert failure(reader.download, portal.url + PATH, tmp_path / "records.json").endswith(expected)
    assert not (tmp_path / "records.json").exists()
    assert len(portal.log) == 2


def test_the_source_cap_counts_every_answer(portal: PortalServer) -> None:
    """max_source_bytes is for the whole source: the second answer of 34 bytes passes a cap of 50."""
    reader = limited(max_source_bytes=50)
    assert reader.get_json(portal.url + PATH, page=1) == ANSWER
    message = failure(reader.get_json, portal.url + PATH, page=2)
    assert message == (
        f"Source 'toilets': could not read page 2 of {portal.url}{PATH}: the source has sent more than its "
        "max_source_bytes of 50 bytes in all (retries included), so reading stopped; " + advice("max_source_bytes")
    )


# Answers that arrive whole, or fail


def test_a_body_cut_short_is_tried_again(portal: PortalServer) -> None:
    """A connection closed before the Content-Length is a failure that may pass: the answer is asked for again."""
    portal.fail("short", times=1)
    assert client().get_json(portal.url + PATH) == ANSWER
    assert len(portal.log) == 2


def test_a_body_longer_than_announced_is_refused(portal: PortalServer, tmp_path: Path) -> None:
    """Bytes beyond the Content-Length mean what was read may be the start of a longer answer: an error."""
    portal.fail("long", times=None)
    message = failure(client().download, portal.url + PATH, tmp_path / "records.json")
    assert message == (
        f"Source 'toilets': could not read {portal.url}{PATH}: the answer is longer than the 17 bytes its "
        "Content-Length announced, so what was read may not be all of it; the server or a proxy in front of it "
        "is at fault: ingest again later, or tell the publisher."
    )
    assert not (tmp_path / "records.json").exists()


def test_a_chunked_answer_is_read_whole(portal: PortalServer) -> None:
    """A chunked answer that ends with its last, empty chunk is whole."""
    portal.fail("chunked", times=None)
    assert client().get_json(portal.url + PATH) == ANSWER


def test_a_chunked_answer_cut_short_is_reported(portal: PortalServer, tmp_path: Path) -> None:
    """A chunked answer that stops before its last chunk is cut short: tried again, then reported."""
    portal.fail("chunked_cut", times=None)
    message = failure(client(retries=1).download, portal.url + PATH, tmp_path / "records.json")
    assert message == (
        f"Source 'toilets': could not read {portal.url}{PATH} (tried up to 2 times): the answer was cut short: "
        "17 bytes arrived before the connection closed."
    )
    assert len(portal.log) == 2
    assert not (tmp_path / "records.json").exists()


CSV = b"LocationText,Easting,Northing\nPark Road,529090,179645\nBeach Green,529100,179700\n"


def csv_source(server: PortalServer, tmp_path: Path, path: str = "/toilets.csv") -> adapters.Adapter:
    location = adapters.SourceSpec("toilets", server.url + path, tmp_path)
    return adapters.create("csv", location, {"timeout": 0.5, "retries": 1, "backoff": 0.01})


def test_a_csv_file_cut_mid_line_without_a_length_is_refused(tmp_path: Path) -> None:
    """With no Content-Length, a CSV file whose last line has no line break (the others have) was cut short."""
    assert not CSV[: len(CSV) // 2].endswith(b"\n")
    with PortalServer([], files={"/toilets.csv": CSV}) as server:
        server.fail("truncate", endpoint="file", times=None)
        with pytest.raises(SourceError) as caught:
            list(csv_source(server, tmp_path).records())
        assert str(caught.value) == (
            f"Source 'toilets': could not read {server.url}/toilets.csv (tried up to 2 times): the file ends part "
            "way through a line: its last line ('Park Road,') has no line break though the lines before it have, "
            "and the server did not say how long the file is, so it was most likely cut short; if the file does "
            "end so, ask its publisher to end it with a line break."
        )
        assert len(server.requests_to("file")) == 2
        server.faults.clear()
        server.fail("truncate", endpoint="file", times=1)  # cut once: the second try reads it whole
        assert len(list(csv_source(server, tmp_path).records())) == 2


@pytest.mark.parametrize("kind", [None, "chunked", "unsized"])
def test_a_csv_file_without_a_last_line_break(tmp_path: Path, kind: str | None) -> None:
    """A last line without a line break is whole when the length is known or the chunks end; without, it is not."""
    with PortalServer([], files={"/toilets.csv": CSV.rstrip(b"\n")}) as server:
        if kind:
            server.fail(kind, endpoint="file", times=None)
        if kind == "unsized":
            with pytest.raises(SourceError, match="the file ends part way through a line"):
                list(csv_source(server, tmp_path).records())
        else:
            assert [record.values["LocationText"] for record in csv_source(server, tmp_path).records()] == [
                "Park Road",
                "Beach Green",
            ]


# Temporary files


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder temporary files go in, for this test alone."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def interrupted(self: Any) -> bytes:
    raise KeyboardInterrupt


@pytest.mark.parametrize("ending", ["error", "limit", "interrupted download", "interrupted read"])
def test_the_downloaded_file_is_removed_however_reading_ends(
    tmp_path: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    """After an HTTP error, a limit, or Ctrl+C while downloading or reading, no temporary file is left."""
    options = HttpOptions(timeout=0.5, retries=0, max_answer_bytes=20 if ending == "limit" else 1000)
    with PortalServer([], files={"/toilets.csv": CSV}) as server:
        source = adapters.SourceSpec("toilets", server.url + "/toilets.csv", tmp_path)
        if ending == "error":
            server.fail("status", times=None)
        if ending == "interrupted download":
            monkeypatch.setattr(connection.Body, "_read", interrupted)
        expected = SourceError if ending in ("error", "limit") else KeyboardInterrupt
        with pytest.raises(expected), local_copy(source, options, ".csv") as path:  # noqa: PT012
            assert path.read_bytes() == CSV
            assert path.is_relative_to(scratch)
            raise KeyboardInterrupt  # Ctrl+C while the file is being read
    assert list(scratch.iterdir()) == []


# Options


def test_limits_have_safe_defaults() -> None:
    """Without options a source may take 15 minutes, 512 MiB an answer, 2 GiB in all and 100,000 pages."""
    options = HttpOptions()
    assert (options.deadline, options.max_answer_bytes, options.max_source_bytes, options.max_pages) == (
        900,
        512 * 2**20,
        2 * 2**30,
        100_000,
    )


@pytest.mark.parametrize(
    "options",
    [{"deadline": 0}, {"deadline": 86_401}, {"max_answer_bytes": 0}, {"max_source_bytes": -1}, {"max_pages": 0}],
)
def test_limits_are_checked(options: dict[str, Any]) -> None:
    """A deadline of zero or over a day, or a cap below one, is refused."""
    with pytest.raises(ValueError):  # noqa: PT011 (pydantic's messages; the adapters test the wording)
        HttpOptions.model_validate(options)


def test_every_web_option_is_documented() -> None:
    """Each option every web adapter takes has a row in the generated project's table of them."""
    text = (PROJECT_DIR / "docs" / "data-sources.md").read_text(encoding="utf-8")
    table = text.split("Every adapter that reads", 1)[1].split("\n### ", 1)[0]
    for option, field in HttpOptions.model_fields.items():
        assert f"| `{option}` |" in table, option
        assert field.description, option
