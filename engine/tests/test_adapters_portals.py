"""The CKAN, ArcGIS, OpenDataSoft and Socrata adapters page through a real local server that answers like each."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from portal_server import ARCGIS_LAYER, DATASET_ID, FOUR_BY_FOUR, RESOURCE_ID, Endless, Item, PortalServer

from local_data_app import adapters
from local_data_app.adapters.opendatasoft import array_items
from local_data_app.errors import SourceError

SEVEN = [
    Item(
        {"name": f"Toilet {n}", "ward": "Central" if n % 2 else "North", "fee": None if n in (2, 5) else "0.20"},
        point=(-2.3 - n / 100, 53.4 + n / 100),
    )
    for n in range(1, 8)
]
CREDENTIAL = "s3cr3t-app-token-value"
VARIABLE = "SOCRATA_APP_TOKEN"


@dataclass(frozen=True)
class Case:
    """One portal adapter, where the server serves its API and the options that name the data."""

    adapter: str
    path: str
    options: dict[str, Any]
    endpoint: str
    points: bool = True

    def expected_values(self, number: int, item: Item) -> dict[str, Any]:
        """The values the adapter should give for ``item``, the record numbered ``number``."""
        if self.adapter == "arcgis":
            return {"OBJECTID": number, **item.values}
        if self.adapter == "socrata":
            return {key: value for key, value in item.values.items() if value is not None}
        return item.values


CASES = [
    Case("ckan", "", {"resource_id": RESOURCE_ID}, "ckan", points=False),
    Case("arcgis", ARCGIS_LAYER, {}, "arcgis"),
    Case("opendatasoft", "", {"dataset_id": DATASET_ID}, "ods"),
    Case("socrata", "", {"dataset_id": FOUR_BY_FOUR, "geo_field": "location"}, "socrata"),
]
BY_NAME = {case.adapter: case for case in CASES}
each_portal = pytest.mark.parametrize("case", CASES, ids=[case.adapter for case in CASES])

QUICK = {"page_size": 3, "timeout": 0.5, "retries": 2, "backoff": 0.01}


@pytest.fixture
def portal() -> Iterator[PortalServer]:
    """A portal server holding seven records."""
    with PortalServer(SEVEN) as server:
        yield server


def adapter_for(server: PortalServer, case: Case, tmp_path: Path, **options: Any) -> adapters.Adapter:
    source = adapters.SourceSpec("toilets", server.url + case.path, tmp_path)
    return adapters.create(case.adapter, source, {**case.options, **QUICK, **options})


def read_until_error(adapter: adapters.Adapter) -> tuple[list[adapters.RawRecord], SourceError]:
    """The records read before the adapter failed, and its error."""
    records: list[adapters.RawRecord] = []
    with pytest.raises(SourceError) as caught:
        records.extend(adapter.records())
    return records, caught.value


# Every portal


@each_portal
def test_reads_every_record_across_pages(portal: PortalServer, case: Case, tmp_path: Path) -> None:
    """It reads all seven records in three pages of three, numbered in order, and learns the total."""
    adapter = adapter_for(portal, case, tmp_path)
    records = list(adapter.records())
    assert [record.number for record in records] == list(range(1, 8))
    assert [record.values for record in records] == [
        case.expected_values(number, item) for number, item in enumerate(SEVEN, start=1)
    ]
    if case.points:
        assert [record.point for record in records] == [item.point for item in SEVEN]
        assert {record.point_crs for record in records} == {"EPSG:4326"}
    assert all(record.problem is None for record in records)
    assert adapter.total == 7
    assert [seen.page for seen in portal.requests_to(case.endpoint)] == [1, 2, 3]


@each_portal
def test_stops_without_asking_for_an_empty_last_page(portal: PortalServer, case: Case, tmp_path: Path) -> None:
    """When the records fill the last page exactly, it stops at the total instead of asking for one more."""
    records = list(adapter_for(portal, case, tmp_path, page_size=7).records())
    assert len(records) == 7
    assert len(portal.requests_to(case.endpoint)) == 1


@each_portal
def test_reads_an_empty_dataset(case: Case, tmp_path: Path) -> None:
    """A dataset with no records gives none, with a total of zero."""
    with PortalServer([]) as server:
        adapter = adapter_for(server, case, tmp_path)
        assert list(adapter.records()) == []
        assert adapter.total == 0
        assert len(server.requests_to(case.endpoint)) == 1


@each_portal
def test_failure_in_the_middle_names_source_url_and_page(portal: PortalServer, case: Case, tmp_path: Path) -> None:
    """A page that keeps failing stops the read with a message naming the source, the URL and the page."""
    portal.fail("status", endpoint=case.endpoint, page=2, times=None)
    records, error = read_until_error(adapter_for(portal, case, tmp_path))
    assert len(records) == 3
    message = str(error)
    assert "'toilets'" in message
    assert f"page 2 of {portal.url}{case.path}" in message
    assert "HTTP 500" in message
    assert "tried up to 3 times" in message
    assert len([seen for seen in portal.requests_to(case.endpoint) if seen.page == 2]) == 3


@each_portal
def test_transient_failure_is_retried(portal: PortalServer, case: Case, tmp_path: Path) -> None:
    """A page that fails once is asked for again, and the read completes."""
    portal.fail("status", endpoint=case.endpoint, page=2, times=1, status=502)
    records = list(adapter_for(portal, case, tmp_path).records())
    assert len(records) == 7
    assert [seen.page for seen in portal.requests_to(case.endpoint)] == [1, 2, 2, 3]


@each_portal
def test_slow_page_times_out(portal: PortalServer, case: Case, tmp_path: Path) -> None:
    """A page slower than the timeout fails with a message that says so and names the page."""
    portal.fail("delay", endpoint=case.endpoint, page=2, times=None, seconds=4.0)
    # A timeout a busy machine still meets for page 1, well short of page 2's delay.
    records, error = read_until_error(adapter_for(portal, case, tmp_path, timeout=1.5, retries=0))
    assert len(records) == 3
    assert "page 2 of" in str(error)
    assert "no answer within 1.5 seconds" in str(error)


@each_portal
def test_page_cut_short_is_an_error(portal: PortalServer, case: Case, tmp_path: Path) -> None:
    """A page whose JSON is cut short is reported, naming the page."""
    portal.fail("truncate", endpoint=case.endpoint, page=3, times=None)
    records, error = read_until_error(adapter_for(portal, case, tmp_path))
    assert len(records) == 6
    assert "page 3 of" in str(error)
    assert "not valid JSON" in str(error)


@each_portal
@pytest.mark.parametrize(("kind", "says"), [("html", "a web page"), ("xml", "application/xml, not JSON")])
def test_web_page_or_xml_instead_of_json_is_an_error(
    portal: PortalServer, case: Case, kind: str, says: str, tmp_path: Path
) -> None:
    """An HTML page (a login or maintenance page) or an XML document is reported as such, not parsed."""
    portal.fail(kind, endpoint=case.endpoint, page=2, times=None)
    records, error = read_until_error(adapter_for(portal, case, tmp_path))
    assert len(records) == 3
    assert f"'toilets': could not read page 2 of {portal.url}{case.path}" in str(error)
    assert f"the answer is {says}" in str(error)


@each_portal
def test_json_labelled_as_plain_text_is_read(portal: PortalServer, case: Case, tmp_path: Path) -> None:
    """A portal that labels its JSON as plain text on every answer is read whole all the same."""
    portal.fail("plain", times=None)
    assert len(list(adapter_for(portal, case, tmp_path).records())) == 7


@each_portal
def test_answer_of_the_wrong_shape_is_an_error(portal: PortalServer, case: Case, tmp_path: Path) -> None:
    """JSON that is not the portal's documented answer is reported with what was expected and what came."""
    portal.fail("wrong_shape", endpoint=case.endpoint, page=2, times=None)
    records, error = read_until_error(adapter_for(portal, case, tmp_path))
    assert len(records) == 3
    message = str(error)
    assert "'toilets'" in message
    assert f"page 2 of {portal.url}{case.path}" in message
    assert "expected" in message
    assert "got a JSON" in message


@each_portal
def test_empty_page_before_the_total_is_an_error(portal: PortalServer, case: Case, tmp_path: Path) -> None:
    """A page that comes back empty before the announced total is reached is not taken as the end."""
    portal.fail("no_records", endpoint=case.endpoint, page=2, times=None)
    records, error = read_until_error(adapter_for(portal, case, tmp_path))
    assert len(records) == 3
    assert "after 3 of the 7 records" in str(error)
    assert "page 2" in str(error)


@each_portal
@pytest.mark.parametrize("page", [2, 3])
def test_a_page_that_repeats_the_first_is_an_error(portal: PortalServer, case: Case, page: int, tmp_path: Path) -> None:
    """A portal that ignores the offset and sends page 1 again is caught before a record is read twice."""
    portal.fail("repeat", endpoint=case.endpoint, page=page, times=None)
    records, error = read_until_error(adapter_for(portal, case, tmp_path))
    assert [record.number for record in records] == list(range(1, 3 * (page - 1) + 1))
    assert len({json.dumps(record.values, sort_keys=True) for record in records}) == len(records)
    message = str(error)
    assert message.startswith(f"Source 'toilets': page {page} of {portal.url}{case.path}")
    assert message.endswith(
        " repeats page 1, the same 3 records, so reading stopped rather than load them twice. The portal, or a "
        "cache in front of it, may be ignoring the paging offset: check the location (the portal's own address, "
        "not a proxy's). If the data holds runs of identical records, a larger page_size tells the pages apart."
    )
    assert [seen.page for seen in portal.requests_to(case.endpoint)] == list(range(1, page + 1))


@each_portal
def test_a_portal_that_always_ignores_the_offset_is_not_paged_forever(case: Case, tmp_path: Path) -> None:
    """Every answer the first page, and more announced than will ever come: it stops at the second page."""
    with PortalServer(SEVEN, arcgis_flag="top") as server:
        server.fail("repeat", endpoint=case.endpoint, times=None)
        _, error = read_until_error(adapter_for(server, case, tmp_path))
        assert "page 2 of" in str(error)
        assert "repeats page 1" in str(error)
        assert len(server.requests_to(case.endpoint)) == 2


@each_portal
def test_pages_of_identical_records_are_told_apart_by_ids_or_a_larger_page(case: Case, tmp_path: Path) -> None:
    """Nine identical records: CKAN and ArcGIS number them, so pages differ; OpenDataSoft and Socrata send them
    bare, so page 2 cannot be told from a repeat of page 1 until the page size, as the message advises, is larger.
    """
    alike = [Item({"name": "Toilet", "ward": "Central", "fee": "0.20"}, point=(-2.3, 53.4)) for _ in range(9)]
    with PortalServer(alike) as server:
        if case.adapter in ("ckan", "arcgis"):
            assert len(list(adapter_for(server, case, tmp_path).records())) == 9
        else:
            _, error = read_until_error(adapter_for(server, case, tmp_path))
            assert "page 2 of" in str(error)
            assert "a larger page_size tells the pages apart" in str(error)
            assert len(list(adapter_for(server, case, tmp_path, page_size=9).records())) == 9


@each_portal
def test_location_must_be_a_web_address(case: Case, tmp_path: Path) -> None:
    """A file path where a portal address belongs is refused, naming the source and the location."""
    source = adapters.SourceSpec("toilets", "data/toilets.csv", tmp_path)
    adapter = adapters.create(case.adapter, source, case.options)
    with pytest.raises(SourceError, match=r"Source 'toilets': the location 'data/toilets.csv' is not a web address"):
        list(adapter.records())


@each_portal
def test_unknown_option_is_refused(case: Case) -> None:
    """A misspelt option is refused with its name and the adapter's."""
    with pytest.raises(ValueError, match=rf"pagesize is not an option of the {case.adapter} adapter"):
        adapters.options_for(case.adapter, {**case.options, "pagesize": 10})


@each_portal
def test_http_options_are_accepted(case: Case) -> None:
    """Every portal adapter takes the timeout, retries and backoff options, and the limits."""
    options = adapters.options_for(case.adapter, {**case.options, "timeout": 5, "retries": 0, "backoff": 0.5})
    assert (options.timeout, options.retries, options.backoff) == (5, 0, 0.5)
    limits = {"deadline": 60, "max_answer_bytes": 1000, "max_source_bytes": 5000, "max_pages": 7}
    options = adapters.options_for(case.adapter, {**case.options, **limits})
    assert options.model_dump(include=set(limits)) == limits


@pytest.mark.parametrize("case", [BY_NAME[name] for name in ("ckan", "arcgis", "socrata")], ids=str)
def test_paging_stops_at_max_pages(case: Case, tmp_path: Path) -> None:
    """A portal announcing 10**12 records, with new ones on every page, is read up to max_pages and no further."""
    with PortalServer(Endless()) as server:
        records, error = read_until_error(adapter_for(server, case, tmp_path, max_pages=3))
        asked = server.requests_to(case.endpoint)
    assert [record.number for record in records] == list(range(1, 10))
    assert len(asked) == 3
    message = str(error)
    assert message.startswith(f"Source 'toilets': stopped before page 4 of {server.url}{case.path}")
    assert message.endswith(
        ": the source's max_pages is 3, and the portal says it holds 1,000,000,000,000 records. If the data is that "
        "large, raise max_pages (or page_size, if the portal allows) in the source's [[sources]] entry in "
        "place.toml; if not, the portal is announcing more records than it holds: check the location."
    )


@each_portal
def test_the_source_byte_cap_stops_paging(portal: PortalServer, case: Case, tmp_path: Path) -> None:
    """max_source_bytes counts every answer of the source: the pages read before it is passed are kept."""
    cap = 1000 if case.adapter == "arcgis" else 600  # the seven records take 866 to 1,533 bytes; a page of ArcGIS 600
    records, error = read_until_error(adapter_for(portal, case, tmp_path, max_source_bytes=cap))
    assert 0 < len(records) < 7
    assert f"the source has sent more than its max_source_bytes of {cap:,} bytes in all" in str(error)
    assert "raise max_source_bytes in the source's [[sources]] entry in place.toml" in str(error)


@pytest.mark.parametrize(("adapter", "largest"), [("ckan", 32000), ("opendatasoft", 100), ("socrata", 50000)], ids=str)
def test_page_size_is_bounded_by_the_api(adapter: str, largest: int) -> None:
    """A page size beyond what the portal's API serves is refused."""
    case = BY_NAME[adapter]
    assert adapters.options_for(adapter, {**case.options, "page_size": largest})
    with pytest.raises(ValueError, match="page_size"):
        adapters.options_for(adapter, {**case.options, "page_size": largest + 1})


@pytest.mark.parametrize(
    ("case", "offset"),
    [(BY_NAME["ckan"], "offset"), (BY_NAME["arcgis"], "resultOffset"), (BY_NAME["socrata"], "$offset")],
    ids=["ckan", "arcgis", "socrata"],
)
def test_a_portal_that_sends_fewer_than_asked_is_read_whole(case: Case, offset: str, tmp_path: Path) -> None:
    """A portal capping each answer below the page size (ArcGIS maxRecordCount, CKAN rows_max) loses nothing."""
    with PortalServer(SEVEN, max_records=2) as server:
        records = list(adapter_for(server, case, tmp_path).records())
        assert [record.values["name"] for record in records] == [item.values["name"] for item in SEVEN]
        assert [record.number for record in records] == list(range(1, 8))
        assert [seen.params[offset] for seen in server.requests_to(case.endpoint)] == ["0", "2", "4", "6"]


# CKAN


def test_ckan_asks_for_the_resource_in_datastore_order(portal: PortalServer, tmp_path: Path) -> None:
    """It names the resource, pages with limit and offset, sorts by _id and leaves _id out of the values."""
    records = list(adapter_for(portal, BY_NAME["ckan"], tmp_path).records())
    assert all("_id" not in record.values for record in records)
    params = [seen.params for seen in portal.requests_to("ckan")]
    assert [(p["resource_id"], p["limit"], p["offset"], p["sort"]) for p in params] == [
        (RESOURCE_ID, "3", "0", "_id"),
        (RESOURCE_ID, "3", "3", "_id"),
        (RESOURCE_ID, "3", "6", "_id"),
    ]


def test_ckan_error_answer_gives_the_portal_message(portal: PortalServer, tmp_path: Path) -> None:
    """An answer with success false is reported with CKAN's own error message."""
    portal.fail("error", endpoint="ckan", page=1, times=None)
    _, error = read_until_error(adapter_for(portal, BY_NAME["ckan"], tmp_path))
    assert "the portal refused page 1 of" in str(error)
    assert "Authorization Error: Access denied" in str(error)


def test_ckan_unknown_resource_is_not_retried(portal: PortalServer, tmp_path: Path) -> None:
    """A resource the portal does not know gives a 404, reported at once with a hint."""
    _, error = read_until_error(adapter_for(portal, BY_NAME["ckan"], tmp_path, resource_id="no-such-resource"))
    assert "HTTP 404" in str(error)
    assert "resource" in str(error)
    assert len(portal.requests_to("ckan")) == 1


# ArcGIS


@pytest.mark.parametrize("flag", ["properties", "top", "none"])
def test_arcgis_pages_whichever_way_the_layer_says_there_is_more(flag: str, tmp_path: Path) -> None:
    """exceededTransferLimit is found in properties or at the top, and the count carries on when it is missing."""
    with PortalServer(SEVEN, arcgis_flag=flag) as server:
        records = list(adapter_for(server, BY_NAME["arcgis"], tmp_path).records())
        assert len(records) == 7
        assert len(server.requests_to("arcgis")) == 3


def test_arcgis_asks_for_geojson_in_wgs84_in_object_id_order(portal: PortalServer, tmp_path: Path) -> None:
    """Every query asks for all fields as GeoJSON in EPSG:4326, ordered by the object id field."""
    list(adapter_for(portal, BY_NAME["arcgis"], tmp_path, where="ward = 'North'", object_id_field="FID").records())
    (count,) = portal.requests_to("arcgis-count")
    assert count.params == {"where": "ward = 'North'", "returnCountOnly": "true", "f": "json"}
    first = portal.requests_to("arcgis")[0].params
    assert first == {
        "where": "ward = 'North'",
        "outFields": "*",
        "outSR": "4326",
        "f": "geojson",
        "orderByFields": "FID",
        "resultOffset": "0",
        "resultRecordCount": "3",
    }


@pytest.mark.parametrize("endpoint", ["arcgis", "arcgis-count"])
def test_arcgis_error_in_a_200_answer_is_an_error(portal: PortalServer, endpoint: str, tmp_path: Path) -> None:
    """ArcGIS reports errors with HTTP 200; the message gives its code, message and details."""
    portal.fail("error", endpoint=endpoint, times=None)
    _, error = read_until_error(adapter_for(portal, BY_NAME["arcgis"], tmp_path))
    message = str(error)
    assert f"Source 'toilets': the portal refused {'page 1 of ' if endpoint == 'arcgis' else ''}" in message
    assert f"{portal.url}{ARCGIS_LAYER}/query?" in message
    assert "error 400: Unable to complete operation. (Invalid query)" in message


def test_arcgis_features_that_are_not_points_are_rejected_with_a_reason(tmp_path: Path) -> None:
    """A line or polygon feature is read with a problem that says only points are supported."""
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    items = [SEVEN[0], Item({"name": "Park"}, geometry=square), Item({"name": "Unplaced"})]
    with PortalServer(items) as server:
        first, park, unplaced = adapter_for(server, BY_NAME["arcgis"], tmp_path).records()
    assert first.point == SEVEN[0].point
    assert park.point is None
    assert park.problem is not None
    assert "Polygon" in park.problem
    assert "point layers only" in park.problem
    assert unplaced.point is None
    assert unplaced.problem is None


@pytest.mark.parametrize("location", ["/arcgis/rest/services/Toilets/FeatureServer", f"{ARCGIS_LAYER}/query"])
def test_arcgis_location_must_be_a_layer(portal: PortalServer, location: str, tmp_path: Path) -> None:
    """A service address without a layer number, or with /query added, is refused with an example."""
    source = adapters.SourceSpec("toilets", portal.url + location, tmp_path)
    with pytest.raises(SourceError, match=r"not an ArcGIS layer address; expected one ending in /FeatureServer/"):
        list(adapters.create("arcgis", source, {}).records())
    assert portal.log == []


# OpenDataSoft


def test_opendatasoft_uses_the_export_beyond_ten_thousand_records(tmp_path: Path) -> None:
    """More records than the API pages through are read from the JSON export, every one, in order."""
    items = [Item({"name": f"Toilet {n}"}, point=(-2.0, 53.0 + n / 100_000)) for n in range(1, 10_002)]
    with PortalServer(items) as server:
        # The export of 10,001 records takes longer than QUICK's half second on a busy machine: a retry is not
        # what this test counts, so the export has time enough.
        adapter = adapter_for(server, BY_NAME["opendatasoft"], tmp_path, page_size=100, timeout=30)
        records = list(adapter.records())
        assert len(server.requests_to("ods")) == 1
        assert len(server.requests_to("ods-export")) == 1
    assert adapter.total == 10_001
    assert [record.number for record in records] == list(range(1, 10_002))
    assert records[-1].values == {"name": "Toilet 10001"}
    assert records[-1].point == items[-1].point


def test_opendatasoft_export_cut_short_is_an_error(tmp_path: Path) -> None:
    """An export whose JSON is cut short is reported, naming the export's URL."""
    items = [Item({"name": f"Toilet {n}"}) for n in range(1, 10_002)]
    with PortalServer(items) as server:
        server.fail("truncate", endpoint="ods-export", times=None)
        _, error = read_until_error(adapter_for(server, BY_NAME["opendatasoft"], tmp_path))
        assert f"the export {server.url}/api/explore/v2.1/catalog/datasets/{DATASET_ID}/exports/json" in str(error)
        assert "cut short" in str(error)


def test_opendatasoft_geo_field_is_configurable(portal: PortalServer, tmp_path: Path) -> None:
    """With geo_field unset the point stays among the values; a field that is not a point is a problem."""
    kept = list(adapter_for(portal, BY_NAME["opendatasoft"], tmp_path, geo_field=None).records())
    assert kept[0].point is None
    assert kept[0].values["geo_point_2d"] == {"lon": SEVEN[0].point[0], "lat": SEVEN[0].point[1]}
    wrong = list(adapter_for(portal, BY_NAME["opendatasoft"], tmp_path, geo_field="name").records())
    assert wrong[0].problem == "its name is not a point with lon and lat: 'Toilet 1'"
    assert "name" not in wrong[0].values


@pytest.mark.parametrize("chunk", [1, 2, 7, 64])
def test_array_items_parses_a_json_array_in_pieces(chunk: int) -> None:
    """Items come out as json.loads reads them, however the text is split."""
    data = [{"a": "[1, 2]", "b": 'quote " and , comma'}, [], {}, 12345, -0.5e3, "x\u00e9", None, True, [{"n": [1]}]]
    text = " [\n" + ",\n  ".join(json.dumps(item) for item in data) + " ] \n"
    assert list(array_items(io.StringIO(text), chunk=chunk)) == data
    assert list(array_items(io.StringIO(" [ ] "), chunk=chunk)) == []


@pytest.mark.parametrize("text", ["", "{}", "[1,", "[1 2]", "[1] x", '[{"a": 1}', "[1,]"])
def test_array_items_refuses_what_is_not_one_array(text: str) -> None:
    """Text that is not exactly one JSON array is a ValueError."""
    with pytest.raises(ValueError):  # noqa: PT011 (json's own messages vary)
        list(array_items(io.StringIO(text), chunk=2))


# Socrata


def test_socrata_sends_the_app_token_as_a_header_only(
    portal: PortalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token goes in X-App-Token on every request, never in a URL or an error message."""
    monkeypatch.setenv(VARIABLE, CREDENTIAL)
    portal.fail("status", endpoint="socrata", page=3, times=None, status=503)
    _, error = read_until_error(adapter_for(portal, BY_NAME["socrata"], tmp_path, app_token_env=VARIABLE))
    seen = portal.requests_to("socrata-count") + portal.requests_to("socrata")
    assert {request.headers.get("X-App-Token") for request in seen} == {CREDENTIAL}
    assert all(CREDENTIAL not in request.url for request in seen)
    assert CREDENTIAL not in str(error)
    assert "page 3 of" in str(error)


def test_socrata_names_the_unset_token_variable(portal: PortalServer, tmp_path: Path) -> None:
    """An app_token_env naming a variable that is not set stops the read before any request, saying what to set."""
    adapter = adapter_for(portal, BY_NAME["socrata"], tmp_path, app_token_env=VARIABLE)
    with pytest.raises(SourceError, match="SOCRATA_APP_TOKEN, which is not set; set SOCRATA_APP_TOKEN"):
        list(adapter.records())
    assert portal.log == []


def test_socrata_orders_pages_by_row_id(portal: PortalServer, tmp_path: Path) -> None:
    """Pages are asked for in :id order with $limit and $offset, after a count."""
    list(adapter_for(portal, BY_NAME["socrata"], tmp_path).records())
    assert [seen.params for seen in portal.requests_to("socrata")] == [
        {"$limit": "3", "$offset": str(offset), "$order": ":id"} for offset in (0, 3, 6)
    ]
    assert len(portal.requests_to("socrata-count")) == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"dataset_id": "ABCD-12345"}, "expected a four-by-four dataset id such as abcd-1234"),
        (
            {"dataset_id": FOUR_BY_FOUR, "app_token_env": "abc-123-token"},
            "expected the name of an environment variable",
        ),
    ],
)
def test_socrata_options_are_checked(options: dict[str, Any], message: str) -> None:
    """A dataset id that is not a four-by-four, or a token where a variable name belongs, is refused."""
    with pytest.raises(ValueError, match=message):
        adapters.options_for("socrata", options)


@pytest.mark.parametrize(
    ("location", "point", "problem"),
    [
        ({"latitude": "53.41", "longitude": "-2.35", "human_address": "{}"}, (-2.35, 53.41), None),
        ({"type": "Point", "coordinates": [-2.35, 53.41]}, (-2.35, 53.41), None),
        ({"human_address": '{"address": "1 High St"}'}, None, None),
        ({"type": "Point", "coordinates": []}, None, "its where is not a point"),
        ("53.41, -2.35", None, "its where is not a point"),
    ],
    ids=["location", "point", "address-only", "empty-point", "text"],
)
def test_socrata_geo_field_shapes(
    location: Any, point: tuple[float, float] | None, problem: str | None, tmp_path: Path
) -> None:
    """Point and Location columns both give a point; other values are a problem, not a crash."""
    with PortalServer([Item({"name": "One", "where": location})]) as server:
        (record,) = adapter_for(server, BY_NAME["socrata"], tmp_path, geo_field="where").records()
    assert record.point == point
    assert "where" not in record.values
    if problem is None:
        assert record.problem is None
    else:
        assert record.problem is not None
        assert record.problem.startswith(problem)
