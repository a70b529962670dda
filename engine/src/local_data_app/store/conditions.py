"""A filter of the engine's own, as a small typed tree, and the parameterised SQL each store runs for it.

The API's ``filter`` parameter (CQL2, see ogc/filters.py) becomes one of
these trees; the stores take it as ``where`` beside their other narrowing
arguments and render it with :func:`render`, each in its own dialect. A
tree names schema fields and holds values, nothing else: :func:`render`
checks every field against the collection's columns and every value against
the field's kind (as :func:`~local_data_app.store.check_filters` does for
field filters), so a tree from anywhere is safe, and every value becomes a
parameter, never SQL text.

Both stores answer alike: text compares by code point (PostgreSQL's columns
are compared ``COLLATE "C"``), ``LIKE`` follows CQL2 (``%`` any run of
characters, ``_`` one character, ``\\`` makes the next character literal,
case sensitive; SQLite's own LIKE ignores case, so SQLite is given a GLOB
pattern, which does not), and a missing value is SQL's NULL in both, so
``NOT (x = 1)`` leaves out a feature with no ``x``, as ``x = 1`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from . import INT64, ORDERED, BBox, column_type, quote, refused

Value = str | float | int | bool
Operator = Literal["=", "<>", "<", "<=", ">", ">="]
OPERATORS: tuple[Operator, ...] = ("=", "<>", "<", "<=", ">", ">=")


@dataclass(frozen=True, slots=True)
class Compare:
    """A field compared with a value; a feature without a value in the field never matches."""

    field: str
    operator: Operator
    value: Value


@dataclass(frozen=True, slots=True)
class Like:
    """A text field matching a CQL2 pattern: ``%`` any run of characters, ``_`` one, ``\\`` escapes the next."""

    field: str
    pattern: str


@dataclass(frozen=True, slots=True)
class In:
    """A field equal to one of the values."""

    field: str
    values: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Range:
    """A field from ``low`` to ``high``, both included."""

    field: str
    low: Value
    high: Value


@dataclass(frozen=True, slots=True)
class IsNull:
    """A feature with no value in the field."""

    field: str


@dataclass(frozen=True, slots=True)
class Inside:
    """A feature whose position (WGS84) lies in the box, its edges included; one without a position never does."""

    box: BBox


@dataclass(frozen=True, slots=True)
class At:
    """A feature at exactly this WGS84 position (the features are points: a point meets a point only there)."""

    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class All:
    """Every part holds."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one part holds."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The part does not hold (and is not unknown, as SQL has it for a missing value)."""

    part: Condition


Condition = Compare | Like | In | Range | IsNull | Inside | At | All | AnyOf | Not
CONDITIONS = (Compare, Like, In, Range, IsNull, Inside, At, All, AnyOf, Not)


def fields_of(condition: Condition) -> set[str]:
    """The fields a condition reads (a position, which Inside and At read, is not a field)."""
    if isinstance(condition, (All, AnyOf)):
        return set().union(*map(fields_of, condition.parts))
    if isinstance(condition, Not):
        return fields_of(condition.part)
    if isinstance(condition, (Inside, At)):
        return set()
    return {condition.field}


@dataclass(frozen=True)
class Dialect:
    """How one store writes a condition: its placeholder, its columns, its text order and its LIKE."""

    placeholder: str  # ? or %s
    column: Callable[[str], str]  # a schema field's column, quoted (and with % doubled for psycopg)
    lon: str  # the position's longitude and latitude
    lat: str
    text_order: str  # after a text column in an order comparison: PostgreSQL's COLLATE "C"
    like: Callable[[str, str], tuple[str, str]]  # (column, CQL2 pattern) -> (SQL, the pattern as its parameter)


def cql2_like_parts(pattern: str) -> list[tuple[str, str]]:
    """A CQL2 pattern as ("any", ""), ("one", "") and ("char", c) parts: ``\\`` makes the next character literal."""
    parts, characters = [], iter(pattern)
    for character in characters:
        if character == "\\":
            parts.append(("char", next(characters, "\\")))
        elif character == "%":
            parts.append(("any", ""))
        elif character == "_":
            parts.append(("one", ""))
        else:
            parts.append(("char", character))
    return parts


def glob_pattern(pattern: str) -> str:
    """A CQL2 pattern as SQLite's GLOB has it (case sensitive): ``*``, ``?``, and ``[c]`` for its own characters."""
    written = {"any": "*", "one": "?"}
    return "".join(
        written.get(kind) or (f"[{character}]" if character in "*?[" else character)
        for kind, character in cql2_like_parts(pattern)
    )


def like_pattern(pattern: str) -> str:
    """A CQL2 pattern as PostgreSQL's LIKE has it, with its default escape, the backslash."""
    written = {"any": "%", "one": "_"}
    return "".join(
        written.get(kind) or ("\\" + character if character in "%_\\" else character)
        for kind, character in cql2_like_parts(pattern)
    )


def render(
    collection: str, fields: Sequence[dict[str, Any]], condition: Condition, dialect: Dialect
) -> tuple[str, list[Any]]:
    """The SQL of a condition, in parentheses, and its parameters; a 400 ClientError for a field or value it lacks.

    Each field must be one of the collection's and each value of its kind:
    text ``str`` without NUL, number a finite ``float`` or ``int``, integer
    an ``int`` within 64 bits (or a finite ``float``, compared as a number),
    boolean a ``bool``, compared with ``=`` and ``<>`` only. ``LIKE`` takes
    text fields only. It recurses once per level of the tree: the API bounds
    a filter's depth (ogc/filters.py) long before Python's limit.
    """
    kinds = {field["name"]: column_type(field) for field in fields}
    params: list[Any] = []
    p = dialect.placeholder

    def kind_of(name: str) -> str:
        kind = kinds.get(name)
        if kind is None:
            raise refused(
                "filter",
                f"filter: collection {collection!r} has no queryable {name!r}. Its queryables are: "
                f"{', '.join(repr(known) for known in kinds)}, and geometry",
            )
        return kind

    def value(name: str, kind: str, given: Any) -> Any:
        params.append(checked_value(collection, name, kind, given))
        return p

    def column(name: str, kind: str, ordered: bool = False) -> str:
        return dialect.column(name) + (dialect.text_order if ordered and kind == "text" else "")

    def sql(node: Condition) -> str:
        if isinstance(node, Compare):
            kind = kind_of(node.field)
            ordered = node.operator not in {"=", "<>"}
            if ordered and kind not in ORDERED:
                raise refused(
                    "filter",
                    f"filter: {node.field!r} holds {kind} values, which have no order: compare it with = or <>",
                )
            return f"{column(node.field, kind, ordered)} {node.operator} {value(node.field, kind, node.value)}"
        if isinstance(node, Like):
            kind = kind_of(node.field)
            if kind != "text":
                raise refused("filter", f"filter: LIKE needs a text field, and {node.field!r} holds {kind} values")
            checked_value(collection, node.field, kind, node.pattern)
            text, parameter = dialect.like(column(node.field, kind), node.pattern)
            params.append(parameter)
            return text
        if isinstance(node, In):
            kind = kind_of(node.field)
            if not node.values:
                return "1 = 0"
            listed = ", ".join(value(node.field, kind, item) for item in node.values)
            return f"{column(node.field, kind)} IN ({listed})"
        if isinstance(node, Range):
            kind = kind_of(node.field)
            if kind not in ORDERED:
                raise refused(
                    "filter",
                    f"filter: BETWEEN needs a field whose values have an order; {node.field!r} holds {kind} values",
                )
            named = column(node.field, kind, True)
            return f"{named} BETWEEN {value(node.field, kind, node.low)} AND {value(node.field, kind, node.high)}"
        if isinstance(node, IsNull):
            return f"{column(node.field, kind_of(node.field))} IS NULL"
        if isinstance(node, Inside):
            west, south, east, north = node.box
            params.extend([west, east, south, north])
            return f"{dialect.lon} BETWEEN {p} AND {p} AND {dialect.lat} BETWEEN {p} AND {p}"
        if isinstance(node, At):
            params.extend([node.lon, node.lat])
            return f"{dialect.lon} = {p} AND {dialect.lat} = {p}"
        if isinstance(node, Not):
            return f"NOT {wrapped(node.part)}"
        if isinstance(node, All | AnyOf):
            if not node.parts:
                return "1 = 1" if isinstance(node, All) else "1 = 0"
            joiner = " AND " if isinstance(node, All) else " OR "
            return joiner.join(wrapped(part) for part in node.parts)
        raise TypeError(f"not a condition: {node!r}")

    def wrapped(node: Condition) -> str:
        return f"({sql(node)})"

    return wrapped(condition), params


def checked_value(collection: str, name: str, kind: str, value: Any) -> Any:
    """A value of the field's kind for SQL (an int as a float for a number field); a 400 ClientError if not one."""
    if kind == "number" and isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**1000:
        value = float(value)
    fits = {
        "text": isinstance(value, str) and "\0" not in value,
        "number": isinstance(value, float) and value == value and abs(value) != float("inf"),
        "integer": (isinstance(value, int) and not isinstance(value, bool) and INT64[0] <= value <= INT64[1])
        or (isinstance(value, float) and value == value and abs(value) != float("inf")),
        "boolean": isinstance(value, bool),
    }[kind]
    if not fits:
        expected = {
            "text": "text in quotes, such as 'Unisex'",
            "number": "a finite number, such as 2.5",
            "integer": "a whole number from -2**63 to 2**63 - 1",
            "boolean": "true or false",
        }[kind]
        raise refused(
            "filter",
            f"filter: {name!r} of collection {collection!r} holds {kind} values, and {_shown(value)} is not one: "
            f"give {expected}",
        )
    return value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + "..."


@dataclass(frozen=True, slots=True)
class Rendered:
    """A condition's SQL and its parameters, made once for a read and used by each of its queries."""

    sql: str
    params: list[Any]
    condition: Condition | None = None  # what was rendered, for a store that answers some conditions otherwise


Order = Sequence[tuple[str, bool]]  # (schema field, descending) pairs, the first the most significant


def order_sql(collection: str, fields: Sequence[dict[str, Any]], order: Order, dialect: Dialect) -> str:
    """ORDER BY terms for ``order``, each field's missing values last either way; a 400 for an unknown field.

    ``x IS NULL`` sorts false before true in both databases, so both put the
    missing values last without NULLS LAST; the caller adds load order last,
    so that the order is total and pages neither skip nor repeat.
    """
    kinds = {field["name"]: column_type(field) for field in fields}
    terms = []
    for name, descending in order:
        kind = kinds.get(name)
        if kind is None:
            raise refused(
                "sortby",
                f"sortby: collection {collection!r} has no field {name!r} to sort by. Its fields are: "
                f"{', '.join(repr(known) for known in kinds)}",
            )
        column = dialect.column(name)
        collated = column + (dialect.text_order if kind == "text" else "")
        terms.append(f"{column} IS NULL, {collated} {'DESC' if descending else 'ASC'}")
    return ", ".join(terms)


def sqlite_like(column: str, pattern: str) -> tuple[str, str]:
    """SQLite: GLOB, which is case sensitive (its LIKE is not, for ASCII letters)."""
    return f"{column} GLOB ?", glob_pattern(pattern)


def postgres_like(column: str, pattern: str) -> tuple[str, str]:
    """PostgreSQL: LIKE, compared character by character (``COLLATE "C"``), with the backslash as its escape."""
    return f'{column} COLLATE "C" LIKE %s', like_pattern(pattern)


def sqlite_dialect(table: str) -> Dialect:
    return Dialect("?", lambda name: f"{table}.{quote(name)}", f"{table}._lon", f"{table}._lat", "", sqlite_like)


POSTGRES = Dialect(
    "%s", lambda name: quote(name).replace("%", "%%"), "geom[0]", "geom[1]", ' COLLATE "C"', postgres_like
)
