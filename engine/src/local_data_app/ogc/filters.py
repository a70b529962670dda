"""OGC API - Features Part 3: the ``filter`` parameter, in CQL2 text or JSON, as a condition the stores run.

A filter is read by pygeofilter (cql2.py, imported on the first filter: it
builds its grammar's tables as it loads, most of a second that a command
which serves no filter should not wait for) and translated into the
engine's own condition tree (store/conditions.py), which the stores render
as parameterised SQL: the app never runs SQL that pygeofilter or a client
wrote. Only Basic CQL2, its advanced comparison operators and the basic
spatial functions are taken: comparisons of a queryable with a literal,
``AND``, ``OR``, ``NOT``, ``LIKE``, ``IN``, ``BETWEEN``, ``IS NULL``, and
``S_INTERSECTS`` of the geometry with a ``BBOX`` or a ``POINT``. Anything else
is a 400 naming the part of the filter at fault and what to write instead.

A filter is untrusted and bounded: its length, how deeply it nests, how
many parts it has, and how many values an ``IN`` lists.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import ClientError, bad_parameter, shown
from ..language import N_
from ..language import gettext as _
from ..store import BBox, intersection
from ..store.conditions import All, Condition, Inside
from .crs import Crs

TEXT = "cql2-text"
JSON = "cql2-json"
LANGUAGES = (TEXT, JSON)
GEOMETRY = "geometry"  # the queryable of a feature's position
LONGEST_FILTER = 10_000  # characters
MOST_PARTS = 2_000  # conditions, values and literals in all
DEEPEST = 20  # levels of AND, OR and NOT inside each other (a run of one operator is one level)
MOST_IN_VALUES = 1_000
EXAMPLE = N_("such as Category = 'Unisex' AND BabyChange = true")  # translated where it is shown

# The classes of OGC API - Features Part 3 and of CQL2 that the API implements, for its conformance document.
FILTER_CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",  # LIKE, BETWEEN and IN
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",  # S_INTERSECTS with a BBOX or a POINT
)


def refused(message: str) -> ClientError:
    return bad_parameter("filter", message)


def parse_filter(text: str, language: str | None, crs: Crs, queryables: Mapping[str, str]) -> Condition:
    """The condition a ``filter`` holds; a 400 naming ``filter`` (or ``filter-lang``) and what is wrong.

    ``queryables`` are the names a filter may use (the geometry aside) and
    the kind of each (store.column_type's); ``crs`` is ``filter-crs``'s.
    """
    language = TEXT if language is None else language
    if language not in LANGUAGES:
        problem = _("%(value)s is not a filter language here; use %(text)s or %(json)s")
        raise bad_parameter("filter-lang", problem % {"value": shown(language), "text": TEXT, "json": JSON})
    if len(text) > LONGEST_FILTER:
        problem = _("%(length)s characters long; a filter may have at most %(most)s")
        raise refused(problem % {"length": f"{len(text):,}", "most": f"{LONGEST_FILTER:,}"})
    if not text.strip():
        raise refused(_("empty; write a condition, %(example)s, or leave filter out") % {"example": _(EXAMPLE)})
    from . import cql2  # on the first filter: see the module's docstring

    return cql2.condition(text, language == JSON, crs, queryables)


def lifted_box(condition: Condition | None) -> BBox | None:
    """The box a filter keeps every feature within, when it says so at its top (alone, or ANDed): for the index.

    The stores find the features in a ``bbox`` through their spatial index;
    a filter's own S_INTERSECTS is tested row by row. A box the whole filter
    requires can go to the store as ``bbox`` too (the filter still holds it),
    so the index is used; None when the filter requires no box, or boxes
    that do not meet (the filter then matches nothing by itself).
    """
    parts = condition.parts if isinstance(condition, All) else (condition,)
    box: BBox | None = None
    for part in parts:
        if isinstance(part, Inside):
            if box is not None and intersection(box, part.box) is None:
                return None
            box = part.box if box is None else intersection(box, part.box)
    return box
