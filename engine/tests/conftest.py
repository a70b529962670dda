"""Shared fixtures: a clean environment, temporary place.toml files with made-up values, and served apps.

The web tests (test_api.py, test_pages.py, test_owslib.py, test_export.py)
run against an ingested project of 23 made-up toilets served by uvicorn on
127.0.0.1, once on SQLite and once on PostgreSQL: see :func:`web_database_url`.
The PostgreSQL runs need a server: ``TEST_DATABASE_URL`` names a database the
tests may create schemas in (each module or store test gets a fresh schema,
dropped afterwards). Without it they skip, unless ``REQUIRE_POSTGRES=1``, when
they fail.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import json
import os
import sqlite3
import tomllib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from generated_project import generate

from local_data_app.config import load_settings
from local_data_app.ingest import ingest
from local_data_app.store import open_store
from local_data_app.testing import Answer, get, running  # noqa: F401 (the tests import them from here)
from local_data_app.web import create_app

# The default project generated from the template, once per run: the project the engine serves most often.
PROJECT_DIR = generate()
SHIPPED_PLACE_TOML = PROJECT_DIR / "place.toml"
PYPROJECT_TOML = PROJECT_DIR / "pyproject.toml"

# Variables the app reads; none from the real environment may leak into a test.
SETTINGS_VARIABLES = ("DATABASE_URL", "PLACE_TOML")
SETTINGS_PREFIX = "APP_"

# A complete, valid place.toml for an area that does not exist.
MADE_UP_PLACE: dict[str, dict[str, Any]] = dict(
    place=dict(name="Testshire", code="E06000999"),
    organisation=dict(
        name="Testshire Council",
        url="https://www.testshire.example",
        contact_email="open-data@testshire.example",
    ),
    map=dict(centre=[52.5, -1.5], zoom=11),
    dataset=dict(theme="public_toilets", licence="OGL-UK-3.0"),
)

WritePlaceToml = Callable[..., Path]

# Modules whose every test takes seconds (fuzzing, real GIS clients, killed subprocesses): `-m "not slow"` skips them.
SLOW_MODULES = {"test_openapi_fuzz.py", "test_page_fuzz.py", "test_owslib.py", "test_gdal.py", "test_reingest.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that run on PostgreSQL, and the slow modules, so that a quick run can leave them out."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgres" in callspec.params.values():
            item.add_marker(pytest.mark.postgres)
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Remove settings variables from the real environment and run each test in an empty folder."""
    for name in list(os.environ):
        if name.upper().startswith(SETTINGS_PREFIX) or name.upper() in SETTINGS_VARIABLES:
            monkeypatch.delenv(name)
    # Plain, predictable help text: no colours (Python 3.14's argparse) and a fixed width.
    for name in ("FORCE_COLOR", "PYTHON_COLORS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    work_dir = tmp_path / "cwd"
    work_dir.mkdir()
    monkeypatch.chdir(work_dir)


@pytest.fixture
def place_values() -> dict[str, dict[str, Any]]:
    """A fresh copy of the made-up place, safe for a test to change."""
    return copy.deepcopy(MADE_UP_PLACE)


@pytest.fixture
def shipped_place_toml() -> Path:
    """The project's own place.toml."""
    return SHIPPED_PLACE_TOML


@pytest.fixture
def shipped_values() -> dict[str, Any]:
    """The project's own place.toml, as tomllib reads it."""
    return tomllib.loads(SHIPPED_PLACE_TOML.read_text(encoding="utf-8"))


@pytest.fixture
def project_metadata() -> dict[str, Any]:
    """The [project] table of the project's pyproject.toml."""
    return tomllib.loads(PYPROJECT_TOML.read_text(encoding="utf-8"))["project"]


def toml_value(value: Any) -> str:
    """A value written as TOML: JSON strings, numbers and arrays are valid TOML too."""
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def toml_text(values: dict[str, Any]) -> str:
    """A place.toml document: a table per top-level key, and an array of tables (such as sources) per list."""
    lines: list[str] = []
    for table, entries in values.items():
        for entry in entries if isinstance(entries, list) else [entries]:
            lines.append(f"[[{table}]]" if isinstance(entries, list) else f"[{table}]")
            nested = {key: value for key, value in entry.items() if isinstance(value, dict)}
            lines.extend(f"{key} = {toml_value(value)}" for key, value in entry.items() if key not in nested)
            for key, value in nested.items():
                lines.append(f"[{table}.{key}]")
                lines.extend(f"{name} = {toml_value(item)}" for name, item in value.items())
            lines.append("")
    return "\n".join(lines)


@pytest.fixture
def write_place_toml(tmp_path: Path, place_values: dict[str, dict[str, Any]]) -> WritePlaceToml:
    """A function that writes a place.toml (the made-up place by default) and returns its path."""

    def write(values: dict[str, Any] | None = None, folder: str = "project") -> Path:
        directory = tmp_path.resolve() / folder
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "place.toml"
        path.write_text(toml_text(place_values if values is None else values), encoding="utf-8")
        return path

    return write


@pytest.fixture
def place_toml(write_place_toml: WritePlaceToml) -> Path:
    """A valid place.toml for the made-up place, alone in its folder."""
    return write_place_toml()


# --- PostgreSQL -------------------------------------------------------------------------------------------------

TEST_DATABASE_URL_ENV = "TEST_DATABASE_URL"
REQUIRE_POSTGRES_ENV = "REQUIRE_POSTGRES"
HOW_TO_RUN_POSTGRES_TESTS = (
    f"The PostgreSQL tests need a server: set {TEST_DATABASE_URL_ENV} to a database the tests may create "
    "schemas in. For example, start one with `docker run --rm -e POSTGRES_PASSWORD=pw -p 5432:5432 postgres:16` "
    f"and run `{TEST_DATABASE_URL_ENV}=postgresql://postgres:pw@localhost:5432/postgres uv run pytest`."
)
STORES = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """TEST_DATABASE_URL; without it the PostgreSQL tests skip, or fail when REQUIRE_POSTGRES=1."""
    url = os.environ.get(TEST_DATABASE_URL_ENV, "").strip()
    if not url:
        if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
            pytest.fail(f"{REQUIRE_POSTGRES_ENV}=1 but {TEST_DATABASE_URL_ENV} is not set. {HOW_TO_RUN_POSTGRES_TESTS}")
        pytest.skip(HOW_TO_RUN_POSTGRES_TESTS)
    return url


@contextmanager
def postgres_schema(server: str) -> Iterator[str]:
    """A new schema in the test server, dropped afterwards; yields a DATABASE_URL whose tables go in it."""
    import psycopg

    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute("SET lock_timeout = '60s'")
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="module", params=STORES)
def web_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The DATABASE_URL of a module's served app: a new SQLite file, or a new PostgreSQL schema dropped afterwards.

    Every test of a module that serves an app through this fixture runs once
    per kind of store, with one server (and one ingest) per kind.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite').resolve() / 'app.db'}"
        return
    with postgres_schema(request.getfixturevalue("postgres_server_url")) as url:
        yield url


@pytest.fixture(params=STORES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL for an empty store: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path.resolve() / 'app.db'}"
        return
    with postgres_schema(request.getfixturevalue("postgres_server_url")) as url:
        yield url


# --- Looking inside a store -------------------------------------------------------------------------------------


@contextlib.contextmanager
def opened(database_url: str, folder: Path) -> Iterator[Any]:
    """The store at ``database_url`` (paths relative to ``folder``), closed afterwards."""
    store = open_store(database_url, folder)
    try:
        yield store
    finally:
        store.close()


def tables(database_url: str) -> set[str]:
    """The tables in the store's database (for PostgreSQL, in its schema), seen from outside the store."""
    if database_url.startswith("sqlite:"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as db:
        rows = db.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        return {name for (name,) in rows}


def overwrite_page(database: Path, collection: str, table: str | None = None) -> None:
    """Fill the first page of a table (by default, the collection's live table) with bytes SQLite cannot read."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        roots = dict(db.execute("SELECT name, rootpage FROM sqlite_master WHERE type = 'table' AND rootpage > 0"))
        live = db.execute("SELECT table_name FROM _collections WHERE collection = ?", [collection]).fetchone()[0]
    with database.open("r+b") as file:
        file.seek((roots[table or live] - 1) * page_size)
        file.write(b"\xff" * page_size)


# --- Served projects --------------------------------------------------------------------------------------------

CATEGORIES = ("Unisex", "Female and Male", "Male urinal")
CENTRE = (-2.3, 53.45)
HOSTILE_NAME = "<script>alert(1)</script> Toilets'; DROP TABLE x; --"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def toilet_rows() -> list[dict[str, str]]:
    """23 toilets on a grid around the centre: every third is Unisex, every other has baby changing.

    Their extract dates run a month apart from 5 January 2024 (the 23rd is
    5 November 2025), and one id holds a slash.
    """
    rows = []
    for index in range(23):
        lon = CENTRE[0] + (index % 5) * 0.01
        lat = CENTRE[1] + (index // 5) * 0.01
        rows.append(
            {
                "Ref": f"T{index:02d}" if index != 22 else "T/22",
                "ExtractDate": f"05/{index % 12 + 1:02d}/{2024 + index // 12}",
                "OrganisationLabel": "Testshire",
                "ServiceTypeLabel": "Toilets",
                "LocationText": HOSTILE_NAME if index == 7 else f"Toilet {index}",
                "GeoX": f"{lon:.5f}",
                "GeoY": f"{lat:.5f}",
                "Category": CATEGORIES[index % 3],
                "BabyChange": "yes" if index % 2 == 0 else "no",
            }
        )
    return rows


def ward_rows() -> list[dict[str, str]]:
    """The 23 toilets, each with a Ward column the schema does not have."""
    return [{**row, "Ward": f"Ward {index % 4}"} for index, row in enumerate(toilet_rows())]


def write_project(
    folder: Path,
    rows: list[dict[str, str]] | None = None,
    name: str = "toilets",
    database_url: str | None = None,
    theme: str | None = None,
) -> Path:
    """A project whose one source is these rows (the 23 toilets by default) as a CSV; returns its place.toml.

    ``theme`` names another dataset theme than the made-up place's, for rows of that theme's shape.
    """
    rows = toilet_rows() if rows is None else rows
    source = {"name": name, "adapter": "csv", "location": write_csv(folder, name, rows), "fields": {"id": "Ref"}}
    place = {**MADE_UP_PLACE, "sources": [source]}
    if theme:
        place["dataset"] = {**MADE_UP_PLACE["dataset"], "theme": theme}
    config = folder / "place.toml"
    store = f"database_url = {json.dumps(database_url)}\n\n" if database_url else ""
    config.write_text(store + toml_text(place), encoding="utf-8")
    return config


def write_csv(folder: Path, name: str, rows: list[dict[str, str]]) -> str:
    """Write rows as data/raw/<name>.csv in a project folder; returns its location as place.toml gives it."""
    raw = folder / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    with (raw / f"{name}.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return f"data/raw/{name}.csv"


@contextmanager
def clean_settings_environment() -> Iterator[None]:
    """No settings variable of the real environment reaches a module-wide fixture."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.upper().startswith(SETTINGS_PREFIX) or name.upper() in SETTINGS_VARIABLES:
                patch.delenv(name)
        yield


@dataclass
class Served:
    base: str
    app: FastAPI
    config: Path


@contextmanager
def serving(
    folder: Path,
    rows: list[dict[str, str]],
    database_url: str | None = None,
    more_toml: str = "",
    name: str = "toilets",
    theme: str | None = None,
) -> Iterator[Served]:
    """A project of these rows in ``folder``, ingested into ``database_url`` and served on 127.0.0.1.

    ``more_toml`` is added to its place.toml (a [server] table, say); without
    ``database_url`` the store is the default SQLite file in the project.
    ``name`` and ``theme`` are the collection's and the dataset theme's, as
    :func:`write_project` takes them.
    """
    with clean_settings_environment():
        config = write_project(folder, rows, name=name, database_url=database_url, theme=theme)
        config.write_text(config.read_text(encoding="utf-8") + more_toml, encoding="utf-8")
        loaded = load_settings(config)
        (report,) = ingest(loaded)
        assert (report.loaded, report.rejected) == (len(rows), 0)
        app = create_app(loaded)
        with running(app) as base:
            yield Served(base, app, config)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Served]:
    """The app for an ingested project of 23 toilets, on each kind of store, running on 127.0.0.1.

    A module that needs other data (the pages' wards) defines its own ``served``.
    """
    with serving(tmp_path_factory.mktemp("project"), toilet_rows(), web_database_url) as served:
        yield served


# --- Reading pages ----------------------------------------------------------------------------------------------


class Page(HTMLParser):
    """A page's elements, their attributes and their text, as the standard library's parser reads them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []
        self.inline_scripts = 0
        self._open_script = False
        self._title: list[str] | None = None
        self.title = ""
        self.feed(text)
        self.close()
        self.text = " ".join(" ".join(self.texts).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        if tag == "title":
            self._title = []
        # A JSON-LD data block is data, never run: it is not an inline script (the about page carries one).
        self._open_script = tag == "script" and dict(attrs).get("type") != "application/ld+json"

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title is not None:
            self.title = "".join(self._title).strip()
            self._title = None
        if tag == "script":
            self._open_script = False

    def handle_data(self, data: str) -> None:
        if self._open_script and data.strip():
            self.inline_scripts += 1
        if self._title is not None:
            self._title.append(data)
        self.texts.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        """The attributes of every element of this tag having these attribute values ("" for present).

        ``data_feature`` names the attribute ``data-feature``, and ``class_``
        the attribute ``class`` (whose value must then match whole).
        """
        names = {key: key.rstrip("_").replace("_", "-") for key in attrs}
        found = []
        for name, values in self.elements:
            wanted = all(names[key] in values for key in attrs) and all(
                value == "" or values.get(names[key]) == value for key, value in attrs.items()
            )
            if name == tag and wanted:
                found.append(values)
        return found


def listed(found: Page) -> list[str]:
    """The names of the features in a page's list, in order."""
    return [item["data-name"] for item in found.find("li", data_feature="")]
