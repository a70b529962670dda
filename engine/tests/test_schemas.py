"""Tests for the published data schemas: each loads, is a well-formed Table Schema and says what it should."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from local_data_app import config, schemas
from local_data_app.schemas.layout import layout, layout_problems

# What the Table Schema specification (https://specs.frictionlessdata.io/table-schema/) allows.
FIELD_TYPES = {
    "string",
    "number",
    "integer",
    "boolean",
    "object",
    "array",
    "date",
    "time",
    "datetime",
    "year",
    "yearmonth",
    "duration",
    "geopoint",
    "geojson",
    "any",
}
STRING_FORMATS = {"default", "email", "uri", "binary", "uuid"}
DATE_TYPES = {"date", "time", "datetime"}
ORDERED_TYPES = {"integer", "number", "date", "time", "datetime", "year", "yearmonth", "duration"}
CONSTRAINTS = {"required", "unique", "minLength", "maxLength", "minimum", "maximum", "pattern", "enum"}
ENUM_VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
}

LGA_FIELDS = [
    "ExtractDate",
    "OrganisationURI",
    "OrganisationLabel",
    "ServiceTypeURI",
    "ServiceTypeLabel",
    "LocationText",
    "CoordinateReferenceSystem",
    "GeoX",
    "GeoY",
    "GeoPointLicensingURL",
    "Category",
    "AccessibleCategory",
    "RADARKeyNeeded",
    "BabyChange",
    "FamilyToilet",
    "ChangingPlace",
    "AutomaticPublicConvenience",
    "FullTimeStaffing",
    "PartOfCommunityScheme",
    "CommunitySchemeName",
    "ChargeAmount",
    "InfoURL",
    "OpeningHours",
    "ManagedBy",
    "ReportEmail",
    "ReportTel",
    "Notes",
    "UPRN",
    "Postcode",
    "StreetAddress",
    "GeoAreaURI",
    "GeoAreaLabel",
]
LGA_REQUIRED = {"ExtractDate", "OrganisationLabel", "ServiceTypeLabel", "LocationText", "GeoX", "GeoY"}
LGA_FLAGS = {
    "RADARKeyNeeded",
    "BabyChange",
    "FamilyToilet",
    "ChangingPlace",
    "AutomaticPublicConvenience",
    "FullTimeStaffing",
    "PartOfCommunityScheme",
}


def fields_by_name(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The schema's field descriptors, keyed by field name."""
    return {field["name"]: field for field in schema["fields"]}


def required_names(schema: dict[str, Any]) -> set[str]:
    """The names of the fields a row must fill in."""
    return {field["name"] for field in schema["fields"] if field.get("constraints", {}).get("required")}


def field_problems(field: dict[str, Any]) -> list[str]:
    """What is wrong with one field descriptor, by the specification's rules; empty when it is well formed."""
    name, kind = field.get("name"), field.get("type")
    problems = []
    for key in ("name", "title", "description"):
        if not isinstance(field.get(key), str) or not field[key].strip():
            problems.append(f"{name}: {key} must be a non-empty string")
    if kind not in FIELD_TYPES:
        problems.append(f"{name}: unknown type {kind!r}")
    form = field.get("format", "default")
    if kind == "string" and form not in STRING_FORMATS:
        problems.append(f"{name}: {form!r} is not a string format")
    if kind not in {"string", *DATE_TYPES} and form != "default":
        problems.append(f"{name}: a {kind} field takes no format")
    if {"trueValues", "falseValues"} & field.keys():
        if kind != "boolean":
            problems.append(f"{name}: trueValues and falseValues belong to boolean fields")
        elif set(field.get("trueValues", [])) & set(field.get("falseValues", [])):
            problems.append(f"{name}: a value is both true and false")
    constraints = field.get("constraints", {})
    if set(constraints) - CONSTRAINTS:
        problems.append(f"{name}: unknown constraints {sorted(set(constraints) - CONSTRAINTS)}")
    for key in ("required", "unique"):
        if not isinstance(constraints.get(key, False), bool):
            problems.append(f"{name}: {key} must be true or false")
    if "pattern" in constraints:
        if kind != "string":
            problems.append(f"{name}: pattern belongs to string fields")
        re.compile(constraints["pattern"])  # raises if the pattern is not a regular expression
    if {"minimum", "maximum"} & constraints.keys() and kind not in ORDERED_TYPES:
        problems.append(f"{name}: minimum and maximum belong to ordered types")
    if "enum" in constraints:
        values = constraints["enum"]
        allowed = ENUM_VALUE_TYPES.get(kind, (str,))
        if not values or len(set(values)) != len(values):
            problems.append(f"{name}: enum must list distinct values")
        if any(isinstance(value, bool) != (kind == "boolean") or not isinstance(value, allowed) for value in values):
            problems.append(f"{name}: enum values must be of type {kind}")
    return problems


def schema_problems(schema: dict[str, Any]) -> list[str]:
    """What is wrong with a Table Schema and its x-geometry and x-id-field keys; empty when it is well formed."""
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        return ["fields must be a non-empty list"]
    problems = [problem for field in fields for problem in field_problems(field)]
    names = [field.get("name") for field in fields]
    if len(set(names)) != len(names):
        problems.append("field names must be unique")
    by_name = fields_by_name(schema)
    key = schema.get("primaryKey", [])
    for name in [key] if isinstance(key, str) else key:
        if name not in by_name:
            problems.append(f"primaryKey names no field: {name!r}")
    geometry = schema.get("x-geometry", {})
    for axis in ("x", "y"):
        if by_name.get(geometry.get(axis), {}).get("type") != "number":
            problems.append(f"x-geometry {axis} must name a number field, not {geometry.get(axis)!r}")
    crs_field = geometry.get("crs_field", "missing")
    if crs_field is not None and crs_field not in by_name:
        problems.append(f"x-geometry crs_field must be null or name a field, not {crs_field!r}")
    id_field = schema.get("x-id-field", "missing")
    if id_field is not None and id_field not in by_name:
        problems.append(f"x-id-field must be null or name a field, not {id_field!r}")
    return problems


ENGINE_THEMES = tuple(schemas.themes())
TEMPLATE_COPIES = Path(__file__).resolve().parents[2] / "templates" / "schemas"


def test_there_are_themes() -> None:
    """It finds the schemas shipped with the package, public_toilets among them."""
    assert "public_toilets" in ENGINE_THEMES
    assert list(ENGINE_THEMES) == sorted(set(ENGINE_THEMES))


@pytest.mark.parametrize("theme", ENGINE_THEMES)
def test_every_theme_loads(theme: str) -> None:
    """It loads each theme's schema as a dict named after the theme, with a title and a description."""
    schema = schemas.load_schema(theme)
    assert schema["name"] == theme
    assert schema["title"]
    assert schema["description"]


@pytest.mark.parametrize("theme", ENGINE_THEMES)
def test_every_schema_is_a_well_formed_table_schema(theme: str) -> None:
    """It holds each schema to the Table Schema rules: fields, types, formats, constraints, keys and geometry."""
    assert schema_problems(schemas.load_schema(theme)) == []


@pytest.mark.parametrize("theme", ENGINE_THEMES)
def test_the_id_field_is_the_primary_key(theme: str) -> None:
    """It makes a schema's x-id-field its primary key, required and unique, and gives no key without one."""
    schema = schemas.load_schema(theme)
    id_field = schema["x-id-field"]
    if id_field is None:
        assert "primaryKey" not in schema
    else:
        assert schema["primaryKey"] in (id_field, [id_field])
        assert fields_by_name(schema)[id_field]["constraints"] == {"required": True, "unique": True}


def test_the_checker_finds_problems() -> None:
    """It reports the mistakes the structural check is there to catch, so a passing check means something."""
    schema: dict[str, Any] = {
        "fields": [
            {"name": "a", "title": "A", "description": "A.", "type": "text"},
            {"name": "a", "title": "A", "description": "A.", "type": "number", "constraints": {"enum": ["1"]}},
            {"name": "b", "title": "B", "description": "B.", "type": "string", "constraints": {"minimum": 0}},
            {"name": "c", "title": "C", "description": "C.", "type": "string", "constraints": {"requried": True}},
        ],
        "primaryKey": "id",
        "x-geometry": {"x": "b", "y": "missing", "crs_field": None},
        "x-id-field": None,
    }
    problems = "\n".join(schema_problems(schema))
    for expected in (
        "unknown type 'text'",
        "enum values must be of type number",
        "minimum and maximum belong to ordered types",
        "unknown constraints ['requried']",
        "field names must be unique",
        "primaryKey names no field: 'id'",
        "x-geometry x must name a number field",
        "x-geometry y must name a number field",
    ):
        assert expected in problems


def test_the_lga_schema_has_its_fields_in_order() -> None:
    """It gives the LGA PublicToilets columns exactly, in the published order, with the published required set."""
    schema = schemas.load_schema("public_toilets")
    assert [field["name"] for field in schema["fields"]] == LGA_FIELDS
    assert required_names(schema) == LGA_REQUIRED
    assert "LGA PublicToilets" in schema["description"]
    assert schema["x-geometry"] == {"x": "GeoX", "y": "GeoY", "crs_field": "CoordinateReferenceSystem"}
    assert schema["x-id-field"] is None
    assert "primaryKey" not in schema


def test_the_lga_flags_read_yes_no_true_false_in_any_common_case() -> None:
    """It reads each yes/no flag from yes, no, true or false in lower, title or upper case."""
    fields = fields_by_name(schemas.load_schema("public_toilets"))
    assert {name for name, field in fields.items() if field["type"] == "boolean"} == LGA_FLAGS
    for name in LGA_FLAGS:
        for words, key in ((("yes", "true"), "trueValues"), (("no", "false"), "falseValues")):
            spellings = {spelling for word in words for spelling in (word, word.title(), word.upper())}
            assert spellings <= set(fields[name][key]), name


def test_the_lga_extract_date_is_read_day_first() -> None:
    """It reads the extract date as a date written dd/mm/yyyy, never month first."""
    field = fields_by_name(schemas.load_schema("public_toilets"))["ExtractDate"]
    assert field["type"] == "date"
    assert datetime.strptime("31/01/2001", field["format"]).date() == date(2001, 1, 31)
    assert "dd/mm/yyyy" in field["description"]


def test_the_lga_coordinate_systems() -> None:
    """It allows WGS84 and OSGB36 as the coordinate reference system, and coordinates as numbers."""
    fields = fields_by_name(schemas.load_schema("public_toilets"))
    assert fields["CoordinateReferenceSystem"]["constraints"]["enum"] == ["WGS84", "OSGB36"]
    assert "blank means WGS84" in fields["CoordinateReferenceSystem"]["description"]
    assert fields["GeoX"]["type"] == fields["GeoY"]["type"] == "number"


def test_the_lga_categories() -> None:
    """It allows the published categories, None included, for both the toilet and its accessible toilet."""
    fields = fields_by_name(schemas.load_schema("public_toilets"))
    categories = ["Female", "Male", "Female and Male", "Unisex", "Male urinal", "Children only", "None"]
    assert fields["Category"]["constraints"]["enum"] == categories
    assert fields["AccessibleCategory"]["constraints"]["enum"] == categories


@pytest.mark.parametrize(("theme", "field_name"), [("public_toilets", "UPRN"), ("generic_points", "uprn")])
def test_a_uprn_is_up_to_twelve_digits_kept_as_text(theme: str, field_name: str) -> None:
    """It keeps a UPRN as a string of 1 to 12 digits, so leading zeros and long numbers survive."""
    field = fields_by_name(schemas.load_schema(theme))[field_name]
    assert field["type"] == "string"
    pattern = field["constraints"]["pattern"]
    for good in ("1", "000123", "123456789012"):
        assert re.fullmatch(pattern, good), good
    for bad in ("", "1234567890123", "12a", "12 34", "-1", "1.0"):
        assert not re.fullmatch(pattern, bad), bad


def test_the_generic_schema() -> None:
    """It gives generic points their fields in order, id as the key, and x and y as WGS84 longitude and latitude."""
    schema = schemas.load_schema("generic_points")
    names = ["id", "name", "category", "description", "address", "postcode", "uprn", "url", "opening_hours"]
    names += ["wheelchair", "x", "y"]
    assert [field["name"] for field in schema["fields"]] == names
    assert required_names(schema) == {"id", "name", "x", "y"}
    assert schema["x-geometry"] == {"x": "x", "y": "y", "crs_field": None}
    assert schema["x-id-field"] == schema["primaryKey"] == "id"
    fields = fields_by_name(schema)
    assert (fields["x"]["constraints"]["minimum"], fields["x"]["constraints"]["maximum"]) == (-180, 180)
    assert (fields["y"]["constraints"]["minimum"], fields["y"]["constraints"]["maximum"]) == (-90, 90)


def test_a_loaded_schema_is_a_fresh_copy() -> None:
    """It gives each caller its own copy, so changing one loaded schema does not change the next."""
    schemas.load_schema("public_toilets")["fields"].clear()
    assert schemas.load_schema("public_toilets")["fields"]


def test_an_unknown_theme_names_the_themes_there_are() -> None:
    """It refuses a theme without a schema with a ValueError naming the theme and every available theme."""
    with pytest.raises(ValueError, match="car_parks") as caught:
        schemas.load_schema("car_parks")
    for theme in ENGINE_THEMES:
        assert theme in str(caught.value)


@pytest.mark.parametrize("theme", ["", "Public_Toilets", "public_toilets.json", "../public_toilets", "__init__"])
def test_a_near_miss_is_not_a_theme(theme: str) -> None:
    """It refuses names that are not exactly a theme, including file names and paths."""
    with pytest.raises(ValueError, match="themes with a schema"):
        schemas.load_schema(theme)


@pytest.mark.parametrize("theme", ENGINE_THEMES)
def test_the_settings_accept_every_theme_with_a_schema(theme: str) -> None:
    """The settings accept as dataset.theme exactly the themes that have a schema."""
    assert config.Dataset(theme=theme, licence="CC0-1.0").theme == theme


def test_the_theme_in_place_toml_has_a_schema(shipped_values: dict[str, Any]) -> None:
    """It has a schema for the theme named in the project's own place.toml."""
    theme = shipped_values["dataset"]["theme"]
    assert theme in ENGINE_THEMES
    assert schemas.load_schema(theme)["name"] == theme


@pytest.mark.parametrize("theme", ENGINE_THEMES)
def test_the_template_includes_a_true_copy_of_each_schema(theme: str) -> None:
    """templates/schemas/ holds byte-identical copies, which generated projects' datapackage.json include."""
    engine = schemas.themes()[theme].read_bytes()
    assert (TEMPLATE_COPIES / f"{theme}.json").read_bytes() == engine, "run: python3 scripts/sync_schemas.py"
    assert engine.decode("utf-8") == json.dumps(json.loads(engine), indent=2, ensure_ascii=False) + "\n"


def test_a_project_adds_a_theme_of_its_own(tmp_path: Path) -> None:
    """themes/<name>.json beside place.toml is a theme of that project only, and its fields can be mapped."""
    (tmp_path / "themes").mkdir()
    bins = {**schemas.load_schema("generic_points"), "name": "bins", "title": "Litter bins"}
    (tmp_path / "themes" / "bins.json").write_text(json.dumps(bins), encoding="utf-8")
    assert schemas.load_schema("bins", tmp_path)["title"] == "Litter bins"
    assert "bins" in schemas.themes(tmp_path)
    assert "bins" not in ENGINE_THEMES
    with pytest.raises(ValueError, match="No schema for the dataset theme 'bins'"):
        schemas.load_schema("bins")


def test_a_broken_project_theme_is_named(tmp_path: Path) -> None:
    """A theme file that is not JSON, or has no fields, is refused with the theme's name."""
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "broken.json").write_text("{", encoding="utf-8")
    (tmp_path / "themes" / "empty.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="'broken' is not valid JSON"):
        schemas.load_schema("broken", tmp_path)
    with pytest.raises(ValueError, match="'empty' is not a Table Schema"):
        schemas.load_schema("empty", tmp_path)


@pytest.mark.parametrize("theme", ENGINE_THEMES)
def test_every_theme_says_what_its_pages_show_first(theme: str) -> None:
    """Each engine theme has a well-formed x-page annotation naming an address and what its list and record show."""
    schema = schemas.load_schema(theme)
    assert layout_problems(schema) == []
    shape = layout(schema)
    assert shape.summary
    assert shape.record
    assert shape.address


@pytest.mark.parametrize(
    ("annotation", "words"),
    [
        ({"summary": ["Nowhere"]}, "summary names no field: 'Nowhere'"),
        ({"money": ["name"]}, "money field 'name' must be a number"),
        ({"record": "name"}, "record must be a list of field names"),
        ({"colour": []}, "unknown keys ['colour']"),
        ({"labels": {"name": ""}}, "labels must map field names to words"),
        ({"report": {"fax": "name"}}, "report must map email and telephone to field names"),
        ([], "x-page must be an object"),
    ],
)
def test_a_broken_page_annotation_is_named(tmp_path: Path, annotation: object, words: str) -> None:
    """A theme whose x-page names a field it lacks, or is not shaped as documented, is refused with the mistake."""
    (tmp_path / "themes").mkdir()
    bins = {**schemas.load_schema("generic_points"), "name": "bins", "x-page": annotation}
    (tmp_path / "themes" / "bins.json").write_text(json.dumps(bins), encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(words)) as raised:
        schemas.load_schema("bins", tmp_path)
    assert "x-page annotation of the dataset theme 'bins'" in str(raised.value)


def test_a_theme_without_a_page_annotation_gets_a_sensible_one() -> None:
    """Without x-page, the yes/no fields are features and the summary is the fixed-list fields and those."""
    schema = schemas.load_schema("public_toilets")
    del schema["x-page"]
    shape = layout(schema)
    assert shape.features == tuple(spec["name"] for spec in schema["fields"] if spec["type"] == "boolean")
    assert shape.summary[:2] == ("Category", "AccessibleCategory")  # not the coordinate system
    assert shape.money == ()
    assert shape.record == ()
