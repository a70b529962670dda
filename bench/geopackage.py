"""Write a GeoPackage of the app's features with the standard library, for pygeoapi to serve.

``write(database, gpkg)`` copies the live table of the ``toilets`` collection
from the app's SQLite database into a GeoPackage 1.3 file: one point layer,
``toilets``, in WGS84 (EPSG:4326), with the app's feature id as a text column
``id``, the schema's fields with GeoPackage types, the app's row number as
``fid`` (so load order is the same) and the GeoPackage R*Tree spatial index
extension. The file is read-only data for a benchmark: the R*Tree is filled
once and the triggers that would keep it up to date on writes are left out.

No GDAL is needed, so the same file serves pygeoapi's OGR provider (which reads
it through GDAL) and its SQLiteGPKG provider (which reads it through SQLite
and SpatiaLite).
"""

from __future__ import annotations

import json
import sqlite3
import struct
from pathlib import Path

LAYER = "toilets"
GEOMETRY = "geom"
WGS84 = 4326
APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10300  # GeoPackage 1.3.0
# GeoPackage binary header: "GP", version 0, flags 0b00000001 (little-endian, no envelope), then the SRS id.
HEADER = b"GP\x00\x01" + struct.pack("<i", WGS84)
POINT = struct.Struct("<BIdd")  # WKB: byte order 1 (little-endian), type 1 (Point), x, y
TYPES = {"number": "REAL", "integer": "INTEGER", "boolean": "BOOLEAN", "date": "DATE", "datetime": "DATETIME"}
WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],'
    'AUTHORITY["EPSG","4326"]]'
)
SCHEMA = f"""
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
CREATE TABLE gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', {WGS84}, 'EPSG', {WGS84}, '{WGS84_WKT}', 'longitude/latitude coordinates in decimal degrees');
"""


def point(lon: float | None, lat: float | None) -> bytes | None:
    """A GeoPackage geometry blob for a point, or None for a feature with no position."""
    if lon is None or lat is None:
        return None
    return HEADER + POINT.pack(1, 1, lon, lat)


def live_table(db: sqlite3.Connection, collection: str) -> tuple[str, list[dict]]:
    """The app's live table for a collection, and its schema fields."""
    row = db.execute("SELECT table_name, fields FROM _collections WHERE collection = ?", [collection]).fetchone()
    if row is None:
        raise SystemExit(f"No collection {collection!r} in the app's database")
    return row[0], json.loads(row[1])


def write(database: Path, gpkg: Path, collection: str = LAYER) -> int:
    """Write ``gpkg`` from the app's ``database``; return the number of features written."""
    partial = gpkg.with_name(gpkg.name + ".partial")
    partial.unlink(missing_ok=True)
    gpkg.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(partial)
    try:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {USER_VERSION}")
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.create_function("gpkg_point", 2, point, deterministic=True)
        db.executescript(SCHEMA)
        db.execute("ATTACH DATABASE ? AS app", [f"file:{database}?mode=ro"])
        table, fields = live_table(db, collection)
        names = [field["name"] for field in fields]
        columns = ", ".join(f'"{field["name"]}" {TYPES.get(field["type"], "TEXT")}' for field in fields)
        db.execute(
            f'CREATE TABLE "{LAYER}" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
            f'"{GEOMETRY}" POINT, id TEXT NOT NULL, {columns})'
        )
        quoted = ", ".join(f'"{name}"' for name in names)
        with db:
            db.execute(
                f'INSERT INTO "{LAYER}" (fid, "{GEOMETRY}", id, {quoted}) '
                f"SELECT _rowid, gpkg_point(_lon, _lat), _id, {quoted} FROM app.{table} ORDER BY _rowid"
            )
            rtree = f"rtree_{LAYER}_{GEOMETRY}"
            db.execute(f'CREATE VIRTUAL TABLE "{rtree}" USING rtree(id, minx, maxx, miny, maxy)')
            db.execute(
                f'INSERT INTO "{rtree}" SELECT _rowid, _lon, _lon, _lat, _lat FROM app.{table} WHERE _lon IS NOT NULL'
            )
            extent = db.execute(
                f"SELECT min(_lon), min(_lat), max(_lon), max(_lat) FROM app.{table} WHERE _lon IS NOT NULL"
            ).fetchone()
            db.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id) "
                "VALUES (?, 'features', ?, ?, ?, ?, ?, ?)",
                [LAYER, LAYER, *extent, WGS84],
            )
            db.execute("INSERT INTO gpkg_geometry_columns VALUES (?, ?, 'POINT', ?, 0, 0)", [LAYER, GEOMETRY, WGS84])
            db.execute(
                "INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', "
                "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
                [LAYER, GEOMETRY],
            )
        (count,) = db.execute(f'SELECT count(*) FROM "{LAYER}"').fetchone()
        db.execute("DETACH DATABASE app")
    finally:
        db.close()
    partial.replace(gpkg)
    return count


def features(gpkg: Path) -> int | None:
    """How many features a GeoPackage written by ``write`` holds, or None if it is not one."""
    if not gpkg.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True) as db:
            return db.execute(f'SELECT count(*) FROM "{LAYER}"').fetchone()[0]
    except sqlite3.Error:
        return None
