"""The sources check: a dry run of each source through its adapter and the normaliser, writing nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from project_copy import change_config, closed_port, fresh_copy, line_of, serve_folder

from local_data_app.checks import Project, Result, sources
from local_data_app.config import load_settings
from local_data_app.schemas import load_schema


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this project as generated, safe to change."""
    return fresh_copy(tmp_path / "project")


def check(project: Path) -> Result:
    return sources.run(Project.find(project / "place.toml"))


def first_source(project: Path) -> dict[str, Any]:
    return dict(load_settings(project / "place.toml").settings.sources[0].model_dump(exclude_none=True))


def point_source(project: Path, **keys: Any) -> None:
    """Change keys of the first [[sources]] entry of the project's place.toml."""

    def change(values: dict[str, Any]) -> None:
        values["sources"][0].update(keys)

    change_config(project, change)


def sample_rows(project: Path) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the first source's sample CSV."""
    path = project / first_source(project)["location"]
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_the_sample_data_reads_and_maps_and_nothing_is_written(project: Path) -> None:
    """The shipped source passes; the dry run writes no database and no rejects file."""
    result = check(project)
    assert result.status == "passed", result.findings
    name = first_source(project)["name"]
    assert result.details[0].startswith(f"{name}: read ")
    assert "0 rejected" in result.details[0]
    assert not list(project.glob("data/*.db"))
    assert not (project / "data" / "rejects").exists()


def test_an_unreachable_source_fails_naming_it_and_its_line(project: Path) -> None:
    """A source at a closed port on 127.0.0.1 fails with the source's name, its URL and its line in place.toml."""
    url = f"http://127.0.0.1:{closed_port()}/data.csv"
    point_source(project, location=url, retries=0, timeout=5)
    result = check(project)
    assert result.status == "failed"
    (finding,) = result.findings
    name = first_source(project)["name"]
    assert (finding.path, finding.line) == ("place.toml", line_of(project / "place.toml", f'name = "{name}"'))
    assert finding.message.startswith(f"source {name!r} (csv, {url}): cannot be read.")
    assert url in finding.message.split("cannot be read.")[1]
    assert result.summary == "1 of 1 source cannot be ingested as configured."


def test_a_source_served_over_http_is_read(project: Path) -> None:
    """The same data served by a web server on 127.0.0.1 passes."""
    header, rows = sample_rows(project)
    write_csv(project / "served.csv", header, rows)
    with serve_folder(project) as base:
        point_source(project, location=f"{base}/served.csv")
        result = check(project)
    assert result.status == "passed", result.findings
    assert f"read {len(rows)} rows" in result.details[0]


def test_a_missing_file_fails(project: Path) -> None:
    point_source(project, location="data/no-such-file.csv")
    (finding,) = check(project).findings
    assert "cannot be read" in finding.message
    assert "no-such-file.csv" in finding.message


def test_columns_that_do_not_map_onto_the_schema_fail(project: Path) -> None:
    """When no column matches the schema's names, every row is rejected: the check fails with the reasons."""
    header, rows = sample_rows(project)
    write_csv(project / "renamed.csv", [f"col_{index}" for index in range(len(header))], rows)
    point_source(project, location="renamed.csv")
    result = check(project)
    assert result.status == "failed"
    (finding,) = result.findings
    assert f"every one of the first {len(rows)} rows would be rejected" in finding.message
    assert "required, but blank" in finding.message
    assert "[sources.fields]" in finding.message


def test_a_mapped_column_that_no_row_has_fails(project: Path) -> None:
    """A [sources.fields] entry naming a column the source lacks fails and lists the columns there are."""
    schema = load_schema(load_settings(project / "place.toml").settings.dataset.theme)
    field = schema["fields"][1]["name"]
    point_source(project, fields={field: "No Such Column"})
    messages = [finding.message for finding in check(project).findings if finding.severity == "error"]
    assert any(f"maps {field} = 'No Such Column', but no row read has such a column" in message for message in messages)


def test_some_rejected_rows_are_a_warning(project: Path) -> None:
    """A few bad rows among good ones warn, with the reason and how many rows have it."""
    header, rows = sample_rows(project)
    x_column = load_schema(load_settings(project / "place.toml").settings.dataset.theme)["x-geometry"]["x"]
    rows[0][header.index(x_column)] = "not a number"
    write_csv(project / "one-bad.csv", header, rows)
    point_source(project, location="one-bad.csv")
    result = check(project)
    assert result.status == "warning"
    (finding,) = result.findings
    assert finding.severity == "warning"
    assert f"1 of the first {len(rows)} rows would be rejected: {x_column}: " in finding.message
    assert "(1 row)" in finding.message


def test_a_source_with_no_rows_fails(project: Path) -> None:
    header, _ = sample_rows(project)
    write_csv(project / "empty.csv", header, [])
    point_source(project, location="empty.csv")
    (finding,) = check(project).findings
    assert finding.message.endswith("holds no rows. Check its location and options.")


def test_only_a_sample_is_read(project: Path) -> None:
    """A large source is read only as far as the sample."""
    header, rows = sample_rows(project)
    write_csv(project / "large.csv", header, rows * (sources.SAMPLE_ROWS // len(rows) + 2))
    point_source(project, location="large.csv")
    result = check(project)
    assert f"read {sources.SAMPLE_ROWS} rows" in result.details[0]
