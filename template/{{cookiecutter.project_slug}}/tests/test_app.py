"""The app as this project configures it: its settings, its sample data, its checks, its pages and its API."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PROJECT
from local_data_app.checks import Project, run_checks
from local_data_app.cli import main
from local_data_app.config import load_settings
from local_data_app.ingest import ingest
from local_data_app.testing import copy_project, get, running
from local_data_app.web import create_app


def sample_sources(folder: Path) -> str:
    """[[sources]] entries for the CSV files of data/sample/, however place.toml's own sources have changed."""
    return "".join(
        f'[[sources]]\nname = "{path.stem}"\nadapter = "csv"\nlocation = "data/sample/{path.name}"\n\n'
        for path in sorted((folder / "data" / "sample").glob("*.csv"))
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, settings_only: str) -> Path:
    """A copy of this project whose sources are its sample data (the project's own database stays as it is)."""
    copy = copy_project(PROJECT, tmp_path_factory.mktemp("app") / PROJECT.name)
    (copy / "place.toml").write_text(settings_only + sample_sources(copy), encoding="utf-8")
    return copy


def test_the_settings_load_from_place_toml() -> None:
    """place.toml is valid, and the place it names is the one the settings hold."""
    place = tomllib.loads((PROJECT / "place.toml").read_text(encoding="utf-8"))
    settings = load_settings(PROJECT / "place.toml").settings
    assert settings.place.name == place["place"]["name"]
    assert settings.place.code == place["place"]["code"]


def test_the_sample_data_loads_with_no_rejects(project: Path) -> None:
    """Every row of data/sample/ loads: none is rejected."""
    reports = ingest(load_settings(project / "place.toml"))
    assert reports
    for report in reports:
        assert report.error is None, report.error
        assert report.loaded > 0
        assert report.rejected == 0


def test_the_design_to_scale_checks_pass(project: Path) -> None:
    """`check` finds nothing that stops another area reusing the project."""
    report = run_checks(Project.find(PROJECT / "place.toml"), only=["place-literals", "licences", "checklist"])
    assert report.ok, [(result.id, result.findings) for result in report.results]


@pytest.fixture(scope="module")
def served(project: Path) -> Iterator[str]:
    """The app serving the loaded sample data on 127.0.0.1."""
    loaded = load_settings(project / "place.toml")
    ingest(loaded)
    with running(create_app(loaded)) as base:
        yield base


@pytest.mark.parametrize("path", ["/", "/about", "/api", "/api/conformance", "/healthz"])
def test_the_pages_and_the_api_answer(served: str, path: str) -> None:
    """Each kind of page, the API's landing page and conformance, and the health check answer 200."""
    assert get(served + path).status == 200


def test_the_api_serves_the_sample_as_features(served: str) -> None:
    """The first collection of the OGC API - Features holds the sample's records as GeoJSON."""
    collections = get(served + "/api/collections").json()["collections"]
    items = get(f"{served}/api/collections/{collections[0]['id']}/items").json()
    assert items["type"] == "FeatureCollection"
    assert items["numberReturned"] > 0


def test_version_names_this_project_and_the_engine(capsys: pytest.CaptureFixture[str]) -> None:
    """`--version` shows this project's version and the engine's."""
    with pytest.raises(SystemExit):
        main(["--version"], project="{{ cookiecutter.project_slug }}")
    shown = capsys.readouterr().out
    assert shown.startswith("{{ cookiecutter.project_slug }} ")
    assert ", local-data-app " in shown
