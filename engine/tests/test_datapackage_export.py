"""The static export's datapackage.json and data quality files, on each kind of store.

The source is real-shaped: columns renamed by [sources.fields] and by case,
extra columns the schema lacks, dates with and without times, yes/no in any
case, a charge with a pound sign, a cell a spreadsheet would run as a formula
and a few rows that are rejected. ``frictionless validate`` (its Python API)
must pass on the export's datapackage.json and the CSV files beside it, and
fail when a file no longer fits it, so the descriptor describes what the app
writes and not what the source held.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import frictionless
import pytest
from conftest import MADE_UP_PLACE, Page, clean_settings_environment, toml_text, write_csv

from local_data_app.cli import main
from local_data_app.config import load_settings
from local_data_app.ingest import ingest
from local_data_app.ogc.datapackage import table_schema
from local_data_app.ogc.tables import csv_columns
from local_data_app.schemas import load_schema

SCRIPT = "<script>alert(1)</script>"


def messy_rows() -> list[dict[str, str]]:
    """12 toilets as councils publish them, then 3 rows that break the schema (rows 14 to 16)."""
    rows = []
    for index in range(15):
        rows.append(
            {
                "Toilet ref": f"R{index}",
                "Extract date": f"0{index % 9 + 1}/03/2024 {10 + index % 9}:15" if index % 2 else "2024-03-01",
                "organisationlabel": "Testshire",
                "SERVICETYPELABEL": "Toilets",
                "Name": f'=HYPERLINK("x") {index}' if index == 3 else f"Toilet {index}",
                "Easting": f"{378000 + index * 100}",
                "Northing": f"{398000 + index * 100}",
                "Category": "unisex" if index % 2 else "Female AND male",
                "BabyChange": "YES" if index % 3 else "n",
                "ChargeAmount": "£0.20" if index % 4 else "",
                "UPRN": str(100000000 + index),
                "Ward": f"Ward {index % 3}",  # not in the schema
                "Inspected": "2024-02-01T09:00:00Z",  # not in the schema either
            }
        )
    rows[12]["Name"] = ""
    rows[13]["Category"] = SCRIPT
    rows[14]["Easting"] = "east"
    return rows


@dataclass
class Exported:
    site: Path
    config: Path


def export(config: Path, site: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["--config", str(config), "export", str(site)])
    assert (status, err.getvalue()) == (0, ""), out.getvalue()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Exported]:
    """The messy source ingested into each kind of store and exported."""
    folder = tmp_path_factory.mktemp("project")
    fields = {
        "id": "Toilet ref",
        "ExtractDate": "Extract date",
        "LocationText": "Name",
        "GeoX": "Easting",
        "GeoY": "Northing",
    }
    source = {
        "name": "toilets",
        "adapter": "csv",
        "location": write_csv(folder, "toilets", messy_rows()),
        "attribution": "Contains data from Testshire Council",
        "fields": fields,
    }
    config = folder / "place.toml"
    place = {**MADE_UP_PLACE, "sources": [source]}
    config.write_text(f"database_url = {json.dumps(web_database_url)}\n\n" + toml_text(place), encoding="utf-8")
    with clean_settings_environment():
        (report,) = ingest(load_settings(config))
        assert (report.read, report.loaded, report.rejected) == (15, 12, 3), report.error
        site = tmp_path_factory.mktemp("out") / "site"
        export(config, site)
        yield Exported(site, config)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_frictionless_validates_the_export(exported: Exported) -> None:
    """frictionless validate passes on datapackage.json and the CSV beside it: every row, every field."""
    report = frictionless.validate(str(exported.site / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    (task,) = report.tasks
    assert task.stats["rows"] == 12


def test_the_descriptor_describes_the_csv_as_written(exported: Exported) -> None:
    """One resource per collection, its columns the CSV's, typed as written, with licence and sources."""
    package = json.loads((exported.site / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    assert package["licenses"][0]["name"] == "OGL-UK-3.0"
    assert package["contributors"][0]["title"] == "Testshire Council"
    (resource,) = package["resources"]
    assert (resource["name"], resource["path"], resource["format"]) == ("toilets", "toilets.csv", "csv")
    assert resource["sources"] == [{"title": "Contains data from Testshire Council"}]
    with (exported.site / "toilets.csv").open(encoding="utf-8", newline="") as file:
        header = next(csv.reader(file))
    fields = {field["name"]: field for field in resource["schema"]["fields"]}
    assert list(fields) == header
    assert "Ward" not in fields  # an extra source column is not in the CSV, so not described
    assert fields["ExtractDate"]["type"] == "date"
    assert "format" not in fields["ExtractDate"]  # ISO 8601, whatever the source wrote
    assert (fields["BabyChange"]["trueValues"], fields["BabyChange"]["falseValues"]) == (["true"], ["false"])
    assert fields["ChargeAmount"]["type"] == "number"
    assert fields["id"]["constraints"] == {"required": True, "unique": True}
    assert fields["area_code"]["type"] == "string"
    assert resource["schema"]["primaryKey"] == ["id"]
    rows = read_csv(exported.site / "toilets.csv")
    assert {row["ExtractDate"] for row in rows} >= {"2024-03-01", "2024-03-02"}  # the times dropped, as loaded
    assert rows[3]["LocationText"].startswith("'=HYPERLINK")  # formula-safe, and still a valid string


def test_a_file_that_no_longer_fits_fails_validation(exported: Exported, tmp_path: Path) -> None:
    """The validation has teeth: a date that is not one, or a missing id, is reported."""
    copy = tmp_path / "site"
    copy.mkdir()
    (copy / "datapackage.json").write_text((exported.site / "datapackage.json").read_text(encoding="utf-8"))
    rows = read_csv(exported.site / "toilets.csv")
    rows[0]["ExtractDate"] = "yesterday"
    rows[1]["id"] = ""
    with (copy / "toilets.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    report = frictionless.validate(str(copy / "datapackage.json"))
    assert not report.valid
    kinds = {error[0] for error in report.flatten(["type"])}
    assert kinds >= {"type-error", "constraint-error"}


def test_every_theme_gives_a_valid_table_schema() -> None:
    """Each theme shipped with the engine gives a Table Schema frictionless accepts, with the CSV's columns."""
    for theme in ("public_toilets", "generic_points"):
        fields = load_schema(theme)["fields"]
        schema = table_schema(fields)
        assert frictionless.Schema.validate_descriptor(schema).valid, theme
        assert [field["name"] for field in schema["fields"]] == csv_columns(fields, False)


def test_the_export_writes_each_collections_quality(exported: Exported) -> None:
    """quality.html and quality/<collection>.json, with the same figures; the page escapes a script in a reason."""
    document = json.loads((exported.site / "quality" / "toilets.json").read_text(encoding="utf-8"))
    assert (document["rowsRead"], document["rowsLoaded"], document["rowsRejected"]) == (15, 12, 3)
    assert {reason["rows"] for reason in document["reasons"]} == {1}
    assert sorted(row for reason in document["reasons"] for row in reason["exampleRows"]) == [14, 15, 16]
    completeness = {entry["field"]: entry["rowsWithValue"] for entry in document["completeness"]}
    assert (completeness["LocationText"], completeness["ChargeAmount"], completeness["Notes"]) == (12, 9, 0)
    assert document["dates"][0]["first"] == "2024-03-01"
    hrefs = {link["rel"]: link["href"] for link in document["links"]}
    assert hrefs == {"self": "toilets.json", "alternate": "../quality.html#quality-toilets"}
    text = (exported.site / "quality.html").read_text(encoding="utf-8")
    assert SCRIPT not in text
    page = Page(text)
    assert page.find("a", href="quality/toilets.json")
    assert page.find("h2", id="quality-toilets")
    collections = json.loads((exported.site / "collections.json").read_text(encoding="utf-8"))
    (collection,) = collections["collections"]
    described = [link for link in collection["links"] if link["rel"] == "describedby"]
    assert [link["href"] for link in described] == ["quality/toilets.json"]
    about = Page((exported.site / "about.html").read_text(encoding="utf-8"))
    assert about.find("a", href="quality.html")
