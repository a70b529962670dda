"""What an items answer holds and in what order: ``sortby``, ``properties`` and ``skipGeometry``.

``sortby`` is OGC API - Features Part 5's (and OGC API - Records'), as
pygeoapi takes it: field names separated by commas, each ascending, or
descending after a ``-`` (``sortby=-ExtractDate,LocationText``); a ``+``
may mark an ascending one, and arrives as a space when a URL leaves it
unencoded, so a leading space means ascending too. Missing values come last
either way, and features that tie keep their load order, so the pages of a
sorted answer neither skip nor repeat a feature. ``properties`` (Part 6)
names the properties each feature keeps, ``skipGeometry`` leaves the
geometry out (``true`` or ``false``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import bad_parameter, shown
from ..language import gettext as _
from ..store.conditions import Condition, Order
from .crs import parse_crs
from .filters import parse_filter
from .queryables import kinds, queryable_fields
from .state import ApiState

# The parameters read here, in the order the paging links give them.
SELECTION_PARAMETERS = ("filter", "filter-lang", "filter-crs", "sortby", "properties", "skipGeometry")
# sortby's class, as pygeoapi declares it for features too (OGC API - Records defines it).
SORTING_CONFORMANCE = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/sorting"
MOST_SORT_KEYS = 10
BOOLEAN_WORDS = {"true": True, "false": False}


@dataclass(frozen=True)
class Selection:
    """Which features (``where``), in what order, and what of each an items answer holds."""

    where: Condition | None = None  # filter's, in CRS84
    sortby: Order = ()
    properties: tuple[str, ...] | None = None  # None keeps every property
    skip_geometry: bool = False
    texts: dict[str, str] = field(default_factory=dict)  # each parameter as given, for the paging links

    def kept(self, names: Sequence[str]) -> list[str]:
        """Which of these property names an answer keeps."""
        return list(names) if self.properties is None else [name for name in names if name in self.properties]


def parse_selection(state: ApiState, query: Mapping[str, Sequence[str]], with_near: bool) -> Selection:
    """filter (with filter-lang and filter-crs), sortby, properties and skipGeometry, checked; a 400 naming each.

    ``sortby`` with ``near`` is refused: near sorts by distance.
    """
    texts = {name: values[0] for name in SELECTION_PARAMETERS if (values := query.get(name))}
    known = queryable_fields(state)
    names = [spec["name"] for spec in known]
    where = None
    if "filter" in texts:
        crs = parse_crs("filter-crs", texts.get("filter-crs"))
        where = parse_filter(texts["filter"], texts.get("filter-lang"), crs, kinds(known))
    else:
        for alone in ("filter-lang", "filter-crs"):
            if alone in texts:
                raise bad_parameter(
                    alone, _("says how to read a filter, and there is none; add filter or leave it out")
                )
    sortby: Order = ()
    if "sortby" in texts:
        if with_near:
            problem = _("cannot be used with near, which sorts by distance; leave out one or the other")
            raise bad_parameter("sortby", problem)
        sortby = parse_sortby(texts["sortby"], names)
    properties = parse_properties(texts["properties"], names) if "properties" in texts else None
    skip = parse_skip_geometry(texts["skipGeometry"]) if "skipGeometry" in texts else False
    return Selection(where, sortby, properties, skip, texts)


def parse_sortby(text: str, names: Sequence[str]) -> tuple[tuple[str, bool], ...]:
    """``sortby`` as (field, descending) pairs, most significant first; a 400 naming the part at fault."""
    keys: list[tuple[str, bool]] = []
    for part in text.split(","):
        stripped = part.strip()
        descending = stripped.startswith("-")
        name = stripped[1:].strip() if stripped[:1] in {"-", "+"} else stripped
        if not name:
            problem = _("%(value)s has an empty part; give field names, such as sortby=-ExtractDate,LocationText")
            raise bad_parameter("sortby", problem % {"value": shown(text)})
        if name not in names:
            problem = _("%(value)s is not a field of this collection; sort by one of %(names)s")
            raise bad_parameter("sortby", problem % {"value": shown(name), "names": ", ".join(names)})
        if any(name == known for known, _descending in keys):
            raise bad_parameter("sortby", _("%(value)s is given twice; give each field once") % {"value": shown(name)})
        keys.append((name, descending))
    if len(keys) > MOST_SORT_KEYS:
        problem = _("sorts by %(count)s fields; sort by at most %(most)s")
        raise bad_parameter("sortby", problem % {"count": len(keys), "most": MOST_SORT_KEYS})
    return tuple(keys)


def parse_properties(text: str, names: Sequence[str]) -> tuple[str, ...]:
    """``properties``: the fields each feature keeps, in the collection's order; empty keeps none."""
    wanted = [part.strip() for part in text.split(",")] if text.strip() else []
    for name in wanted:
        if name not in names:
            problem = _("%(value)s is not a field of this collection; choose from %(names)s")
            raise bad_parameter("properties", problem % {"value": shown(name), "names": ", ".join(names)})
    return tuple(name for name in names if name in wanted)


def parse_skip_geometry(text: str) -> bool:
    """``skipGeometry``: true or false, in any case."""
    found = BOOLEAN_WORDS.get(text.strip().lower())
    if found is None:
        raise bad_parameter("skipGeometry", _("%(value)s is neither true nor false") % {"value": shown(text)})
    return found
