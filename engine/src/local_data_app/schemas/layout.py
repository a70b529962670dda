"""What a theme's ``x-page`` annotation puts first on the pages for people.

The schema, not the code, decides what a resident sees first: which fields
make a list item's summary line, which answer first on a record's page, which
yes/no fields are shown as words, which make the address, which are money,
which give the e-mail address and telephone number for reporting a problem,
which holds the opening hours (read by :mod:`local_data_app.hours`), and
which boxes a resident ticks to narrow the list: a field's value ("Baby
changing", "Free", "No RADAR key needed"), a field holding any value but the
words for none ("Accessible toilet": :class:`HoldsFilter`), or one box per
value a text field holds most often in the data ("Library", "Park":
:class:`ChoicesFilter`); and what one of the things is called ("a public
toilet"), for the home page's heading "Find a public toilet in Trafford".
A theme without the annotation still gets a sensible page (:func:`default_layout`).
docs/pages.md in a generated project describes the keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

KEY = "x-page"
LISTS = ("summary", "record", "features", "address", "money")
REPORTS = ("email", "telephone")
KEYS = (*LISTS, "labels", "report", "hours", "filters", "singular")
LONGEST_SINGULAR = 80  # characters of "singular": a few words for a heading
FREE = "Free"  # the resident filter a money field gets by default: an amount of 0
# The Python values a resident filter's value may be, by the field's type.
FILTER_VALUES: dict[str, tuple[type, ...]] = {"boolean": (bool,), "number": (int, float), "integer": (int,)}
# The three shapes of a resident filter, by their keys.
EQUALS_KEYS = frozenset({"field", "value", "label"})
HOLDS_KEYS = frozenset({"parameter", "field", "not", "label"})
CHOICES_KEYS = frozenset({"field", "choices", "label"})
MOST_CHOICES = 20  # boxes one choices filter may show: more is a select's job, not a row of boxes
# A holds filter's own query parameter: short, lower case, never one of the engine's (those below) nor a field's.
PARAMETER = re.compile(r"[a-z][a-z0-9_]{0,39}")
# The query parameters of the items API and the home page that a theme's box parameter must not take.
ENGINE_PARAMETERS = frozenset(
    {"bbox", "bbox_crs", "crs", "datetime", "limit", "offset", "near", "area", "open_now", "f", "q", "page"}
    | {"filter", "filter_lang", "filter_crs", "sortby", "properties", "skipgeometry", "lang"}
)


@dataclass(frozen=True)
class ResidentFilter:
    """A box a resident ticks on the home page: only the places whose ``field`` holds ``value``."""

    field: str
    value: str | float | int | bool
    label: str


@dataclass(frozen=True)
class HoldsFilter:
    """A box for the places whose ``field`` holds a value, and not one of ``absent`` ("None": no accessible toilet).

    Ticked, it sends its own query parameter, ``parameter=true``: no value of
    the field itself could say "any but these".
    """

    parameter: str
    field: str
    absent: tuple[str | float | int, ...]
    label: str


@dataclass(frozen=True)
class ChoicesFilter:
    """A box for each of the ``most`` values the text ``field`` holds most often in the data; ticked ones OR-combine.

    Each box sends ``field=value``, as a field's filter does; the field's
    parameter may then come more than once (``category=Library&category=Park``).
    """

    field: str
    most: int
    label: str  # the group's legend: "Kind of place"


Resident = ResidentFilter | HoldsFilter | ChoicesFilter


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
    filters: tuple[Resident, ...] = ()  # the boxes a resident ticks first; the other filters come under more
    singular: str | None = None  # one of the things, with its article: "a public toilet" in "Find a public toilet in"

    def equals(self) -> tuple[ResidentFilter, ...]:
        """The boxes that each send one value of their field."""
        return tuple(entry for entry in self.filters if isinstance(entry, ResidentFilter))

    def holds(self) -> dict[str, HoldsFilter]:
        """The boxes that send a parameter of their own, by that parameter."""
        return {entry.parameter: entry for entry in self.filters if isinstance(entry, HoldsFilter)}

    def choices(self) -> dict[str, ChoicesFilter]:
        """The groups of boxes made of a field's commonest values, by field."""
        return {entry.field: entry for entry in self.filters if isinstance(entry, ChoicesFilter)}

    def box_fields(self) -> set[str]:
        """The fields a box narrows by its field's own parameter (not shown again under "More filters")."""
        return {entry.field for entry in self.filters if not isinstance(entry, HoldsFilter)}


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
        singular=annotation.get("singular"),
        filters=(
            default_filters(schema, lists["features"], lists["money"], labels)
            if filters is None
            else tuple(resident_filter(entry) for entry in filters)
        ),
    )


def resident_filter(entry: Mapping[str, Any]) -> Resident:
    """One checked entry of ``filters`` as the filter its keys make."""
    if "not" in entry:
        return HoldsFilter(entry["parameter"], entry["field"], tuple(entry["not"]), entry["label"])
    if "choices" in entry:
        return ChoicesFilter(entry["field"], entry["choices"], entry["label"])
    return ResidentFilter(entry["field"], entry["value"], entry["label"])


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
    singular = annotation.get("singular")
    if singular is not None and (
        not isinstance(singular, str) or not singular.strip() or len(singular) > LONGEST_SINGULAR
    ):
        problems.append(
            f'singular must be words naming one of the things, with its article, such as "a public toilet" '
            f"(at most {LONGEST_SINGULAR} characters), not {singular!r}"
        )
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
    """What is wrong with ``filters``: a list of entries of three shapes, each naming a field of the right type."""
    shape = (
        'filters must be a list of {"field": name, "value": a value of the field, "label": words}, '
        '{"parameter": name, "field": name, "not": [values meaning none], "label": words} or '
        '{"field": a text field, "choices": how many boxes, "label": words}'
    )
    if not isinstance(filters, Sequence) or isinstance(filters, str):
        return [shape]
    problems = []
    parameters: set[str] = set()
    for entry in filters:
        keys = set(entry) if isinstance(entry, Mapping) else set()
        if keys not in (EQUALS_KEYS, HOLDS_KEYS, CHOICES_KEYS):
            problems.append(f"{shape}, not {entry!r}")
            continue
        name, label = entry["field"], entry["label"]
        kind = types.get(name)
        if kind is None:
            problems.append(f"filters names no field: {name!r}")
            continue
        if not isinstance(label, str) or not label.strip():
            problems.append(f"the filter on {name!r} needs a label in words, not {label!r}")
        if keys == EQUALS_KEYS:
            problems += value_problems(name, kind, [entry["value"]], "value")
        elif keys == HOLDS_KEYS:
            absent = entry["not"]
            if not isinstance(absent, list) or not absent:
                problems.append(f'the filter on {name!r} needs "not": a list of values meaning none, such as ["None"]')
            else:
                problems += value_problems(name, kind, absent, '"not"')
            problems += parameter_problems(entry["parameter"], types, parameters)
        else:
            most = entry["choices"]
            if sum(1 for other in filters if isinstance(other, Mapping) and other.get("field") == name) > 1:
                problems.append(f"the choices filter on {name!r} must be the only filter on its field")
            if kind != "string":
                problems.append(f"the choices filter on {name!r} needs a text field, and {name!r} is a {kind} field")
            if not isinstance(most, int) or isinstance(most, bool) or not 1 <= most <= MOST_CHOICES:
                problems.append(
                    f'the filter on {name!r} needs "choices" as how many boxes, from 1 to {MOST_CHOICES}, not {most!r}'
                )
    return problems


def value_problems(name: str, kind: str, values: Sequence[Any], key: str) -> list[str]:
    """Each of ``values`` must be of the field's type (a number field takes an int, a boolean only a bool)."""
    expected = FILTER_VALUES.get(kind, (str,))
    return [
        f"the filter on {name!r} must have a {kind} {key}, not {value!r}"
        for value in values
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected)
    ]


def parameter_problems(parameter: Any, types: Mapping[Any, str], taken: set[str]) -> list[str]:
    """A box's own parameter: lower-case letters, digits and _, and neither the engine's, a field's, nor used twice."""
    if not isinstance(parameter, str) or not PARAMETER.fullmatch(parameter):
        return [
            f'the "parameter" {parameter!r} must be a lower-case name of letters, digits and _, such as "accessible"'
        ]
    if parameter in ENGINE_PARAMETERS or parameter.replace("_", "-") in ENGINE_PARAMETERS or parameter in types:
        return [f'the "parameter" {parameter!r} is taken by the app or a field; choose another name']
    if parameter in taken:
        return [f'the "parameter" {parameter!r} is given to two filters; give each its own']
    taken.add(parameter)
    return []
