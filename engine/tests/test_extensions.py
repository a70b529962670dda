"""Adapters and checks from other distributions, found through the entry points the engine's own use."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from local_data_app import adapters, extensions
from local_data_app.checks import Project, checks, run_checks
from local_data_app.cli import EXIT_ERROR, main

MODULE = """
from collections.abc import Iterator

from local_data_app.adapters import Adapter, RawRecord
from local_data_app.checks import Check, Result


class OneRecord(Adapter):
    name = "one_record"

    def records(self) -> Iterator[RawRecord]:
        yield RawRecord(1, {"name": "only"})


class Misnamed(OneRecord):
    name = "something_else"


class NotAnAdapter:
    name = "not_an_adapter"


def _run(project):
    return Result("our-check", "Our check", "Nothing to see.", [])


CHECK = Check("our-check", "Our check", _run)
"""

Install = Callable[[str, str], None]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """A function that installs a distribution (on sys.path, for this test) registering these entry points."""
    (tmp_path / "our_extension.py").write_text(MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "our_extension", raising=False)

    def write(group: str, lines: str) -> None:
        info = tmp_path / "our_extension-1.2.3.dist-info"
        info.mkdir(exist_ok=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: our-extension\nVersion: 1.2.3\n")
        (info / "entry_points.txt").write_text(f"[{group}]\n{textwrap.dedent(lines)}", encoding="utf-8")
        extensions.registered.cache_clear()

    yield write
    extensions.registered.cache_clear()


def test_an_adapter_of_another_distribution_is_found_by_name(install: Install) -> None:
    """The entry point's name is the adapter's name; the built-ins are still there; origin names the distribution."""
    install(extensions.ADAPTERS_GROUP, "one_record = our_extension:OneRecord\n")
    found = adapters.adapters()
    assert found["one_record"].__module__ == "our_extension"
    assert {"csv", "geojson", "ckan", "arcgis", "opendatasoft", "socrata"} <= set(found)
    assert adapters.origin("one_record") == "our-extension 1.2.3"
    assert adapters.origin("csv").startswith("local-data-app ")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "one_record = our_extension:Misnamed",
            "registered as 'one_record' by our-extension is named 'something_else'",
        ),
        ("not_an_adapter = our_extension:NotAnAdapter", "is not a subclass of local_data_app.adapters.Adapter"),
        ("missing = our_extension:NoSuchClass", "entry point 'missing' of our-extension (our_extension:NoSuchClass)"),
        ("csv = our_extension:OneRecord", "Two distributions register 'csv'"),
    ],
)
def test_a_bad_adapter_entry_point_is_named(install: Install, line: str, message: str) -> None:
    """A misnamed, wrong-typed, unloadable or clashing adapter is an error naming it and its distribution."""
    install(extensions.ADAPTERS_GROUP, line + "\n")
    with pytest.raises(extensions.ExtensionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        adapters.adapters()


def test_a_check_of_another_distribution_runs_after_the_engines(install: Install, tmp_path: Path) -> None:
    """A registered check is listed after the built-ins and run by `check`."""
    install(extensions.CHECKS_GROUP, "our-check = our_extension:CHECK\n")
    ids = [check.id for check in checks()]
    assert ids[-1] == "our-check"
    assert ids[0] == "place-literals"
    (tmp_path / "place.toml").write_text("", encoding="utf-8")
    report = run_checks(Project(tmp_path, tmp_path / "place.toml"), only=["our-check"])
    assert [(result.id, result.summary) for result in report.results] == [("our-check", "Nothing to see.")]


def test_a_check_registered_under_another_id_is_refused(install: Install) -> None:
    install(extensions.CHECKS_GROUP, "their-check = our_extension:CHECK\n")
    with pytest.raises(extensions.ExtensionError, match="whose id is 'their-check'"):
        checks()


def test_the_command_line_reports_a_broken_extension_without_a_traceback(
    install: Install, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken check entry point makes every command exit 1 with the message, not a traceback."""
    install(extensions.CHECKS_GROUP, "broken = our_extension:NoSuchThing\n")
    assert main(["config"]) == EXIT_ERROR
    error = capsys.readouterr().err
    assert error.startswith("Error: The local_data_app.checks entry point 'broken' of our-extension")
    assert "Traceback" not in error
