"""Install Datasette and pygeoapi for bench/peers.py, and write what each needs to serve the app's data.

Each peer gets a virtual environment of its own under build/bench/venvs/,
made once with uv: Datasette on the harness's Python, pygeoapi on Debian's
Python 3 with Debian's packages visible, where GDAL's bindings
(``python3-gdal``, installed with apt-get) live. For Datasette: a link to
the app's database named as Datasette should call it and metadata with two
canned queries. For pygeoapi: a GeoPackage of the app's features
(bench/geopackage.py) and a configuration with one collection, through its
OGR provider or its SQLiteGPKG provider.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import geopackage
import ingest
import serve

ROOT, BENCH, SOURCE = ingest.ROOT, ingest.BENCH, ingest.SOURCE
PEERS = BENCH / "peers"
VENVS = ingest.VENVS
HOST = serve.HOST
PAGE = serve.PAGE
PROVIDERS = ("auto", "ogr", "sqlite", "both")
DEBIAN_PYTHON = Path("/usr/bin/python3")
DATASETTE_DB = "toilets"  # the name Datasette gives the database, from its file name


# --- installing the peers ----------------------------------------------------


def apt_install(*packages: str) -> bool:
    """Install Debian packages with apt-get, as root; whether that worked (or they were there)."""
    if not Path("/usr/bin/apt-get").exists() or os.geteuid() != 0:
        return False
    query = ["dpkg-query", "-W", "-f", "${Status}\n", *packages]
    installed = subprocess.run(query, capture_output=True, text=True)
    if installed.returncode == 0 and installed.stdout.count("install ok installed") == len(packages):
        return True
    print(f"Installing {', '.join(packages)} with apt-get ...", flush=True)
    command = ["apt-get", "install", "-y", "--no-install-recommends", "-q", *packages]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(command, env=env, capture_output=True).returncode == 0:
        return True
    subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
    return subprocess.run(command, env=env, capture_output=True).returncode == 0


def venv_with(name: str, packages: list[str], probe: str, python: Path | None = None, system: bool = False) -> Path:
    """A virtual environment under build/bench/venvs/ holding ``packages``, made once; its python."""
    venv = VENVS / name
    python_in_venv = venv / "bin" / "python"
    if python_in_venv.is_file() and subprocess.run([python_in_venv, "-c", probe], capture_output=True).returncode == 0:
        return python_in_venv
    print(f"Installing {', '.join(packages)} into {ingest.shown(venv)} ...", flush=True)
    subprocess.run(["rm", "-rf", str(venv)], check=True)
    create = [*ingest.uv(), "venv", "--quiet", str(venv)]
    if python is not None:
        create += ["--python", str(python)]
    if system:
        create.append("--system-site-packages")
    subprocess.run(create, check=True, env=ingest.clean_env())
    install = [*ingest.uv(), "pip", "install", "--quiet", "--python", str(python_in_venv), *packages]
    subprocess.run(install, check=True, env=ingest.clean_env())
    return python_in_venv


def gdal_python() -> bool:
    """Whether Debian's Python 3 can import GDAL's bindings, installing python3-gdal if need be."""
    probe = [str(DEBIAN_PYTHON), "-c", "from osgeo import ogr"]
    if DEBIAN_PYTHON.is_file() and subprocess.run(probe, capture_output=True).returncode == 0:
        return True
    return apt_install("python3-gdal") and subprocess.run(probe, capture_output=True).returncode == 0


def pygeoapi_python(provider: str) -> Path:
    """A venv with pygeoapi and uvicorn on Debian's Python 3 (with its packages, for python3-gdal)."""
    if not DEBIAN_PYTHON.is_file() and not apt_install("python3"):
        raise SystemExit("pygeoapi needs Debian's python3 (for python3-gdal and SQLite extensions); none found")
    if provider == "sqlite" and not apt_install("libsqlite3-mod-spatialite"):
        raise SystemExit("pygeoapi's SQLiteGPKG provider needs libsqlite3-mod-spatialite, which apt-get could not get")
    return venv_with(
        "pygeoapi",
        ["pygeoapi", "uvicorn", "starlette"],
        "import pygeoapi, uvicorn, starlette",
        python=DEBIAN_PYTHON,
        system=True,
    )


def resolve_providers(choice: str) -> tuple[list[str], list[str]]:
    """The pygeoapi providers to run for ``--pygeoapi-provider``, and notes on what was chosen and why."""
    if choice == "sqlite":
        return ["sqlite"], []
    has_gdal = gdal_python()
    if choice == "ogr" and not has_gdal:
        raise SystemExit("GDAL's Python bindings could not be had (apt-get install python3-gdal failed)")
    if choice == "both":
        if has_gdal:
            return ["ogr", "sqlite"], []
        return ["sqlite"], ["python3-gdal could not be had: pygeoapi ran with its SQLiteGPKG provider only"]
    if has_gdal:
        return ["ogr"], []
    return ["sqlite"], ["python3-gdal could not be had: pygeoapi fell back to its SQLiteGPKG provider"]


# --- the servers' files ------------------------------------------------------


def datasette_files(database: Path) -> tuple[Path, Path]:
    """A link named toilets.db to the app's database and Datasette metadata with the two canned queries."""
    PEERS.mkdir(parents=True, exist_ok=True)
    link = PEERS / f"{DATASETTE_DB}.db"
    link.unlink(missing_ok=True)
    link.symlink_to(database.resolve())
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        table, fields = geopackage.live_table(db, SOURCE)
    columns = ", ".join(f't."{f["name"]}"' for f in fields)
    where = (
        f"FROM {table} AS t JOIN {table}_rtree AS r ON r.id = t._rowid "
        "WHERE r.max_lon >= :west AND r.min_lon <= :east AND r.max_lat >= :south AND r.min_lat <= :north "
        "AND t._lon BETWEEN :west AND :east AND t._lat BETWEEN :south AND :north "
        f"ORDER BY t._rowid LIMIT {PAGE}"
    )
    select = f"t._id AS id, t._lon AS lon, t._lat AS lat, {columns}"
    metadata = {
        "databases": {
            DATASETTE_DB: {
                "queries": {
                    "bbox": {"sql": f"SELECT {select} {where}", "title": "Features in a box"},
                    "bbox_count": {
                        "sql": f"SELECT count(*) OVER () AS matched, {select} {where}",
                        "title": "Features in a box, with the number in it",
                    },
                }
            }
        }
    }
    meta = PEERS / "datasette-metadata.json"
    meta.write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    return link, meta


def ensure_geopackage(database: Path) -> Path:
    """The GeoPackage of the app's features, written once per database."""
    gpkg = PEERS / f"{database.stem}.gpkg"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        table, _ = geopackage.live_table(db, SOURCE)
        (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()
    fresh = gpkg.is_file() and gpkg.stat().st_mtime >= database.stat().st_mtime
    if fresh and geopackage.features(gpkg) == count:
        print(f"Using {ingest.shown(gpkg)} ({count:,} features, cached)")
        return gpkg
    print(f"Writing {count:,} features to {ingest.shown(gpkg)} ...", flush=True)
    started = time.perf_counter()
    geopackage.write(database, gpkg)
    print(f"  {time.perf_counter() - started:.1f} s")
    return gpkg


def pygeoapi_config(gpkg: Path, provider: str, port: int) -> dict:
    """A pygeoapi configuration with one collection served from the GeoPackage."""
    if provider == "ogr":
        provider_def = {
            "type": "feature",
            "name": "OGR",
            "data": {
                "source_type": "GPKG",
                "source": str(gpkg),
                "source_capabilities": {"paging": True},
                "gdal_ogr_options": {"EMPTY_AS_NULL": "NO", "CPL_DEBUG": "NO"},
            },
            "id_field": "id",
            "layer": geopackage.LAYER,
        }
    else:
        provider_def = {
            "type": "feature",
            "name": "SQLiteGPKG",
            "data": str(gpkg),
            "id_field": "id",
            "table": geopackage.LAYER,
        }
    url = f"http://{HOST}:{port}"
    return {
        "server": {
            "bind": {"host": HOST, "port": port},
            "url": url,
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-GB"],
            "pretty_print": False,
            "limits": {"default_items": 10, "max_items": 1000},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OpenStreetMap"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "Public toilets",
                "description": "The benchmark's public toilets",
                "keywords": ["toilets"],
                "url": url,
                "terms_of_service": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            },
            "license": {
                "name": "OGL-UK-3.0",
                "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            },
            "provider": {"name": "Benchmark", "url": url},
            "contact": {"name": "Benchmark", "url": url},
        },
        "resources": {
            SOURCE: {
                "type": "collection",
                "title": "Public toilets",
                "description": "Public toilets across Great Britain",
                "keywords": ["toilets"],
                "links": [],
                "extents": {
                    "spatial": {"bbox": [-8.0, 49.0, 2.0, 61.0], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
                },
                "providers": [provider_def],
            }
        },
    }


def pygeoapi_files(python: Path, gpkg: Path, provider: str, port: int) -> dict[str, str]:
    """Write pygeoapi's configuration and its OpenAPI document; the environment that points pygeoapi at them."""
    config = PEERS / f"pygeoapi-{provider}.yml"
    openapi = PEERS / f"pygeoapi-{provider}-openapi.yml"
    config.write_text(json.dumps(pygeoapi_config(gpkg, provider, port), indent=2) + "\n", encoding="utf-8")
    env = ingest.clean_env(PYGEOAPI_CONFIG=str(config), PYGEOAPI_OPENAPI=str(openapi))
    generate = [str(python.parent / "pygeoapi"), "openapi", "generate", str(config), "--output-file", str(openapi)]
    subprocess.run(generate, env=env, check=True, capture_output=True)
    return env


# --- versions ------------------------------------------------------------------


def peer_versions(datasette: Path | None, pygeoapi: Path | None) -> dict[str, str]:
    found = {}
    if datasette is not None:
        probe = "import datasette.version as v, sqlite3, platform; print(v.__version__, sqlite3.sqlite_version)"
        text = ingest.output([str(datasette), "-c", probe]).split()
        if len(text) == 2:
            found["datasette"], found["sqlite (datasette)"] = text
    if pygeoapi is not None:
        probe = (
            "import json, platform, sqlite3, pygeoapi, uvicorn\n"
            "found = {'pygeoapi': pygeoapi.__version__, 'python (pygeoapi)': platform.python_version(),\n"
            "         'uvicorn (pygeoapi)': uvicorn.__version__, 'sqlite (pygeoapi)': sqlite3.sqlite_version}\n"
            "try:\n    from osgeo import gdal\n    found['gdal (pygeoapi)'] = gdal.__version__\n"
            "except ImportError:\n    pass\n"
            "print(json.dumps(found))"
        )
        text = ingest.output([str(pygeoapi), "-c", probe])
        found.update(json.loads(text) if text else {})
    return found
