"""A word search looks in the fields the theme marks with ``x-search``: what a resident types, not long notes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Page, listed, serving, toilet_rows

from local_data_app.schemas import load_schema
from local_data_app.store import searched_fields
from local_data_app.testing import get


def test_the_themes_mark_names_addresses_and_postcodes_and_not_notes_or_hours() -> None:
    toilets = searched_fields(load_schema("public_toilets")["fields"])
    assert {"LocationText", "StreetAddress", "Postcode", "Category"} <= set(toilets)
    assert not {"Notes", "OpeningHours", "OrganisationURI", "InfoURL", "ReportEmail"} & set(toilets)
    points = searched_fields(load_schema("generic_points")["fields"])
    assert {"name", "address", "postcode", "category"} <= set(points)
    assert "url" not in points


def test_a_theme_that_marks_no_field_has_every_text_field_searched() -> None:
    fields = [{"name": "title"}, {"name": "notes", "type": "string"}, {"name": "size", "type": "number"}]
    assert searched_fields(fields) == ["title", "notes"]
    assert searched_fields([*fields[:2], {"name": "code", "type": "string", "x-search": True}]) == ["code"]
    assert searched_fields([{"name": "notes", "type": "string", "x-search": "yes"}]) == ["notes"]  # only true marks


def test_a_search_finds_words_in_marked_fields_only(tmp_path: Path, database_url: str) -> None:
    rows = [{**row, "StreetAddress": "", "Postcode": "", "Notes": "", "OpeningHours": ""} for row in toilet_rows()]
    rows[0].update(StreetAddress="1 Museum Street", Notes="Behind the library")
    rows[1].update(OpeningHours="Library hours: Mon-Sat 09:00-17:00", Notes="Museum visitors welcome")
    rows[2].update(Postcode="LB1 2AA")
    with serving(tmp_path / "project", rows, database_url) as served:
        assert listed(Page(get(served.base + "/?q=museum").text)) == ["Toilet 0"]
        assert listed(Page(get(served.base + "/?q=library").text)) == []
        assert listed(Page(get(served.base + "/?q=lb1").text)) == ["Toilet 2"]


@pytest.mark.parametrize("theme", ["public_toilets", "generic_points"])
def test_every_marked_field_is_a_text_field(theme: str) -> None:
    for spec in load_schema(theme)["fields"]:
        if spec.get("x-search"):
            assert spec.get("type", "string") == "string", spec["name"]
