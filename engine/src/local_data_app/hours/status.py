"""Whether a place is open at a moment, in its own time zone, and the words a page shows for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import opening_hours

from ..language import N_
from ..language import gettext as _

LONDON = ZoneInfo("Europe/London")
HORIZON = timedelta(days=366)  # changes further away than a year are not looked for
FIRST_YEAR, LAST_YEAR = 1900, 9000  # moments outside these years are not evaluated: no hours are known for them
_STEPS = 16  # intervals examined at most: enough to pass comments that split one open period
_WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip


class State(StrEnum):
    """Open, closed, open all the time, or not known."""

    OPEN = "open"
    CLOSED = "closed"
    ALWAYS_OPEN = "always open"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Status:
    """The state at ``moment`` (local time) and, where known, when it next changes (local wall time)."""

    state: State
    moment: datetime
    change: datetime | None = None

    def words(self) -> str:
        """The status as a page shows it: "Open now, closes 18:00", "Closed, opens 10:00 Sunday".

        In the language of the page being made (language.py), whatever the server's locale.
        """
        if self.state is State.ALWAYS_OPEN:
            return _("Open 24 hours")
        if self.state is State.UNKNOWN:
            return _("Hours not known")
        if self.state is State.OPEN:
            return _("Open now, closes %(when)s") % {"when": self._when()} if self.change else _("Open now")
        return _("Closed, opens %(when)s") % {"when": self._when()} if self.change else _("Closed")

    def _when(self) -> str:
        change = self.change
        assert change is not None  # noqa: S101 - callers check
        days = (change.date() - self.moment.date()).days
        clock = f"{change:%H:%M}"
        if days == 0:
            return clock
        if days == 1:
            return _("%(clock)s tomorrow") % {"clock": clock}
        if days < 7:
            return _("%(clock)s %(weekday)s") % {"clock": clock, "weekday": _(_WEEKDAYS[change.weekday()])}
        month = _(MONTHS[change.month - 1])
        return _("%(clock)s on %(day)s %(month)s") % {"clock": clock, "day": change.day, "month": month}


def status_at(osm: str | None, moment: datetime, zone: ZoneInfo = LONDON) -> Status:
    """Evaluate OpenStreetMap hours at ``moment``; no hours, or any failure, gives UNKNOWN, never an exception."""
    try:
        local = moment.astimezone(zone) if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    except (OverflowError, ValueError):  # a moment at the very ends of the calendar
        return Status(State.UNKNOWN, moment)
    if osm is None or not FIRST_YEAR <= local.year <= LAST_YEAR:
        return Status(State.UNKNOWN, local)
    # Hours are wall-clock times, so they are evaluated on the local wall clock; the library's own
    # time zone handling refuses zoneinfo objects.
    wall = local.replace(tzinfo=None)
    try:
        hours = opening_hours.OpeningHours(osm, country="GB", max_interval_days=HORIZON.days)
        intervals = hours.intervals(wall, wall + HORIZON)
        _start, end, state, _comment = next(intervals)
        if state == opening_hours.State.UNKNOWN:
            return Status(State.UNKNOWN, local)
        for steps, (_start, following_end, following, _comment) in enumerate(intervals):
            if following != state or steps > _STEPS:
                break
            end = following_end  # the same state under another comment: one period
        else:
            following = None
    except Exception:  # untrusted hours: a library failure reads as not known
        return Status(State.UNKNOWN, local)
    at_horizon = end is None or end >= wall + HORIZON
    if state == opening_hours.State.OPEN:
        if at_horizon:
            return Status(State.ALWAYS_OPEN, local)
        return Status(State.OPEN, local, end.replace(tzinfo=zone))
    # Closed: the next change is an opening only if it leads to open hours (not to unknown ones).
    if at_horizon or following != opening_hours.State.OPEN:
        return Status(State.CLOSED, local)
    return Status(State.CLOSED, local, end.replace(tzinfo=zone))
