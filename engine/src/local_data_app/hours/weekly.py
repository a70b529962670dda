"""Opening hours as minutes of the week, so that a database can answer "open now" through an index.

Most hours are the same every week ("Mo-Fr 08:00-18:00; Sa 09:00-13:00"): whether such a place is open
depends only on the minute of the week, so a load stores their open spans as (start, stop) minutes from
Monday 00:00, and a query asks for the spans holding the minute now. Hours that are only sometimes true
(seasons, months, dates, public holidays, week numbers, comments, open ends) are not reduced to a week: the
store hands them to :func:`open_at`, which asks opening-hours-py, the same evaluator the pages use.

The spans are the evaluator's own answer for a week, not a second reading of the syntax, so they agree with
it on every rule it knows (a Sunday's "22:00-02:00" runs into Monday unless a rule for Monday says otherwise).
Times are wall-clock times in the place's time zone, as the pages evaluate them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import opening_hours

from .status import LONDON, State, status_at

DAY = 24 * 60
WEEK = 7 * DAY  # minutes in a week: a span runs from 0 (Monday 00:00) to at most this
# A week with no public holiday, week-number or date rule in play (hours with those are never reduced to spans).
REFERENCE_MONDAY = datetime(2024, 1, 8)  # a wall-clock time, as the evaluator takes it

_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_DAYS = rf"{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*"
_TIMES = r"\d{2}:\d{2}-\d{2}:\d{2}(?:,\d{2}:\d{2}-\d{2}:\d{2})*"
_RULE = rf"(?:24/7|(?:{_DAYS} )?(?:{_TIMES}|off|closed|open)|{_DAYS})"
# The normal form (opening-hours-py's normalize()) of hours made of weekdays and times alone.
WEEKLY_RULES = re.compile(rf"{_RULE}(?:; {_RULE})*")


def minute_of_week(moment: datetime, zone: ZoneInfo = LONDON) -> int:
    """The minute of the week (0 is Monday 00:00) on the place's wall clock; a naive moment is taken as local."""
    local = moment.astimezone(zone) if moment.tzinfo is not None else moment
    return local.weekday() * DAY + local.hour * 60 + local.minute


def weekly_spans(osm: str) -> tuple[tuple[int, int], ...] | None:
    """The open spans of hours that are the same every week, as (start, stop) minutes; None for other hours.

    None means "ask :func:`open_at`": the hours name seasons, dates, holidays
    or anything beyond weekdays and times, or the evaluator failed on them.
    """
    if WEEKLY_RULES.fullmatch(osm) is None:
        return None
    try:
        hours = opening_hours.OpeningHours(osm)
        end = REFERENCE_MONDAY + timedelta(days=7)
        spans: list[tuple[int, int]] = []
        for start, stop, state, _comment in hours.intervals(REFERENCE_MONDAY, end):
            if state != opening_hours.State.OPEN:
                continue
            first, last = _minutes(start), _minutes(min(stop or end, end))
            if spans and spans[-1][1] == first:  # one span, however the evaluator cut it
                first = spans.pop()[0]
            spans.append((first, last))
    except Exception:  # untrusted hours: a library failure leaves them to the evaluator, which says unknown
        return None
    return tuple(spans)


def open_at(osm: str, moment: datetime, zone: ZoneInfo = LONDON) -> bool:
    """Whether hours say open at ``moment``: exactly what the pages show ("Open now", "Open 24 hours")."""
    return status_at(osm, moment, zone).state in (State.OPEN, State.ALWAYS_OPEN)


def _minutes(moment: datetime) -> int:
    return int((moment - REFERENCE_MONDAY).total_seconds()) // 60
