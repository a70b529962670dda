"""datapackage.json: the dataset described as a Frictionless Data Package, generated from config and schema.

The descriptor (https://specs.frictionlessdata.io/data-package/) lets data
catalogues and tools such as frictionless read what the app serves: one
resource per source in place.toml, each with where its data comes from, the
theme's Table Schema that its rows are mapped onto (inline: the schema ships
with the engine), and its licence. It is
generated, never written by hand: the ``datapackage`` command writes it, and
this check fails when the file differs from what the command would write now
(after place.toml's sources or the schema change).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..config import LoadedSettings, Source
from .base import Check, Finding, Project, Result, count

ID = "datapackage"
TITLE = "datapackage.json in sync"
FILE = "datapackage.json"
SPDX_ID = re.compile(r"[A-Za-z0-9.+-]+")
# What each file adapter reads, as a Data Package format and media type.
FORMATS = {"csv": ("csv", "text/csv"), "geojson": ("geojson", "application/geo+json")}


def licence(identifier: str) -> dict[str, str]:
    """A Data Package licence entry; an SPDX identifier links to its page on spdx.org."""
    entry = {"name": identifier}
    if SPDX_ID.fullmatch(identifier):
        entry["path"] = f"https://spdx.org/licenses/{identifier}.html"
    return entry


def build(loaded: LoadedSettings, metadata: dict[str, Any]) -> dict[str, Any]:
    """The descriptor for these settings and the [project] table of pyproject.toml."""
    settings = loaded.settings
    theme = settings.dataset.theme
    package: dict[str, Any] = {"profile": "data-package"}
    if metadata.get("name"):
        package["name"] = str(metadata["name"])
    if metadata.get("description"):
        package["description"] = str(metadata["description"])
    package["keywords"] = [settings.place.name, settings.place.code, theme]
    package["licenses"] = [licence(settings.dataset.licence)]
    package["contributors"] = [
        {
            "title": settings.organisation.name,
            "role": "publisher",
            "path": settings.organisation.url,
            "email": settings.organisation.contact_email,
        }
    ]
    # What the app publishes: its collections, not the gazetteers it looks postcodes and place names up in.
    package["resources"] = [_resource(source, loaded, theme) for source in settings.collection_sources]
    return package


def _resource(source: Source, loaded: LoadedSettings, theme: str) -> dict[str, Any]:
    resource: dict[str, Any] = {"name": source.name, "path": _data_path(source.location, loaded.project_dir)}
    if source.adapter in FORMATS:
        resource["format"], resource["mediatype"] = FORMATS[source.adapter]
    if source.attribution:
        resource["sources"] = [{"title": source.attribution}]
    # Inline, so that the descriptor stands alone: the schema lives in the engine, not in the project.
    resource["schema"] = loaded.schema()
    resource["licenses"] = [licence(source.licence or loaded.settings.dataset.licence)]
    resource["x-adapter"] = source.adapter
    if source.fields:
        resource["x-fields"] = dict(source.fields)  # schema field = the source's column
    if source.crs:
        resource["x-crs"] = source.crs
    return resource


def _data_path(location: str, project_dir: Path) -> str:
    """A URL as it is; a file as a path from the project root with forward slashes, as the standard asks."""
    if location.startswith(("http://", "https://")):
        return location
    path = Path(location).expanduser()
    if path.is_absolute() and path.is_relative_to(project_dir):
        path = path.relative_to(project_dir)
    return path.as_posix()


def dumps(package: dict[str, Any]) -> str:
    """The descriptor as the file holds it."""
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


def write(project: Project) -> Path:
    """Write datapackage.json for the project's current settings; returns its path."""
    path = project.path(FILE)
    path.write_text(dumps(build(project.loaded, project.pyproject())), encoding="utf-8")
    return path


def differences(found: Any, expected: Any, pointer: str = "") -> list[str]:
    """Where two JSON values differ, as JSON pointers (at most a few per level)."""
    if isinstance(found, dict) and isinstance(expected, dict):
        keys = list(expected) + [key for key in found if key not in expected]
        return [
            difference
            for key in keys
            for difference in differences(found.get(key, _ABSENT), expected.get(key, _ABSENT), f"{pointer}/{key}")
        ]
    if isinstance(found, list) and isinstance(expected, list):
        found_items = found + [_ABSENT] * (len(expected) - len(found))
        expected_items = expected + [_ABSENT] * (len(found) - len(expected))
        return [
            difference
            for index, (one, other) in enumerate(zip(found_items, expected_items, strict=True))
            for difference in differences(one, other, f"{pointer}/{index}")
        ]
    if found == expected:
        return []
    if found is _ABSENT:
        return [f"{pointer or '/'}: missing; it should be {json.dumps(expected, ensure_ascii=False)[:120]}"]
    if expected is _ABSENT:
        return [f"{pointer or '/'}: not expected"]
    return [
        f"{pointer or '/'}: {json.dumps(found, ensure_ascii=False)[:120]}, "
        f"but it should be {json.dumps(expected, ensure_ascii=False)[:120]}"
    ]


_ABSENT = object()


def run(project: Project) -> Result:
    expected = build(project.loaded, project.pyproject())
    path = project.path(FILE)
    rewrite = f"Run `{project.command('datapackage')}` to write it from place.toml and the schema."
    if not path.is_file():
        return Result(ID, TITLE, f"No {FILE}.", [Finding(f"missing. {rewrite}", FILE)])
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        line = getattr(error, "lineno", None)
        return Result(
            ID, TITLE, f"{FILE} does not parse.", [Finding(f"not valid JSON: {error}. {rewrite}", FILE, line)]
        )
    findings = [
        Finding(f"out of date at {difference}. {rewrite}", FILE, _line(path, difference))
        for difference in differences(found, expected)
    ]
    names = ", ".join(resource["name"] for resource in expected["resources"]) or "none"
    summary = (
        f"{FILE} differs from what place.toml and the schema describe."
        if findings
        else f"{FILE} describes the {count(len(expected['resources']), 'source')} in place.toml ({names})."
    )
    return Result(ID, TITLE, summary, findings)


def _line(path: Path, difference: str) -> int | None:
    """The line a difference is on: each key of its pointer found in turn, down the file (first items only)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found, start = None, 0
    for part in difference.split(":", 1)[0].strip("/").split("/"):
        if part.isdigit():
            if part != "0":
                break  # a later item of a list: the list's own line is as close as this gets
            continue
        needle = json.dumps(part, ensure_ascii=False) + ":"
        at = next((number for number in range(start, len(lines)) if needle in lines[number]), None)
        if at is None:
            break
        found, start = at + 1, at + 1
    return found


CHECK = Check(ID, TITLE, run)
