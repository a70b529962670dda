"""CQL2 read by pygeofilter, and its syntax tree translated into the engine's conditions (store/conditions.py).

pygeofilter is what pygeoapi, the reference Python server, uses: it parses
CQL2 text with a LALR grammar, which takes time in step with the text, and
needs no database or GDAL of its own. Its tree is checked and translated
here part by part, each mistake a 400 naming ``filter`` and the part.

pygeofilter 0.4 reads a few things differently from CQL2, mended here: a
quote inside a text literal (``'O''Brien'``), which its grammar cannot read,
is set aside before parsing and put back after; a ``BETWEEN`` in CQL2 JSON
(``{"op": "between", "args": [property, low, high]}``), and a ``bbox`` in CQL2
JSON, whose numbers it takes in another order, are rewritten before it reads
them; and ``LIKE`` patterns are read here as CQL2 has them (``_`` for one
character), not as pygeofilter's tree records them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

from lark.exceptions import LarkError, UnexpectedEOF, UnexpectedInput
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text

from ..config import WGS84
from ..errors import ClientError, shown
from ..language import gettext as _
from ..store import BBox
from ..store.conditions import (
    All,
    AnyOf,
    At,
    Compare,
    Condition,
    In,
    Inside,
    IsNull,
    Like,
    Not,
    Operator,
    Range,
)
from .crs import Crs, bbox_in_crs84, transformer
from .filters import DEEPEST, EXAMPLE, GEOMETRY, MOST_IN_VALUES, MOST_PARTS, refused

# A text literal holding a quote is set aside as one of these (its number between), which pygeofilter reads.
ASIDE_START, ASIDE_END = "\ue000", "\ue001"
COMPARISONS: dict[type[ast.Node], Operator] = {
    ast.Equal: "=",
    ast.NotEqual: "<>",
    ast.LessThan: "<",
    ast.LessEqual: "<=",
    ast.GreaterThan: ">",
    ast.GreaterEqual: ">=",
}
# A comparison with its literal on the left, as it reads with the literal moved right.
FLIPPED: dict[str, Operator] = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def condition(text: str, is_json: bool, crs: Crs, queryables: Mapping[str, str]) -> Condition:
    """The condition a filter's text holds: read by pygeofilter, then translated and checked."""
    tree, aside = read_json(text) if is_json else read_text(text)
    return Translation(queryables, crs, aside).condition(tree, 1)


def read_text(text: str) -> tuple[ast.Node, list[str]]:
    """CQL2 text as pygeofilter's tree, and the text literals set aside (see :func:`set_aside`)."""
    prepared, aside = set_aside(text)
    try:
        return parse_text(prepared), aside
    except UnexpectedEOF:
        raise refused(ends_early(text)) from None
    except UnexpectedInput as problem:
        if getattr(getattr(problem, "token", None), "type", None) == "$END":
            raise refused(ends_early(text)) from None
        column = getattr(problem, "column", -1)
        near = prepared[max(0, column - 1) :][:30] if column > 0 else ""
        where = _(" at character %(column)s, %(near)s") % {"column": column, "near": shown(near)} if near else ""
        raise refused(not_cql2_text(text, where)) from None
    except (LarkError, ValueError, TypeError, ArithmeticError, RecursionError):
        raise refused(not_cql2_text(text)) from None


def ends_early(text: str) -> str:
    return _("%(value)s ends before its condition does; %(example)s") % {"value": shown(text), "example": _(EXAMPLE)}


def not_cql2_text(text: str, where: str = "") -> str:
    """What is wrong with text that is not CQL2, and where (``where``, when the parser says)."""
    message = _("%(value)s is not CQL2 text that this API reads%(where)s; write Basic CQL2, %(example)s")
    return message % {"value": shown(text), "where": where, "example": _(EXAMPLE)}


def too_deep() -> str:
    return _("nests more than %(most)s levels deep; write a flatter condition") % {"most": DEEPEST}


def set_aside(text: str) -> tuple[str, list[str]]:
    """The text with each literal that holds a doubled quote (``'O''Brien'``) set aside, and those literals.

    Each goes as its number between two characters of Unicode's private use
    area, which pygeofilter reads as a literal like any other; a text that
    holds either character already is left as it is.
    """
    if "''" not in text or ASIDE_START in text or ASIDE_END in text:
        return text, []
    out, aside, index = [], [], 0
    while index < len(text):
        if text[index] != "'":
            out.append(text[index])
            index += 1
            continue
        end, literal = index + 1, []
        while end < len(text):
            if text[end] == "'" and text[end + 1 : end + 2] == "'":
                literal.append("'")
                end += 2
            elif text[end] == "'":
                break
            else:
                literal.append(text[end])
                end += 1
        if end >= len(text):  # no closing quote: left for the parser to refuse
            out.append(text[index:])
            break
        written = "".join(literal)
        if "'" in written:
            out.append(f"'{ASIDE_START}{len(aside)}{ASIDE_END}'")
            aside.append(written)
        else:
            out.append(text[index : end + 1])
        index = end + 1
    return "".join(out), aside


def read_json(text: str) -> tuple[ast.Node, list[str]]:
    """CQL2 JSON as pygeofilter's tree, its depth and the forms pygeofilter reads otherwise mended first."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        problem = _("%(value)s is not JSON; write CQL2 JSON, such as %(example)s")
        raise refused(problem % {"value": shown(text), "example": json.dumps(JSON_EXAMPLE)}) from None
    if deepest(document) > 2 * DEEPEST + 4:
        raise refused(too_deep())
    try:
        return parse_json(mended(document)), []
    except ClientError:
        raise
    except Exception:  # pygeofilter reports malformed JSON with KeyError, IndexError and others
        problem = _("%(value)s is not CQL2 JSON that this API reads; write Basic CQL2, such as %(example)s")
        raise refused(problem % {"value": shown(text), "example": json.dumps(JSON_EXAMPLE)}) from None


JSON_EXAMPLE = {"op": "=", "args": [{"property": "Category"}, "Unisex"]}


def deepest(document: Any) -> int:
    """How deeply JSON nests (a scalar is 0), found without recursion."""
    most, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            most = max(most, depth)
            stack.extend((item, depth + 1) for item in node)
    return most


def mended(node: Any) -> Any:
    """CQL2 JSON with the forms pygeofilter reads otherwise rewritten: ``between``'s arguments and ``bbox``."""
    if isinstance(node, list):
        return [mended(item) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"bbox"}:
        numbers = node["bbox"]
        if not isinstance(numbers, list) or len(numbers) not in (4, 6) or not all(is_number(n) for n in numbers):
            problem = _("the bbox %(value)s is not four numbers (or six, with heights)")
            raise refused(problem % {"value": shown(numbers)})
        west, south, east, north = numbers if len(numbers) == 4 else [numbers[0], numbers[1], numbers[3], numbers[4]]
        return values.Envelope(west, east, south, north)
    node = {key: mended(value) for key, value in node.items()}
    args = node.get("args")
    if node.get("op") == "between" and isinstance(args, list) and len(args) == 3:
        node["args"] = [args[0], [args[1], args[2]]]
    return node


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Translation:
    """pygeofilter's tree as the engine's condition tree, checked part by part as it goes."""

    def __init__(self, queryables: Mapping[str, str], crs: Crs, aside: Sequence[str]) -> None:
        self.queryables, self.crs, self.aside = queryables, crs, aside
        self.parts = 0

    def count(self, how_many: int = 1) -> None:
        self.parts += how_many
        if self.parts > MOST_PARTS:
            raise refused(_("has more than %(most)s parts; write a shorter condition") % {"most": MOST_PARTS})

    def condition(self, node: Any, depth: int) -> Condition:
        if depth > DEEPEST:
            raise refused(too_deep())
        self.count()
        if isinstance(node, ast.And | ast.Or):
            kind = type(node)
            parts = tuple(self.condition(part, depth + 1) for part in runs(node, kind))
            return All(parts) if kind is ast.And else AnyOf(parts)
        if isinstance(node, ast.Not):
            return Not(self.condition(node.sub_node, depth + 1))
        if type(node) in COMPARISONS:
            return self.comparison(node, COMPARISONS[type(node)])
        if isinstance(node, ast.Like):
            field = self.field(node.lhs, "LIKE")
            if node.nocase:
                problem = _("a LIKE that ignores case is not part of Basic CQL2; compare %(field)s as it is written")
                raise refused(problem % {"field": repr(field)})
            pattern = self.literal(node.pattern, "LIKE")
            if not isinstance(pattern, str):
                problem = _("LIKE on %(field)s needs a text pattern in quotes, such as 'Park%%'")
                raise refused(problem % {"field": repr(field)})
            found: Condition = Like(field, pattern)
            return Not(found) if node.not_ else found
        if isinstance(node, ast.In):
            field = self.field(node.lhs, "IN")
            if len(node.sub_nodes) > MOST_IN_VALUES:
                problem = _("IN on %(field)s lists %(count)s values; list at most %(most)s")
                raise refused(
                    problem % {"field": repr(field), "count": f"{len(node.sub_nodes):,}", "most": f"{MOST_IN_VALUES:,}"}
                )
            self.count(len(node.sub_nodes))
            where = _("IN on %(field)s") % {"field": repr(field)}
            found = In(field, tuple(self.literal(item, where) for item in node.sub_nodes))
            return Not(found) if node.not_ else found
        if isinstance(node, ast.Between):
            field = self.field(node.lhs, "BETWEEN")
            found = Range(field, self.literal(node.low, "BETWEEN"), self.literal(node.high, "BETWEEN"))
            return Not(found) if node.not_ else found
        if isinstance(node, ast.IsNull):
            found = IsNull(self.field(node.lhs, "IS NULL"))
            return Not(found) if node.not_ else found
        if isinstance(node, ast.GeometryIntersects):
            return self.intersects(node.lhs, node.rhs)
        if isinstance(node, ast.BBox):  # BBOX(geometry, minx, miny, maxx, maxy): the older form of the same
            self.geometry(node.lhs)
            return Inside(self.box([node.minx, node.miny, node.maxx, node.maxy]))
        problem = _("%(part)s is not part of Basic CQL2, which this API takes; %(example)s")
        raise refused(problem % {"part": described(node), "example": _(EXAMPLE)})

    def comparison(self, node: Any, operator: str) -> Condition:
        lhs, rhs = node.lhs, node.rhs
        if not isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            lhs, rhs, operator = rhs, lhs, FLIPPED[operator]
        field = self.field(lhs, operator)
        if isinstance(rhs, ast.Attribute):
            problem = _("%(field)s %(operator)s %(other)s compares two queryables; compare one with a value")
            raise refused(problem % {"field": repr(field), "operator": operator, "other": repr(rhs.name)})
        value = self.literal(rhs, f"{field} {operator}")
        return Compare(field, cast(Operator, operator), value)

    def field(self, node: Any, where: str) -> str:
        """A queryable's name (not the geometry); a 400 naming it when the collection has no such queryable."""
        if not isinstance(node, ast.Attribute):
            problem = _("%(where)s needs a queryable on its left, such as Category, not %(part)s")
            raise refused(problem % {"where": where, "part": described(node)})
        name = node.name
        if name == GEOMETRY:
            problem = _("the geometry can only be tested with S_INTERSECTS, not with %(where)s")
            raise refused(problem % {"where": where})
        if name not in self.queryables:
            problem = _(
                "%(value)s is not a queryable of this collection; its queryables are %(names)s and %(geometry)s "
                "(see its queryables link)"
            )
            raise refused(problem % {"value": shown(name), "names": ", ".join(self.queryables), "geometry": GEOMETRY})
        return str(name)

    def literal(self, node: Any, where: str) -> Any:
        """A literal's value: text (a date as its ISO 8601 form), a number or a boolean."""
        self.count()
        if isinstance(node, str):
            return self.restored(node)
        if isinstance(node, bool | int | float):
            if isinstance(node, float) and not math.isfinite(node):
                raise refused(_("%(where)s: %(value)s is not a finite number") % {"where": where, "value": repr(node)})
            return node
        if isinstance(node, dt.datetime):  # a time counts as its date in UTC, as datetime= has it
            moment = node.astimezone(dt.UTC) if node.tzinfo else node
            return moment.date().isoformat()
        if isinstance(node, dt.date):
            return node.isoformat()
        problem = _("%(where)s needs a value (text in quotes, a number, true or false, or a DATE), not %(part)s")
        raise refused(problem % {"where": where, "part": described(node)})

    def restored(self, text: str) -> str:
        """A text literal with a literal set aside before parsing put back."""
        if text.startswith(ASIDE_START) and text.endswith(ASIDE_END):
            number = text[1:-1]
            if number.isdigit() and int(number) < len(self.aside):
                return self.aside[int(number)]
        return text

    def geometry(self, node: Any) -> None:
        if not (isinstance(node, ast.Attribute) and node.name == GEOMETRY):
            problem = _("S_INTERSECTS tests the queryable %(geometry)s, not %(part)s")
            raise refused(problem % {"geometry": GEOMETRY, "part": described(node)})

    def intersects(self, lhs: Any, rhs: Any) -> Condition:
        if not isinstance(lhs, ast.Attribute):
            lhs, rhs = rhs, lhs
        self.geometry(lhs)
        if isinstance(rhs, ast.Function) and rhs.name.lower() == "bbox":
            if not all(is_number(item) for item in rhs.arguments) or len(rhs.arguments) not in (4, 6):
                raise refused(_("BBOX takes four numbers: minlon,minlat,maxlon,maxlat (in filter-crs's axis order)"))
            numbers = list(rhs.arguments)
            return Inside(self.box(numbers if len(numbers) == 4 else [*numbers[:2], *numbers[3:5]]))
        if isinstance(rhs, values.Envelope):
            return Inside(self.box([rhs.x1, rhs.y1, rhs.x2, rhs.y2]))
        if isinstance(rhs, values.Geometry) and rhs.geometry.get("type") == "Point":
            coordinates = rhs.geometry.get("coordinates")
            if (
                not isinstance(coordinates, list | tuple)
                or len(coordinates) < 2
                or not all(is_number(number) for number in coordinates[:2])
            ):
                raise refused(_("a POINT takes two numbers, such as POINT(-2.3 53.45)"))
            return self.point(float(coordinates[0]), float(coordinates[1]))
        problem = _("S_INTERSECTS takes a BBOX or a POINT here (the basic spatial functions), not %(part)s")
        raise refused(problem % {"part": described(rhs)})

    def box(self, numbers: Sequence[Any]) -> BBox:
        """A box in filter-crs's axis order as the CRS84 box the store tests."""
        if not all(is_number(number) and math.isfinite(number) for number in numbers):
            raise refused(_("a BBOX takes four finite numbers"))
        text = ",".join(str(number) for number in numbers)
        try:
            west, south, east, north = bbox_in_crs84(self.crs, [float(number) for number in numbers], text)
        except ClientError as problem:
            raise refused(problem.message.removeprefix("bbox: ")) from None
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            problem = _("the BBOX %(value)s is not a box in the world with its minimum first: give %(order)s")
            raise refused(problem % {"value": shown(text), "order": self.crs.bbox_order})
        return (west, south, east, north)

    def point(self, x: float, y: float) -> Condition:
        if self.crs.lat_first:
            x, y = y, x
        if not self.crs.geographic:
            x, y = transformer(self.crs.code, WGS84).transform(x, y)
        if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
            raise refused(_("the POINT %(x)s %(y)s is outside the world") % {"x": x, "y": y})
        return At(x, y)


def runs(node: Any, kind: type[ast.Node]) -> Iterator[Any]:
    """The operands of a run of one operator (``a AND b AND c``), in order, found without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is kind:
            stack.extend([current.rhs, current.lhs])
        else:
            yield current


def described(node: Any) -> str:
    """A part of a filter, in words, for an error message."""
    if isinstance(node, ast.Attribute):
        return _("the queryable %(name)s") % {"name": shown(node.name)}
    if isinstance(node, ast.Function):
        return _("the function %(name)s") % {"name": shown(node.name)}
    if isinstance(node, values.Geometry):
        return _("a %(type)s geometry") % {"type": shown(node.geometry.get("type"))}
    if isinstance(node, ast.Node):
        return _("the %(operation)s operation") % {"operation": type(node).__name__}
    return shown(node)
