"""Opening hours: council free text and OpenStreetMap's ``opening_hours`` read, written as OSM, and evaluated.

Council toilet files (the LGA PublicToilets schema's ``OpeningHours``) hold free text ("Mon-Sat
08:00-18:00, Sun 10:00-16:00", "S = 09:00 - 21:00 W = 09:00 - 17:00", "park opening hours").
``read_hours`` gives each text one of three readings, and never a guess:

- understood: the hours, written in OpenStreetMap's syntax (``Hours.osm``), which ``Hours.status``
  evaluates at a moment ("Open now, closes 18:00");
- text: the text names a time without giving one ("dawn to dusk", "park hours"); it is kept as it is;
- unknown: the text could not be read.

Why a library for the OpenStreetMap syntax: the standard
(https://wiki.openstreetmap.org/wiki/Key:opening_hours/specification) has week numbers, nth weekdays,
holidays, fallbacks and comments; opening-hours-py (MIT OR Apache-2.0, a Rust parser with abi3 wheels for
Linux, macOS and Windows) parses, normalises and evaluates all of it, bounded by ``max_interval_days``.
Only the translation from council English to that syntax is written here (``text.py``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import opening_hours

from local_data_app.hours.status import LONDON, State, Status, status_at
from local_data_app.hours.text import NAMED_TIMES, Span, Unread, Week, read_text

__all__ = ["LONDON", "MAX_LENGTH", "Hours", "Reading", "Span", "State", "Status", "Week", "read_hours"]

MAX_LENGTH = 500  # longer texts are not read: no council writes hours at that length, and work stays bounded
# Texts whose reading is remembered: a collection has few distinct texts, and every page of results reads its
# features' hours again (about 0.1 ms each); at most MAX_LENGTH * 4 characters each, so a few MB at most.
REMEMBERED = 1024
_SOLAR = re.compile(r"sunrise|sunset|dawn|dusk", re.IGNORECASE)


class Reading(StrEnum):
    """How much of a text was understood."""

    UNDERSTOOD = "understood"
    TEXT = "text"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Hours:
    """A text's opening hours: the text, how it was read, and the OpenStreetMap syntax for what was understood."""

    text: str
    reading: Reading
    osm: str | None = None
    weeks: tuple[Week, ...] = ()  # the weekly model of a free text (empty for OpenStreetMap input)

    def status(self, moment: datetime, zone: ZoneInfo = LONDON) -> Status:
        """Open or closed at ``moment`` (naive moments are taken as the place's local time)."""
        return status_at(self.osm if self.reading is Reading.UNDERSTOOD else None, moment, zone)


def read_hours(text: str | None) -> Hours:
    """Read opening hours from free text or OpenStreetMap syntax; never raises."""
    if not isinstance(text, str):
        return Hours("", Reading.UNKNOWN)
    return _read(text)


@functools.lru_cache(maxsize=REMEMBERED)
def _read(text: str) -> Hours:
    stripped = " ".join(text[: MAX_LENGTH * 4].split())  # a slice first: a huge text costs no more than a long one
    if not stripped or len(stripped) > MAX_LENGTH or len(text) > MAX_LENGTH * 4:
        return Hours(stripped[:MAX_LENGTH], Reading.UNKNOWN)
    if _SOLAR.search(stripped) is None and re.search(r"\d", stripped) and _valid_osm(stripped):
        normal = _normal_osm(stripped)
        if normal is not None:
            return Hours(stripped, Reading.UNDERSTOOD, normal)
    try:
        weeks = read_text(stripped)
        osm = "; ".join(week.osm() for week in weeks)
        if _valid_osm(osm):
            return Hours(stripped, Reading.UNDERSTOOD, osm, weeks)
    except Unread:
        pass
    except Exception:  # a reader fault on odd text must not stop an ingest
        return Hours(stripped, Reading.UNKNOWN)
    if NAMED_TIMES.search(stripped.lower()):
        return Hours(stripped, Reading.TEXT)
    return Hours(stripped, Reading.UNKNOWN)


def _valid_osm(text: str) -> bool:
    try:
        return bool(opening_hours.validate(text))
    except Exception:  # invalid input, whatever the library raises
        return False


def _normal_osm(text: str) -> str | None:
    """The library's normal form of valid OpenStreetMap hours, or None if it fails on them."""
    try:
        return str(opening_hours.OpeningHours(text).normalize())
    except Exception:  # a library failure on untrusted text leaves it unread
        return None
