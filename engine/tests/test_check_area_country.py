"""The area-country check: a map centre outside the country of the area's GSS code, named at its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from project_copy import change_config, fresh_copy, line_of

from local_data_app.checks import Project, area_country

TRAFFORD = [53.42, -2.36]
CARDIFF = [51.48, -3.18]
CHESTER = [53.19, -2.89]  # in England, a few miles from Wales: inside both boxes
GLASGOW = [55.86, -4.25]  # inside the generous English box too: not judged against an English code
ABERDEEN = [57.15, -2.09]
BELFAST = [54.6, -5.93]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this project as generated (Trafford, E08000009), safe to change."""
    return fresh_copy(tmp_path / "project")


def place(project: Path, code: str, centre: list[float], published: bool = False, **more: Any) -> Path:
    def change(values: dict[str, Any]) -> None:
        values["place"]["code"] = code
        values["map"]["centre"] = centre
        values["service"] = {"published": published}
        values.update(more)
        if "areas" in more:
            values["sources"][0]["area"] = more["areas"][0]["code"]

    change_config(project, change)
    return project / "place.toml"


def run(project: Path) -> area_country.Result:
    return area_country.run(Project.find(project / "place.toml"))


def test_the_generated_project_passes(project: Path) -> None:
    """An English code with the map over Trafford is consistent."""
    result = run(project)
    assert result.status == "passed"
    assert result.details == ["map centre 53.42, -2.36; codes E08000009"]


@pytest.mark.parametrize(
    ("code", "centre", "country"),
    [
        ("W06000001", TRAFFORD, "Wales"),
        ("S12000049", TRAFFORD, "Scotland"),
        ("N09000003", TRAFFORD, "Northern Ireland"),
        ("E08000009", ABERDEEN, "England"),
        ("W06000015", BELFAST, "Wales"),
        ("N09000003", CARDIFF, "Northern Ireland"),
    ],
)
def test_a_centre_outside_the_codes_country_is_named_at_the_codes_line(
    project: Path, code: str, centre: list[float], country: str
) -> None:
    """The finding is at place.code's line, and names the code, the country and the centre's line."""
    path = place(project, code, centre)
    result = run(project)
    assert result.status == "warning"
    (finding,) = result.findings
    assert (finding.path, finding.line, finding.severity) == ("place.toml", line_of(path, "code = "), "warning")
    assert f"{code!r} is the code of an area in {country}" in finding.message
    assert f"line {line_of(path, 'centre = ')}" in finding.message


@pytest.mark.parametrize(
    ("code", "centre"),
    [
        ("W06000015", CARDIFF),
        ("E06000050", CHESTER),  # near the border: inside both boxes, so not judged
        ("W06000005", CHESTER),
        ("S12000049", GLASGOW),
        ("N09000003", BELFAST),
        ("K02000001", TRAFFORD),  # the United Kingdom: no one country
        ("E08000009", CARDIFF),  # the English box is generous and holds Cardiff: not clear, so not judged
        ("E08000009", GLASGOW),
    ],
)
def test_only_what_is_clear_is_reported(project: Path, code: str, centre: list[float]) -> None:
    """A centre inside the generous box of the code's country, or a code of no one country, passes."""
    place(project, code, centre)
    assert run(project).findings == []


def test_after_publication_it_fails(project: Path) -> None:
    """With [service] published = true the same finding is an error."""
    place(project, "W06000001", TRAFFORD, published=True)
    result = run(project)
    assert result.status == "failed"
    assert [finding.severity for finding in result.findings] == ["error"]


def test_areas_are_judged_together(project: Path) -> None:
    """With [[areas]], the centre must be in the box of one of their countries; the finding is at map.centre."""
    welsh = [{"code": "W06000001", "name": "Ynys Môn"}, {"code": "W06000002", "name": "Gwynedd"}]
    path = place(project, "K04000001", TRAFFORD, areas=welsh)
    (finding,) = run(project).findings
    assert finding.line == line_of(path, "centre = ")
    assert "the [[areas]] are in Wales" in finding.message
    mixed = [welsh[0], {"code": "E08000009", "name": "Trafford"}]
    place(project, "K04000001", TRAFFORD, areas=mixed)
    assert run(project).findings == []
