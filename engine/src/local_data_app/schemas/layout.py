"""What a theme's ``x-page`` annotation puts first on the pages for people.

The schema, not the code, decides what a resident sees first: which fields
make a list item's summary line, which answer first on a record's page, which
yes/no fields are shown as words, which make the address, which are money,
which give the e-mail address and telephone number for reporting a problem,
and which holds the opening hours (read by :mod:`local_data_app.hours`). A
theme without the annotation still gets a sensible page (:func:`default_layout`).
docs/pages.md in a generated project describes the keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

KEY = "x-page"
LISTS = ("summary", "record", "features", "address", "money")
REPORTS = ("email", "telephone")


@dataclass(frozen=True)
class Layout:
    """A theme's page annotation, each name checked against the schema's fields."""

    summary: tuple[str, ...] = ()  # the list item's summary line, in order
    record: tuple[str, ...] = ()  # the record page's first answers, in order
    features: tuple[str, ...] = ()  # shown as words: a yes/no field by its title when yes, another as "title: value"
    address: tuple[str, ...] = ()  # joined with commas into one address line
    money: tuple[str, ...] = ()  # amounts in pounds sterling: "£0.20", or "Free" for 0
    labels: Mapping[str, str] = field(default_factory=dict)  # shorter words than a field's title, for the pages
    report_email: str | None = None
    report_telephone: str | None = None
    hours: str | None = None  # the opening hours (free text or OpenStreetMap's syntax): "Open now, closes 18:00"


def default_layout(schema: Mapping[str, Any]) -> Layout:
    """Without ``x-page``: the yes/no fields are features; the summary is the fixed-list fields, then those."""
    crs_field = (schema.get("x-geometry") or {}).get("crs_field")
    fields = [spec for spec in schema.get("fields") or [] if spec.get("name") != crs_field]
    features = tuple(spec["name"] for spec in fields if spec.get("type") == "boolean")
    listed = tuple(spec["name"] for spec in fields if (spec.get("constraints") or {}).get("enum"))
    return Layout(summary=listed + features, features=features)


def layout(schema: Mapping[str, Any]) -> Layout:
    """The theme's page layout, from ``x-page`` when it has one; a ValueError names a mistake in it."""
    annotation = schema.get(KEY)
    if annotation is None:
        return default_layout(schema)
    problems = layout_problems(schema)
    if problems:
        raise ValueError(f"The {KEY} annotation of the theme {schema.get('name')!r}: {'; '.join(problems)}.")
    report = annotation.get("report") or {}
    return Layout(
        **{key: tuple(annotation.get(key) or ()) for key in LISTS},
        labels=dict(annotation.get("labels") or {}),
        report_email=report.get("email"),
        report_telephone=report.get("telephone"),
        hours=annotation.get("hours"),
    )


def layout_problems(schema: Mapping[str, Any]) -> list[str]:
    """What is wrong with a schema's ``x-page``, each naming the key and the fix; empty when it is well formed."""
    annotation = schema.get(KEY)
    if annotation is None:
        return []
    if not isinstance(annotation, Mapping):
        return [f"{KEY} must be an object with the keys {', '.join(LISTS)}, labels, report and hours"]
    types = {spec.get("name"): spec.get("type", "string") for spec in schema.get("fields") or []}
    problems = []
    unknown = sorted(set(annotation) - {*LISTS, "labels", "report", "hours"})
    if unknown:
        problems.append(f"unknown keys {unknown}: the keys are {', '.join(LISTS)}, labels, report and hours")
    hours = annotation.get("hours")
    if hours is not None and types.get(hours) != "string":
        problems.append(f"hours must name a text field, not {hours!r}")
    for key in LISTS:
        names = annotation.get(key, [])
        if not isinstance(names, Sequence) or isinstance(names, str):
            problems.append(f"{key} must be a list of field names")
            continue
        problems += [f"{key} names no field: {name!r}" for name in names if name not in types]
    for name in annotation.get("money") or []:
        if types.get(name) not in {None, "number", "integer"}:
            problems.append(f"money field {name!r} must be a number or integer field")
    for key, value in (annotation.get("labels") or {}).items():
        if key not in types or not isinstance(value, str) or not value.strip():
            problems.append(f"labels must map field names to words, not {key!r} to {value!r}")
    report = annotation.get("report") or {}
    for key, name in report.items():
        if key not in REPORTS or name not in types:
            problems.append(f"report must map email and telephone to field names, not {key!r} to {name!r}")
    return problems
