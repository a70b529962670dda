"""Tests for the command line: help, version, the config command, errors and exit statuses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from local_data_app import __version__
from local_data_app.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, hide_password, main
from local_data_app.config import effective_settings, load_settings

PACKAGE = "local_data_app"
STORE_URL = "postgresql://app:s3cret-pw@db.example.org:5432/app"
HIDDEN_STORE_URL = "postgresql://app:***@db.example.org:5432/app"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line in-process and return its exit status, stdout and stderr."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def run_exiting(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int | str | None, str, str]:
    """Run a command line that ends by raising SystemExit, as argparse does for help and usage errors."""
    with pytest.raises(SystemExit) as caught:
        main(list(argv))
    captured = capsys.readouterr()
    return caught.value.code, captured.out, captured.err


def run_module(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m <package>`` in a child process."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", PACKAGE, *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        cwd=cwd,
        env=dict(os.environ, PYTHONIOENCODING="utf-8"),
        timeout=60,
    )


def json_settings(out: str) -> dict[str, dict[str, Any]]:
    """The settings of ``config --format json`` output, by key."""
    return {entry["key"]: entry for entry in json.loads(out)["settings"]}


# hide_password


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (STORE_URL, HIDDEN_STORE_URL),
        ("postgresql://app:p%40ss@db/app?sslmode=require", "postgresql://app:***@db/app?sslmode=require"),
        ("postgresql://app:s@cr@t@db/app", "postgresql://app:***@db/app"),
        ("postgresql://:secret@db/app", "postgresql://:***@db/app"),
        ("postgresql+psycopg://app:secret@db/app", "postgresql+psycopg://app:***@db/app"),
    ],
)
def test_hide_password_replaces_password(url: str, shown: str) -> None:
    """It replaces the password of a database URL with ***, keeping user, host, port, path and query."""
    assert hide_password(url) == shown


@pytest.mark.parametrize(
    "url",
    ["sqlite:///data/app.db", "sqlite:////var/lib/app/app.db", "postgresql://app@db.example.org:5432/app", "app.db"],
)
def test_hide_password_leaves_urls_without_password(url: str) -> None:
    """It returns a URL without a password unchanged."""
    assert hide_password(url) == url


def test_hide_password_keeps_ipv6_brackets() -> None:
    """It keeps the brackets around an IPv6 host, so the URL it prints is still a valid URL."""
    assert hide_password("postgresql://app:secret@[::1]:5432/app") == "postgresql://app:***@[::1]:5432/app"


# Help, version and usage errors


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    """It prints help that lists the config command and the --config option, and exits 0."""
    code, out, _ = run_exiting(capsys, "--help")
    assert code == EXIT_OK
    assert re.search(r"^\s+config\b", out, flags=re.MULTILINE)
    assert "--config PATH" in out
    assert "--version" in out


def test_config_help_lists_formats(capsys: pytest.CaptureFixture[str]) -> None:
    """It prints help for the config command that lists both output formats."""
    code, out, _ = run_exiting(capsys, "config", "--help")
    assert code == EXIT_OK
    assert "--format" in out
    assert "text" in out
    assert "json" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """It prints the package version and exits 0."""
    code, out, _ = run_exiting(capsys, "--version")
    assert code == EXIT_OK
    assert out.split()[-1] == __version__


def test_version_matches_pyproject() -> None:
    """The engine reports the version its pyproject.toml declares, the template's own version too."""
    engine = Path(__file__).resolve().parents[1]
    declared = tomllib.loads((engine / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    template = tomllib.loads((engine.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert __version__ == declared == template


def test_version_names_the_project_and_the_engine(capsys: pytest.CaptureFixture[str]) -> None:
    """--version shows the calling project's version beside the engine's; a project not installed is said to be."""
    with pytest.raises(SystemExit):
        main(["--version"], project="local-data-app")
    assert capsys.readouterr().out.strip() == f"local-data-app {__version__}, local-data-app {__version__}"
    with pytest.raises(SystemExit):
        main(["--version"], project="no-such-project")
    assert capsys.readouterr().out.strip() == f"no-such-project (not installed), local-data-app {__version__}"


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    """It refuses an unknown command with exit status 2 and a usage message."""
    code, out, err = run_exiting(capsys, "frobnicate")
    assert code == EXIT_USAGE
    assert out == ""
    assert "invalid choice" in err
    assert "usage:" in err


def test_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    """It asks for a command with exit status 2 when given none."""
    code, _, err = run_exiting(capsys)
    assert code == EXIT_USAGE
    assert "COMMAND" in err


def test_unknown_format(capsys: pytest.CaptureFixture[str], place_toml: Path) -> None:
    """It refuses an output format it does not know with exit status 2."""
    code, _, err = run_exiting(capsys, "--config", str(place_toml), "config", "--format", "yaml")
    assert code == EXIT_USAGE
    assert "yaml" in err


# The config command


def test_config_text_lists_every_setting(capsys: pytest.CaptureFixture[str], place_toml: Path) -> None:
    """It prints one line per setting with its key, value and source."""
    status, out, err = run(capsys, "--config", str(place_toml), "config")
    assert status == EXIT_OK
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == f"Settings from {place_toml}"
    rows = effective_settings(load_settings(place_toml))
    assert len(lines) == len(rows) + 2
    for (key, value, origin), line in zip(rows, lines[2:], strict=True):
        assert line.split()[0] == key
        assert json.dumps(value, ensure_ascii=False) in line
        assert line.endswith(origin)


def test_config_text_shows_overrides(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, place_toml: Path
) -> None:
    """It shows each overridden value with the variable that set it."""
    (place_toml.parent / ".env").write_text("APP_MAP__ZOOM=9\n", encoding="utf-8")
    monkeypatch.setenv("APP_PLACE__NAME", "Elsewhere")
    _, out, _ = run(capsys, "--config", str(place_toml), "config")
    lines = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert '"Elsewhere"' in lines["place.name"]
    assert lines["place.name"].endswith("environment (APP_PLACE__NAME)")
    assert lines["map.zoom"].endswith(".env (APP_MAP__ZOOM)")
    assert lines["place.code"].endswith("place.toml")
    assert lines["map.tile_url"].endswith("default")


def test_config_json(capsys: pytest.CaptureFixture[str], place_toml: Path) -> None:
    """It prints valid JSON with the file and a key, value and source for every setting."""
    status, out, _ = run(capsys, "--config", str(place_toml), "config", "--format", "json")
    assert status == EXIT_OK
    payload = json.loads(out)
    assert payload["config_file"] == str(place_toml)
    assert all(set(entry) == {"key", "value", "source"} for entry in payload["settings"])
    shown = [(entry["key"], entry["value"], entry["source"]) for entry in payload["settings"]]
    assert shown == effective_settings(load_settings(place_toml))


@pytest.mark.parametrize("name", ["Ynys Môn", "King's Lynn and West Norfolk", "Brighton & Hove"])
def test_config_shows_names_exactly(
    capsys: pytest.CaptureFixture[str], write_place_toml, place_values: dict[str, Any], name: str
) -> None:
    """It prints names with Welsh letters, apostrophes and ampersands unescaped in both formats."""
    place_values["place"]["name"] = name
    path = write_place_toml(place_values)
    _, text, _ = run(capsys, "--config", str(path), "config")
    _, out, _ = run(capsys, "--config", str(path), "config", "--format", "json")
    assert f'"{name}"' in text
    assert f'"{name}"' in out
    assert json_settings(out)["place.name"]["value"] == name


def test_config_hides_password_in_text(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, place_toml: Path
) -> None:
    """It replaces the password in DATABASE_URL with *** in text output."""
    monkeypatch.setenv("DATABASE_URL", STORE_URL)
    _, out, _ = run(capsys, "--config", str(place_toml), "config")
    assert "s3cret-pw" not in out
    assert HIDDEN_STORE_URL in out
    assert "environment (DATABASE_URL)" in out


def test_config_hides_password_in_json(capsys: pytest.CaptureFixture[str], place_toml: Path) -> None:
    """It replaces the password in a DATABASE_URL from .env with *** in JSON output."""
    (place_toml.parent / ".env").write_text(f"DATABASE_URL={STORE_URL}\n", encoding="utf-8")
    _, out, _ = run(capsys, "--config", str(place_toml), "config", "--format", "json")
    assert "s3cret-pw" not in out
    entry = json_settings(out)["database_url"]
    assert entry["value"] == HIDDEN_STORE_URL
    assert entry["source"] == ".env (DATABASE_URL)"


def test_config_with_unparseable_database_url(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, place_toml: Path
) -> None:
    """It neither crashes nor prints the password when DATABASE_URL has a malformed port."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:s3cret-pw@db.example.org:port/app")
    status, out, err = run(capsys, "--config", str(place_toml), "config")
    assert status in {EXIT_OK, EXIT_ERROR}
    assert "s3cret-pw" not in out + err


def test_config_from_environment_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, place_toml: Path
) -> None:
    """It uses the place.toml named by PLACE_TOML when --config is not given."""
    monkeypatch.setenv("PLACE_TOML", str(place_toml))
    status, out, _ = run(capsys, "config")
    assert status == EXIT_OK
    assert out.splitlines()[0] == f"Settings from {place_toml}"


def test_config_from_working_directory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, place_toml: Path
) -> None:
    """It uses ./place.toml when neither --config nor PLACE_TOML is given."""
    monkeypatch.chdir(place_toml.parent)
    status, out, _ = run(capsys, "config")
    assert status == EXIT_OK
    assert out.splitlines()[0] == f"Settings from {place_toml}"


# Errors


def test_bad_place_toml_is_an_error(
    capsys: pytest.CaptureFixture[str], write_place_toml, place_values: dict[str, Any]
) -> None:
    """It reports a bad place.toml on stderr with exit status 1 and no traceback."""
    place_values["place"]["code"] = "E0800000"
    status, out, err = run(capsys, "--config", str(write_place_toml(place_values)), "config")
    assert status == EXIT_ERROR
    assert out == ""
    assert err.startswith("Error: ")
    assert "place.code" in err
    assert "'E0800000'" in err
    assert "Traceback" not in err


def test_invalid_toml_is_an_error(capsys: pytest.CaptureFixture[str], place_toml: Path) -> None:
    """It reports a place.toml that is not TOML with exit status 1."""
    place_toml.write_text("[place\n", encoding="utf-8")
    status, _, err = run(capsys, "--config", str(place_toml), "config", "--format", "json")
    assert status == EXIT_ERROR
    assert err.startswith("Error: ")
    assert "not valid TOML" in err


def test_deeply_nested_place_toml_is_an_error_without_a_traceback(
    capsys: pytest.CaptureFixture[str], place_toml: Path
) -> None:
    """It reports a place.toml nested 100,000 deep (a RecursionError in the TOML parser) as an error naming the file."""
    place_toml.write_text("extra = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    status, out, err = run(capsys, "--config", str(place_toml), "ingest")
    assert status == EXIT_ERROR
    assert out == ""
    assert err.startswith(f"Error: {place_toml} nests arrays or tables too deeply to be read")
    assert "Traceback" not in err


def test_missing_place_toml_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """It reports a missing place.toml with exit status 1, saying how to point at one."""
    missing = tmp_path.resolve() / "missing.toml"
    status, out, err = run(capsys, "--config", str(missing), "config")
    assert status == EXIT_ERROR
    assert out == ""
    assert err.startswith("Error: No configuration file")
    assert str(missing) in err
    assert "--config" in err


# python -m


def test_module_help(tmp_path: Path) -> None:
    """It runs as python -m with --help, exits 0 and names itself by that command."""
    result = run_module("--help", cwd=tmp_path)
    assert result.returncode == EXIT_OK
    assert f"usage: python -m {PACKAGE}" in result.stdout
    assert re.search(r"^\s+config\b", result.stdout, flags=re.MULTILINE)


def test_module_error_has_no_traceback(tmp_path: Path) -> None:
    """It exits 1 with an Error: line and no traceback when run as python -m without a place.toml."""
    result = run_module("config", cwd=tmp_path)
    assert result.returncode == EXIT_ERROR
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr
