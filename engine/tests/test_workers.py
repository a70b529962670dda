"""The worker threads: as many requests at once as the store reads at once, and health checks never behind them."""

from __future__ import annotations

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
import pytest
from conftest import clean_settings_environment, get, write_project

from local_data_app import deadline
from local_data_app.config import MOST_THREADS, load_settings
from local_data_app.errors import ConfigError
from local_data_app.ingest import ingest
from local_data_app.store import sqlite as sqlite_store
from local_data_app.testing import running
from local_data_app.web import create_app

WAIT = 10  # seconds a held route waits for the test at most, so that a failing test cannot hang


def project_with_threads(folder: Path, threads: int | None, database_url: str | None = None) -> Path:
    """The 23 toilets, loaded, with ``[server] threads`` set (or left out)."""
    config = write_project(folder, database_url=database_url)
    if threads is not None:
        config.write_text(config.read_text(encoding="utf-8") + f"\n[server]\nthreads = {threads}\n", encoding="utf-8")
    assert ingest(load_settings(config))[0].loaded == 23
    return config


class Held:
    """A route of the test's own, which keeps its worker thread until released."""

    def __init__(self) -> None:
        self.entered, self.released = threading.Event(), threading.Event()

    def route(self) -> dict[str, bool]:
        self.entered.set()
        return {"released": self.released.wait(WAIT)}


def test_requests_past_the_threads_wait_their_turn_while_health_checks_answer(tmp_path: Path) -> None:
    """With one thread, a held request makes the next wait; /healthz and /readyz answer meanwhile."""
    held = Held()
    with clean_settings_environment():
        app = create_app(load_settings(project_with_threads(tmp_path / "project", threads=1)))
        app.add_api_route("/test-held", held.route, methods=["GET"])
        with running(app) as base, ThreadPoolExecutor(2) as clients:
            first = clients.submit(get, base + "/test-held")
            assert held.entered.wait(WAIT)
            second = clients.submit(get, base + "/api/collections/toilets/items?limit=1")
            health, ready = get(base + "/healthz"), get(base + "/readyz")
            assert (health.status, health.json()) == (200, {"status": "ok", "collections": {"toilets": 23}})
            assert (ready.status, ready.json()) == (200, {"status": "ready"})
            time.sleep(0.2)
            assert not second.done(), "the second request ran beside the held one: more than one thread"
            held.released.set()
            assert (first.result(WAIT).status, first.result(WAIT).json()) == (200, {"released": True})
            answer = second.result(WAIT)
            assert (answer.status, answer.json()["numberReturned"]) == (200, 1)


def test_an_item_on_sqlite_needs_no_thread_and_on_postgresql_waits_for_one(tmp_path: Path, database_url: str) -> None:
    """With the one thread held, an item by its id answers at once on SQLite (on the event loop); PostgreSQL's waits."""
    held = Held()
    with clean_settings_environment():
        app = create_app(load_settings(project_with_threads(tmp_path / "project", 1, database_url)))
        app.add_api_route("/test-held", held.route, methods=["GET"])
        with running(app) as base, ThreadPoolExecutor(2) as clients:
            some = get(base + "/api/collections/toilets/items?limit=1").json()["features"][0]
            first = clients.submit(get, base + "/test-held")
            assert held.entered.wait(WAIT)
            item = clients.submit(get, base + f"/api/collections/toilets/items/{some['id']}")
            if database_url.startswith("sqlite:"):  # answered while the one thread is still held
                answer = item.result(WAIT / 2)
                assert not first.done()
            else:
                time.sleep(0.2)
                assert not item.done(), "the item ran beside the held request: not in a thread"
            held.released.set()
            assert first.result(WAIT).status == 200
            answer = item.result(WAIT)
    assert (answer.status, answer.json()["id"], answer.json()["properties"]) == (200, some["id"], some["properties"])


def test_a_client_that_goes_is_noticed_while_every_thread_is_busy(tmp_path: Path) -> None:
    """The news that a client hung up does not wait for a thread: the one thread is the request it stops."""
    seen: list[bool] = []
    done = threading.Event()

    def wait_for_client() -> dict[str, bool]:
        limit = deadline.current()
        assert limit is not None
        seen.append(limit.gone.wait(WAIT))
        done.set()
        return {}

    with clean_settings_environment():
        app = create_app(load_settings(project_with_threads(tmp_path / "project", threads=1)))
        app.add_api_route("/test-waits", wait_for_client, methods=["GET"])
        with running(app) as base:
            address = urlsplit(base)
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=WAIT)
            connection.request("GET", "/test-waits")
            time.sleep(0.2)
            started = time.perf_counter()
            connection.sock.close()
            assert done.wait(WAIT)
            assert seen == [True]
            assert time.perf_counter() - started < WAIT / 2


def test_unset_threads_are_the_stores_reads_at_once(tmp_path: Path, database_url: str) -> None:
    """Without [server] threads, the threads are the store's: its cores on SQLite, its connections on PostgreSQL."""
    sizes: list[Any] = []

    async def threads() -> dict[str, str]:  # in the event loop, whose limiter it reads
        sizes.append(anyio.to_thread.current_default_thread_limiter().total_tokens)
        return {}

    with clean_settings_environment():
        app = create_app(load_settings(project_with_threads(tmp_path / "project", None, database_url)))
        app.add_api_route("/test-threads", threads, methods=["GET"])
        with running(app) as base:
            assert get(base + "/test-threads").status == 200
            store = app.state.api.store
    expected = sqlite_store.usable_cores() if database_url.startswith("sqlite:") else 4
    assert sizes == [store.reads_at_once] == [expected]


@pytest.mark.parametrize(("cores", "reads"), [(1, 2), (2, 2), (4, 4), (8, 8), (64, 8)])
def test_sqlite_reads_at_once_follow_the_cores_within_bounds(
    monkeypatch: pytest.MonkeyPatch, cores: int, reads: int
) -> None:
    """One a core, at least two (a slow read leaves one for the rest) and at most eight (Python's lock is the limit)."""
    monkeypatch.setattr(sqlite_store.os, "sched_getaffinity", lambda _: set(range(cores)), raising=False)
    assert sqlite_store.usable_cores() == reads


def test_threads_must_be_a_whole_number_within_bounds(write_place_toml: Any, place_values: dict[str, Any]) -> None:
    """0, a negative number, more than the most or a fraction is refused naming the key; unset by default."""
    for value in (0, -2, MOST_THREADS + 1, 1.5):
        config = write_place_toml({**place_values, "server": {"threads": value}})
        with pytest.raises(ConfigError, match="threads"):
            load_settings(config)
    assert load_settings(write_place_toml(place_values)).settings.server.threads is None
    config = write_place_toml({**place_values, "server": {"threads": 3}})
    assert load_settings(config).settings.server.threads == 3
