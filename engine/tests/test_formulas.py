"""Every CSV the app writes shows a would-be spreadsheet formula as text; the JSON keeps the value as loaded."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import clean_settings_environment, toilet_rows, write_project

from local_data_app.config import load_settings
from local_data_app.export import export_site
from local_data_app.formulas import neutralised
from local_data_app.ingest import ingest
from local_data_app.testing import get, running
from local_data_app.web import create_app

FORMULAS = ['=HYPERLINK("https://evil.example","Click")', "+1+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        *((formula, "'" + formula) for formula in [*FORMULAS, "\t=1+1", "\r=1+1"]),
        ("-2.36", "-2.36"),  # a number is not a formula
        ("+44", "+44"),
        ("1e-5", "1e-5"),
        ("Toilets = free", "Toilets = free"),
        ("", ""),
    ],
)
def test_a_formula_becomes_text_and_a_number_stays(text: str, written: str) -> None:
    assert neutralised(text) == written


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_downloads_exports_and_rejects_never_hold_a_formula(tmp_path: Path) -> None:
    """items.csv, the exported CSV and the rejects file write each formula with an apostrophe; GeoJSON keeps it."""
    rows = toilet_rows()[: len(FORMULAS)]
    for row, formula in zip(rows, FORMULAS, strict=True):
        row["LocationText"] = formula
    rejected = {**toilet_rows()[10], "GeoY": "=1+1", "Category": "@SUM(1+1)"}  # no latitude: rejected
    with clean_settings_environment():
        config = write_project(tmp_path, [*rows, rejected])
        loaded = load_settings(config)
        (report,) = ingest(loaded)
        assert (report.loaded, report.rejected) == (len(FORMULAS), 1)
        with running(create_app(loaded)) as base:
            download = get(base + "/api/collections/toilets/items.csv?limit=100").text
            geojson = get(base + "/api/collections/toilets/items?limit=100").json()
        export_site(loaded, tmp_path / "site")
    expected = {"'" + formula for formula in FORMULAS}
    assert {row["LocationText"] for row in rows_of(download)} == expected
    exported = (tmp_path / "site" / "toilets.csv").read_text(encoding="utf-8")
    assert {row["LocationText"] for row in rows_of(exported)} == expected
    assert {feature["properties"]["LocationText"] for feature in geojson["features"]} == set(FORMULAS)
    exported_geojson = json.loads((tmp_path / "site" / "toilets.geojson").read_text(encoding="utf-8"))
    assert {feature["properties"]["LocationText"] for feature in exported_geojson["features"]} == set(FORMULAS)
    (rejects,) = rows_of((tmp_path / "data" / "rejects" / "toilets.csv").read_text(encoding="utf-8"))
    assert (rejects["GeoY"], rejects["Category"]) == ("'=1+1", "'@SUM(1+1)")
    assert rejects["GeoX"] == rejected["GeoX"]  # a longitude such as -2.3 is still a number
