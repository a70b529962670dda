"""The sample-data check: the sample the project was generated with still its only source."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from project_copy import change_config, fresh_copy, line_of

from local_data_app.checks import Project, sample_data


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this project as generated: its one source is the sample in data/sample/."""
    return fresh_copy(tmp_path / "project")


def sample_location(project: Path) -> str:
    (sample,) = sorted((project / "data" / "sample").glob("*.csv"))
    return f"data/sample/{sample.name}"


def run(project: Path) -> sample_data.Result:
    return sample_data.run(Project.find(project / "place.toml"))


def test_the_generated_sample_is_a_warning_at_its_line(project: Path) -> None:
    """Before publication the sample as only source is a warning at the source's location line."""
    result = run(project)
    assert result.status == "warning"
    (finding,) = result.findings
    line = line_of(project / "place.toml", f'location = "{sample_location(project)}"')
    assert (finding.path, finding.line, finding.severity) == ("place.toml", line, "warning")
    assert sample_location(project) in finding.message


def test_after_publication_it_fails(project: Path) -> None:
    """With [service] published = true the same finding is an error."""
    change_config(project, lambda values: values.__setitem__("service", {"published": True}))
    result = run(project)
    assert result.status == "failed"
    assert [finding.severity for finding in result.findings] == ["error"]


def test_every_sample_source_is_named(project: Path) -> None:
    """Two sources both reading the sample: each is named at its own line."""
    location = sample_location(project)

    def two(values: dict[str, Any]) -> None:
        values["sources"].append({"name": "more", "adapter": "csv", "location": f"./{location}"})

    change_config(project, two)
    lines = [finding.line for finding in run(project).findings]
    text = (project / "place.toml").read_text(encoding="utf-8").splitlines()
    assert [text[line - 1].split("=", 1)[1].strip() for line in lines if line] == [f'"{location}"', f'"./{location}"']


def test_real_data_beside_the_sample_passes(project: Path, tmp_path: Path) -> None:
    """Once one source reads other data the check passes, even when published."""
    location = sample_location(project)
    shutil.copy(project / location, project / "data" / "toilets.csv")

    def real(values: dict[str, Any]) -> None:
        values["sources"].append({"name": "council", "adapter": "csv", "location": "data/toilets.csv"})
        values["service"] = {"published": True}

    change_config(project, real)
    assert run(project).status == "passed"
