"""What a theme's ``x-page`` annotation puts first on the pages for people.

The schema, not the code, decides what a resident sees first: which fields
make a list item's summary line, which answer first on a record's page, which
yes/no fields are shown as words, which make the address, which are money,
which give the e-mail address and telephone number for reporting a problem,
which holds the opening hours (read by :mod:`local_data_app.hours`), and
which values a resident ticks to narrow the list ("Baby changing", "Free",
"No RADAR key needed"). A theme without the annotation still gets a sensible
page (:func:`default_layout`).
docs/pages.md in a generated project describes the keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

KEY = "x-page"
LISTS = ("summary", "record", "features", "address", "money")
REPORTS = ("email", "telephone")
KEYS = (*LISTS, "labels", "report", "hours", "filters")
FREE = "Free"  # the resident filter a money field gets by default: an amount of 0
# The Python values a resident filter's value may be, by the field's type.
FILTER_VALUES: dict[str, tuple[type, ...]] = {"boolean": (bool,), "number": (int, float), "integer": (int,)}


@dataclass(frozen=True)
class ResidentFilter:
    """A box a resident ticks on the home page: only the places whose ``field`` holds ``value``."""

    field: str
    value: str | float | int | bool
    label: str


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
    filters: tuple[ResidentFilter, ...] = ()  # the boxes a resident ticks first; the other filters come under more


def default_layout(schema: Mapping[str, Any]) -> Layout:
    """Without ``x-page``: the yes/no fields are features; the summary is the fixed-list fields, then those."""
    crs_field = (schema.get("x-geometry") or {}).get("crs_field")
    fields = [spec for spec in schema.get("fields") or [] if spec.get("name") != crs_field]
    features = tuple(spec["name"] for spec in fields if spec.get("type") == "boolean")
    listed = tuple(spec["name"] for spec in fields if (spec.get("constraints") or {}).get("enum"))
    return Layout(summary=listed + features, features=features, filters=default_filters(schema, features, (), {}))


def default_filters(
    schema: Mapping[str, Any], features: Sequence[str], money: Sequence[str], labels: Mapping[str, str]
) -> tuple[ResidentFilter, ...]:
    """Without ``filters``: a box for each yes/no feature (meaning yes), then "Free" for each money field."""
    specs = {spec.get("name"): spec for spec in schema.get("fields") or []}
    found = [
        ResidentFilter(name, True, labels.get(name) or specs[name].get("title", name))
        for name in features
        if specs.get(name, {}).get("type") == "boolean"
    ]
    return (*found, *(ResidentFilter(name, 0, FREE) for name in money))


def layout(schema: Mapping[str, Any]) -> Layout:
    """The theme's page layout, from ``x-page`` when it has one; a ValueError names a mistake in it."""
    annotation = schema.get(KEY)
    if annotation is None:
        return default_layout(schema)
    problems = layout_problems(schema)
    if problems:
        raise ValueError(f"The {KEY} annotation of the theme {schema.get('name')!r}: {'; '.join(problems)}.")
    report = annotation.get("report") or {}
    lists = {key: tuple(annotation.get(key) or ()) for key in LISTS}
    labels = dict(annotation.get("labels") or {})
    filters = annotation.get("filters")
    return Layout(
        **lists,
        labels=labels,
        report_email=report.get("email"),
        report_telephone=report.get("telephone"),
        hours=annotation.get("hours"),
        filters=(
            default_filters(schema, lists["features"], lists["money"], labels)
            if filters is None
            else tuple(ResidentFilter(entry["field"], entry["value"], entry["label"]) for entry in filters)
        ),
    )


def layout_problems(schema: Mapping[str, Any]) -> list[str]:
    """What is wrong with a schema's ``x-page``, each naming the key and the fix; empty when it is well formed."""
    annotation = schema.get(KEY)
    if annotation is None:
        return []
    if not isinstance(annotation, Mapping):
        return [f"{KEY} must be an object with the keys {', '.join(KEYS)}"]
    types = {spec.get("name"): spec.get("type", "string") for spec in schema.get("fields") or []}
    problems = []
    unknown = sorted(set(annotation) - set(KEYS))
    if unknown:
        problems.append(f"unknown keys {unknown}: the keys are {', '.join(KEYS)}")
    problems += filter_problems(annotation.get("filters", []), types)
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


def filter_problems(filters: Any, types: Mapping[Any, str]) -> list[str]:
    """What is wrong with ``filters``: a list of {"field", "value", "label"}, each value of its field's type."""
    shape = 'filters must be a list of {"field": name, "value": a value of the field, "label": words}'
    if not isinstance(filters, Sequence) or isinstance(filters, str):
        return [shape]
    problems = []
    for entry in filters:
        if not isinstance(entry, Mapping) or set(entry) != {"field", "value", "label"}:
            problems.append(f"{shape}, not {entry!r}")
            continue
        name, value, label = entry["field"], entry["value"], entry["label"]
        kind = types.get(name)
        if kind is None:
            problems.append(f"filters names no field: {name!r}")
            continue
        expected = FILTER_VALUES.get(kind, (str,))
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            problems.append(f"the filter on {name!r} must have a {kind} value, not {value!r}")
        if not isinstance(label, str) or not label.strip():
            problems.append(f"the filter on {name!r} needs a label in words, not {label!r}")
    return problems
