"""Free-text opening hours, as councils write them, read into a weekly model and written as OpenStreetMap syntax.

Only this translation is written here: the OpenStreetMap syntax itself is parsed and evaluated by
opening-hours-py (see the package docstring). The reader is strict on purpose: a word it does not
know makes the whole text unread, so it never guesses at hours a council did not state.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from typing import Literal

DAY_NAMES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
ALL_DAYS = tuple(range(7))
HOLIDAY = 7  # public and bank holidays: OpenStreetMap's "PH"
MIDNIGHT = 24 * 60
# British Summer Time runs from the last Sunday of March to the last Sunday of October; the clocks change
# in the small hours, so the summer's days are that Sunday in March to the Saturday before that Sunday in October.
SUMMER = "Mar Su[-1]-Oct Su[-1] -1 day"
WINTER = "Oct Su[-1]-Mar Su[-1] -1 day"

# Texts that name a time without giving one ("dawn to dusk", "park opening hours"): kept as text.
NAMED_TIMES = re.compile(
    r"dawn|dusk|daylight|sunrise|sunset|light|park|library|shop|store|centre|station|market|business"
    r"|event|vary|varies|variable|seasonal|when|during|see |website|subject to|staff"
)

_DAYS = {
    **dict.fromkeys(("monday", "mondays", "mon", "mo"), 0),
    **dict.fromkeys(("tuesday", "tuesdays", "tues", "tue", "tu"), 1),
    **dict.fromkeys(("wednesday", "wednesdays", "weds", "wed", "we"), 2),
    **dict.fromkeys(("thursday", "thursdays", "thurs", "thur", "thu", "th"), 3),
    **dict.fromkeys(("friday", "fridays", "fri", "fr"), 4),
    **dict.fromkeys(("saturday", "saturdays", "sat", "sa"), 5),
    **dict.fromkeys(("sunday", "sundays", "sun", "su"), 6),
}
_MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name} | {
    name: number for number, name in enumerate(calendar.month_abbr) if name
}
_MONTHS = {name.lower(): number for name, number in _MONTHS.items()} | {"sept": 9}
_CLOSED = {"closed", "off", "shut"}
# Words that carry no meaning for the hours ("Open daily from 8am", "Opening times: ...").
_NOISE = {"open", "opens", "opening", "times", "time", "from", "on", "at", "the", "hours", "hrs", "a", "is"}
_MONTH_WORDS = "|".join(sorted(_MONTHS, key=len, reverse=True))

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<allday>24\s*/\s*7|24\s*(?:hours?|hrs?|h)\b(?:\s+a\s+day)?|all\s+day|always\s+open)
    | (?P<every>every\s*day|daily|(?:7|seven)\s+days(?:\s+a\s+week)?|all\s+week)
    | (?P<weekdays>weekdays)
    | (?P<weekends>weekends?)
    | (?P<holiday>(?:bank|public)\s+holidays?)
    | (?P<season>summer|winter|(?<![a-z])[sw]\s*=)
    | (?P<date>(?P<dd>\d{1,2})(?:st|nd|rd|th)?\s*(?P<dm>"""
    + _MONTH_WORDS
    + r"""))(?![a-z])
    | (?P<meridiem>(?P<mh>\d{1,2})(?:[:.](?P<mm>\d{2}))?\s*(?P<ap>[ap])\.?m\.?)
    | (?P<noon>(?:12\s*)?(?:noon|midday))
    | (?P<midnight>(?:12\s*)?midnight)
    | (?P<clock>(?P<ch>\d{1,2})[:.](?P<cm>\d{2})(?:\s*hrs?\b)?)
    | (?P<compact>(?P<xh>[0-2]\d)(?P<xm>[0-5]\d)(?:\s*hrs?\b)?)
    | (?P<bare>\d{1,2})(?!\d)
    | (?P<dash>-|to\b|till\b|til\b|until\b)
    | (?P<sep>[,;.&/+|]|\band\b)
    | (?P<quiet>[:()])
    | (?P<word>[a-z]+)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Span:
    """A time range in minutes after midnight; an end before the start runs past midnight."""

    start: int
    end: int

    def osm(self) -> str:
        """The range in OpenStreetMap's syntax ("22:00-02:00")."""
        return f"{_clock(self.start)}-{_clock(self.end)}"


Day = tuple[Span, ...] | None  # None: not stated; (): closed


@dataclass(frozen=True)
class Week:
    """One week of hours: seven days Monday first, then public holidays, for the season ``season`` (OSM dates)."""

    season: str | None
    days: tuple[Day, ...]  # eight entries: Monday to Sunday, then public holidays

    def osm(self) -> str:
        """The week's rules in OpenStreetMap's syntax."""
        prefix = f"{self.season} " if self.season else ""
        week = self.days[:7]
        stated = any(day for day in week)
        if all(day == (Span(0, MIDNIGHT),) for day in week) and not self.season:
            rules = ["24/7"]
        else:
            rules = [prefix + rule for rule in _day_rules(week, unstated="" if stated else "unknown")]
        holiday = self.days[HOLIDAY]
        if holiday is not None:
            rules.append(f"{prefix}PH {_value(holiday)}")
        return "; ".join(rules)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _value(day: tuple[Span, ...]) -> str:
    return ",".join(span.osm() for span in day) if day else "off"


def _day_rules(week: tuple[Day, ...], unstated: str) -> list[str]:
    """One rule per run of consecutive days with the same hours ("Mo-Fr 09:00-17:00", "Su off")."""
    rules: list[str] = []
    first = 0
    for index in range(1, 8):
        if index < 7 and week[index] == week[first]:
            continue
        day = week[first]
        days = DAY_NAMES[first] if index - 1 == first else f"{DAY_NAMES[first]}-{DAY_NAMES[index - 1]}"
        if day is not None:
            rules.append(f"{days} {_value(day)}")
        elif unstated:
            rules.append(f"{days} {unstated}")
        first = index
    return rules


Kind = Literal["days", "span", "allday", "closed", "season", "sep", "time", "bare", "dash", "date", "month"]


@dataclass
class _Token:
    kind: Kind
    days: tuple[int, ...] = ()
    minutes: int = 0
    meridiem: str = ""  # "a" or "p" for 12-hour times
    span: Span | None = None
    season: str = ""
    month: int = 0
    day: int = 0


class Unread(ValueError):
    """The text holds something the reader does not understand."""


def _tokens(text: str) -> list[_Token]:
    """The text as tokens; raises Unread at the first thing it does not know."""
    found: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise Unread(text[position])
        position = match.end()
        kind = match.lastgroup
        if kind in ("space", "quiet"):
            continue
        found.append(_token(kind or "", match))
    return found


def _token(kind: str, match: re.Match[str]) -> _Token:
    value = match.group(kind)
    if kind == "allday":
        return _Token("allday")
    if kind == "every":
        return _Token("days", days=ALL_DAYS)
    if kind == "weekdays":
        return _Token("days", days=(0, 1, 2, 3, 4))
    if kind == "weekends":
        return _Token("days", days=(5, 6))
    if kind == "holiday":
        return _Token("days", days=(HOLIDAY,))
    if kind == "season":
        return _Token("season", season=WINTER if value.startswith("w") else SUMMER)
    if kind == "date":
        return _Token("date", day=int(match.group("dd")), month=_MONTHS[match.group("dm")])
    if kind == "meridiem":
        hour, minute = int(match.group("mh")), int(match.group("mm") or 0)
        if hour > 12 or minute > 59:
            raise Unread(value)
        afternoon = 12 * 60 if match.group("ap") == "p" else 0
        return _Token("time", minutes=(hour % 12) * 60 + minute + afternoon, meridiem=match.group("ap"))
    if kind == "noon":
        return _Token("time", minutes=12 * 60)
    if kind == "midnight":
        return _Token("time", minutes=0)
    if kind in ("clock", "compact"):
        hour = int(match.group("ch") or match.group("xh"))
        minute = int(match.group("cm") or match.group("xm"))
        if hour > 24 or minute > 59 or (hour == 24 and minute):
            raise Unread(value)
        return _Token("time", minutes=hour * 60 + minute)
    if kind == "bare":
        return _Token("bare", minutes=int(value) * 60)
    if kind in ("dash", "sep"):
        return _Token(kind)
    return _word(value)


def _word(word: str) -> _Token:
    if word in _DAYS:
        return _Token("days", days=(_DAYS[word],))
    if word in _MONTHS:
        return _Token("month", month=_MONTHS[word])
    if word in _CLOSED:
        return _Token("closed")
    if word in _NOISE:
        return _Token("sep")
    raise Unread(word)


def _ranges(tokens: list[_Token]) -> list[_Token]:
    """Pairs joined by a dash made one: day ranges, time spans and date ranges (seasons)."""
    joined: list[_Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        after = tokens[index + 2] if index + 2 < len(tokens) and tokens[index + 1].kind == "dash" else None
        if after is not None and token.kind == "days" == after.kind and len(token.days) == len(after.days) == 1:
            first, last = token.days[0], after.days[0]
            if HOLIDAY in (first, last):
                raise Unread("holiday range")
            days = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            joined.append(_Token("days", days=tuple(days)))
            index += 3
        elif after is not None and token.kind in ("time", "bare") and after.kind in ("time", "bare"):
            joined.append(_Token("span", span=_span(token, after)))
            index += 3
        elif after is not None and token.kind in ("date", "month") and after.kind in ("date", "month"):
            joined.append(_Token("season", season=_season(token, after)))
            index += 3
        elif token.kind in ("dash", "bare", "time", "date", "month"):
            raise Unread(token.kind)
        else:
            joined.append(token)
            index += 1
    return joined


def _span(start: _Token, end: _Token) -> Span:
    """A time range; a bare hour ("9-5pm", "8am-6") takes the half of the day that keeps the range in order."""
    half = 12 * 60
    first, last = start.minutes, end.minutes
    if start.kind == "bare":
        if not end.meridiem or first > half:
            raise Unread("bare hour")
        first %= half
        if end.meridiem == "p" and first + half < last:
            first += half
    elif end.kind == "bare":
        if not start.meridiem or last > half:
            raise Unread("bare hour")
        last %= half
        if start.meridiem == "p" or last <= first:
            last += half
    if last == 0 and first > 0:
        last = MIDNIGHT  # "6am to midnight", "18:00-00:00"
    if first == last:
        if first == 0:
            return Span(0, MIDNIGHT)
        raise Unread("empty range")
    if first >= MIDNIGHT:
        raise Unread("a range starting at 24:00")
    return Span(first, last)


def _season(start: _Token, end: _Token) -> str:
    """Dates from and to in OpenStreetMap's syntax: "Apr-Sep" for months, "Nov01-May31" for days."""
    first, last = calendar.month_abbr[start.month], calendar.month_abbr[end.month]
    if start.kind == end.kind == "month":
        return f"{first}-{last}"
    first_day = start.day if start.kind == "date" else 1
    last_day = end.day if end.kind == "date" else calendar.monthrange(2023, end.month)[1]
    if first_day > calendar.monthrange(2024, start.month)[1] or last_day > calendar.monthrange(2024, end.month)[1]:
        raise Unread("no such date")
    return f"{first}{first_day:02d}-{last}{last_day:02d}"


@dataclass
class _Clause:
    days: tuple[int, ...] | None = None
    spans: list[Span] = field(default_factory=list)
    value: str = ""  # "", "spans", "allday" or "closed"
    days_after_value: bool = False
    separated: bool = False  # a comma or "and" came after the value


@dataclass
class _Segment:
    season: str | None = None
    clauses: list[_Clause] = field(default_factory=list)

    def has_value(self) -> bool:
        return any(clause.value for clause in self.clauses)


def read_text(text: str) -> tuple[Week, ...]:
    """The weeks a free text states, one per season it names; raises Unread where it cannot."""
    cleaned = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text).lower()
    cleaned = cleaned.replace("\u2013", "-").replace("\u2014", "-").replace("\u2012", "-").replace("\u2212", "-")
    tokens = _ranges(_tokens(cleaned))
    segments = [_Segment()]
    clause = _Clause()
    segments[0].clauses.append(clause)
    postfix: bool | None = None  # whether seasons follow the hours they name: "9am-7pm (Summer), 9am-4pm (Winter)"
    for index, token in enumerate(tokens):
        segment = segments[-1]
        if token.kind == "season":
            if postfix is None:
                postfix = segment.has_value()
            if not segment.has_value() and segment.season in (SUMMER, WINTER):
                segment.season = token.season  # "Summer (April - September)": the dates given win
            elif postfix:
                if segment.season is not None or not segment.has_value():
                    raise Unread("a season without hours")
                segment.season = token.season
                segments.append(_Segment())
            elif not segment.has_value():
                segment.season = token.season
            else:
                segments.append(_Segment(season=token.season))
            clause = _Clause()
            segments[-1].clauses.append(clause)
        elif token.kind == "sep":
            clause.separated = bool(clause.value)
        elif token.kind == "days":
            if not clause.value:
                clause.days = (clause.days or ()) + token.days
            elif clause.days is None and not (clause.separated and _value_follows(tokens, index)):
                clause.days, clause.days_after_value = token.days, True  # "8am-6pm Mon-Sat", "9am-8pm, 7 days"
            elif clause.days_after_value and not _value_follows(tokens, index):
                clause.days = (clause.days or ()) + token.days
            else:
                clause = _Clause(days=token.days)
                segment.clauses.append(clause)
        else:  # a value: a span, all day or closed
            kind = "spans" if token.kind == "span" else token.kind
            if clause.value and (clause.value != "spans" or kind != "spans" or clause.days_after_value):
                clause = _Clause()
                segment.clauses.append(clause)
            clause.value = kind
            if token.span is not None:
                clause.spans.append(token.span)
    return _weeks(segments)


def _value_follows(tokens: list[_Token], index: int) -> bool:
    """Whether a run of days starting at ``index`` is followed by hours (so the days start a new clause)."""
    for token in tokens[index + 1 :]:
        if token.kind in ("days", "sep"):
            continue
        return token.kind in ("span", "allday", "closed")
    return False


_VALUES: dict[str, tuple[Span, ...]] = {"allday": (Span(0, MIDNIGHT),), "closed": ()}


def _weeks(segments: list[_Segment]) -> tuple[Week, ...]:
    weeks: list[Week] = []
    for segment in segments:
        clauses = [clause for clause in segment.clauses if clause.value or clause.days is not None]
        if not clauses:
            if segment.season is not None:
                raise Unread("a season without hours")
            continue
        days: list[Day] = [None] * 8
        for clause in clauses:
            if not clause.value:
                raise Unread("days without hours")
            value = _VALUES.get(clause.value, tuple(clause.spans))
            for day in clause.days if clause.days is not None else ALL_DAYS:
                days[day] = value
        weeks.append(Week(season=segment.season, days=tuple(days)))
    if not weeks:
        raise Unread("no hours")
    seasons = {week.season for week in weeks}
    if seasons & {SUMMER, WINTER} and None not in seasons and not {SUMMER, WINTER} <= seasons:
        raise Unread("one season of two")  # the other season's hours are not stated
    weeks.sort(key=lambda week: week.season is not None)
    return tuple(weeks)
