"""Tests for the settings: place.toml, .env and environment overrides, validation and origins."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from local_data_app.config import (
    CONFIG_ENV,
    CONFIG_FILE,
    LoadedSettings,
    effective_settings,
    env_var,
    find_config,
    load_settings,
)
from local_data_app.errors import AppError, ConfigError

PLACE_NAMES = [
    "Ynys Môn",
    "King's Lynn and West Norfolk",
    "King\u2019s Lynn and West Norfolk",
    "Brighton & Hove",
    "Rhondda Cynon Taf / Rhondda Cynon Tâf",
]


def flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables, and arrays of tables such as [[sources]], as one dict keyed by dotted names."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            flat.update(flatten({str(index): item for index, item in enumerate(value)}, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def origins_of(loaded: LoadedSettings) -> dict[str, str]:
    """Each dotted key of the effective settings and where it came from."""
    return {key: origin for key, _, origin in effective_settings(loaded)}


def values_of(loaded: LoadedSettings) -> dict[str, Any]:
    """Each dotted key of the effective settings and its value."""
    return {key: value for key, value, _ in effective_settings(loaded)}


def config_error(path: Path) -> str:
    """The message of the ConfigError that loading ``path`` raises."""
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return str(caught.value)


# The shipped place.toml


def test_shipped_place_toml_is_valid(shipped_place_toml: Path) -> None:
    """It loads the project's own place.toml and records where it was found."""
    loaded = load_settings(shipped_place_toml)
    assert loaded.config_path == shipped_place_toml
    assert loaded.project_dir == shipped_place_toml.parent


def test_shipped_values_come_from_place_toml(
    shipped_place_toml: Path, shipped_values: dict[str, Any], tmp_path: Path
) -> None:
    """It gives every value of the shipped place.toml exactly as tomllib reads it, sourced from place.toml."""
    copied = tmp_path / "shipped" / CONFIG_FILE
    copied.parent.mkdir()
    shutil.copyfile(shipped_place_toml, copied)
    loaded = load_settings(copied)
    expected = flatten(shipped_values)
    assert expected
    values = values_of(loaded)
    origins = origins_of(loaded)
    for key, value in expected.items():
        assert values[key] == value, key
        assert origins[key] == CONFIG_FILE, key


def test_shipped_place_fields(shipped_place_toml: Path, shipped_values: dict[str, Any]) -> None:
    """It maps the shipped [place] and [organisation] tables onto the settings' attributes."""
    settings = load_settings(shipped_place_toml).settings
    assert settings.place.name == shipped_values["place"]["name"]
    assert settings.place.code == shipped_values["place"]["code"]
    assert settings.organisation.name == shipped_values["organisation"]["name"]
    assert list(settings.map.centre) == shipped_values["map"]["centre"]


def test_defaults_fill_optional_settings(write_place_toml, place_values: dict[str, Any]) -> None:
    """It uses the documented defaults for settings place.toml leaves out."""
    del place_values["map"]["zoom"]
    loaded = load_settings(write_place_toml(place_values))
    origins = origins_of(loaded)
    assert loaded.settings.map.zoom == 12
    assert loaded.settings.database_url == "sqlite:///data/app.db"
    for key in ("map.zoom", "map.tile_url", "map.tile_attribution", "database_url"):
        assert origins[key] == "default", key


def test_settings_are_frozen(place_toml: Path) -> None:
    """It refuses to change settings once loaded."""
    settings = load_settings(place_toml).settings
    with pytest.raises(ValueError, match="frozen"):
        settings.place.name = "Elsewhere"


# Names with Welsh letters, apostrophes and ampersands


@pytest.mark.parametrize("name", PLACE_NAMES)
def test_names_round_trip(write_place_toml, place_values: dict[str, Any], name: str) -> None:
    """It keeps a place name with accents, apostrophes or ampersands exactly as written in place.toml."""
    place_values["place"]["name"] = name
    place_values["organisation"]["name"] = "Cyngor " + name
    path = write_place_toml(place_values)
    assert name in path.read_text(encoding="utf-8")
    settings = load_settings(path).settings
    assert settings.place.name == name
    assert settings.organisation.name == "Cyngor " + name


def test_literal_string_names_round_trip(place_toml: Path) -> None:
    """It reads a name written as a TOML literal string unchanged."""
    text = place_toml.read_text(encoding="utf-8").replace('name = "Testshire"', "name = 'Brighton & Hove'")
    place_toml.write_text(text, encoding="utf-8")
    assert load_settings(place_toml).settings.place.name == "Brighton & Hove"


@pytest.mark.parametrize("name", PLACE_NAMES)
def test_names_round_trip_from_environment(monkeypatch: pytest.MonkeyPatch, place_toml: Path, name: str) -> None:
    """It keeps a non-ASCII place name from the environment exactly."""
    monkeypatch.setenv("APP_PLACE__NAME", name)
    assert load_settings(place_toml).settings.place.name == name


def test_names_round_trip_from_dotenv(place_toml: Path) -> None:
    """It keeps a non-ASCII place name from a UTF-8 .env file exactly."""
    (place_toml.parent / ".env").write_text("APP_PLACE__NAME='Ynys Môn'\n", encoding="utf-8")
    assert load_settings(place_toml).settings.place.name == "Ynys Môn"


# Overrides: .env beside place.toml, then the environment


def test_environment_overrides_one_key(monkeypatch: pytest.MonkeyPatch, place_toml: Path) -> None:
    """It takes place.name from APP_PLACE__NAME while place.code still comes from the file."""
    monkeypatch.setenv("APP_PLACE__NAME", "Elsewhere")
    loaded = load_settings(place_toml)
    assert loaded.settings.place.name == "Elsewhere"
    assert loaded.settings.place.code == "E06000999"
    assert loaded.settings.organisation.name == "Testshire Council"


def test_environment_override_is_case_insensitive(monkeypatch: pytest.MonkeyPatch, place_toml: Path) -> None:
    """It accepts an override variable written in lower case."""
    monkeypatch.setenv("app_place__name", "Elsewhere")
    assert load_settings(place_toml).settings.place.name == "Elsewhere"


def test_environment_overrides_numbers_and_lists(monkeypatch: pytest.MonkeyPatch, place_toml: Path) -> None:
    """It parses APP_MAP__ZOOM as a number and APP_MAP__CENTRE as a JSON list."""
    monkeypatch.setenv("APP_MAP__ZOOM", "15")
    monkeypatch.setenv("APP_MAP__CENTRE", "[51.48, -3.18]")
    settings = load_settings(place_toml).settings
    assert settings.map.zoom == 15
    assert settings.map.centre == (51.48, -3.18)


def test_database_url_from_environment(monkeypatch: pytest.MonkeyPatch, place_toml: Path) -> None:
    """It takes database_url from DATABASE_URL, without the APP_ prefix."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.example.org:5432/app")
    assert load_settings(place_toml).settings.database_url == "postgresql://app@db.example.org:5432/app"


def test_database_url_from_place_toml(write_place_toml, place_values: dict[str, Any]) -> None:
    """It accepts database_url as a top-level key of place.toml."""
    path = write_place_toml(place_values)
    path.write_text('database_url = "sqlite:///elsewhere.db"\n\n' + path.read_text(encoding="utf-8"), encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.settings.database_url == "sqlite:///elsewhere.db"
    assert origins_of(loaded)["database_url"] == CONFIG_FILE


def test_dotenv_overrides_place_toml(place_toml: Path) -> None:
    """It lets a .env file beside place.toml override the file's values."""
    (place_toml.parent / ".env").write_text(
        "APP_PLACE__NAME=From Dotenv\nAPP_MAP__ZOOM=9\nDATABASE_URL=sqlite:///dotenv.db\n", encoding="utf-8"
    )
    settings = load_settings(place_toml).settings
    assert settings.place.name == "From Dotenv"
    assert settings.place.code == "E06000999"
    assert settings.map.zoom == 9
    assert settings.database_url == "sqlite:///dotenv.db"


def test_environment_overrides_dotenv(monkeypatch: pytest.MonkeyPatch, place_toml: Path) -> None:
    """It lets the real environment override a .env file."""
    (place_toml.parent / ".env").write_text("APP_PLACE__NAME=From Dotenv\nAPP_MAP__ZOOM=9\n", encoding="utf-8")
    monkeypatch.setenv("APP_PLACE__NAME", "From Environment")
    settings = load_settings(place_toml).settings
    assert settings.place.name == "From Environment"
    assert settings.map.zoom == 9


def test_dotenv_in_working_directory_is_ignored(place_toml: Path) -> None:
    """It reads .env only beside place.toml, not from the working directory."""
    Path(".env").write_text("APP_PLACE__NAME=From Working Directory\n", encoding="utf-8")
    assert load_settings(place_toml).settings.place.name == "Testshire"


# Where each setting came from


def test_origins_name_each_source(monkeypatch: pytest.MonkeyPatch, place_toml: Path) -> None:
    """It reports place.toml, .env (APP_...), environment (APP_...) or default for each key."""
    (place_toml.parent / ".env").write_text(
        "APP_MAP__ZOOM=9\nAPP_ORGANISATION__NAME=Dotenv Council\nDATABASE_URL=sqlite:///dotenv.db\n", encoding="utf-8"
    )
    monkeypatch.setenv("APP_PLACE__NAME", "Elsewhere")
    monkeypatch.setenv("APP_ORGANISATION__NAME", "Environment Council")
    origins = origins_of(load_settings(place_toml))
    assert origins["place.name"] == "environment (APP_PLACE__NAME)"
    assert origins["organisation.name"] == "environment (APP_ORGANISATION__NAME)"
    assert origins["map.zoom"] == ".env (APP_MAP__ZOOM)"
    assert origins["database_url"] == ".env (DATABASE_URL)"
    assert origins["place.code"] == CONFIG_FILE
    assert origins["map.centre"] == CONFIG_FILE
    assert origins["map.tile_url"] == "default"


def test_origin_of_database_url_from_environment(monkeypatch: pytest.MonkeyPatch, place_toml: Path) -> None:
    """It reports DATABASE_URL from the environment as environment (DATABASE_URL)."""
    monkeypatch.setenv("DATABASE_URL", "sqlite:///env.db")
    assert origins_of(load_settings(place_toml))["database_url"] == "environment (DATABASE_URL)"


def test_effective_settings_cover_every_setting(place_toml: Path) -> None:
    """It lists every setting once, as (dotted key, value, origin), in a stable order."""
    loaded = load_settings(place_toml)
    rows = effective_settings(loaded)
    keys = [key for key, _, _ in rows]
    assert keys == [
        "place.name",
        "place.code",
        "place.languages",
        "organisation.name",
        "organisation.url",
        "organisation.contact_email",
        "organisation.report_url",
        "map.centre",
        "map.zoom",
        "map.tile_url",
        "map.tile_attribution",
        "dataset.theme",
        "dataset.licence",
        "areas",
        "sources",
        "export.base_path",
        "export.public_url",
        "export.list_pages",
        "server.public_url",
        "server.hosts",
        "server.request_seconds",
        "server.threads",
        "service.published",
        "accessibility.status",
        "accessibility.prepared",
        "accessibility.reviewed",
        "accessibility.tested",
        "accessibility.manual_testing",
        "accessibility.known_issues",
        "accessibility.contact_email",
        "accessibility.reply_days",
        "privacy.controller",
        "privacy.contact_email",
        "privacy.log_days",
        "privacy.policy_url",
        "privacy.ico_registration",
        "brand.colour",
        "brand.logo",
        "database_url",
    ]
    assert rows == effective_settings(load_settings(place_toml))
    assert dict((key, value) for key, value, _ in rows)["map.centre"] == [52.5, -1.5]


@pytest.mark.parametrize(
    ("key", "variable"),
    [
        ("place.name", "APP_PLACE__NAME"),
        ("organisation.contact_email", "APP_ORGANISATION__CONTACT_EMAIL"),
        ("map.tile_url", "APP_MAP__TILE_URL"),
        ("database_url", "DATABASE_URL"),
    ],
)
def test_env_var_names(key: str, variable: str) -> None:
    """It names the environment variable that overrides a dotted key."""
    assert env_var(key) == variable


# Finding place.toml


def test_find_config_prefers_explicit_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """It uses a path it is given before $PLACE_TOML and ./place.toml."""
    base = tmp_path.resolve()
    monkeypatch.setenv(CONFIG_ENV, str(base / "from-env.toml"))
    assert find_config(base / "given.toml") == base / "given.toml"
    assert find_config(str(base / "given.toml")) == base / "given.toml"


def test_find_config_uses_environment_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """It uses $PLACE_TOML when no path is given."""
    base = tmp_path.resolve()
    monkeypatch.setenv(CONFIG_ENV, str(base / "from-env.toml"))
    assert find_config() == base / "from-env.toml"


def test_find_config_defaults_to_working_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """It uses ./place.toml, made absolute, when neither a path nor $PLACE_TOML is given."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    found = find_config()
    assert found.is_absolute()
    assert found == folder.resolve() / CONFIG_FILE


def test_find_config_expands_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """It expands ~ in a path to the home folder."""
    base = tmp_path.resolve()
    monkeypatch.setenv("HOME", str(base))
    assert find_config("~/app/place.toml") == base / "app" / "place.toml"


def test_load_settings_uses_environment_variable(monkeypatch: pytest.MonkeyPatch, place_toml: Path) -> None:
    """It loads the place.toml named by $PLACE_TOML."""
    monkeypatch.setenv(CONFIG_ENV, str(place_toml))
    assert load_settings().config_path == place_toml


def test_load_settings_uses_working_directory(
    monkeypatch: pytest.MonkeyPatch, place_toml: Path, write_place_toml
) -> None:
    """It loads ./place.toml by default, and a given path wins over $PLACE_TOML."""
    monkeypatch.chdir(place_toml.parent)
    assert load_settings().config_path == place_toml
    other = write_place_toml(folder="other")
    monkeypatch.setenv(CONFIG_ENV, str(other))
    assert load_settings().config_path == other
    assert load_settings(place_toml).config_path == place_toml


# Errors


def test_missing_file(tmp_path: Path) -> None:
    """It refuses a missing place.toml, naming the path and how to point at another."""
    missing = tmp_path.resolve() / "nowhere" / "place.toml"
    message = config_error(missing)
    assert str(missing) in message
    assert "--config" in message
    assert CONFIG_ENV in message


def test_missing_file_in_working_directory() -> None:
    """It refuses to run without ./place.toml when no path is given."""
    message = config_error(None)
    assert str(Path.cwd() / CONFIG_FILE) in message


def test_folder_is_not_a_config_file(tmp_path: Path) -> None:
    """It refuses a folder given as the place.toml."""
    assert str(tmp_path.resolve()) in config_error(tmp_path)


def test_config_error_is_an_app_error() -> None:
    """It raises configuration problems as AppError, which the command line reports."""
    assert issubclass(ConfigError, AppError)


def test_invalid_toml(place_toml: Path) -> None:
    """It refuses a place.toml that is not TOML, naming the file and the line."""
    place_toml.write_text('[place]\nname = "Testshire\n', encoding="utf-8")
    message = config_error(place_toml)
    assert str(place_toml) in message
    assert "not valid TOML" in message
    assert "line 2" in message


def test_file_not_utf8(place_toml: Path) -> None:
    """It refuses a place.toml that is not UTF-8 text."""
    place_toml.write_bytes(b'[place]\nname = "Ynys M\xf4n"\n')
    assert "not valid TOML" in config_error(place_toml)


NESTED_DEEP = 100_000
DEEPLY_NESTED = {
    "arrays": "extra = " + "[" * NESTED_DEEP + "]" * NESTED_DEEP + "\n",
    "inline-tables": "extra = " + "{ a = " * NESTED_DEEP + "1" + " }" * NESTED_DEEP + "\n",
    # tomllib reads these without recursing, but slowly (30 s for 100,000), and the settings code recurses on them.
    "dotted-keys": "[" + ".".join(["a"] * 5_000) + "]\nb = 1\n",
}


@pytest.mark.parametrize("nesting", DEEPLY_NESTED.values(), ids=DEEPLY_NESTED)
def test_deeply_nested_toml_is_a_config_error_naming_the_file(
    write_place_toml, place_values: dict[str, Any], nesting: str
) -> None:
    """It refuses a place.toml nested thousands deep, which exhausts the stack of the parser or of what reads it."""
    place_toml = write_place_toml(place_values)
    text = place_toml.read_text(encoding="utf-8")
    place_toml.write_text(nesting + text if nesting.startswith("extra") else text + nesting, encoding="utf-8")
    assert config_error(place_toml) == (
        f"{place_toml} nests arrays or tables too deeply to be read, where its settings need a few levels at most. "
        "Look for a long run of [ or { brackets, or of dotted keys (a.b.c...), and remove it."
    )


@pytest.mark.parametrize(
    ("table", "key"),
    [("place", "code"), ("place", "name"), ("organisation", "url"), ("map", "centre"), ("dataset", "theme")],
)
def test_missing_required_key(write_place_toml, place_values: dict[str, Any], table: str, key: str) -> None:
    """It refuses a place.toml without a required key, naming the key."""
    del place_values[table][key]
    message = config_error(write_place_toml(place_values))
    assert f"{table}.{key}: missing" in message


def test_missing_table(write_place_toml, place_values: dict[str, Any]) -> None:
    """It refuses a place.toml without a required table, naming the table."""
    del place_values["dataset"]
    assert "- dataset: missing" in config_error(write_place_toml(place_values))


def test_unknown_key(write_place_toml, place_values: dict[str, Any]) -> None:
    """It refuses a misspelt key, naming it, rather than ignoring it."""
    place_values["organisation"]["contact_emial"] = place_values["organisation"].pop("contact_email")
    message = config_error(write_place_toml(place_values))
    assert "organisation.contact_emial" in message
    assert "not a known setting" in message
    assert "organisation.contact_email: missing" in message


def test_unknown_table(write_place_toml, place_values: dict[str, Any]) -> None:
    """It refuses an unknown table, naming it."""
    place_values["plaec"] = dict(name="Testshire")
    message = config_error(write_place_toml(place_values))
    assert "plaec" in message
    assert "not a known setting" in message


def test_errors_start_with_the_file(write_place_toml, place_values: dict[str, Any]) -> None:
    """It names the place.toml on the first line and gives one line per problem."""
    place_values["place"]["code"] = "nonsense"
    place_values["organisation"]["url"] = "nonsense"
    path = write_place_toml(place_values)
    lines = config_error(path).splitlines()
    assert str(path) in lines[0]
    assert len(lines) == 3
    assert all(line.startswith("- ") for line in lines[1:])


@pytest.mark.parametrize(
    "code",
    ["E9900000", "E990000091", "X99000009", "e99000009", "99000009", "E99 000009", ""],
)
def test_bad_gss_code(write_place_toml, place_values: dict[str, Any], code: str) -> None:
    """It refuses a malformed GSS code, naming place.code and showing the value."""
    place_values["place"]["code"] = code
    message = config_error(write_place_toml(place_values))
    assert "place.code" in message
    assert repr(code) in message
    assert "GSS" in message


@pytest.mark.parametrize("code", ["E99000001", "W99000002", "S99000003", "N99000004", "K99000005"])
def test_good_gss_codes(write_place_toml, place_values: dict[str, Any], code: str) -> None:
    """It accepts GSS-shaped codes for each UK nation (made up, so no real place appears in code)."""
    place_values["place"]["code"] = code
    assert load_settings(write_place_toml(place_values)).settings.place.code == code


@pytest.mark.parametrize(
    ("centre", "axis"),
    [([40.4, -3.7], "latitude"), ([52.37, 4.9], "longitude"), ([-1.5, 52.5], "latitude")],
)
def test_map_centre_outside_uk(write_place_toml, place_values: dict[str, Any], centre: list[float], axis: str) -> None:
    """It refuses a map centre outside the United Kingdom, including swapped coordinates."""
    place_values["map"]["centre"] = centre
    message = config_error(write_place_toml(place_values))
    assert "map.centre" in message
    assert axis in message
    assert "United Kingdom" in message


def test_map_centre_needs_two_numbers(write_place_toml, place_values: dict[str, Any]) -> None:
    """It refuses a map centre that is not a latitude and a longitude."""
    place_values["map"]["centre"] = [52.5]
    assert "map.centre" in config_error(write_place_toml(place_values))


@pytest.mark.parametrize("zoom", [0, 20])
def test_zoom_out_of_range(write_place_toml, place_values: dict[str, Any], zoom: int) -> None:
    """It refuses a map zoom outside 1 to 19."""
    place_values["map"]["zoom"] = zoom
    assert "map.zoom" in config_error(write_place_toml(place_values))


@pytest.mark.parametrize("email", ["opendata", "opendata@example", "open data@example.org", "a@b@example.org"])
def test_bad_email(write_place_toml, place_values: dict[str, Any], email: str) -> None:
    """It refuses a contact e-mail that is not an address, naming the key and the value."""
    place_values["organisation"]["contact_email"] = email
    message = config_error(write_place_toml(place_values))
    assert "organisation.contact_email" in message
    assert repr(email) in message


@pytest.mark.parametrize("url", ["www.example.gov.uk", "ftp://example.gov.uk", "https://", "https://exa mple.org"])
def test_bad_url(write_place_toml, place_values: dict[str, Any], url: str) -> None:
    """It refuses an organisation URL that is not an http(s) web address, naming the key and the value."""
    place_values["organisation"]["url"] = url
    message = config_error(write_place_toml(place_values))
    assert "organisation.url" in message
    assert repr(url) in message


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("http://tiles.example.org:8080/{z}/{x}/{y}.png?key=abc", "http://tiles.example.org:8080"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}{r}.png", "https://*.tile.example.org"),
        ("HTTPS://Tiles.Example.ORG/{z}/{x}/{y}.png", "https://tiles.example.org"),
        ("http://127.0.0.1:8081/{z}/{x}/{y}.png", "http://127.0.0.1:8081"),
    ],
)
def test_tile_source_is_the_tile_urls_origin(write_place_toml, place_values: dict[str, Any], url: str, source: str):
    """The tiles' origin is what the pages' security policy allows images from; {s} subdomains become *."""
    place_values["map"]["tile_url"] = url
    assert load_settings(write_place_toml(place_values)).settings.map.tile_source == source


@pytest.mark.parametrize(
    "url",
    [
        "tiles/{z}/{x}/{y}.png",
        "//tile.example.org/{z}/{x}/{y}.png",
        "ftp://tile.example.org/{z}/{x}/{y}.png",
        "https://{z}.tile.example.org/{x}/{y}.png",
        "https://{s}.org/{z}/{x}/{y}.png",
        "https://tile.example.org; script-src *; /{z}/{x}/{y}.png",
        "https://user:secret@tile.example.org/{z}/{x}/{y}.png",
        "https://tile.example.org:99999/{z}/{x}/{y}.png",
        "https:///{z}/{x}/{y}.png",
    ],
)
def test_bad_tile_url(write_place_toml, place_values: dict[str, Any], url: str) -> None:
    """It refuses a tile URL whose origin the security policy could not name exactly, saying what is expected."""
    place_values["map"]["tile_url"] = url
    message = config_error(write_place_toml(place_values))
    assert "map.tile_url" in message
    assert "an http:// or https:// address of tiles" in message


@pytest.mark.parametrize(
    ("written", "path"),
    [("/toilets/", "/toilets/"), ("/toilets", "/toilets/"), ("toilets", "/toilets/"), ("", "/"), ("/a//b", "/a/b/")],
)
def test_export_base_path_is_a_path_from_the_top(
    write_place_toml, place_values: dict[str, Any], written: str, path: str
) -> None:
    """The export's base path always starts and ends with a slash, so 404.html can build its links on it."""
    place_values["export"] = {"base_path": written}
    assert load_settings(write_place_toml(place_values)).settings.export.base_path == path


@pytest.mark.parametrize("written", ["/my site/", "https://owner.github.io/site/", "/../", "/a?b", "/a#b"])
def test_bad_export_base_path(write_place_toml, place_values: dict[str, Any], written: str) -> None:
    """It refuses a base path that is not a plain path, naming the key."""
    place_values["export"] = {"base_path": written}
    message = config_error(write_place_toml(place_values))
    assert "export.base_path" in message
    assert "the path the site is published under" in message


def test_export_base_path_from_the_environment(monkeypatch: pytest.MonkeyPatch, place_toml: Path) -> None:
    """GitHub's Pages workflow sets the base path through APP_EXPORT__BASE_PATH; unset, there is none."""
    assert load_settings(place_toml).settings.export.base_path is None
    monkeypatch.setenv("APP_EXPORT__BASE_PATH", "/toilets/")
    assert load_settings(place_toml).settings.export.base_path == "/toilets/"


def test_unknown_dataset_theme(write_place_toml, place_values: dict[str, Any]) -> None:
    """It refuses a dataset theme without a schema."""
    place_values["dataset"]["theme"] = "car_parks"
    message = config_error(write_place_toml(place_values))
    assert "dataset.theme" in message
    assert "car_parks" in message
    assert "public_toilets" in message


def test_empty_name(write_place_toml, place_values: dict[str, Any]) -> None:
    """It refuses an empty place name."""
    place_values["place"]["name"] = ""
    assert "place.name" in config_error(write_place_toml(place_values))


def test_bad_value_from_environment_names_variable(monkeypatch: pytest.MonkeyPatch, place_toml: Path) -> None:
    """It names the environment variable as the source of a bad value set there."""
    monkeypatch.setenv("APP_PLACE__CODE", "E123")
    message = config_error(place_toml)
    assert "place.code (in environment (APP_PLACE__CODE))" in message
    assert "'E123'" in message


def test_bad_value_from_dotenv_names_variable(place_toml: Path) -> None:
    """It names the .env variable as the source of a bad value set there."""
    (place_toml.parent / ".env").write_text("APP_MAP__CENTRE=[40.4, -3.7]\n", encoding="utf-8")
    message = config_error(place_toml)
    assert "map.centre" in message
    assert ".env (APP_MAP__CENTRE)" in message


def test_bad_value_from_place_toml_names_file(write_place_toml, place_values: dict[str, Any]) -> None:
    """It names place.toml as the source of a bad value set there."""
    place_values["map"]["zoom"] = 99
    assert "map.zoom (in place.toml)" in config_error(write_place_toml(place_values))


def test_empty_database_url_from_environment_names_variable(monkeypatch: pytest.MonkeyPatch, place_toml: Path) -> None:
    """It names the DATABASE_URL environment variable, not place.toml, as the source of a bad store address."""
    monkeypatch.setenv("DATABASE_URL", "")
    message = config_error(place_toml)
    assert "environment (DATABASE_URL)" in message
    assert "(in place.toml)" not in message


def test_unknown_variable_in_environment_names_it(monkeypatch: pytest.MonkeyPatch, place_toml: Path) -> None:
    """It refuses a misspelt nested override variable, naming the variable."""
    monkeypatch.setenv("APP_PLACE__NAEM", "Elsewhere")
    message = config_error(place_toml)
    assert "place.naem" in message
    assert "environment (APP_PLACE__NAEM)" in message


def test_unknown_variable_in_dotenv_names_it_as_written(place_toml: Path) -> None:
    """It refuses a misspelt variable in .env, naming the variable as the file spells it."""
    (place_toml.parent / ".env").write_text("APP_PLAEC__NAME=Elsewhere\n", encoding="utf-8")
    message = config_error(place_toml)
    assert "not a known setting" in message
    assert "APP_PLAEC__NAME" in message
    assert "APP_APP_" not in message


def test_dotenv_variables_for_other_programs_are_left_alone(place_toml: Path) -> None:
    """It ignores .env variables without the APP_ prefix, so the file can be shared with other tools."""
    (place_toml.parent / ".env").write_text(
        "POSTGRES_PASSWORD=secret\nCOMPOSE_PROJECT_NAME=app\nAPP_MAP__ZOOM=14\n", encoding="utf-8"
    )
    loaded = load_settings(place_toml)
    assert loaded.settings.map.zoom == 14
    assert loaded.origins["map.zoom"] == ".env (APP_MAP__ZOOM)"


def test_the_service_is_not_published_unless_place_toml_says_so(
    write_place_toml, place_values: dict[str, dict[str, Any]]
) -> None:
    """[service] published defaults to false, reads true when set, and refuses what is not true or false."""
    assert load_settings(write_place_toml()).settings.service.published is False
    assert load_settings(write_place_toml({**place_values, "service": {"published": True}})).settings.service.published
    with pytest.raises(ConfigError, match=r"service\.published"):
        load_settings(write_place_toml({**place_values, "service": {"published": "soon"}}))
