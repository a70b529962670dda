"""Each request's deadline: a read that outlasts it, or whose client goes away, is stopped, on both stores.

The stores are loaded with 60,000 made-up toilets (large_store.py), enough
for a nearest-first page deep in a filtered collection to take a few hundred
milliseconds on either store; a deadline of 20 ms must stop it well before.
"""

from __future__ import annotations

import asyncio
import http.client
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from conftest import clean_settings_environment, get, write_project
from large_store import CENTRE, fill
from test_store import COLLECTION as LOADED
from test_store import load, make_feature

from local_data_app import deadline
from local_data_app.config import load_settings
from local_data_app.errors import ConfigError
from local_data_app.store import open_store
from local_data_app.store import sqlite as sqlite_store
from local_data_app.testing import running
from local_data_app.web import create_app, pages
from local_data_app.web.deadlines import Deadlines

COUNT = 60_000
COLLECTION = "toilets"
SHORT = 0.02  # seconds: far less than the slow read takes


def slow_read(store: Any) -> list[Any]:
    """A read that takes a few hundred milliseconds: a deep page of a filtered collection, nearest first."""
    return store.nearest(COLLECTION, *CENTRE, limit=1000, offset=9000, filters={"Category": "Unisex"})


@pytest.fixture(scope="module")
def large_project(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Path]:
    """A project whose store holds COUNT toilets as its one collection; yields its place.toml."""
    folder = tmp_path_factory.mktemp("large")
    with clean_settings_environment():
        config = write_project(folder, name=COLLECTION, database_url=web_database_url)
        store = open_store(web_database_url, folder)
        try:
            fill(store, COLLECTION, COUNT)
        finally:
            store.close()
        yield config


@pytest.fixture
def store(large_project: Path, web_database_url: str) -> Iterator[Any]:
    opened = open_store(web_database_url, large_project.parent)
    try:
        yield opened
    finally:
        opened.close()


def test_a_read_that_outlasts_its_deadline_stops_with_too_slow(store: Any) -> None:
    """A read that would take longer than the request's deadline stops soon after it, with a 503 TooSlow."""
    started = time.perf_counter()
    assert len(slow_read(store)) == 1000
    unbounded = time.perf_counter() - started
    assert unbounded > 4 * SHORT, "the slow read must be slow for this test to mean anything"
    started = time.perf_counter()
    with deadline.within(SHORT), pytest.raises(deadline.TooSlow) as stopped:
        slow_read(store)
    assert time.perf_counter() - started < SHORT + unbounded / 2
    assert stopped.value.status == 503
    assert "more than 0.02 seconds" in stopped.value.message


@pytest.mark.parametrize("left_open", [False, True], ids=["deadline-at-commit", "transaction-left-open"])
def test_a_sqlite_read_ends_its_transaction_though_its_deadline_passed_as_it_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, left_open: bool
) -> None:
    """A read whose deadline passes after its last query still ends its transaction, and the connection reads on.

    SQLite asks the progress handler inside a prepared COMMIT every few hundred
    runs; asked after the deadline, it stopped the COMMIT and could leave the
    transaction open, so that every later BEGIN on the connection failed and
    a busy server answered half its requests with errors. Here the handler
    is asked at every step. A transaction left open by any fault is ended
    before the next read begins.
    """
    monkeypatch.setattr(sqlite_store, "DEADLINE_STEPS", 1)
    store = open_store(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    try:
        load(store, [make_feature(number, -2.2 + number / 1000, 53.4) for number in range(50)], batch=50)
        if left_open:
            store.count(LOADED)
            store._local.db.execute("BEGIN")  # as a stopped COMMIT left it
        with deadline.within(60) as limit:

            def read() -> int:
                found = store.count(LOADED)
                limit.client_gone()  # the deadline passes after the last query, before the transaction ends
                return int(found)

            assert store.consistent(read) == 50
        assert not store._local.db.in_transaction
        assert store.count(LOADED, (-2.2, 53.3, -2.19, 53.5)) == 11
        assert len(store.features(LOADED, limit=20)) == 20
    finally:
        store.close()


def test_a_read_whose_client_has_gone_stops(store: Any) -> None:
    """A client going away stops its request's read under way, though the deadline is far off."""
    outcome: list[Any] = []
    limit_ready = threading.Event()

    def read() -> None:
        with deadline.within(60) as limit:
            outcome.append(limit)
            limit_ready.set()
            try:
                slow_read(store)
                outcome.append("finished")
            except deadline.TooSlow as error:
                outcome.append(error)

    started = time.perf_counter()
    reader = threading.Thread(target=read)
    reader.start()
    limit_ready.wait(5)
    time.sleep(0.01)
    outcome[0].client_gone()
    reader.join(10)
    assert isinstance(outcome[1], deadline.TooSlow)
    assert time.perf_counter() - started < 5


def test_the_next_read_after_a_stopped_one_answers_in_full(store: Any) -> None:
    """A stopped read leaves nothing behind: no open transaction, no timeout on the connection for the next."""
    for _ in range(3):
        with deadline.within(SHORT), pytest.raises(deadline.TooSlow):
            slow_read(store)
        assert store.count(COLLECTION) == COUNT  # outside a request: no deadline at all
        with deadline.within(60):
            assert len(slow_read(store)) == 1000


def test_a_read_once_the_time_is_up_does_not_start(store: Any) -> None:
    """A request whose time has run out between two reads does not start the second."""
    with deadline.within(0), pytest.raises(deadline.TooSlow):
        store.count(COLLECTION)


@contextmanager
def served_within(large_project: Path, seconds: float) -> Iterator[str]:
    """The large project served with [server] request_seconds set; yields its base URL."""
    with clean_settings_environment():
        config = large_project.parent / f"within-{seconds}.toml"
        config.write_text(
            large_project.read_text(encoding="utf-8") + f"\n[server]\nrequest_seconds = {seconds}\n", encoding="utf-8"
        )
        with running(create_app(load_settings(config))) as base:
            yield base


@pytest.fixture(scope="module")
def hurried(large_project: Path) -> Iterator[str]:
    """The large project served with 50 ms for each request."""
    with served_within(large_project, 0.05) as base:
        yield base


def test_an_api_request_past_its_deadline_is_a_503_that_says_what_to_do(hurried: str) -> None:
    """The API stops a request that needs longer than request_seconds with an OGC exception, not a hang or a 500."""
    near = f"{CENTRE[0]},{CENTRE[1]}"
    answer = get(f"{hurried}/api/collections/{COLLECTION}/items?near={near}&Category=Unisex&limit=1000&offset=9000")
    assert answer.status == 503
    body = answer.json()
    assert body["code"] == "ServiceUnavailable"
    assert "0.05 seconds" in body["description"]
    assert "bbox" in body["description"]
    assert get(f"{hurried}/api/conformance").status == 200  # the server is free for the next request


def test_a_page_past_its_deadline_is_a_503_page(large_project: Path) -> None:
    """The home page gives a person the same words, as a page (5 ms: too little to count a filtered collection)."""
    with served_within(large_project, 0.005) as base:
        answer = get(f"{base}/?Category=Unisex")
    assert answer.status == 503
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "0.005 seconds" in answer.text


def test_a_word_search_answers_with_what_it_found_in_time(large_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A word search shares the request's time: past its share it stops and says so rather than fail."""
    with served_within(large_project, 1) as base:
        answer = get(f"{base}/?q=station")
        assert answer.status == 200
        assert "Showing 1 to 20 of 1,000 or more." in answer.text  # every seventh toilet: past the count's limit
        monkeypatch.setattr(pages, "SEARCH_SHARE", 1e-6)  # a microsecond of the request's second
        started = time.perf_counter()
        answer = get(f"{base}/?q=station&near=52.5,-1.5")
        elapsed = time.perf_counter() - started
    assert answer.status == 200
    assert elapsed < 2.0  # the deadline, and a second to build and send the page
    assert "The search stopped before it found anything" in answer.text


def test_a_client_that_hangs_up_stops_its_request_on_a_real_server(large_project: Path) -> None:
    """Closing the connection mid-request marks its deadline gone, through uvicorn and the middleware."""
    seen: list[str] = []
    done = threading.Event()

    def wait_for_client() -> dict[str, str]:  # a route of the test's own: works until told to stop
        limit = deadline.current()
        assert limit is not None
        try:
            for _ in range(2000):
                limit.check()
                time.sleep(0.01)
            seen.append("never stopped")
        except deadline.TooSlow:
            seen.append("gone" if limit.gone.is_set() else "timed out")
        finally:
            done.set()
        return {}

    with clean_settings_environment():
        app = create_app(load_settings(large_project))
        app.add_api_route("/test-waits", wait_for_client, methods=["GET"])
        with running(app) as base:
            address = urlsplit(base)
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
            connection.request("GET", "/test-waits")
            time.sleep(0.2)
            started = time.perf_counter()
            connection.sock.close()
            assert done.wait(5)
            assert seen == ["gone"]
            assert time.perf_counter() - started < 2


def test_the_middleware_relays_every_message_and_notices_the_disconnect() -> None:
    """The app reads the request's messages as they came, and its deadline is gone once the client is."""
    messages = [{"type": "http.request", "body": b"x", "more_body": False}, {"type": "http.disconnect"}]
    got: list[Any] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(0.05)
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        limit = deadline.current()
        got.append(await receive())
        got.append(await receive())
        got.append(await receive())  # asked again after the disconnect: still gone
        for _ in range(100):
            if limit.gone.is_set():
                break
            await asyncio.sleep(0.01)
        got.append(limit.gone.is_set())
        await send({"type": "http.response.start", "status": 204, "headers": []})

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    asyncio.run(Deadlines(app, seconds=5)({"type": "http"}, receive, send))
    assert got == [
        {"type": "http.request", "body": b"x", "more_body": False},
        {"type": "http.disconnect"},
        {"type": "http.disconnect"},
        True,
    ]
    assert sent[0]["status"] == 204
    assert deadline.current() is None  # the deadline ends with the request


def test_request_seconds_must_be_positive_and_bounded(write_place_toml: Any, place_values: dict[str, Any]) -> None:
    """A deadline of 0, a negative one or one above ten minutes is refused naming the key; 10 s by default."""
    for value in (0, -1, 601):
        config = write_place_toml({**place_values, "server": {"request_seconds": value}})
        with pytest.raises(ConfigError, match="request_seconds"):
            load_settings(config)
    assert load_settings(write_place_toml(place_values)).settings.server.request_seconds == 10


FUZZ_REQUESTS = 120
FUZZ_SECONDS = 1.0  # the served app's request_seconds
CEILING = FUZZ_SECONDS + 1.0  # the longest any answer may take, the time to send it included


def fuzzed_query(draw: random.Random) -> str:
    """A page or API request combining words, a point, filters, a box, dates and deep paging at random."""
    api = draw.random() < 0.5
    parameters: list[tuple[str, str]] = []
    lon, lat = CENTRE[0] + draw.uniform(-3, 3), CENTRE[1] + draw.uniform(-2, 2)
    if draw.random() < 0.5:
        parameters.append(("near", f"{lon:.4f},{lat:.4f}" if api else f"{lat:.4f},{lon:.4f}"))
    if draw.random() < 0.4:
        parameters.append(("Category", draw.choice(["Unisex", "Children only", "Female", "Male urinal"])))
    if draw.random() < 0.3:
        parameters.append(("BabyChange", draw.choice(["yes", "no"])))
    if draw.random() < 0.3:
        size = draw.choice([0.001, 0.1, 2.0, 10.0])
        parameters.append(("bbox", f"{lon:.4f},{lat:.4f},{lon + size:.4f},{lat + size:.4f}"))
    if draw.random() < 0.2:
        parameters.append(("datetime", draw.choice(["2024-03-01/2024-06-30", "../2024-01-15", "2025-01-01/.."])))
    if not api and draw.random() < 0.4:
        parameters.append(("q", " ".join(draw.sample(["station", "park", "zz", "market", "t1"], draw.randint(1, 3)))))
    if api:
        parameters.append(("limit", str(draw.choice([1, 10, 1000]))))
        parameters.append(("offset", str(draw.choice([0, 1000, 9000, 59_990, 10**6]))))
        return f"/api/collections/{COLLECTION}/items?{urlencode(parameters)}"
    parameters.append(("page", str(draw.choice([1, 2, 50, 450, 3000]))))
    return f"/?{urlencode(parameters)}"


@pytest.mark.slow
def test_no_combination_of_parameters_outlasts_the_deadline(large_project: Path) -> None:
    """Random combinations of the page's and the API's parameters on the large store: each answered in time.

    Every answer is a 200, a 400 (a combination the API refuses, such as a
    near page past its depth) or a 503 from the deadline, never a 5xx of
    another kind, and none takes longer than the deadline and a second.
    """
    draw = random.Random(20261205)  # noqa: S311 (the same requests each run, not secrets)
    times: list[float] = []
    statuses: Counter[int] = Counter()
    with served_within(large_project, FUZZ_SECONDS) as base:
        for _ in range(FUZZ_REQUESTS):
            query = fuzzed_query(draw)
            started = time.perf_counter()
            answer = get(base + query)
            elapsed = time.perf_counter() - started
            times.append(elapsed)
            statuses[answer.status] += 1
            assert answer.status in {200, 400, 503}, (query, answer.status, answer.text[:300])
            assert elapsed < CEILING, (query, elapsed)
    times.sort()
    print(  # the figures docs/reliability.md gives, with -s
        f"\n{FUZZ_REQUESTS} requests on {COUNT:,} toilets: {dict(statuses)}, "
        f"p50 {times[len(times) // 2] * 1000:.0f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.0f} ms, "
        f"longest {times[-1] * 1000:.0f} ms"
    )
    assert statuses[200] > FUZZ_REQUESTS / 2  # the deadline stops the few costly plans, not the common ones


def test_serve_stops_promptly_on_sigterm_with_costly_requests_under_way(large_project: Path, tmp_path: Path) -> None:
    """SIGTERM while word searches are under way: serve waits at most their deadline, then exits cleanly."""
    config = large_project.parent / "sigterm.toml"
    config.write_text(large_project.read_text(encoding="utf-8") + "\n[server]\nrequest_seconds = 3\n", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "local_data_app", "--config", str(config), "serve", "--port", str(port)]
    with clean_settings_environment():
        server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while True:
            try:
                get(base + "/healthz")
                break
            except OSError:
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() - started < 30, "serve did not start"
                time.sleep(0.1)
        answers: list[Any] = []

        def search() -> None:
            try:
                answers.append(get(f"{base}/?q=zz+station&near={CENTRE[1]},{CENTRE[0]}").status)
            except OSError as error:
                answers.append(type(error).__name__)

        searches = [threading.Thread(target=search) for _ in range(3)]
        for thread in searches:
            thread.start()
        time.sleep(0.5)
        stopping = time.monotonic()
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
        stopped_in = time.monotonic() - stopping
        for thread in searches:
            thread.join(10)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode in {0, -signal.SIGTERM}, output  # uvicorn ends by raising the signal it handled
    assert "Finished server process" in output
    assert stopped_in < 3 + 2, output
    assert len(answers) == 3
    assert "Traceback" not in output
