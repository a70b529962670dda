"""The resident filters that are more than a field's one value, as the API and the home page read them.

A theme's ``x-page`` ``filters`` (schemas/layout.py) can hold two kinds of
box beside a field's value. A holds box (``"not"``) has a query parameter of
its own, ``accessible=true``: only the places whose field holds a value, and
not one meaning none. A choices group (``"choices"``) shows a box for each of
the values a text field holds most often in the data; each box sends the
field's own parameter, which may then come more than once
(``category=Library&category=Park``), and the values OR-combine. Both become
a condition of store/conditions.py, so both stores run them as parameterised
SQL beside the request's other filters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import ClientError, bad_parameter, shown
from ..language import gettext as _
from ..normalise import FieldProblem
from ..schemas.layout import ChoicesFilter, HoldsFilter
from ..store.conditions import All, Condition, In, Not
from .state import ApiState

YES_OR_NO = {"true": True, "false": False}
MOST_VALUES = 100  # values one choices field takes in a request: each is a parameter of its IN list


@dataclass(frozen=True)
class Boxes:
    """The holds boxes ticked and the choices given, checked, with the condition they make."""

    held: tuple[HoldsFilter, ...] = ()
    chosen: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # field -> values, in the order given
    texts: Mapping[str, str | list[str]] = field(default_factory=dict)  # each parameter as given, for links

    @property
    def where(self) -> Condition | None:
        """Every ticked holds box and every chosen field's values (any one of them), or None if there are none."""
        held = [Not(In(entry.field, entry.absent)) for entry in self.held]
        return combined(*held, *(In(name, values) for name, values in self.chosen.items()))


def box_parameters(state: ApiState) -> list[str]:
    """The query parameters the theme's holds boxes add to the items route and the home page."""
    return list(state.shape.holds())


def choice_fields(state: ApiState) -> set[str]:
    """The fields whose parameter may come more than once: those of the theme's choices groups."""
    return set(state.shape.choices())


def true_or_false(parameter: str, text: str) -> bool:
    """A switch's value (a holds box's, ``open_now``'s): true or false, in any case; a 400 naming it if not."""
    wanted = YES_OR_NO.get(text.strip().lower())
    if wanted is None:
        problem = _("%(value)s is not true or false; give %(parameter)s=true, or leave it out")
        raise bad_parameter(parameter, problem % {"value": shown(text), "parameter": parameter})
    return wanted


def parse_held(entry: HoldsFilter, text: str) -> bool:
    """Whether a holds box's parameter asks for its places."""
    return true_or_false(entry.parameter, text)


def parse_chosen(state: ApiState, name: str, texts: Sequence[str]) -> tuple[str, ...]:
    """A choices field's values, read as ingest reads the field; a 400 naming the field for a bad or empty one."""
    if len(texts) > MOST_VALUES:
        problem = _("given %(count)s times; give at most %(most)s values")
        raise bad_parameter(name, problem % {"count": len(texts), "most": MOST_VALUES})
    parse = state.parsers()[name]
    values: list[str] = []
    for text in texts:
        try:
            value = parse(text)
        except (FieldProblem, ValueError, TypeError) as problem:
            problem_text = _("%(problem)s. Give a value as the data holds it") % {"problem": problem}
            raise bad_parameter(name, problem_text) from None
        if value is None:
            raise bad_parameter(name, _("give a value to filter by, or leave the parameter out"))
        values.append(value)
    return tuple(dict.fromkeys(values))


def read_boxes(state: ApiState, query: Mapping[str, Sequence[str]]) -> Boxes:
    """The holds boxes and choices of a query, checked; the first mistake is a 400 naming its parameter."""
    shape = state.shape
    held: list[HoldsFilter] = []
    chosen: dict[str, tuple[str, ...]] = {}
    texts: dict[str, str | list[str]] = {}
    for parameter, entry in shape.holds().items():
        given = query.get(parameter)
        if given and parse_held(entry, given[0]):
            held.append(entry)
            texts[parameter] = "true"
    for name in shape.choices():
        given = [text for text in query.get(name) or () if text.strip()] if name in query else []
        if name in query and not given:
            raise bad_parameter(name, _("give a value to filter by, or leave the parameter out"))
        if given:
            chosen[name] = parse_chosen(state, name, given)
            texts[name] = list(given)
    return Boxes(tuple(held), chosen, texts)


def combined(*conditions: Condition | None) -> Condition | None:
    """Every one of the conditions given, or None when none is."""
    parts = tuple(condition for condition in conditions if condition is not None)
    return None if not parts else parts[0] if len(parts) == 1 else All(parts)


def commonest_values(state: ApiState, entry: ChoicesFilter) -> list[str]:
    """The values of a choices group's boxes: the field's commonest across the app's collections, then by name.

    Asked of the store once per load of each collection (the answer is kept
    with the load's provenance), since each is a pass over its table.
    """
    counts: Counter[str] = Counter()
    for provenance in state.collections():
        key = (provenance.collection, entry.field, entry.most)
        with state.extents_lock:
            cached = state.commonest.get(key)
        if cached is None or cached[0] != provenance:
            try:
                values = state.store.commonest(provenance.collection, entry.field, entry.most)
            except ClientError:  # loaded under a schema without the field: it offers no boxes until loaded again
                values = []
            cached = (provenance, values)
            with state.extents_lock:
                state.commonest[key] = cached
        counts.update(dict(cached[1]))
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[: entry.most]
    return sorted((value for value, _ in ranked), key=str.casefold)
