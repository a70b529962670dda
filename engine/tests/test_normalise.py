"""Records are mapped onto the schema, normalised, placed in WGS84, or rejected with a reason per field."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pyproj import Transformer

from local_data_app.adapters import RawRecord
from local_data_app.errors import SourceError
from local_data_app.normalise import Normaliser, Rejection, detect_crs, row_hash
from local_data_app.schemas import load_schema
from local_data_app.store import Feature

TOILETS = load_schema("public_toilets")
POINTS = load_schema("generic_points")


def lga_row(**changes: Any) -> dict[str, Any]:
    """A valid LGA PublicToilets row in WGS84, with some columns changed or removed (value None)."""
    row = {
        "ExtractDate": "05/01/2024",
        "OrganisationLabel": "Testshire Council",
        "ServiceTypeLabel": "Public toilets",
        "LocationText": "Market Square",
        "CoordinateReferenceSystem": "WGS84",
        "GeoX": "-1.5",
        "GeoY": "52.5",
        "Category": "Unisex",
        "BabyChange": "yes",
        "UPRN": "010012345678",
    }
    row.update(changes)
    return {key: value for key, value in row.items() if value is not None}


def normalise(
    *rows: dict[str, Any],
    schema: dict[str, Any] = TOILETS,
    fields: dict[str, str] | None = None,
    crs: str | None = None,
) -> tuple[list[Feature], list[Rejection]]:
    normaliser = Normaliser(schema, "toilets", fields or {}, crs)
    return normaliser.normalise([RawRecord(number, row) for number, row in enumerate(rows, start=2)])


def one(row: dict[str, Any], **kwargs: Any) -> Feature:
    features, rejections = normalise(row, **kwargs)
    assert rejections == []
    return features[0]


def reasons(row: dict[str, Any], **kwargs: Any) -> list[str]:
    features, rejections = normalise(row, **kwargs)
    assert features == []
    return rejections[0].reasons


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("05/01/2024", "2024-01-05"),
        ("05/01/2024 14:30", "2024-01-05"),
        ("5/1/2024 14:30:59", "2024-01-05"),
        ("2024-01-05", "2024-01-05"),
        ("2024-01-05T10:00:00Z", "2024-01-05"),
        (" 05/01/2024 ", "2024-01-05"),
    ],
)
def test_dates_become_iso(written: str, iso: str) -> None:
    assert one(lga_row(ExtractDate=written)).properties["ExtractDate"] == iso


@pytest.mark.parametrize("written", ["31/02/2024", "next Tuesday", "2024-13-01"])
def test_impossible_dates_are_rejected(written: str) -> None:
    assert reasons(lga_row(ExtractDate=written)) == [
        f"ExtractDate: {written!r} is not a date like 31/01/2024 or 2024-01-31"
    ]


@pytest.mark.parametrize(
    ("written", "value"), [("yes", True), ("YES", True), ("True", True), ("no", False), ("NO", False), ("false", False)]
)
def test_yes_and_no_in_any_case(written: str, value: bool) -> None:
    assert one(lga_row(BabyChange=written)).properties["BabyChange"] is value


def test_blank_flags_stay_unknown() -> None:
    assert one(lga_row(BabyChange="  ")).properties["BabyChange"] is None


def test_enums_match_in_any_case_and_spacing() -> None:
    feature = one(lga_row(Category="female  AND male", AccessibleCategory=" unisex"))
    assert feature.properties["Category"] == "Female and Male"
    assert feature.properties["AccessibleCategory"] == "Unisex"


def test_text_is_trimmed_and_uprns_stay_text() -> None:
    feature = one(lga_row(LocationText="  Market Square \t", UPRN=" 010012345678 "))
    assert feature.properties["LocationText"] == "Market Square"
    assert feature.properties["UPRN"] == "010012345678"


def test_uprn_read_as_a_number_keeps_no_decimal_point() -> None:
    assert one(lga_row(UPRN=100012345678.0)).properties["UPRN"] == "100012345678"


def test_every_failing_field_has_its_own_reason() -> None:
    found = reasons(lga_row(LocationText="", Category="Mixed", BabyChange="maybe", UPRN="12-34", ChargeAmount="-1"))
    assert found == [
        "LocationText: required, but blank",
        "Category: 'Mixed' is not one of Female, Male, Female and Male, Unisex, Male urinal, Children only, None",
        "BabyChange: 'maybe' is not yes or no",
        "ChargeAmount: -1.0 is below the minimum of 0",
        "UPRN: '12-34' does not match the pattern [0-9]{1,12}",
    ]


def test_charge_written_with_a_pound_sign_is_a_number() -> None:
    assert one(lga_row(ChargeAmount="£0.20")).properties["ChargeAmount"] == pytest.approx(0.2)


def test_columns_outside_the_schema_are_kept_as_extra() -> None:
    feature = one(lga_row(WardName="Central", Cleaned="daily"))
    assert feature.extra == {"WardName": "Central", "Cleaned": "daily"}
    assert "WardName" not in feature.properties


def test_renamed_columns_map_through_fields_and_keep_the_column_in_reasons() -> None:
    row = lga_row(LocationText=None, ManagedBy=None, Site="Park", ManagingBy="Parks team")
    feature = one(row, fields={"LocationText": "Site", "ManagedBy": "ManagingBy"})
    assert (feature.properties["LocationText"], feature.properties["ManagedBy"]) == ("Park", "Parks team")
    assert feature.extra == {}
    assert reasons(lga_row(LocationText=None, Site=""), fields={"LocationText": "Site"}) == [
        "LocationText (column 'Site'): required, but blank"
    ]


def test_schema_names_match_columns_in_any_case() -> None:
    row = {key.lower(): value for key, value in lga_row().items()}
    feature = one(row)
    assert feature.properties["LocationText"] == "Market Square"
    assert feature.lon == pytest.approx(-1.5)


def test_mapped_column_never_seen_is_reported() -> None:
    normaliser = Normaliser(TOILETS, "toilets", {"ManagedBy": "ManagingBy"}, None)
    normaliser.normalise([RawRecord(2, lga_row())])
    assert normaliser.unmatched_columns() == ["ManagedBy = 'ManagingBy'"]


def test_ids_are_stable_hashes_of_the_row() -> None:
    first, _ = normalise(lga_row(), lga_row(LocationText="Library"))
    again, _ = normalise(lga_row(), lga_row(LocationText="Library"))
    assert [f.id for f in first] == [f.id for f in again]
    assert first[0].id != first[1].id
    assert first[0].id == row_hash(lga_row())


def test_ids_come_from_a_mapped_id_column() -> None:
    feature = one(lga_row(AssetRef="PT-0042"), fields={"id": "AssetRef"})
    assert feature.id == "PT-0042"
    assert feature.extra == {}


def test_repeated_rows_and_ids_are_rejected() -> None:
    features, rejections = normalise(lga_row(), lga_row())
    assert (len(features), rejections[0].row, rejections[0].reasons) == (
        1,
        3,
        ["the row repeats an earlier row exactly"],
    )
    features, rejections = normalise(lga_row(Ref="A"), lga_row(Ref="A", LocationText="Other"), fields={"id": "Ref"})
    assert rejections[0].reasons == ["id (column 'Ref') 'A' is used by an earlier row; ids must be unique"]


def test_generic_points_take_their_id_from_the_id_field() -> None:
    feature = one({"id": " P1 ", "name": "Museum", "x": "-1.5", "y": "52.5", "extra": "kept"}, schema=POINTS)
    assert (feature.id, feature.properties["id"], feature.extra) == ("P1", "P1", {"extra": "kept"})
    hashed = one({"name": "Museum", "x": "-1.5", "y": "52.5"}, schema=POINTS)
    assert hashed.properties["id"] == hashed.id


# A round trip through pyproj's British National Grid gives eastings and northings for known places.
TO_GRID = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
PLACES = [(-2.36, 53.42), (-0.1276, 51.5072), (-3.1883, 55.9533), (-5.9301, 54.5973), (-4.3, 53.25)]


@pytest.mark.parametrize(("lon", "lat"), PLACES)
def test_osgb36_rows_are_converted_to_wgs84(lon: float, lat: float) -> None:
    easting, northing = TO_GRID.transform(lon, lat)
    feature = one(lga_row(CoordinateReferenceSystem="OSGB36", GeoX=f"{easting:.1f}", GeoY=f"{northing:.1f}"))
    assert feature.lon == pytest.approx(lon, abs=2e-6)
    assert feature.lat == pytest.approx(lat, abs=2e-6)
    assert feature.properties["GeoX"] == pytest.approx(easting, abs=0.05)  # the source's own values are kept


def test_generic_points_in_british_national_grid_load_and_are_stored_in_degrees() -> None:
    """A grit-bin export in eastings and northings loads: x and y are checked in degrees after conversion."""
    easting, northing = TO_GRID.transform(-2.36, 53.42)
    row = {"id": "G1", "name": "Grit bin", "x": f"{easting:.2f}", "y": f"{northing:.2f}"}
    features, rejections = normalise(row, schema=POINTS, crs="EPSG:27700")
    assert rejections == []
    (feature,) = features
    assert (feature.lon, feature.lat) == (pytest.approx(-2.36, abs=2e-6), pytest.approx(53.42, abs=2e-6))
    assert (feature.properties["x"], feature.properties["y"]) == (feature.lon, feature.lat)  # the schema's degrees


def test_generic_points_beyond_the_world_are_still_rejected() -> None:
    """In WGS84, an x of 500 is no longitude: rejected with where it is, after conversion."""
    features, (rejection,) = normalise(
        {"id": "P", "name": "Far", "x": "500", "y": "52.5"}, schema=POINTS, crs="EPSG:4326"
    )
    assert features == []
    assert rejection.reasons == ["x, y: (500, 52.5) in WGS84 is outside Great Britain and Northern Ireland"]


def test_trafalgar_square_lands_in_london() -> None:
    """An absolute check: grid reference TQ 30003 80424 is Trafalgar Square."""
    feature = one(lga_row(CoordinateReferenceSystem="osgb36", GeoX="530003", GeoY="180424"))
    assert 51.50 < feature.lat < 51.51
    assert -0.13 < feature.lon < -0.12


def test_crs_is_detected_per_row_when_the_column_is_blank() -> None:
    features, rejections = normalise(
        lga_row(CoordinateReferenceSystem="", GeoX="383000", GeoY="395000"),
        lga_row(CoordinateReferenceSystem=None, GeoX="-2.2", GeoY="53.48", LocationText="Other"),
    )
    assert rejections == []
    assert [round(f.lat, 1) for f in features] == [53.5, 53.5]


def test_the_source_crs_overrides_the_rows() -> None:
    feature = one(lga_row(CoordinateReferenceSystem="WGS84", GeoX="383000", GeoY="395000"), crs="EPSG:27700")
    assert feature.lat == pytest.approx(53.46, abs=0.05)


def without_crs_enum() -> dict[str, Any]:
    """The LGA schema with a coordinate system column that takes any text (the LGA's takes WGS84 or OSGB36)."""
    schema = copy.deepcopy(TOILETS)
    (column,) = [spec for spec in schema["fields"] if spec["name"] == "CoordinateReferenceSystem"]
    del column["constraints"]
    return schema


@pytest.mark.parametrize("stated", ["OSGB36", "osgb36", " BNG ", "bng", "EPSG:27700", "epsg:27700"])
def test_the_crs_column_reads_grid_names_as_the_crs_setting_does(stated: str) -> None:
    """A coordinate system column holding any name of the British National Grid places the row by the grid."""
    feature = one(lga_row(CoordinateReferenceSystem=stated, GeoX="530003", GeoY="180424"), schema=without_crs_enum())
    assert 51.50 < feature.lat < 51.51


@pytest.mark.parametrize("stated", ["EPSG:3857", "EPSG:1", "Mercator"])
def test_the_crs_column_is_trusted_only_with_the_two_uk_systems(stated: str) -> None:
    """A row naming another system (which the source's crs setting may name) is rejected rather than guessed."""
    assert reasons(lga_row(CoordinateReferenceSystem=stated), schema=without_crs_enum()) == [
        "GeoX, GeoY: cannot tell the coordinate system of (-1.5, 52.5); set crs for the source in place.toml"
    ]


def test_unknown_source_crs_is_a_configuration_error() -> None:
    with pytest.raises(SourceError, match=r"'toilets': the coordinate system 'EPSG:1' is not known"):
        Normaliser(TOILETS, "toilets", {}, "EPSG:1")


def test_points_outside_great_britain_and_northern_ireland_are_rejected() -> None:
    assert reasons(lga_row(GeoX="2.35", GeoY="48.86")) == [
        "GeoX, GeoY: (2.35, 48.86) in WGS84 is outside Great Britain and Northern Ireland"
    ]
    assert reasons(lga_row(GeoX="52.5", GeoY="-1.5")) == [
        "GeoX, GeoY: (52.5, -1.5) in WGS84 is outside Great Britain and Northern Ireland; "
        "are longitude and latitude swapped?"
    ]


def test_coordinates_of_no_known_system_are_rejected() -> None:
    assert reasons(lga_row(CoordinateReferenceSystem="", GeoX="5000000", GeoY="5000000")) == [
        "GeoX, GeoY: cannot tell the coordinate system of (5e+06, 5e+06); set crs for the source in place.toml"
    ]


def test_missing_coordinates_are_rejected_as_the_schema_requires() -> None:
    assert reasons(lga_row(GeoX="", GeoY="abc")) == ["GeoX: required, but blank", "GeoY: 'abc' is not a number"]


def test_a_point_geometry_fills_blank_coordinates() -> None:
    row = lga_row(GeoX=None, GeoY=None, CoordinateReferenceSystem=None)
    normaliser = Normaliser(TOILETS, "toilets", {}, None)
    features, _ = normaliser.normalise([RawRecord(1, row, point=(383000.0, 395000.0), point_crs="EPSG:27700")])
    assert features[0].properties["CoordinateReferenceSystem"] == "OSGB36"
    assert features[0].lat == pytest.approx(53.46, abs=0.05)


def test_a_record_the_adapter_could_not_read_whole_is_rejected_with_its_problem() -> None:
    normaliser = Normaliser(TOILETS, "toilets", {}, None)
    _, rejections = normaliser.normalise(
        [RawRecord(9, lga_row(), problem="the row has 40 cells but the header has 32")]
    )
    assert rejections[0].reasons == ["the row has 40 cells but the header has 32"]


def test_detect_crs_by_value_range() -> None:
    assert detect_crs(-2.3, 53.4) == "EPSG:4326"
    assert detect_crs(383000, 395000) == "EPSG:27700"
    assert detect_crs(-383000, 395000) is None


def test_nul_bytes_are_dropped_from_text_and_extra_columns() -> None:
    feature = one(lga_row(LocationText="Market\x00 Square", Ward="Cent\x00ral"))
    assert (feature.properties["LocationText"], feature.extra) == ("Market Square", {"Ward": "Central"})


def test_an_empty_field_beside_a_column_of_a_like_name_is_a_near_miss() -> None:
    """Charge and ManagingBy left the schema's ChargeAmount and ManagedBy empty: each is named with its column."""
    row = lga_row(Charge="0.20", ManagingBy="Testshire Council", Ward="North")
    normaliser = Normaliser(TOILETS, "toilets", {}, None)
    features, rejections = normaliser.normalise([RawRecord(2, row)])
    assert (len(features), rejections) == (1, [])
    assert normaliser.near_misses() == [("ChargeAmount", "Charge"), ("ManagedBy", "ManagingBy")]


def test_a_mapped_or_filled_field_is_no_near_miss() -> None:
    """Once mapped, or when the schema's own column has values, nothing is suggested."""
    row = lga_row(Charge="0.20", ChargeAmount="0.30", ManagingBy="Testshire Council")
    normaliser = Normaliser(TOILETS, "toilets", {"ManagedBy": "ManagingBy"}, None)
    normaliser.normalise([RawRecord(2, row)])
    assert normaliser.near_misses() == []
