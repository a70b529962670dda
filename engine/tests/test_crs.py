"""OGC API - Features Part 2: items and an item in CRS84, EPSG:4326 and the British National Grid, on each store.

The served project holds the 23 toilets of conftest.py and three more placed
around a 100 km box of the British National Grid: one just inside its north
edge where that edge, curving in latitude, is furthest north (a box made
from the grid box's corners alone would leave it out), one just beyond its
south-west corner (outside any box around it) and one just beyond the middle
of its south edge (outside the grid box, inside the longitude and latitude
box around it: the over-inclusion docs/api.md describes).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from conftest import Answer, Served, get, serving, toilet_rows
from pyproj import Transformer

from local_data_app.ogc.crs import CONFORMANCE_CRS, CRS84, EPSG_4326, EPSG_27700, URIS

TO_GRID = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
FROM_GRID = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
GRID_BOX = (330000.0, 345000.0, 430000.0, 445000.0)  # mineasting, minnorthing, maxeasting, maxnorthing: 100 km
STEPS = 4000  # points along each edge when the test finds the longitudes and latitudes around the grid box
CENTIMETRES = 0.03  # how far a served easting or northing may be from pyproj's conversion of the CRS84 answer


def north_edge_top() -> float:
    """The easting where the grid box's north edge is furthest north in latitude: inside its corners, not at one."""
    west, _, east, north = GRID_BOX
    eastings = [west + (east - west) * step / STEPS for step in range(STEPS + 1)]
    _, lats = FROM_GRID.transform(eastings, [north] * len(eastings))
    return eastings[max(range(len(lats)), key=lats.__getitem__)]


def row(ref: str, easting: float, northing: float) -> dict[str, str]:
    lon, lat = FROM_GRID.transform(easting, northing)
    return {
        "Ref": ref,
        "ExtractDate": "05/01/2024",
        "OrganisationLabel": "Testshire",
        "ServiceTypeLabel": "Toilets",
        "LocationText": f"Toilet {ref}",
        "GeoX": f"{lon:.7f}",
        "GeoY": f"{lat:.7f}",
        "Category": "Unisex",
        "BabyChange": "no",
    }


WEST, SOUTH, EAST, NORTH = GRID_BOX
EDGE_ROWS = [
    row("BOW", north_edge_top(), NORTH - 20),  # 20 m inside the north edge, north of both its corners
    row("CORNER", WEST - 20, SOUTH - 20),  # 20 m beyond the south-west corner both ways
    row("SLIVER", (WEST + EAST) / 2, SOUTH - 20),  # 20 m south of the middle of the south edge
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("project"), toilet_rows() + EDGE_ROWS, web_database_url) as served:
        yield served


def items(served: Served, **parameters: Any) -> Answer:
    return get(f"{served.base}/api/collections/toilets/items?{urlencode({'limit': 100, **parameters})}")


def features(served: Served, **parameters: Any) -> dict[str, list[float]]:
    answer = items(served, **parameters)
    assert answer.status == 200, answer.text
    return {feature["id"]: feature["geometry"]["coordinates"] for feature in answer.json()["features"]}


def assert_bad(answer: Answer, parameter: str, value: str) -> None:
    """A 400 whose description names the parameter, the value and every coordinate system the API takes."""
    assert answer.status == 400, answer.text
    description = answer.json()["description"]
    assert description.startswith(f"{parameter}: ")
    assert value in description
    assert all(uri in description for uri in URIS)


def test_each_crs_serves_the_positions_pyproj_converts_the_crs84_answer_to(served: Served) -> None:
    """The grid's eastings and northings are within centimetres of pyproj's; EPSG:4326 is CRS84 latitude first."""
    stored = features(served)
    assert len(stored) == 26
    grid = features(served, crs=EPSG_27700)
    latitude_first = features(served, crs=EPSG_4326)
    assert features(served, crs=CRS84) == stored
    assert set(grid) == set(latitude_first) == set(stored)
    for ref, (lon, lat) in stored.items():
        easting, northing = TO_GRID.transform(lon, lat)
        assert grid[ref] == pytest.approx([easting, northing], abs=CENTIMETRES), ref
        assert latitude_first[ref] == [lat, lon]
    assert grid["T00"] == pytest.approx([380173.7, 394846.2], abs=1)  # Manchester, on the grid
    back = FROM_GRID.transform(*grid["T00"])
    assert back == pytest.approx(stored["T00"], abs=1e-6)  # and back again, to within 10 cm


def test_one_item_in_each_crs_with_its_content_crs(served: Served) -> None:
    """An item answers in the crs asked for, naming it in Content-Crs; CRS84 when none is asked for."""
    base = f"{served.base}/api/collections/toilets/items/T05"
    plain = get(base)
    assert plain.headers["Content-Crs"] == f"<{CRS84}>"
    lon, lat = plain.json()["geometry"]["coordinates"]
    grid = list(TO_GRID.transform(lon, lat))
    for uri, expected in [(CRS84, [lon, lat]), (EPSG_4326, [lat, lon]), (EPSG_27700, grid)]:
        answer = get(f"{base}?crs={quote(uri, safe='')}")
        assert answer.status == 200, answer.text
        assert answer.headers["Content-Crs"] == f"<{uri}>"
        assert answer.json()["geometry"]["coordinates"] == pytest.approx(expected, abs=CENTIMETRES)
    assert_bad(get(f"{base}?crs=EPSG:27700"), "crs", "EPSG:27700")


@pytest.mark.parametrize("uri", [None, *URIS])
def test_every_items_answer_names_its_crs_in_content_crs(served: Served, uri: str | None) -> None:
    """GeoJSON and CSV pages say which CRS their coordinates are in, the default CRS84 included."""
    asked = {} if uri is None else {"crs": uri}
    expected = f"<{uri or CRS84}>"
    assert items(served, **asked).headers["Content-Crs"] == expected
    assert items(served, **asked).headers["Access-Control-Expose-Headers"] == "Content-Crs"  # for other sites' maps
    assert items(served, f="csv", **asked).headers["Content-Crs"] == expected
    answer = get(f"{served.base}/api/collections/toilets/items.csv?{urlencode(asked)}")
    assert (answer.status, answer.headers["Content-Crs"]) == (200, expected)


def test_a_grid_bbox_keeps_every_feature_inside_it(served: Served) -> None:
    """bbox-crs=EPSG:27700 finds the features whose grid positions are inside, even where a corner box would not.

    It selects the same features as the CRS84 box around the grid box's
    edges, which takes in features just beyond the grid box near its corners
    (SLIVER here), but none beyond that box (CORNER).
    """
    box = ",".join(f"{value:.0f}" for value in GRID_BOX)
    found = features(served, bbox=box, **{"bbox-crs": EPSG_27700})
    inside = {ref for ref, (lon, lat) in features(served).items() if within_grid_box(*TO_GRID.transform(lon, lat))}
    assert {"BOW", *(f"T{index:02d}" for index in range(22)), "T/22"} == inside
    assert set(found) == inside | {"SLIVER"}
    corners = [FROM_GRID.transform(x, y) for x in (WEST, EAST) for y in (SOUTH, NORTH)]
    assert features(served)["BOW"][1] > max(lat for _, lat in corners)  # the case a corners-only box gets wrong
    assert set(features(served, bbox=",".join(map(str, around_grid_box())))) == set(found)
    assert set(found) == set(features(served, bbox=box, **{"bbox-crs": EPSG_27700}, crs=EPSG_27700))


def within_grid_box(easting: float, northing: float) -> bool:
    return WEST <= easting <= EAST and SOUTH <= northing <= NORTH


def around_grid_box() -> tuple[float, float, float, float]:
    """The longitudes and latitudes around the grid box's edges, found by the test on its own, densely."""
    edge = [step / STEPS for step in range(STEPS + 1)]
    xs = [WEST + (EAST - WEST) * t for t in edge] * 2 + [WEST] * len(edge) + [EAST] * len(edge)
    ys = [SOUTH] * len(edge) + [NORTH] * len(edge) + [SOUTH + (NORTH - SOUTH) * t for t in edge] * 2
    lons, lats = FROM_GRID.transform(xs, ys)
    return (min(lons), min(lats), max(lons), max(lats))


def test_a_latitude_first_bbox_selects_what_the_same_crs84_box_does(served: Served) -> None:
    """bbox-crs=EPSG:4326 reads minlat,minlon,maxlat,maxlon: the same box as CRS84's minlon,minlat,maxlon,maxlat."""
    crs84 = features(served, bbox="-2.305,53.445,-2.285,53.465")
    assert set(crs84) == {"T00", "T01", "T05", "T06"}
    assert set(features(served, bbox="53.445,-2.305,53.465,-2.285", **{"bbox-crs": EPSG_4326})) == set(crs84)
    assert set(features(served, bbox="-2.305,53.445,-2.285,53.465", **{"bbox-crs": CRS84})) == set(crs84)


@pytest.mark.parametrize(
    ("parameters", "parameter", "value"),
    [
        ({"crs": "EPSG:27700"}, "crs", "EPSG:27700"),
        ({"crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, "crs", "3857"),
        ({"bbox-crs": "urn:ogc:def:crs:EPSG::27700", "bbox": "1,2,3,4"}, "bbox-crs", "urn:ogc:def:crs:EPSG::27700"),
    ],
)
def test_an_unknown_crs_is_a_400_naming_the_parameter_and_the_choices(
    served: Served, parameters: dict[str, str], parameter: str, value: str
) -> None:
    """A CRS the API does not serve is refused, the message naming the parameter, the value and the choices."""
    assert_bad(items(served, **parameters), parameter, value)


@pytest.mark.parametrize(
    ("bbox", "words"),
    [
        ("430000,345000,330000,445000", "minimum above its maximum"),
        ("5000000,5000000,6000000,6000000", "wholly outside the area EPSG:27700 covers"),
        ("330000,345000,430000", "mineasting,minnorthing,maxeasting,maxnorthing in metres"),
    ],
)
def test_a_grid_bbox_that_cannot_be_read_is_a_400(served: Served, bbox: str, words: str) -> None:
    """A grid box upside down, wholly off the grid or short of numbers is refused, saying what a box is."""
    answer = items(served, bbox=bbox, **{"bbox-crs": EPSG_27700})
    assert answer.status == 400, answer.text
    assert answer.json()["description"].startswith("bbox: ")
    assert words in answer.json()["description"]


@pytest.mark.parametrize(
    "bbox", ["nan,0,1,1", "1e309,0,1,1", "0,0,0,0", "<script>,1,2,3", "9" * 400 + ",0,1,1", "1," * 3000 + "1"]
)
def test_a_hostile_grid_bbox_is_refused_or_answered_never_a_server_error(served: Served, bbox: str) -> None:
    """Numbers beyond floats, NaN, an empty box, markup and huge values: a 400 naming bbox, or a page."""
    answer = items(served, bbox=bbox, **{"bbox-crs": EPSG_27700}, crs=EPSG_27700)
    assert answer.status in {200, 400}, answer.text[:500]
    if answer.status == 400:
        assert answer.json()["description"].startswith("bbox: ")
        assert len(answer.text) < 1000  # the value is quoted cut short


def test_a_grid_bbox_larger_than_the_grid_is_clipped_to_it(served: Served) -> None:
    """A box beyond the grid's area is cut to that area rather than refused: here it holds every feature."""
    answer = items(served, bbox="-1e300,-1e300,1e300,1e300", **{"bbox-crs": EPSG_27700})
    assert (answer.status, answer.json()["numberMatched"]) == (200, 26)


def test_paging_links_keep_crs_and_bbox_crs(served: Served) -> None:
    """next, prev, self and alternate carry crs and bbox-crs, so the next page is in the same CRS and box."""
    box = ",".join(f"{value:.0f}" for value in GRID_BOX)
    first = items(served, bbox=box, limit=10, crs=EPSG_27700, **{"bbox-crs": EPSG_27700}).json()
    second = get(link(first, "next")).json()
    assert {"self", "alternate", "prev", "next"} <= {item["rel"] for item in second["links"]}
    for item in second["links"]:
        if item["rel"] in {"self", "alternate", "prev", "next"}:
            query = parse_qs(urlsplit(item["href"]).query)
            assert (query["crs"], query["bbox-crs"], query["bbox"]) == ([EPSG_27700], [EPSG_27700], [box]), item
    assert all(x > 1000 and y > 1000 for x, y in (f["geometry"]["coordinates"] for f in second["features"]))
    pages = [first, second, get(link(second, "next")).json()]
    assert sum(len(page["features"]) for page in pages) == first["numberMatched"] == 25


def link(body: dict[str, Any], rel: str) -> str:
    (found,) = [item["href"] for item in body["links"] if item["rel"] == rel]
    return str(found)


def test_collections_list_the_storage_crs_and_the_crs_served(served: Served) -> None:
    """Each collection says it is stored in CRS84 and lists the three CRSs its items are served in."""
    one = get(f"{served.base}/api/collections/toilets").json()
    assert one["storageCrs"] == CRS84
    assert one["crs"] == [CRS84, EPSG_4326, EPSG_27700]
    assert one["extent"]["spatial"]["crs"] == CRS84  # an extent stays in CRS84, as Part 2 asks
    (listed,) = get(f"{served.base}/api/collections").json()["collections"]
    assert (listed["storageCrs"], listed["crs"]) == (CRS84, one["crs"])


def test_the_csv_gives_eastings_and_northings_in_the_grid(served: Served) -> None:
    """With crs=EPSG:27700 the CSV has easting and northing columns in metres; otherwise lon and lat as before."""
    grid = list(csv.DictReader(io.StringIO(items(served, f="csv", crs=EPSG_27700).text)))
    assert {"easting", "northing"} <= set(grid[0])
    assert not {"lon", "lat"} & set(grid[0])
    served_grid = features(served, crs=EPSG_27700)
    for record in grid:
        assert [float(record["easting"]), float(record["northing"])] == served_grid[record["id"]]
    plain = list(csv.DictReader(io.StringIO(items(served, f="csv").text)))
    assert {"lon", "lat"} <= set(plain[0])
    assert not {"easting", "northing"} & set(plain[0])
    degrees = list(csv.DictReader(io.StringIO(items(served, f="csv", crs=EPSG_4326).text)))
    assert [(row["lon"], row["lat"]) for row in degrees] == [(row["lon"], row["lat"]) for row in plain]


def test_the_conformance_document_declares_part_2(served: Served) -> None:
    """The Part 2 class is declared, so that QGIS asks for storageCrs and sends crs."""
    assert CONFORMANCE_CRS in get(f"{served.base}/api/conformance").json()["conformsTo"]
    assert CONFORMANCE_CRS == "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"


def test_the_openapi_document_declares_crs_and_bbox_crs(served: Served) -> None:
    """crs and bbox-crs are declared with their three values on the items routes, and crs on an item."""
    document = get(f"{served.base}/api/openapi.json").json()
    for path, names in [
        ("/api/collections/{name}/items", {"crs", "bbox-crs"}),
        ("/api/collections/{name}/items.csv", {"crs", "bbox-crs"}),
        ("/api/collections/{name}/items/{feature_id}", {"crs"}),
    ]:
        declared = {item.get("name"): item for item in document["paths"][path]["get"]["parameters"]}
        for name in names:
            assert declared[name]["schema"]["enum"] == list(URIS), (path, name)
        header = document["paths"][path]["get"]["responses"]["200"]["headers"]["Content-Crs"]
        assert header["schema"]["enum"] == [f"<{uri}>" for uri in URIS]
