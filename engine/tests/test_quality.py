"""Data quality: measured at load time, stored with the load on both stores, served as a page and as JSON, checked.

The project is conftest.py's 23 toilets plus rows that break the schema in
known ways (a blank required name, a category holding a script tag, a
longitude that is not a number), so every count, reason, example row and
completeness figure below is known in advance.
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    ESCAPED_SCRIPT,
    MADE_UP_PLACE,
    Page,
    Served,
    clean_settings_environment,
    get,
    opened,
    running,
    toilet_rows,
    toml_text,
    write_csv,
    write_project,
)

from local_data_app.checks import Project, run_checks
from local_data_app.cli import main
from local_data_app.config import load_settings
from local_data_app.ingest import ingest
from local_data_app.normalise import Rejection
from local_data_app.quality import KEPT_REASONS, SHOWN_REASONS, Measure, quality_of, remote_quality
from local_data_app.store import Feature, Provenance
from local_data_app.web import create_app

SCRIPT = "<script>alert(1)</script>"
BLANK_NAME = "LocationText: required, but blank"
HOSTILE_REASON = f"Category: {SCRIPT!r} is not one of"
NOT_A_NUMBER = "GeoX: 'east' is not a number"
# The rows added after the 23 toilets (rows 2 to 24 of the file, the header being row 1): rows 25 to 31.
BLANK_ROWS = [25, 26, 27]  # three rows with a blank LocationText
HOSTILE_ROWS = [28, 29]  # two with a script tag for a category
BAD_X_ROWS = [30]  # one whose GeoX is not a number
BOTH_ROWS = [31]  # one with a blank LocationText and a bad GeoX: two reasons, one row


def rows_with_rejects() -> list[dict[str, str]]:
    """The 23 toilets, then 7 rows that break the schema (see the row numbers above)."""
    good = toilet_rows()
    bad = []
    for index in range(7):
        row = {**good[index], "Ref": f"B{index}"}
        if index < 3 or index == 6:
            row["LocationText"] = "  "
        if index in (3, 4):
            row["Category"] = SCRIPT
        if index in (5, 6):
            row["GeoX"] = "east"
        bad.append(row)
    return good + bad


def reasons(provenance: Provenance) -> dict[str, tuple[int, list[int]]]:
    """The measured reasons, each with its rows and example row numbers, by the start of its text."""
    quality = quality_of(provenance, [])
    return {reason.reason: (reason.rows, reason.example_rows) for reason in quality.reasons}


def only(database_url: str, folder: Path) -> Provenance:
    with opened(database_url, folder) as store:
        (provenance,) = store.provenance()
    return provenance


def test_counts_reasons_completeness_and_dates_are_stored_with_the_load(database_url: str, tmp_path: Path) -> None:
    """Loaded and rejected add up to read; each reason counts its rows once, with example rows; fields and dates."""
    config = write_project(tmp_path, rows_with_rejects(), database_url=database_url)
    loaded = load_settings(config)
    (report,) = ingest(loaded)
    provenance = only(database_url, tmp_path)
    quality = quality_of(provenance, loaded.schema()["fields"])

    assert (provenance.rows_read, provenance.rows_loaded, provenance.rows_rejected) == (30, 23, 7)
    assert provenance.rows_loaded + provenance.rows_rejected == provenance.rows_read
    found = {reason.reason: (reason.rows, reason.example_rows) for reason in quality.reasons}
    assert found[BLANK_NAME] == (4, BLANK_ROWS)  # three rows, then the fourth kept out of the examples
    assert found[NOT_A_NUMBER] == (2, [*BAD_X_ROWS, *BOTH_ROWS])
    (hostile,) = [value for reason, value in found.items() if reason.startswith(HOSTILE_REASON)]
    assert hostile == (2, HOSTILE_ROWS)
    assert [reason.rows for reason in quality.reasons] == [4, 2, 2]  # commonest first
    assert quality.other_reasons == 0
    # The reasons are the rejects file's.
    rejects = (tmp_path / "data" / "rejects" / "toilets.csv").read_text(encoding="utf-8")
    assert BLANK_NAME in rejects
    assert NOT_A_NUMBER in rejects

    filled = {entry.field: (entry.rows, entry.share) for entry in quality.completeness}
    assert filled["LocationText"] == (23, 1.0)
    assert filled["BabyChange"] == (23, 1.0)
    assert filled["Notes"] == (0, 0.0)
    assert [entry.field for entry in quality.completeness] == [spec["name"] for spec in loaded.schema()["fields"]]
    assert [(entry.field, entry.first, entry.last) for entry in quality.dates] == [
        ("ExtractDate", "2024-01-05", "2025-11-05")
    ]
    assert quality.status == "poor"  # 7 of 30 rows
    assert quality.summary == (f'Poor: 23 of 30 rows loaded; 7 rejected (23%), most often for "{BLANK_NAME}".')
    assert report.rejected == 7


def test_a_failed_load_leaves_the_previous_measure(database_url: str, tmp_path: Path) -> None:
    """A load refused because every row was rejected changes nothing: the quality of the data serving stays."""
    config = write_project(tmp_path, toilet_rows(), database_url=database_url)
    loaded = load_settings(config)
    ingest(loaded)
    before = only(database_url, tmp_path)
    write_csv(tmp_path, "toilets", [{**row, "LocationText": ""} for row in toilet_rows()])
    (report,) = ingest(loaded)
    assert report.error is not None
    after = only(database_url, tmp_path)
    assert after.quality == before.quality
    assert quality_of(after, []).summary == "Good: all 23 rows loaded; none rejected."


def test_a_load_made_before_measuring_is_not_measured_until_the_next(database_url: str, tmp_path: Path) -> None:
    """A catalogue without the quality column gains it empty: "not measured" until the next load measures it."""
    config = write_project(tmp_path, rows_with_rejects(), database_url=database_url)
    loaded = load_settings(config)
    ingest(loaded)
    drop_quality_column(database_url, tmp_path)
    provenance = only(database_url, tmp_path)  # opening the store adds the column back, empty
    assert provenance.quality is None
    quality = quality_of(provenance, loaded.schema()["fields"])
    assert (quality.status, quality.measured, quality.reasons, quality.completeness) == ("not measured", False, [], [])
    assert quality.summary.startswith("Not measured: 23 of 30 rows loaded, 7 rejected.")
    ingest(loaded, force=True)
    assert quality_of(only(database_url, tmp_path), []).status == "poor"


def drop_quality_column(database_url: str, folder: Path) -> None:
    """Make the catalogue as an earlier version left it, without the quality column."""
    if database_url.startswith("sqlite:"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            db.execute("ALTER TABLE _collections DROP COLUMN quality")
            db.commit()
        return
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute("ALTER TABLE _collections DROP COLUMN quality")


def test_status_words_follow_the_share_rejected() -> None:
    """Up to 1% rejected is good, up to 5% fair, more poor; the words give the counts and the commonest reason."""

    def measured(read: int, rejected: int) -> str:
        measure = Measure([])
        measure.add([], [Rejection(2, {}, ["Postcode: required, but blank"])] * rejected)
        counts = {"rows_read": read, "rows_loaded": read - rejected, "rows_rejected": rejected}
        provenance = Provenance("p", "t", "csv", "x.csv", "OGL-UK-3.0", None, "", **counts, quality=measure.stored())
        return quality_of(provenance, []).summary

    assert measured(5000, 5) == (
        'Good: 4,995 of 5,000 rows loaded; 5 rejected, most often for "Postcode: required, but blank".'
    )
    assert measured(5000, 250).startswith("Fair: 4,750 of 5,000 rows loaded; 250 rejected, most often")
    assert measured(5000, 251).startswith("Poor: 4,749 of 5,000 rows loaded; 251 rejected (5%), most often")
    assert measured(1, 0) == "Good: all 1 row loaded; none rejected."


def test_the_measure_is_bounded_whatever_the_data() -> None:
    """Many distinct reasons keep the commonest, even one late in the file, the rest counted; a long reason is cut."""
    measure = Measure([{"name": "Notes", "type": "string"}])
    distinct = [Rejection(row, {}, [f"Notes: {row!r} is odd"]) for row in range(KEPT_REASONS + 500)]
    common = [Rejection(row, {}, ["x" * 10_000]) for row in range(5)]
    measure.add([], [*distinct, *common])
    feature = Feature("a", None, None, {"Notes": "n"}, {}, 2)
    measure.add([feature, Feature("b", None, None, {"Notes": None}, {}, 3)], [])
    stored = json.loads(measure.stored())
    assert len(stored["reasons"]) == SHOWN_REASONS
    first, rows, examples = stored["reasons"][0]
    assert (len(first), rows, examples) == (300, 5, [0, 1, 2])
    assert stored["otherReasons"] == KEPT_REASONS + 500 - (SHOWN_REASONS - 1)
    assert stored["filled"] == {"Notes": 1}
    assert len(measure.stored()) < 10_000


# --- Served -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Served]:
    """The project with rejected rows, ingested into each kind of store and served on 127.0.0.1."""
    with clean_settings_environment():
        config = write_project(tmp_path_factory.mktemp("project"), rows_with_rejects(), database_url=web_database_url)
        loaded = load_settings(config)
        (report,) = ingest(loaded)
        assert report.rejected == 7
        app = create_app(loaded)
        with running(app) as base:
            yield Served(base, app, config)


def test_the_json_document_gives_the_measure_and_links(served: Served) -> None:
    """/api/collections/{id}/quality gives the counts, reasons, completeness and dates, linked from the collection."""
    answer = get(served.base + "/api/collections/toilets/quality")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert (body["rowsRead"], body["rowsLoaded"], body["rowsRejected"]) == (30, 23, 7)
    assert (body["status"], body["measured"], body["rejectedShare"]) == ("poor", True, round(7 / 30, 4))
    assert body["reasons"][0] == {"reason": BLANK_NAME, "rows": 4, "exampleRows": BLANK_ROWS}
    assert any(reason["reason"].startswith(HOSTILE_REASON) for reason in body["reasons"])  # JSON keeps it as it is
    completeness = {entry["field"]: entry for entry in body["completeness"]}
    assert completeness["LocationText"] == {
        "field": "LocationText",
        "title": completeness["LocationText"]["title"],
        "rowsWithValue": 23,
        "share": 1.0,
    }
    assert body["dates"] == [
        {"field": "ExtractDate", "title": body["dates"][0]["title"], "first": "2024-01-05", "last": "2025-11-05"}
    ]
    assert body["fetchedAt"]
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert rels["self"] == served.base + "/api/collections/toilets/quality"
    assert rels["alternate"] == served.base + "/quality#quality-toilets"
    assert rels["collection"] == served.base + "/api/collections/toilets"
    collection = get(served.base + "/api/collections/toilets").json()
    assert {"rel": "describedby", "href": rels["self"]}.items() <= next(
        link for link in collection["links"] if link["rel"] == "describedby"
    ).items()


@pytest.mark.parametrize(
    ("path", "status", "word"),
    [
        ("/api/collections/toilets/quality?f=xml", 400, "f"),
        ("/api/collections/toilets/quality?limit=1", 400, "limit"),
        ("/api/collections/nowhere/quality", 404, "nowhere"),
    ],
)
def test_bad_requests_for_the_document_are_named(served: Served, path: str, status: int, word: str) -> None:
    """A parameter it does not take, a format it has not, or a collection that does not exist: named, no trace."""
    answer = get(served.base + path)
    assert answer.status == status
    body = answer.json()
    assert word in body["description"]
    assert "Traceback" not in answer.text


def test_the_page_shows_every_figure_with_reasons_escaped(served: Served) -> None:
    """/quality shows the status, counts, reasons with examples and completeness; a script in a reason is text."""
    answer = get(served.base + "/quality")
    assert answer.status == 200
    assert SCRIPT not in answer.text
    assert ESCAPED_SCRIPT in answer.text
    page = Page(answer.text)
    assert "Poor: 23 of 30 rows loaded; 7 rejected (23%)" in page.text
    assert f"{BLANK_NAME} 4 25, 26, 27" in page.text
    assert "LocationText 23 100.0%" in page.text or "23 100.0%" in page.text
    assert "2024-01-05 to 2025-11-05" in page.text
    assert page.find("h2", id="quality-toilets")
    assert page.find("a", href="/api/collections/toilets/quality")
    about = Page(get(served.base + "/about").text)
    assert about.find("a", href="/quality")


def test_an_aggregator_keeps_what_the_source_app_reports(served: Served, tmp_path: Path) -> None:
    """An ogcapi source keeps its app's quality document beside its own measure, and the page shows it, escaped."""
    source = {
        "name": "remote",
        "adapter": "ogcapi",
        "location": served.base + "/api/collections/toilets",
        "timeout": 5,
        "retries": 1,
        "backoff": 0.01,
    }
    config = tmp_path / "place.toml"
    config.write_text(toml_text({**MADE_UP_PLACE, "sources": [source]}), encoding="utf-8")
    loaded = load_settings(config)
    (report,) = ingest(loaded)
    assert (report.loaded, report.rejected) == (23, 0), report.error
    quality = quality_of(only(loaded.settings.database_url, tmp_path), loaded.schema()["fields"])
    assert quality.summary == "Good: all 23 rows loaded; none rejected."  # its own measure of what it read
    remote = quality.remote
    assert remote is not None
    assert (remote["rowsRead"], remote["rowsLoaded"], remote["rowsRejected"]) == (30, 23, 7)
    assert remote["summary"].startswith("Poor: 23 of 30 rows loaded")
    assert remote["reasons"][0] == {"reason": BLANK_NAME, "rows": 4, "exampleRows": BLANK_ROWS}
    app = create_app(loaded)
    with running(app) as base:
        document = get(base + "/api/collections/remote/quality").json()
        page = get(base + "/quality").text
    assert document["remote"]["rowsRejected"] == 7
    assert "Remote: as the source's own app reports" in Page(page).text
    assert SCRIPT not in page
    assert ESCAPED_SCRIPT in page  # the remote's reason, shown as text


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        {"rowsRead": "30", "rowsLoaded": 23, "rowsRejected": 7},
        {"rowsRead": True, "rowsLoaded": 23, "rowsRejected": 7},
        {"rowsRead": -1, "rowsLoaded": 23, "rowsRejected": 7},
    ],
)
def test_a_remote_report_that_is_not_one_is_not_kept(document: Any) -> None:
    """Counts that are not whole numbers of rows, or no object at all: nothing is kept."""
    assert remote_quality(document) is None


def test_a_remote_report_is_bounded() -> None:
    """Only known members are kept, text cut to one short line, reasons and examples limited in number."""
    document = {
        "rowsRead": 3,
        "rowsLoaded": 2,
        "rowsRejected": 1,
        "summary": "x\n" * 1000,
        "extra": "dropped",
        "reasons": [{"reason": f"r{n}", "rows": 1, "exampleRows": [1, 2, 3, 4, "5"]} for n in range(50)] + ["bad"],
    }
    kept = remote_quality(document)
    assert kept is not None
    assert set(kept) == {"rowsRead", "rowsLoaded", "rowsRejected", "summary", "reasons"}
    assert len(kept["summary"]) == 300
    assert "\n" not in kept["summary"]
    assert len(kept["reasons"]) == SHOWN_REASONS
    assert kept["reasons"][0]["exampleRows"] == [1, 2, 3]


# --- The check ----------------------------------------------------------------------------------------------------


def check(config: Path) -> dict[str, Any]:
    """The quality check's result for the project of this place.toml."""
    (result,) = run_checks(Project.find(config), ["quality"]).results
    return result.as_dict()


def test_the_check_warns_when_many_rows_were_rejected(database_url: str, tmp_path: Path) -> None:
    """Nothing loaded passes with a note; a load rejecting more than 5% warns with its reasons; a clean one passes."""
    config = write_project(tmp_path, rows_with_rejects(), database_url=database_url)
    if database_url.startswith("sqlite:"):
        before = check(config)
        assert before["status"] == "passed"
        assert "No data loaded yet" in before["summary"]
        assert not Path(database_url.removeprefix("sqlite:///")).exists()  # the check made no database
    ingest(load_settings(config))
    found = check(config)
    assert found["status"] == "warning"
    (finding,) = found["findings"]
    assert "7 of 30 rows read (23%)" in finding["message"]
    assert BLANK_NAME in finding["message"]
    assert "data/rejects/toilets.csv" in finding["message"]
    assert found["details"] == [
        f'toilets: Poor: 23 of 30 rows loaded; 7 rejected (23%), most often for "{BLANK_NAME}".'
    ]
    write_csv(tmp_path, "toilets", toilet_rows())
    ingest(load_settings(config))
    assert check(config)["status"] == "passed"


def test_the_check_command_reports_quality(tmp_path: Path) -> None:
    """`check --only quality` prints each source's status in words."""
    config = write_project(tmp_path, rows_with_rejects())
    ingest(load_settings(config))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["--config", str(config), "check", "--only", "quality", "--format", "json"])
    (result,) = json.loads(out.getvalue())["checks"]
    assert result["id"] == "quality"
    assert result["status"] == "warning"
