"""The "open now" filter: each load's opening hours numbered and stored as weekly spans, and the filter's value.

A theme's ``x-page`` annotation names its hours field; ingest marks that field
(:func:`marked`) and the store, as it stages a load, reads each feature's hours
once per distinct text (:mod:`local_data_app.hours`) and gives the feature the
number of its hours in the load (the ``_hours`` column, empty when the hours
are unknown or only words, which are never "open now"). Beside the load's
table it keeps each distinct hours text in OpenStreetMap syntax (``_hours``
table) and, for hours that are the same every week, their open spans in
minutes of the week (``_open`` table, see :mod:`local_data_app.hours.weekly`).
The tables are made in the load's transaction, so they swap in with the data.

``OpenAt(moment)`` as a filter on the hours field keeps the features open at
that moment: the store finds the hours whose spans hold the minute of the
week, adds the few hours that are only sometimes true and that opening-hours-py
says are open then (worked out once a minute per load, :func:`open_hours`),
and finds the features by the index on ``_hours``. On SQLite, a large
load's boxes, nearest features, pages and word searches instead look each
feature's number up in the hours open then (:func:`every_open`, masks.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import StoreError
from ..hours import LONDON, Reading, read_hours
from ..hours.weekly import minute_of_week, open_at, weekly_spans
from .shelf import Shelf

# On a field: True asks the store to index the field's opening hours; the store writes there the name of the
# load's table, whose side tables (``<table>_hours``, ``<table>_open``) hold them.
HOURS_KEY = "x-opening-hours"
REMEMBERED_TEXTS = 10_000  # distinct hours texts remembered while loading (cleared when full)
REMEMBERED_LOADS = 64  # loads whose sometimes-true hours are kept in memory
REMEMBERED_MINUTES = 4  # minutes whose answer each load keeps


@dataclass(frozen=True, slots=True)
class OpenAt:
    """A filter value for a theme's hours field: the features whose hours say open at ``moment``."""

    moment: datetime


def marked(fields: Sequence[dict[str, Any]], hours: str | None) -> list[dict[str, Any]]:
    """The fields, the one named ``hours`` (if any) marked for the store to index its opening hours."""
    return [{**spec, HOURS_KEY: True} if spec["name"] == hours else spec for spec in fields]


def indexed_table(spec: dict[str, Any]) -> str | None:
    """The load's table whose side tables hold a field's opening hours; None if they were not indexed."""
    value = spec.get(HOURS_KEY)
    return value if isinstance(value, str) else None


class HoursStaging:
    """A load's opening hours: a number per distinct hours text, and the rows of its side tables."""

    def __init__(self, fields: Sequence[dict[str, Any]], table: str) -> None:
        self.name: str | None = None
        self.fields: list[dict[str, Any]] = []
        for spec in fields:
            if spec.get(HOURS_KEY) is True and self.name is None:
                self.name, spec = spec["name"], {**spec, HOURS_KEY: table}
            self.fields.append(spec)
        self.texts: dict[Any, int | None] = {}
        self.numbers: dict[str, int] = {}  # the OpenStreetMap form of each distinct hours, numbered from 1

    def number(self, properties: dict[str, Any]) -> int | None:
        """The number of a feature's hours in this load; None when they are not known."""
        if self.name is None:
            return None
        text = properties.get(self.name)
        if text in self.texts:
            return self.texts[text]
        if len(self.texts) >= REMEMBERED_TEXTS:
            self.texts.clear()
        hours = read_hours(text if isinstance(text, str) else None)
        number = None
        if hours.reading is Reading.UNDERSTOOD and hours.osm:
            number = self.numbers.setdefault(hours.osm, len(self.numbers) + 1)
        self.texts[text] = number
        return number

    def rows(self) -> tuple[list[tuple[int, str, bool]], list[tuple[int, int, int]]]:
        """The hours (number, OpenStreetMap text, whether weekly) and the weekly ones' spans (number, start, stop)."""
        hours, spans = [], []
        for osm, number in self.numbers.items():
            week = weekly_spans(osm)
            hours.append((number, osm, week is not None))
            spans += [(number, start, stop) for start, stop in week or ()]
        return hours, spans


@dataclass
class _LoadHours:
    sometimes: tuple[tuple[int, str], ...]  # the hours that are not the same every week
    answers: dict[datetime, tuple[int, ...]] = field(default_factory=dict)
    every: dict[datetime, tuple[int, ...]] = field(default_factory=dict)  # every hours open, weekly ones too


_loads: Shelf[_LoadHours] = Shelf(REMEMBERED_LOADS)


def remember(table: str, read: Callable[[], Iterable[tuple[int, str]]]) -> None:
    """Keep a load's sometimes-true hours, read once per load (``read`` runs in the caller's read transaction)."""
    _loads.get(table, lambda: _LoadHours(tuple(read())))


def local_minute(moment: datetime) -> datetime:
    """The minute of London's clock that ``moment`` falls in: hours change on whole minutes."""
    return moment.astimezone(LONDON).replace(second=0, microsecond=0)


def _load(table: str) -> _LoadHours:
    """A load's hours as :func:`remember` kept them; a StoreError if it did not."""
    load = _loads.kept(table)
    if load is None:
        raise StoreError(f"The opening hours of table {table} were not read before it was asked about them.")
    return load


def open_hours(table: str, moment: datetime) -> tuple[int, list[int]]:
    """The minute of the week at ``moment`` and the numbers of the load's sometimes-true hours open then.

    Hours change on whole minutes, so one answer serves a minute. The load
    must have been remembered (:func:`remember`) by the read asking.
    """
    local = local_minute(moment)
    load = _load(table)
    answer = _of_minute(load.answers, local, lambda: tuple(n for n, osm in load.sometimes if open_at(osm, local)))
    return minute_of_week(local), list(answer)


def every_open(table: str, moment: datetime, weekly: Callable[[int], Iterable[tuple[int]]]) -> tuple[int, ...]:
    """The numbers of all the load's hours open at ``moment``, in order: the weekly ones whose spans hold its
    minute of the week (``weekly(minute)`` reads them) and the sometimes-true ones open then.

    Worked out once a minute per load, like :func:`open_hours`, for the
    masks of "open now" (masks.py), which look each feature's hours up in them.
    """

    def worked_out() -> tuple[int, ...]:
        minute, others = open_hours(table, moment)
        return tuple(sorted({number for (number,) in weekly(minute)}.union(others)))

    return _of_minute(_load(table).every, local_minute(moment), worked_out)


def _of_minute(
    answers: dict[datetime, tuple[int, ...]], local: datetime, make: Callable[[], tuple[int, ...]]
) -> tuple[int, ...]:
    """The answer ``answers`` keeps for a minute, else ``make()``'s, kept (the last REMEMBERED_MINUTES at most)."""
    answer = answers.get(local)
    if answer is None:
        answer = make()
        if len(answers) >= REMEMBERED_MINUTES:
            answers.clear()
        answers[local] = answer
    return answer
