"""What a resident asks of a place first, in words and links: the charge, the facilities, the address, how
to get there, whom to call and where to report a problem.

The theme's ``x-page`` annotation (:mod:`..schemas.layout`) chooses the
fields; this module only writes them for people. Links go to other programs
(a phone's dialler, an e-mail program, a map) as plain addresses built here
from values that were checked first: a value that is not a valid e-mail
address or telephone number is shown as text, never made a link, so no
``javascript:`` or markup from the data reaches an ``href``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ..hours import read_hours
from ..language import N_
from ..language import gettext as _
from ..schemas.layout import Layout

# The HTML standard's "valid e-mail address" (what browsers accept in <input type=email>), with a dot in the
# domain required as the settings' e-mail check does; no quotes, spaces, colons or angle brackets can pass.
EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
LONGEST_EMAIL = 254
TELEPHONE_SPACING = re.compile(r"[\s().-]")  # what people write between a number's digits
TELEPHONE = re.compile(r"\+?[0-9]{3,15}")  # E.164 allows at most 15 digits
FEATURES_LABEL = N_("Facilities")
ADDRESS_LABEL = N_("Address")


@dataclass(frozen=True)
class Answer:
    """One of a record page's first answers: a label and a value, a link, or a list of words."""

    label: str
    value: str = ""
    href: str | None = None
    words: tuple[str, ...] = ()


def money(value: Any) -> str | None:
    """An amount in pounds as people read it: "Free" for nothing, "£1" for whole pounds, else "£0.20"."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        return None
    if value == 0:
        return _("Free")
    return f"£{value:,.0f}" if float(value).is_integer() else f"£{value:,.2f}"


def filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def label(layout: Layout, spec: Mapping[str, Any]) -> str:
    """A field's label in the page's language: the theme's own label for it, else its title (both in the catalogue)."""
    return _(layout.labels.get(spec["name"]) or spec.get("title") or spec["name"])


def text(value: Any) -> str:
    """A value as text: whole numbers without ".0"."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def feature_words(
    layout: Layout, specs: Mapping[str, Mapping[str, Any]], names: Sequence[str], row: Mapping[str, Any]
) -> list[str]:
    """The features among ``names`` as words: a yes/no field by its label when yes, another as "label: value"."""
    words = []
    for name in names:
        value = row.get(name)
        if name not in layout.features or name not in specs or not filled(value):
            continue
        if isinstance(value, bool):
            if value:
                words.append(label(layout, specs[name]))
        else:
            words.append(f"{label(layout, specs[name])}: {text(value)}")
    return words


def address_line(layout: Layout, row: Mapping[str, Any]) -> str:
    """The address fields with a value, joined with commas into one line."""
    return ", ".join(text(row[name]) for name in layout.address if filled(row.get(name)))


def summary_line(layout: Layout, specs: Mapping[str, Mapping[str, Any]], row: Mapping[str, Any]) -> str:
    """A list item's line under its name: the annotation's summary fields, the address and features each as one part."""
    parts: list[str] = []
    done: set[str] = set()
    address = {key: row.get(key) for key in layout.address if key in layout.summary}
    for name in layout.summary:
        if name in layout.address:
            if "address" not in done:
                done.add("address")
                parts.append(address_line(layout, address))
        elif name in layout.features:
            if "features" not in done:
                done.add("features")
                parts.append(", ".join(feature_words(layout, specs, layout.summary, row)))
        elif name in layout.money:
            parts.append(money(row.get(name)) or "")
        elif name in specs and filled(row.get(name)):
            parts.append(f"{label(layout, specs[name])}: {text(row[name])}")
    return "; ".join(part for part in parts if part)


def opening(layout: Layout, row: Mapping[str, Any], moment: datetime | None) -> str | None:
    """Open or closed at ``moment``, in words ("Open now, closes 18:00", "Hours not known"), for a theme with hours.

    None without a moment: a static page would say "open" for ever, so the
    export shows the hours as written instead.
    """
    if layout.hours is None or moment is None:
        return None
    value = row.get(layout.hours)
    return read_hours(value if isinstance(value, str) else None).status(moment).words()


def first_answers(
    layout: Layout,
    specs: Mapping[str, Mapping[str, Any]],
    row: Mapping[str, Any],
    shown: Any,
    moment: datetime | None = None,
) -> list[Answer]:
    """The record page's first answers, in the annotation's order; blanks are left to the full record.

    ``shown`` writes any other value as the full record does: a (text, link)
    pair. The opening hours say, at ``moment``, whether the place is open.
    """
    answers: list[Answer] = []
    done: set[str] = set()
    for name in layout.record:
        if name not in specs:
            continue
        if name == layout.hours and (status := opening(layout, row, moment)) is not None:
            written = text(row[name]) if filled(row.get(name)) else ""
            answers.append(Answer(label(layout, specs[name]), f"{status}. {written}" if written else status))
        elif name in layout.address:
            line = address_line(layout, {key: row.get(key) for key in layout.address if key in layout.record})
            if line and "address" not in done:
                answers.append(Answer(_(ADDRESS_LABEL), line))
            done.add("address")
        elif name in layout.features:
            words = feature_words(layout, specs, layout.record, row)
            if words and "features" not in done:
                answers.append(Answer(_(FEATURES_LABEL), words=tuple(words)))
            done.add("features")
        elif name in layout.money:
            if (amount := money(row.get(name))) is not None:
                answers.append(Answer(label(layout, specs[name]), amount))
        elif filled(row.get(name)):
            answers.append(Answer(label(layout, specs[name]), *shown(specs[name], row[name])))
    return answers


def email_address(value: Any) -> str | None:
    """The value when it is one valid e-mail address, else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if len(value) <= LONGEST_EMAIL and EMAIL.fullmatch(value) else None


def telephone_href(value: Any) -> str | None:
    """A ``tel:`` link of the number's digits (and a leading +), when the value is a telephone number."""
    if not isinstance(value, str):
        return None
    digits = TELEPHONE_SPACING.sub("", value)
    return f"tel:{digits}" if TELEPHONE.fullmatch(digits) else None


def mailto(address: str, subject: str = "", body: str = "") -> str:
    """A ``mailto:`` link (RFC 6068) to a checked address, with the subject and body percent-encoded."""
    query = "&".join(f"{key}={quote(value, safe='')}" for key, value in (("subject", subject), ("body", body)) if value)
    return f"mailto:{quote(address, safe='@')}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Directions:
    """Plain links that open the place in a phone's map app (``geo:``) and in OpenStreetMap's route planner."""

    geo: str
    openstreetmap: str


def directions(lat: float | None, lon: float | None) -> Directions | None:
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    point = f"{round(lat, 6)},{round(lon, 6)}"
    return Directions(f"geo:{point}", f"https://www.openstreetmap.org/directions?to={point}")
