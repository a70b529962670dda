"""A project's own page templates and static files replace the engine's, live and in the static export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import clean_settings_environment, toilet_rows, write_project

from local_data_app.config import load_settings
from local_data_app.export import export_site
from local_data_app.ingest import ingest
from local_data_app.testing import get, running
from local_data_app.web import create_app
from local_data_app.web.overrides import ENGINE_STATIC

# An about page that extends the engine's own and adds a paragraph: the way a team adds its words.
ABOUT = """{% extends "engine/about.html" %}
{% block content %}
{{ super() }}
<p id="our-words">Run by our open data team.</p>
{% endblock %}
"""
CSS = "/* our colours */\nbody { color: #0b0c0c; }\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An ingested project with templates/about.html, static/app.css (replacing the engine's) and static/our.txt."""
    folder = tmp_path_factory.mktemp("project")
    with clean_settings_environment():
        config = write_project(folder, toilet_rows())
        (folder / "templates").mkdir()
        (folder / "templates" / "about.html").write_text(ABOUT, encoding="utf-8")
        (folder / "static").mkdir()
        (folder / "static" / "app.css").write_text(CSS, encoding="utf-8")
        (folder / "static" / "our.txt").write_text("ours\n", encoding="utf-8")
        ingest(load_settings(config))
        yield folder


@pytest.fixture(scope="module")
def base(project: Path) -> Iterator[str]:
    with clean_settings_environment(), running(create_app(load_settings(project / "place.toml"))) as url:
        yield url


def test_a_project_template_replaces_the_engines_and_can_extend_it(base: str) -> None:
    """/about is the project's template, which keeps the engine's page through {% extends "engine/..." %}."""
    about = get(base + "/about")
    assert about.status == 200
    assert '<p id="our-words">Run by our open data team.</p>' in about.text
    assert "<h1>About this app and its data</h1>" in about.text  # the engine's page is kept
    assert 'id="our-words"' not in get(base + "/").text  # other pages are still the engine's


def test_project_static_files_come_first_and_the_engines_fill_in(base: str) -> None:
    """static/app.css is the project's, static/our.txt is added, and Leaflet is still the engine's."""
    assert get(base + "/static/app.css").text == CSS
    assert get(base + "/static/our.txt").text == "ours\n"
    leaflet = get(base + "/static/vendor/leaflet/leaflet.js")
    assert leaflet.body == (ENGINE_STATIC / "vendor" / "leaflet" / "leaflet.js").read_bytes()
    assert get(base + "/static/../place.toml").status == 404


def test_the_static_export_uses_the_same_overrides(project: Path, tmp_path: Path) -> None:
    """The exported site has the project's about page and static files over the engine's."""
    with clean_settings_environment():
        export_site(load_settings(project / "place.toml"), tmp_path / "site")
    site = tmp_path / "site"
    assert 'id="our-words"' in (site / "about.html").read_text(encoding="utf-8")
    assert (site / "static" / "app.css").read_text(encoding="utf-8") == CSS
    assert (site / "static" / "our.txt").is_file()
    assert (site / "static" / "app.js").read_bytes() == (ENGINE_STATIC / "app.js").read_bytes()


def test_a_project_without_overrides_gets_the_engines_pages(tmp_path: Path) -> None:
    """No templates/ or static/ folder: everything is the engine's."""
    with clean_settings_environment():
        config = write_project(tmp_path, toilet_rows())
        loaded = load_settings(config)
        ingest(loaded)
        with running(create_app(loaded)) as url:
            assert get(url + "/static/app.css").body == (ENGINE_STATIC / "app.css").read_bytes()
            assert 'id="our-words"' not in get(url + "/about").text
