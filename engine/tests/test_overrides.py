"""A project's own page templates and static files replace the engine's, live and in the static export."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from dataclasses import astuple
from pathlib import Path

import pytest
from conftest import Page, clean_settings_environment, toilet_rows, write_project

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
    assert '<h1 class="govuk-heading-l">About this app and its data</h1>' in about.text  # the engine's page is kept
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


# --- Static files served for phones: versioned addresses, caching and gzip (web/assets.py) ---------------------------


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=6).hexdigest()


def test_pages_link_each_static_file_by_a_version_of_the_bytes_served(base: str) -> None:
    """The project's app.css is versioned by its own bytes, Leaflet by the engine's: a changed file, a new address."""
    page = Page(get(base + "/").text)
    styles = {link["href"] for link in page.find("link", rel="stylesheet")}
    scripts = {script["src"] for script in page.find("script", src="")}
    assert f"/static/app.css?v={digest(CSS.encode())}" in styles
    leaflet = (ENGINE_STATIC / "vendor" / "leaflet" / "leaflet.js").read_bytes()
    assert f"/static/vendor/leaflet/leaflet.js?v={digest(leaflet)}" in scripts


def test_the_current_version_is_cached_for_a_year_and_any_other_address_revalidates(base: str) -> None:
    current = f"{base}/static/app.css?v={digest(CSS.encode())}"
    status, headers, body = astuple(get(current))
    assert (status, headers["Cache-Control"], body) == (200, "public, max-age=31536000, immutable", CSS.encode())
    for other in (f"{base}/static/app.css", f"{base}/static/app.css?v=0123456789ab", current + "&v=again"):
        status, headers, body = astuple(get(other))
        assert (status, headers["Cache-Control"], body) == (200, "no-cache", CSS.encode()), other
    # Revalidation: the ETag given comes back as 304, still marked for revalidation.
    headers = get(f"{base}/static/app.css").headers
    status, headers, body = astuple(get(f"{base}/static/app.css", **{"If-None-Match": headers["ETag"]}))
    assert (status, headers["Cache-Control"], body) == (304, "no-cache", b"")
    assert get(f"{base}/static/missing.css?v=0123456789ab").status == 404


def test_text_files_are_gzipped_when_the_browser_accepts_it_and_images_are_not(base: str) -> None:
    leaflet = (ENGINE_STATIC / "vendor" / "leaflet" / "leaflet.js").read_bytes()
    status, headers, body = astuple(get(base + "/static/vendor/leaflet/leaflet.js", **{"Accept-Encoding": "gzip"}))
    assert (status, headers["Content-Encoding"], gzip.decompress(body)) == (200, "gzip", leaflet)
    assert len(body) < len(leaflet) / 2
    assert "Accept-Encoding" in headers["Vary"]
    status, headers, body = astuple(get(base + "/static/vendor/leaflet/leaflet.js"))
    assert (status, headers["Content-Encoding"], body) == (200, None, leaflet)
    png = (ENGINE_STATIC / "vendor" / "leaflet" / "images" / "layers.png").read_bytes()
    status, headers, body = astuple(
        get(base + "/static/vendor/leaflet/images/layers.png", **{"Accept-Encoding": "gzip"})
    )
    assert (status, headers["Content-Encoding"], body) == (200, None, png)
