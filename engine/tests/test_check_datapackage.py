"""datapackage.json: generated from place.toml and the schema, and checked to be in sync."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from project_copy import change_config, fresh_copy, line_of

from local_data_app.checks import Project, Result, datapackage
from local_data_app.cli import EXIT_OK, main
from local_data_app.schemas import load_schema

# The Data Package specification's pattern for package and resource names.
NAME = re.compile(r"[-a-z0-9._/]+")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this project as generated, safe to change."""
    return fresh_copy(tmp_path / "project")


def check(project: Path) -> Result:
    return datapackage.run(Project.find(project / "place.toml"))


def test_the_command_writes_the_descriptor_check_expects(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`datapackage` writes the file, says so, and writing it again changes no byte."""
    path = project / "datapackage.json"
    path.unlink()
    assert main(["--config", str(project / "place.toml"), "datapackage"]) == EXIT_OK
    assert "Wrote datapackage.json" in capsys.readouterr().out
    written = path.read_bytes()
    assert check(project).status == "passed"
    assert main(["--config", str(project / "place.toml"), "datapackage"]) == EXIT_OK
    assert path.read_bytes() == written


def test_the_descriptor_follows_the_data_package_rules(project: Path) -> None:
    """Names, paths, licences and schemas are what the Data Package specification asks for."""
    package = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "data-package"
    assert NAME.fullmatch(package["name"])
    assert package["resources"]
    assert len({resource["name"] for resource in package["resources"]}) == len(package["resources"])
    licences = [*package["licenses"], *(entry for resource in package["resources"] for entry in resource["licenses"])]
    for entry in licences:
        assert entry["name"]
        assert entry["path"].startswith("https://spdx.org/licenses/")
    for resource in package["resources"]:
        assert NAME.fullmatch(resource["name"])
        path = resource["path"]
        assert path.startswith("https://") or not (path.startswith("/") or ".." in path.split("/"))
        assert resource["schema"] == load_schema(package["keywords"][-1])  # inline: the engine holds the file


def test_the_check_passes_on_the_project(project: Path) -> None:
    result = check(project)
    assert result.status == "passed", result.findings
    assert "describes the 1 source in place.toml" in result.summary


def test_an_edited_file_fails_with_the_place_and_line(project: Path) -> None:
    """A path changed by hand is out of date: the check names the JSON pointer, its line and the command."""
    path = project / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    package["resources"][0]["path"] = "data/elsewhere.csv"
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    result = check(project)
    assert result.status == "failed"
    (finding,) = result.findings
    assert finding.path == "datapackage.json"
    assert finding.line == line_of(path, '"path": "data/elsewhere.csv"')
    assert finding.message.startswith('out of date at /resources/0/path: "data/elsewhere.csv", but it should be')
    assert "datapackage` to write it" in finding.message


def test_an_added_key_and_a_removed_one_are_both_reported(project: Path) -> None:
    path = project / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    del package["licenses"]
    package["homepage"] = "https://example.org"
    path.write_text(json.dumps(package), encoding="utf-8")
    messages = [finding.message for finding in check(project).findings]
    assert len(messages) == 2
    assert messages[0].startswith('out of date at /licenses: missing; it should be [{"name": ')
    assert messages[1].startswith("out of date at /homepage: not expected.")


def test_changed_sources_make_it_out_of_date_until_rewritten(project: Path) -> None:
    """After a source is added to place.toml, the check fails; the datapackage command brings it back in sync."""

    def add_source(values: dict[str, Any]) -> None:
        first = values["sources"][0]
        values["sources"].append(
            {
                "name": "remote",
                "adapter": "csv",
                "location": "https://data.example.org/export.csv",
                "licence": "CC-BY-4.0",
                "attribution": "Example Data Team",
                "crs": "EPSG:27700",
                "fields": dict.fromkeys(list(first.get("fields", {})) or ["id"], "Ref"),
            }
        )

    change_config(project, add_source)
    result = check(project)
    assert result.status == "failed"
    assert [finding.message.split(":")[0] for finding in result.findings] == ["out of date at /resources/1"]

    assert main(["--config", str(project / "place.toml"), "datapackage"]) == EXIT_OK
    assert check(project).status == "passed"
    remote = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))["resources"][1]
    assert remote["path"] == "https://data.example.org/export.csv"
    assert remote["licenses"] == [{"name": "CC-BY-4.0", "path": "https://spdx.org/licenses/CC-BY-4.0.html"}]
    assert remote["sources"] == [{"title": "Example Data Team"}]
    assert remote["x-crs"] == "EPSG:27700"
    assert remote["x-fields"]


def test_a_missing_or_broken_file_fails(project: Path) -> None:
    path = project / "datapackage.json"
    path.write_text('{\n  "name": "x",\n}\n', encoding="utf-8")
    (finding,) = check(project).findings
    assert (finding.path, finding.line) == ("datapackage.json", 3)
    assert finding.message.startswith("not valid JSON")
    path.unlink()
    (finding,) = check(project).findings
    assert finding.message.startswith("missing. Run `python -m ")


def test_a_schema_edited_by_hand_fails(project: Path) -> None:
    """The inline schema is the engine's: a field renamed by hand is out of date, at its JSON pointer."""
    path = project / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    package["resources"][0]["schema"]["fields"][0]["name"] = "Renamed"
    path.write_text(json.dumps(package, indent=2), encoding="utf-8")
    (finding,) = check(project).findings
    assert finding.message.startswith('out of date at /resources/0/schema/fields/0/name: "Renamed"')
