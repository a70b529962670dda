"""The [[sources]] entries of place.toml: checked when the settings load, with messages that name the fix."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import MADE_UP_PLACE, WritePlaceToml

from local_data_app.config import load_settings
from local_data_app.errors import ConfigError


def with_sources(*sources: dict[str, Any]) -> dict[str, Any]:
    return {**MADE_UP_PLACE, "sources": list(sources)}


def csv_source(**entry: Any) -> dict[str, Any]:
    return {"name": "toilets", "adapter": "csv", "location": "data/toilets.csv", **entry}


def test_a_source_with_adapter_options_loads(write_place_toml: WritePlaceToml) -> None:
    config = write_place_toml(
        with_sources(csv_source(encoding="cp1252", crs="osgb36", fields={"ManagedBy": "ManagingBy"}))
    )
    (source,) = load_settings(config).settings.sources
    assert (source.name, source.crs, source.fields, source.options) == (
        "toilets",
        "EPSG:27700",
        {"ManagedBy": "ManagingBy"},
        {"encoding": "cp1252"},
    )


@pytest.mark.parametrize(
    ("written", "code"),
    [("wgs84", "EPSG:4326"), (" OSGB36 ", "EPSG:27700"), ("bng", "EPSG:27700"), ("epsg:3857", "EPSG:3857")],
)
def test_a_source_crs_is_a_name_or_an_epsg_code_in_any_case(
    write_place_toml: WritePlaceToml, written: str, code: str
) -> None:
    (source,) = load_settings(write_place_toml(with_sources(csv_source(crs=written)))).settings.sources
    assert source.crs == code


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            csv_source(name="Public Toilets"),
            "sources.0.name (in place.toml): 'Public Toilets' is not valid: expected a collection id",
        ),
        (
            csv_source(adapter="excel"),
            "sources.0.adapter (in place.toml): 'excel' is not valid: expected an adapter name: one of",
        ),
        (csv_source(encodng="cp1252"), "sources.0 (in place.toml): encodng is not an option of the csv adapter"),
        (csv_source(encoding="ebcdic"), "sources.0 (in place.toml): encoding: Input should be"),
        (csv_source(crs="EPSG27700"), "expected WGS84, OSGB36 or an EPSG code such as EPSG:27700"),
        (csv_source(fields={"Manager": "ManagingBy"}), "maps Manager, which the public_toilets schema does not have"),
        (csv_source(location=""), "sources.0.location (in place.toml): '' is not valid"),
    ],
)
def test_bad_sources_are_refused_naming_the_key(
    write_place_toml: WritePlaceToml, entry: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write_place_toml(with_sources(entry)))
    assert message in str(caught.value)


def test_source_names_are_unique(write_place_toml: WritePlaceToml) -> None:
    with pytest.raises(ConfigError, match="two sources are named 'toilets'"):
        load_settings(write_place_toml(with_sources(csv_source(), csv_source())))


def test_sources_can_come_from_the_environment(
    write_place_toml: WritePlaceToml, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_place_toml(with_sources(csv_source()))
    monkeypatch.setenv("APP_SOURCES", json.dumps([csv_source(name="from-env", location="https://example.org/t.csv")]))
    loaded = load_settings(config)
    assert [source.name for source in loaded.settings.sources] == ["from-env"]
    assert loaded.origins["sources.0.name"] == "environment (APP_SOURCES)"
