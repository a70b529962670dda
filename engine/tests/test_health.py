"""/healthz and /readyz: what a load balancer is told about the database behind one app process."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import clean_settings_environment, get, overwrite_page, write_project

from local_data_app.config import load_settings
from local_data_app.ingest import ingest
from local_data_app.testing import running
from local_data_app.web import create_app


def test_a_new_replica_is_ready_only_once_every_source_has_a_load(tmp_path: Path, database_url: str) -> None:
    """Before ingest the process is healthy but not ready; after it, both."""
    with clean_settings_environment():
        config = write_project(tmp_path / "project", database_url=database_url)
        app = create_app(load_settings(config))
        with running(app) as base:
            assert (get(base + "/healthz").status, get(base + "/healthz").json()) == (
                200,
                {"status": "ok", "collections": {}},
            )
            waiting = get(base + "/readyz")
            assert (waiting.status, waiting.json()) == (503, {"status": "not ready"})
            assert ingest(load_settings(config))[0].loaded == 23
            ready = get(base + "/readyz")
            assert (ready.status, ready.json()) == (200, {"status": "ready"})
            assert ready.headers["Access-Control-Allow-Origin"] == "*"
            assert get(base + "/healthz").json() == {"status": "ok", "collections": {"toilets": 23}}


def test_a_damaged_database_is_unhealthy_and_says_why_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A table damaged on disk fails the start-up check: both checks are 503, the log names the fault."""
    database = tmp_path / "app.db"
    with clean_settings_environment():
        config = write_project(tmp_path / "project", database_url=f"sqlite:///{database}")
        assert ingest(load_settings(config))[0].loaded == 23
        overwrite_page(database, "toilets")
        with caplog.at_level(logging.ERROR), running(create_app(load_settings(config))) as base:
            health, ready = get(base + "/healthz"), get(base + "/readyz")
    assert (health.status, health.json()) == (503, {"status": "unavailable"})
    assert (ready.status, ready.json()) == (503, {"status": "not ready"})
    assert "The database is damaged" in caplog.text
    assert str(database) in caplog.text
    assert "Traceback" not in health.text


def test_a_store_that_fails_a_real_read_is_unhealthy(tmp_path: Path, database_url: str) -> None:
    """A collection whose table has gone (dropped by hand, say) fails the health check's read of one feature."""
    with clean_settings_environment():
        config = write_project(tmp_path / "project", database_url=database_url)
        assert ingest(load_settings(config))[0].loaded == 23
        app = create_app(load_settings(config))
        with running(app) as base:
            assert get(base + "/healthz").status == 200
            store = app.state.api.store
            table = next(iter(p.collection for p in store.provenance()))
            drop_live_table(database_url, table)
            assert get(base + "/healthz").status == 503
            assert get(base + "/readyz").status == 503


def drop_live_table(database_url: str, collection: str) -> None:
    """Drop a collection's live table from outside the app, as a mistaken hand would."""
    if database_url.startswith("sqlite:"):
        import contextlib
        import sqlite3

        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            (table,) = db.execute("SELECT table_name FROM _collections WHERE collection = ?", [collection]).fetchone()
            db.execute(f"DROP TABLE {table}")
            db.commit()
        return
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as db:
        (table,) = db.execute("SELECT table_name FROM _collections WHERE collection = %s", [collection]).fetchone()
        db.execute(f"DROP TABLE {table}")
