"""The ogcapi adapter reads a collection of an OGC API - Features server: this app's own, served on 127.0.0.1, or
a hostile one; and a regional app reads two area apps through it (federation), on each kind of store."""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    MADE_UP_PLACE,
    Served,
    clean_settings_environment,
    get,
    running,
    serving,
    toilet_rows,
    toml_text,
    write_csv,
)

from local_data_app import adapters
from local_data_app.config import load_settings
from local_data_app.errors import SourceError
from local_data_app.ingest import ingest
from local_data_app.store import open_store
from local_data_app.web import create_app

QUICK = {"timeout": 2, "retries": 1, "backoff": 0.01}
COLLECTION = "/api/collections/toilets"


def adapter(location: str, **options: Any) -> adapters.Adapter:
    return adapters.create("ogcapi", adapters.SourceSpec("remote", location, Path.cwd()), {**QUICK, **options})


# This app's own API, served


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Served]:
    """The 23 toilets served by an app of this template, on each kind of store."""
    with serving(tmp_path_factory.mktemp("area"), toilet_rows(), web_database_url) as served:
        yield served


def test_it_pages_through_the_next_links_keeping_ids_properties_and_points(served: Served) -> None:
    """23 features by pages of 5: every one read once, in order, with its id, properties and CRS84 point."""
    reading = adapter(served.base + COLLECTION, page_size=5)
    records = list(reading.records())
    rows = toilet_rows()
    assert [record.values["id"] for record in records] == [row["Ref"] for row in rows]
    assert [record.number for record in records] == list(range(1, 24))
    assert reading.total == 23
    first = records[0]
    assert first.values["LocationText"] == "Toilet 0"
    assert first.values["Category"] == rows[0]["Category"]
    assert first.point == (-2.3, 53.45)
    assert first.point_crs == "EPSG:4326"
    assert records[7].values["LocationText"] == rows[7]["LocationText"]  # kept as sent, escaped only when shown
    # The area the remote app gives each record is kept, for area_column = "area_code" (the reading app's choice).
    assert (first.values["area_code"], first.values["area_name"]) == ("E06000999", "Testshire")
    assert (reading.remote_licence, reading.remote_attribution) == ("OGL-UK-3.0", None)


@pytest.mark.parametrize(
    ("location", "options"),
    [(COLLECTION + "/items", {}), (COLLECTION + "/", {}), ("/api", {"collection": "toilets"})],
    ids=["items-url", "trailing-slash", "landing-page"],
)
def test_the_location_may_be_the_items_or_the_landing_page(
    served: Served, location: str, options: dict[str, Any]
) -> None:
    """The items' address, or the landing page with the collection option, reads the same collection."""
    assert len(list(adapter(served.base + location, **options).records())) == 23


@pytest.mark.parametrize(
    ("location", "options", "words"),
    [
        ("/api", {}, "set the collection option"),
        (COLLECTION, {"collection": "benches"}, "names the collection 'toilets' but the collection option says"),
        ("/api/collections/benches", {}, "HTTP 404"),
    ],
    ids=["landing-without-collection", "two-collections", "unknown-collection"],
)
def test_a_wrong_location_fails_in_words(served: Served, location: str, options: dict[str, Any], words: str) -> None:
    with pytest.raises(SourceError) as raised:
        list(adapter(served.base + location, **options).records())
    assert words in str(raised.value)
    assert "'remote'" in str(raised.value)


def test_a_location_that_is_not_a_web_address_is_refused() -> None:
    with pytest.raises(SourceError) as raised:
        list(adapter("data/raw/toilets.geojson").records())
    assert "not a web address" in str(raised.value)


def test_an_app_of_this_template_vouches_for_its_whole_collection_by_its_load(served: Served) -> None:
    """The collection document says which load it serves, so even a collection of many pages has a digest."""
    first = adapter(served.base + COLLECTION).content_digest()
    assert first is not None
    assert adapter(served.base + COLLECTION).content_digest() == first
    assert adapter(served.base + COLLECTION + "/items").content_digest() == first
    assert adapter(served.base + COLLECTION, page_size=5).content_digest() == first  # 23 features, 5 pages


def test_another_servers_collection_larger_than_a_page_is_always_read() -> None:
    """Without a load to vouch for it, a first page cannot vouch for the pages after it, so there is no digest."""
    with hostile(Remote(SEVEN)) as location:
        assert adapter(location, page_size=3).content_digest() is None
        assert adapter(location, page_size=10).content_digest() is not None  # one page says it all


# A hostile or broken server


def feature(number: int, geometry: dict[str, Any] | None = None) -> dict[str, Any]:
    point = {"type": "Point", "coordinates": [-2.3 + number / 1000, 53.4]}
    return {
        "type": "Feature",
        "id": f"F{number}",
        "geometry": point if geometry is None else geometry,
        "properties": {
            "LocationText": f"Place {number}",
            "OrganisationLabel": "Elsewhere",
            "ServiceTypeLabel": "Toilets",
            "ExtractDate": "2026-01-05",
            "area_code": "E0",
        },
    }


@dataclass
class Remote:
    """What the hostile server serves: features, and how it misbehaves (``fault``) from page 2 on."""

    features: list[dict[str, Any]]
    fault: str | None = None
    etag: str | None = None
    announce: int | None = None  # numberMatched, when it differs from the number of features
    collection: dict[str, Any] = field(
        default_factory=lambda: {
            "id": "things",
            "links": [{"rel": "license", "href": "https://spdx.org/licenses/CC-BY-4.0.html"}],
            "attribution": "Elsewhere Council",
        }
    )


class Handler(BaseHTTPRequestHandler):
    server: HostileServer

    def do_GET(self) -> None:
        remote = self.server.remote
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        if parts.path == "/ogc/collections/things":
            return self.reply(json.dumps(remote.collection).encode())
        if parts.path != "/ogc/collections/things/items":
            return self.reply(b"<html>Not found</html>", status=404, kind="text/html")
        limit, offset = int(query.get("limit", "10")), int(query.get("offset", "0"))
        later = offset > 0
        fault = remote.fault if later else None
        if fault == "html":
            return self.reply(b"<!doctype html><title>Maintenance</title>", kind="text/html")
        if fault == "not-geojson":
            return self.reply(json.dumps({"items": []}).encode())
        if fault == "repeat":
            offset = 0
        page = remote.features[offset : offset + limit]
        body: dict[str, Any] = {
            "type": "FeatureCollection",
            "features": page,
            "numberMatched": len(remote.features) if remote.announce is None else remote.announce,
            "numberReturned": len(page),
            "links": [],
        }
        following = f"/ogc/collections/things/items?limit={limit}&offset={offset + limit}"
        if offset + limit < len(remote.features) or remote.fault == "endless":
            host, port = self.server.server_address[:2]
            href = {
                "other-origin": f"http://localhost:{port}{following}",
                "ftp": f"ftp://{host}{following}",
                "other-scheme": f"https://{host}:{port}{following}",
            }.get(remote.fault or "", following)
            kind = "text/html" if remote.fault == "html-next" else "application/geo+json"
            body["links"].append({"rel": "next", "href": href, "type": kind})
        if fault == "endless":
            body["features"] = [feature(offset + index) for index in range(limit)]
        data = json.dumps(body).encode()
        self.reply(data, length=len(data) * 2 if fault == "cut" else None, etag=remote.etag)
        return None

    def reply(
        self,
        data: bytes,
        status: int = 200,
        kind: str = "application/geo+json",
        length: int | None = None,
        etag: str | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


class HostileServer(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def __init__(self, remote: Remote) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.remote = remote


@contextlib.contextmanager
def hostile(remote: Remote) -> Iterator[str]:
    """The server on 127.0.0.1 in a thread; yields the collection's address."""
    server = HostileServer(remote)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/ogc/collections/things"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


SEVEN = [feature(number) for number in range(7)]
FAULTS = [
    ("other-origin", "links its next page to http://localhost:", "not at http://127.0.0.1:"),
    ("ftp", "links its next page to ftp://127.0.0.1/", "over http or https"),
    ("other-scheme", "links its next page to https://127.0.0.1:", "reading stopped"),
    ("repeat", "page 2 of", "repeats page 1"),
    ("cut", "page 2 of", "cut short"),
    ("html", "page 2 of", "a web page"),
    ("not-geojson", "page 2 of", "expected a GeoJSON FeatureCollection, got a JSON object with keys 'items'"),
    ("html-next", "expected a 'next' link to GeoJSON", "got the string 'text/html'"),
]


@pytest.mark.parametrize(("fault", "where", "words"), FAULTS, ids=[fault for fault, _, _ in FAULTS])
def test_a_hostile_server_fails_the_source_in_words(fault: str, where: str, words: str) -> None:
    with hostile(Remote(SEVEN, fault=fault)) as location, pytest.raises(SourceError) as raised:
        list(adapter(location, page_size=3).records())
    message = str(raised.value)
    assert message.startswith("Source 'remote': ")
    assert where in message
    assert words in message


def test_reading_that_ends_before_number_matched_fails() -> None:
    """A server that announces 9 features and links to no page after the 7th lost some."""
    with hostile(Remote(SEVEN, announce=9)) as location, pytest.raises(SourceError) as raised:
        list(adapter(location, page_size=3).records())
    assert "after 7 of the 9 records" in str(raised.value)


def test_endless_next_links_stop_at_max_pages() -> None:
    with hostile(Remote(SEVEN, fault="endless")) as location, pytest.raises(SourceError) as raised:
        list(adapter(location, page_size=3, max_pages=4).records())
    assert "stopped before page 5" in str(raised.value)
    assert "max_pages is 4" in str(raised.value)


def test_a_feature_that_is_not_a_point_is_rejected_with_a_reason() -> None:
    line = {"type": "LineString", "coordinates": [[-2.3, 53.4], [-2.2, 53.5]]}
    with hostile(Remote([feature(0), feature(1, line), feature(2, {"type": "Point", "coordinates": ["a"]})])) as url:
        records = list(adapter(url).records())
    assert [record.problem for record in records] == [
        None,
        "the geometry is a LineString; only points are supported",
        "the point's coordinates ['a'] are not two numbers",
    ]
    assert records[1].values["id"] == "F1"


def test_the_licence_and_attribution_come_from_the_collection() -> None:
    with hostile(Remote(SEVEN)) as location:
        reading = adapter(location)
        list(reading.records())
    assert (reading.remote_licence, reading.remote_attribution) == ("CC-BY-4.0", "Elsewhere Council")


def test_the_digest_follows_the_servers_etag() -> None:
    """With an ETag the digest changes when it does, and only then; so does it with the licence."""
    remote = Remote(SEVEN, etag='"v1"')
    with hostile(remote) as location:
        first = adapter(location).content_digest()
        remote.features = SEVEN[:6]  # not seen: the server vouches for its content with its ETag
        assert adapter(location).content_digest() == first
        remote.etag = '"v2"'
        second = adapter(location).content_digest()
        remote.collection = {**remote.collection, "links": []}
        third = adapter(location).content_digest()
    assert len({first, second, third}) == 3


# Through ingest: a failing source leaves its previous data serving


def remote_project(folder: Path, location: str, database_url: str, **more: Any) -> Path:
    source = {"name": "things", "adapter": "ogcapi", "location": location, "page_size": 3, **QUICK, **more}
    config = folder / "place.toml"
    text = toml_text({**MADE_UP_PLACE, "sources": [source]})
    config.write_text(f"database_url = {json.dumps(database_url)}\n\n{text}", encoding="utf-8")
    return config


@pytest.mark.parametrize("fault", ["other-origin", "repeat", "cut", "not-geojson"])
def test_a_failing_remote_leaves_the_previous_data_serving(tmp_path: Path, database_url: str, fault: str) -> None:
    remote = Remote(SEVEN)
    with hostile(remote) as location:
        config = remote_project(tmp_path, location, database_url)
        (first,) = ingest(load_settings(config))
        assert (first.loaded, first.rejected, first.error) == (7, 0, None)
        remote.fault = fault
        remote.features = [*SEVEN, feature(7)]  # a change, so the source is read again
        (second,) = ingest(load_settings(config))
    assert second.error is not None
    assert second.error.startswith("Source 'things': ")
    assert second.previous is not None
    assert second.previous.rows_loaded == 7
    store = open_store(database_url, tmp_path)
    try:
        assert store.count("things") == 7
        (provenance,) = store.provenance()
        assert (provenance.licence, provenance.attribution) == ("CC-BY-4.0", "Elsewhere Council")
        assert {feature.id for feature in store.features("things", limit=100)} == {f"F{n}" for n in range(7)}
    finally:
        store.close()


def test_a_sources_own_licence_comes_before_the_remotes(tmp_path: Path) -> None:
    """The entry's licence is recorded; the remote's attribution still is, since the entry gives none."""
    database_url = f"sqlite:///{tmp_path / 'app.db'}"
    with hostile(Remote(SEVEN)) as location:
        config = remote_project(tmp_path, location, database_url, licence="ODbL-1.0")
        (report,) = ingest(load_settings(config))
    assert report.error is None
    store = open_store(database_url, tmp_path)
    try:
        (provenance,) = store.provenance()
        assert (provenance.licence, provenance.attribution) == ("ODbL-1.0", "Elsewhere Council")
    finally:
        store.close()


# Federation: a regional app reads two area apps


NORTH = {"code": "E07000901", "name": "Northdale"}
SOUTH = {"code": "E07000902", "name": "Southmere"}


def area_rows(ref: str, name: str, lat: float, count: int) -> list[dict[str, str]]:
    """``count`` toilets with ids ``<ref><n>`` on a line east of (-2.3, lat)."""
    rows = toilet_rows()[:count]
    return [
        {**row, "Ref": f"{ref}{n}", "LocationText": f"{name} {n}", "GeoX": f"{-2.3 + n / 100:.5f}", "GeoY": f"{lat}"}
        for n, row in enumerate(rows)
    ]


@dataclass
class AreaApp:
    base: str
    folder: Path
    config: Path

    def update(self, rows: list[dict[str, str]]) -> None:
        """A new CSV, ingested into the store the app is serving from."""
        write_csv(self.folder, "toilets", rows)
        with clean_settings_environment():
            (report,) = ingest(load_settings(self.config))
        assert (report.loaded, report.error) == (len(rows), None)


@contextlib.contextmanager
def area_app(
    folder: Path, rows: list[dict[str, str]], licence: str, attribution: str, place: dict[str, str] | None = None
) -> Iterator[AreaApp]:
    """An area's own app (of ``place``, else the made-up one): its CSV, ingested into its own SQLite store and
    served on 127.0.0.1."""
    source = {
        "name": "toilets",
        "adapter": "csv",
        "location": write_csv(folder, "toilets", rows),
        "fields": {"id": "Ref"},
        "licence": licence,
        "attribution": attribution,
    }
    config = folder / "place.toml"
    values = {**MADE_UP_PLACE, "sources": [source]}
    if place is not None:
        values["place"] = place
    config.write_text(toml_text(values), encoding="utf-8")
    with clean_settings_environment():
        loaded = load_settings(config)
        (report,) = ingest(loaded)
        assert (report.loaded, report.error) == (len(rows), None)
        with running(create_app(loaded)) as base:
            yield AreaApp(base, folder, config)


def regional_project(folder: Path, north: str, south: str, database_url: str) -> Path:
    """Two areas, each read from its own app with one ogcapi source."""
    sources = [
        {"name": "north", "adapter": "ogcapi", "location": north + COLLECTION, "area": NORTH["code"], **QUICK},
        {"name": "south", "adapter": "ogcapi", "location": south + COLLECTION, "area": SOUTH["code"], **QUICK},
    ]
    folder.mkdir()
    config = folder / "place.toml"
    text = toml_text({**MADE_UP_PLACE, "areas": [NORTH, SOUTH], "sources": sources})
    config.write_text(f"database_url = {json.dumps(database_url)}\n\n{text}", encoding="utf-8")
    return config


def regional_ingest(config: Path) -> list[tuple[str, int, int, str | None, bool]]:
    """Each source's name, loaded and rejected counts, error and whether it was unchanged."""
    with clean_settings_environment():
        return [(r.name, r.loaded, r.rejected, r.error, r.unchanged is not None) for r in ingest(load_settings(config))]


def test_a_large_remote_collection_is_read_again_only_after_its_app_loads_again(tmp_path: Path) -> None:
    """Pages of 2 for 5 features: the area app's load says whether to read them all again, not a first page."""
    rows = area_rows("N", "North", 53.9, 5)
    with area_app(tmp_path / "north", rows, "OGL-UK-3.0", "Northdale Council") as north:
        source = {"name": "north", "adapter": "ogcapi", "location": north.base + COLLECTION, "page_size": 2, **QUICK}
        config = tmp_path / "region" / "place.toml"
        config.parent.mkdir()
        config.write_text(toml_text({**MADE_UP_PLACE, "sources": [source]}), encoding="utf-8")
        assert regional_ingest(config) == [("north", 5, 0, None, False)]
        assert regional_ingest(config) == [("north", 5, 0, None, True)]
        north.update([*rows, *area_rows("X", "Northend", 53.8, 1)])
        assert regional_ingest(config) == [("north", 6, 0, None, False)]


def test_a_regional_app_serves_its_areas_apps_and_keeps_an_areas_data_while_its_app_is_down(
    tmp_path: Path, database_url: str
) -> None:
    """Each area's records, ids and provenance reach the region; a stopped area app leaves its data serving."""
    north_rows, south_rows = area_rows("N", "North", 53.9, 5), area_rows("S", "South", 53.1, 3)
    with area_app(tmp_path / "south", south_rows, "CC-BY-4.0", "Southmere Council") as south:
        with area_app(tmp_path / "north", north_rows, "OGL-UK-3.0", "Northdale Council") as north:
            config = regional_project(tmp_path / "region", north.base, south.base, database_url)
            assert regional_ingest(config) == [("north", 5, 0, None, False), ("south", 3, 0, None, False)]
            # Unchanged remotes are not loaded again.
            assert regional_ingest(config) == [("north", 5, 0, None, True), ("south", 3, 0, None, True)]
        # The north app has stopped, and the south area's data changes.
        south.update([*south_rows, *area_rows("X", "Southend", 53.2, 2)])
        reports = regional_ingest(config)
    (north_report, south_report) = reports
    assert north_report[0] == "north"
    assert north_report[3] is not None
    assert north_report[3].startswith("Source 'north': could not read ")
    assert "refused" in north_report[3]
    assert south_report == ("south", 5, 0, None, False)
    with clean_settings_environment():
        loaded = load_settings(config)
        with running(create_app(loaded)) as base:
            north_items = get(base + "/api/collections/north/items?limit=100").json()
            south_items = get(base + "/api/collections/south/items?limit=100").json()
            north_about = get(base + "/api/collections/north").json()
            south_about = get(base + "/api/collections/south").json()
    assert [f["id"] for f in north_items["features"]] == ["N0", "N1", "N2", "N3", "N4"]
    assert north_items["features"][2]["geometry"]["coordinates"] == [-2.28, 53.9]
    assert {f["properties"]["area_code"] for f in north_items["features"]} == {NORTH["code"]}
    assert sorted(f["id"] for f in south_items["features"]) == ["S0", "S1", "S2", "X0", "X1"]
    assert {f["properties"]["area_name"] for f in south_items["features"]} == {SOUTH["name"]}
    assert [f["properties"]["LocationText"] for f in south_items["features"] if f["id"] == "X1"] == ["Southend 1"]
    assert (north_about["provenance"]["licence"], north_about["provenance"]["attribution"]) == (
        "OGL-UK-3.0",
        "Northdale Council",
    )
    assert (south_about["provenance"]["licence"], south_about["provenance"]["attribution"]) == (
        "CC-BY-4.0",
        "Southmere Council",
    )
    assert north_about["provenance"]["rowsLoaded"] == 5
    assert south_about["provenance"]["rowsLoaded"] == 5


def test_a_regional_app_keeps_the_area_each_area_app_gives_its_records(tmp_path: Path, database_url: str) -> None:
    """With area_column = "area_code", each record keeps the area its own app publishes; an app of an area the
    region does not serve has its records rejected with the reason, and the area fields are not kept twice."""
    eastwick = {"code": "E07000903", "name": "Eastwick"}
    with (
        area_app(tmp_path / "north", area_rows("N", "North", 53.9, 4), "OGL-UK-3.0", "Northdale", NORTH) as north,
        area_app(tmp_path / "east", area_rows("E", "East", 53.5, 2), "OGL-UK-3.0", "Eastwick", eastwick) as east,
    ):
        sources = [
            {"name": name, "adapter": "ogcapi", "location": app.base + COLLECTION, "area_column": "area_code", **QUICK}
            for name, app in (("north", north), ("east", east))
        ]
        (tmp_path / "region").mkdir()
        config = tmp_path / "region" / "place.toml"
        text = toml_text({**MADE_UP_PLACE, "areas": [NORTH, SOUTH], "sources": sources})
        config.write_text(f"database_url = {json.dumps(database_url)}\n\n{text}", encoding="utf-8")
        north_report, east_report = regional_ingest(config)
    assert north_report == ("north", 4, 0, None, False)
    assert east_report[:3] == ("east", 0, 2)
    assert east_report[3] is not None
    assert "area_code: 'E07000903' is not the code of one of the app's areas" in east_report[3]
    rejects = (tmp_path / "region" / "data" / "rejects" / "east.refused.csv").read_text(encoding="utf-8")
    assert "E07000903" in rejects  # the remote's area, as read, beside the reason
    store = open_store(database_url, tmp_path / "region")
    try:
        features = store.features("north", limit=100)
        assert {(f.properties["area_code"], f.properties["area_name"]) for f in features} == {
            (NORTH["code"], NORTH["name"])
        }
        assert all(not {"area_code", "area_name"} & f.extra.keys() for f in features)  # not kept again as extras
        assert store.count("north", filters={"area_code": NORTH["code"]}) == 4
    finally:
        store.close()
