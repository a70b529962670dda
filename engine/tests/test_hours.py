"""Opening hours: council free text and OpenStreetMap syntax read honestly, and the status words at a moment."""

from __future__ import annotations

import csv
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import opening_hours
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local_data_app.hours import LONDON, MAX_LENGTH, Hours, Reading, Span, State, read_hours

FIXTURE = Path(__file__).parent / "data" / "council_opening_hours.csv"

SUMMER = "Mar Su[-1]-Oct Su[-1] -1 day"
WINTER = "Oct Su[-1]-Mar Su[-1] -1 day"


def local(text: str) -> datetime:
    """A wall-clock moment in London."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def words(hours: str, moment: str) -> str:
    return read_hours(hours).status(local(moment)).words()


# Real council strings (see tests/data/README.md for their sources) and what they read as.
@pytest.mark.parametrize(
    ("text", "osm"),
    [
        ("24 hours", "24/7"),
        ("24 / 7", "24/7"),
        ("24 hrs", "24/7"),
        ("Open 24 hours a day, 7 days a week", "24/7"),
        ("24/7", "24/7"),
        ("09.00 - 17.00", "Mo-Su 09:00-17:00"),
        ("Monday - Sunday 7am - 1:45pm", "Mo-Su 07:00-13:45"),
        ("Mon-Fri 7.30am-7.30pm, Sat 10am-4.45pm.", "Mo-Fr 07:30-19:30; Sa 10:00-16:45"),
        (
            "Mon-Thu 10am-7pm, Fri 10am-5pm, Sat 11am-5pm, Sun closed.",
            "Mo-Th 10:00-19:00; Fr 10:00-17:00; Sa 11:00-17:00; Su off",
        ),
        (
            "Mon to Fri 9am to 6pm, Saturday 9am to 4pm and closed Sunday and Bank Holidays",
            "Mo-Fr 09:00-18:00; Sa 09:00-16:00; Su off; PH off",
        ),
        ("Monday - Friday: 7am to 7pmClosed: Saturday and Sunday", "Mo-Fr 07:00-19:00; Sa-Su off"),
        (
            "Monday: ClosedTuesday to Saturday: 07:00 to 17:00Sunday: 07:00 to 16:00",
            "Mo off; Tu-Sa 07:00-17:00; Su 07:00-16:00",
        ),
        (
            "Monday, Tuesday and Thursday: 2pm to 7pm, Wednesday and Friday: 10am to 3pm, "
            "Saturday: 10am to 5pm, Sunday closed",
            "Mo-Tu 14:00-19:00; We 10:00-15:00; Th 14:00-19:00; Fr 10:00-15:00; Sa 10:00-17:00; Su off",
        ),
        (
            "Monday to Friday: 9am to 7pmSaturday: 9am to 5pm,Sunday: 12 noon to 4pm",
            "Mo-Fr 09:00-19:00; Sa 09:00-17:00; Su 12:00-16:00",
        ),
        (
            "Monday - Friday 6am to midnight. Saturday: 6am - 10pm. Sunday: 11am - 5pm",
            "Mo-Fr 06:00-24:00; Sa 06:00-22:00; Su 11:00-17:00",
        ),
        (
            "Mon-Thu 4.30am-1.35am, Fri-Sat 4.30am-2am, Sun 5.15am-1.35am.",
            "Mo-Th 04:30-01:35; Fr-Sa 04:30-02:00; Su 05:15-01:35",
        ),
        (
            "Monday to Friday: 09:00 to 21:00, Saturday and Sunday: 09:00 to 17:00. Bank holidays: 09:00 to 18:00",
            "Mo-Fr 09:00-21:00; Sa-Su 09:00-17:00; PH 09:00-18:00",
        ),
        # Seasons: Adur's S = summer and W = winter, dated by British Summer Time; months where the text gives them.
        ("S = 09:00 - 21:00 W = 09:00 - 17:00", f"{SUMMER} Mo-Su 09:00-21:00; {WINTER} Mo-Su 09:00-17:00"),
        ("9am-7pm (Summer), 9am-4pm (Winter).", f"{SUMMER} Mo-Su 09:00-19:00; {WINTER} Mo-Su 09:00-16:00"),
        (
            "Summer (April - September) 7:30am - 8pm , Winter (October - March) 7:30am - 3:45pm",
            "Apr-Sep Mo-Su 07:30-20:00; Oct-Mar Mo-Su 07:30-15:45",
        ),
        (
            "1st Nov\u201331st May 9am-6pm. 1st Jun\u201331st Oct  9am-8pm, 7 days.",
            "Nov01-May31 Mo-Su 09:00-18:00; Jun01-Oct31 Mo-Su 09:00-20:00",
        ),
        # OpenStreetMap syntax is read by the library and written in its normal form.
        (
            "Mo-We 09:00-18:00 ; Th 09:00-19:00 ; Fr 09:00-18:00 ; Sa 09:00-17:00 ; Su closed",
            "Mo-We,Fr 09:00-18:00; Th 09:00-19:00; Sa 09:00-17:00",
        ),
        ("08:00-20:00", "08:00-20:00"),
    ],
)
def test_real_council_text_is_written_as_openstreetmap_hours(text: str, osm: str) -> None:
    """Each real text reads as understood, with the expected OpenStreetMap hours, which the library accepts."""
    hours = read_hours(text)
    assert (hours.reading, hours.osm) == (Reading.UNDERSTOOD, osm)
    assert opening_hours.validate(hours.osm)


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("park opening hours", Reading.TEXT),
        ("Daylight hours", Reading.TEXT),
        ("Mon-Sun 8am-dusk.", Reading.TEXT),
        ("From 9am - dusk", Reading.TEXT),
        ("Dawn till dusk", Reading.TEXT),
        ("Open during park hours", Reading.TEXT),
        ("sunrise-sunset", Reading.TEXT),  # valid OpenStreetMap, but the times depend on where the place is
        ("24/07/2016", Reading.UNKNOWN),  # a spreadsheet turned "24/7" into a date
        ("Generally available 2100-0330 on a Friday and Saturday Night", Reading.UNKNOWN),
        ("Includes a Changing Places toilet; Mon - Fri 0630 - 2200, Sat - Sun 0800 - 2000", Reading.UNKNOWN),
        ("9-5", Reading.UNKNOWN),  # bare hours: am or pm is not said
        ("Summer: 07:00-21:00", Reading.UNKNOWN),  # winter's hours are not stated
        ("Mon-Fri", Reading.UNKNOWN),
        ("Open", Reading.UNKNOWN),
        ("", Reading.UNKNOWN),
        ("25:00-26:00", Reading.UNKNOWN),
        ("9am - 9am", Reading.UNKNOWN),
    ],
)
def test_text_that_names_no_time_is_kept_and_unread_text_is_unknown(text: str, reading: Reading) -> None:
    """Nothing is guessed: named times are kept as text, and anything else not read is unknown, without hours."""
    hours = read_hours(text)
    assert (hours.reading, hours.osm) == (reading, None)
    assert hours.status(local("2026-06-01 12:00")).words() == "Hours not known"


def test_the_weekly_model_holds_several_ranges_a_day_and_closed_days() -> None:
    """Free text is read into weeks: Monday first, then public holidays; () is closed, None not stated."""
    (week,) = read_hours("Mon-Fri 08:00-12:00, 13:00-17:00, Sat 10am-4pm, closed Sundays").weeks
    assert week.season is None
    assert week.days[0] == (Span(8 * 60, 12 * 60), Span(13 * 60, 17 * 60))
    assert week.days[5] == (Span(10 * 60, 16 * 60),)
    assert week.days[6] == ()
    assert week.days[7] is None
    assert week.osm() == "Mo-Fr 08:00-12:00,13:00-17:00; Sa 10:00-16:00; Su off"


def test_closed_days_alone_leave_the_other_days_unknown() -> None:
    """ "Closed Sundays" says nothing of the other days' hours, so they are unknown, not open or closed."""
    hours = read_hours("Closed Sundays")
    assert hours.osm == "Mo-Sa unknown; Su off"
    assert words("Closed Sundays", "2026-06-07 12:00") == "Closed"  # a Sunday
    assert words("Closed Sundays", "2026-06-08 12:00") == "Hours not known"


# Status words at chosen moments (2026-06-06 is a Saturday).
@pytest.mark.parametrize(
    ("hours", "moment", "expected"),
    [
        ("Mon-Sat 08:00-18:00, Sun 10:00-16:00", "2026-06-06 12:00", "Open now, closes 18:00"),
        ("Mon-Sat 08:00-18:00, Sun 10:00-16:00", "2026-06-06 19:00", "Closed, opens 10:00 tomorrow"),
        ("Mon-Sat 08:00-18:00, Sun 10:00-16:00", "2026-06-07 07:00", "Closed, opens 10:00"),
        ("Mon-Fri 08:00-18:00", "2026-06-05 19:00", "Closed, opens 08:00 Monday"),
        ("Mon-Fri 08:00-18:00", "2026-06-08 08:00", "Open now, closes 18:00"),  # opening minute counts as open
        ("Mon-Fri 08:00-18:00", "2026-06-08 18:00", "Closed, opens 08:00 tomorrow"),  # closing minute is closed
        ("24 hours", "2026-06-06 03:00", "Open 24 hours"),
        ("24/7", "2026-12-25 03:00", "Open 24 hours"),
        ("Closed", "2026-06-06 12:00", "Closed"),
        ("Dawn till dusk", "2026-06-06 12:00", "Hours not known"),
        # Past midnight: Friday's hours run into Saturday morning.
        ("Fri 22:00-02:00", "2026-06-06 01:30", "Open now, closes 02:00"),
        ("Fri 22:00-02:00", "2026-06-05 23:00", "Open now, closes 02:00 tomorrow"),
        ("Fri 22:00-02:00", "2026-06-06 03:00", "Closed, opens 22:00 Friday"),
        # Holidays: Christmas 2026 is a Friday, and Boxing Day's holiday moves to Monday 28 December.
        ("Mon-Fri 9am-5pm, closed bank holidays", "2026-12-25 12:00", "Closed, opens 09:00 Tuesday"),
        ("Apr-Sep 09:00-17:00", "2026-12-01 12:00", "Closed, opens 09:00 on 1 April"),
    ],
)
def test_status_words_at_a_moment(hours: str, moment: str, expected: str) -> None:
    assert words(hours, moment) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Last Sunday of March 2026 (the 29th): summer hours from that day; the day before is winter.
        ("2026-03-28 18:00", "Closed, opens 09:00 tomorrow"),
        ("2026-03-29 18:00", "Open now, closes 21:00"),
        # Last Sunday of October 2026 (the 25th): winter hours from that day; the day before is summer.
        ("2026-10-24 18:00", "Open now, closes 21:00"),
        ("2026-10-25 18:00", "Closed, opens 09:00 tomorrow"),
    ],
)
def test_summer_and_winter_follow_british_summer_time(moment: str, expected: str) -> None:
    """Adur's "S = ... W = ..." switches on the days the clocks change."""
    assert words("S = 09:00 - 21:00 W = 09:00 - 17:00", moment) == expected


def test_status_is_evaluated_on_london_wall_clock_across_the_clock_changes() -> None:
    """A moment in UTC is read in London time: 08:30 UTC is 09:30 in summer, and 08:30 in winter."""
    hours = read_hours("Mon-Sun 09:00-17:00")
    summer = hours.status(datetime(2026, 3, 29, 8, 30, tzinfo=UTC))  # after the clocks went forward at 01:00 UTC
    assert (summer.state, summer.moment.hour, summer.words()) == (State.OPEN, 9, "Open now, closes 17:00")
    winter = hours.status(datetime(2026, 10, 25, 8, 30, tzinfo=UTC))  # after the clocks went back at 01:00 UTC
    assert (winter.state, winter.words()) == (State.CLOSED, "Closed, opens 09:00")
    assert winter.change == datetime(2026, 10, 25, 9, 0, tzinfo=LONDON)
    # The repeated hour at the October change (01:00-02:00 twice) reads the same both times.
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    night = read_hours("Sat 20:00-03:00")
    assert night.status(first).words() == night.status(second).words() == "Open now, closes 03:00"


def test_a_naive_moment_is_taken_as_local_time() -> None:
    assert read_hours("Mon-Sun 09:00-17:00").status(datetime(2026, 7, 1, 16, 59)).state is State.OPEN


def test_long_text_is_not_read() -> None:
    """Texts over the cap are unknown without being parsed, so work stays bounded."""
    hours = read_hours("Mon-Fri 09:00-17:00, " * 40)
    assert hours.reading is Reading.UNKNOWN
    assert len(hours.text) <= MAX_LENGTH


def test_share_of_real_council_strings_read() -> None:
    """The figures docs/hours.md reports for the real council strings in tests/data."""
    with FIXTURE.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    readings = Counter(read_hours(row["opening_hours"]).reading for row in rows)
    assert len(rows) == 86
    assert readings == {Reading.UNDERSTOOD: 67, Reading.TEXT: 11, Reading.UNKNOWN: 8}
    for row in rows:
        hours = read_hours(row["opening_hours"])
        assert hours.osm is None or opening_hours.validate(hours.osm)


# Pieces of hours, so that drawn texts get deep into both readers, not only to their first unknown word.
PIECES = [
    "Mon",
    "-",
    "Fri",
    "9am",
    "5pm",
    "12:00",
    "24/7",
    ",",
    ";",
    "closed",
    "summer",
    "S",
    "=",
    "Apr",
    "1st",
    "Jun",
    "noon",
    "midnight",
    "and",
    "Su[-1]",
    "PH",
    "off",
    "0700",
    "bank holidays",
    '"x"',
    "\n",
    "(Winter)",
]


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=600),
        st.lists(
            st.sampled_from(PIECES),
            max_size=80,
        ).map(" ".join),
    ),
    st.datetimes(timezones=st.sampled_from([UTC, LONDON])),
)
def test_any_text_gives_a_result_quickly_and_never_raises(text: str, moment: datetime) -> None:
    started = time.perf_counter()
    hours = read_hours(text)
    status = hours.status(moment)
    assert isinstance(hours, Hours)
    assert hours.reading in Reading
    assert (hours.osm is not None) == (hours.reading is Reading.UNDERSTOOD)
    assert isinstance(status.words(), str)
    assert time.perf_counter() - started < 0.5
