"""Each record's area from a column of its source: one source covering many areas (``area_column``).

A national or regional file names each record's local authority in a column
(the LGA schema's ``GeoAreaURI``, say). With ``area_column`` set on its
[[sources]] entry, every loaded feature takes its ``area_code`` and
``area_name`` from the [[areas]] entry whose GSS code that column holds, so
the one collection answers ``area=`` for each area by its rows. A value is
read trimmed and in any case, and may be a web address ending in the code
(``http://statistics.data.gov.uk/id/statistical-geography/E06000001``). A
row whose value is blank, or is not the code of one of the app's areas, is
rejected with a reason naming the column and the value; a row the schema
already rejects gets that reason too, so its rejects line says everything.

The area fields are the app's own: a source's columns of the same names (an
app made from this template publishes them, and the ogcapi adapter keeps
them, so that ``area_column = "area_code"`` reads each record's area as that
app gives it) are not kept again among the record's extra columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .config import Area, Settings
from .errors import SourceError, shown
from .normalise import Rejection
from .store import AREA_CODE, AREA_NAME, Feature, Filters, Provenance

# The last part of a statistical geography's web address is its GSS code.
ADDRESS_TAIL = re.compile(r"^https?://\S*/([A-Za-z][0-9]{8})/?$", re.IGNORECASE)
REMEMBERED_SETS = 1000  # sets of columns whose area column is remembered
LISTED = 5  # area codes a reason lists before saying how many more there are


class RowAreas:
    """Gives each feature of a batch the area its source row names in ``column``, rejecting rows that name none."""

    def __init__(self, source: str, column: str, areas: Sequence[Area]) -> None:
        self.source, self.column = source, column
        self.areas = {area.code: area for area in areas}
        self.found = False  # whether any record had the column
        self._columns: dict[tuple[str, ...], str | None] = {}  # each set of columns -> the one holding the area

    def assign(
        self, records: Sequence[Any], features: list[Feature], rejections: list[Rejection]
    ) -> tuple[list[Feature], list[Rejection]]:
        """The batch's features with their areas set, and its rejections with the rows of no known area added.

        ``records`` are the batch's rows as read (:class:`~.adapters.RawRecord`),
        for the value of the column and for the rejects file.
        """
        raw = {record.number: record.values for record in records}
        kept: list[Feature] = []
        rejected = list(rejections)
        for rejection in rejected:
            reason = self._problem(raw.get(rejection.row, rejection.values))[1]
            if reason is not None:
                rejection.reasons.append(reason)
        for feature in features:
            area, reason = self._problem(raw.get(feature.row, {}))
            if area is None:
                rejected.append(Rejection(feature.row, raw.get(feature.row, feature.properties), [reason or ""]))
                continue
            give(feature, area)
            kept.append(feature)
        rejected.sort(key=lambda rejection: rejection.row)  # the rejects file in the source's order
        return kept, rejected

    def check_found(self, columns_seen: set[str]) -> None:
        """SourceError naming the column and the source's columns, when no record read had the area column."""
        if not self.found and columns_seen:
            raise SourceError(
                f"Source {self.source!r}: area_column = {self.column!r}, but no record has such a column. The "
                f"source's columns are: {', '.join(sorted(columns_seen))}. Set area_column to the one holding each "
                "record's area code."
            )

    def _problem(self, values: dict[str, Any]) -> tuple[Area | None, str | None]:
        """The area a row names, or None and why it names none."""
        column = self._column_in(values)
        if column is None:
            return None, f"{self.column}: the row has no such column, so its area is unknown"
        self.found = True
        value = values.get(column)
        text = "" if value is None else str(value).strip()
        if not text:
            return None, f"{column}: blank, where each row needs the GSS code of its area"
        tail = ADDRESS_TAIL.match(text)
        code = (tail.group(1) if tail else text).upper()
        area = self.areas.get(code)
        if area is None:
            return None, f"{column}: {shown(value)} is not the code of one of the app's areas ({self._listed()})"
        return area, None

    def _column_in(self, values: dict[str, Any]) -> str | None:
        """The record's column named ``column``: exactly, else ignoring case and spaces around it."""
        key = tuple(values)
        if key not in self._columns:
            if len(self._columns) >= REMEMBERED_SETS:  # records of ever-changing columns (GeoJSON, say)
                self._columns.clear()
            if self.column in values:
                found: str | None = self.column
            else:
                wanted = self.column.strip().lower()
                found = next((name for name in key if name.strip().lower() == wanted), None)
            self._columns[key] = found
        return self._columns[key]

    def _listed(self) -> str:
        codes = sorted(self.areas)
        more = len(codes) - LISTED
        return ", ".join(codes[:LISTED]) + (f" and {more:,} more in [[areas]]" if more > 0 else "")


def give(feature: Feature, area: Area) -> None:
    """Set the feature's area fields, dropping any source columns of their names from its extra columns."""
    feature.properties[AREA_CODE], feature.properties[AREA_NAME] = area.code, area.name
    feature.extra.pop(AREA_CODE, None)
    feature.extra.pop(AREA_NAME, None)


def needed(filters: Filters, provenance: Provenance, settings: Settings) -> dict[str, Any]:
    """The filters less an area filter that every row of the collection meets, which the database need not check.

    A collection loaded for one area holds only that area's rows, so asking it
    for that area is asking for every row: without the filter the store
    counts from its catalogue instead of reading each row. A collection whose
    rows name their own areas (its load's area is the whole [place]) keeps
    the filter, which its index on area_code answers.
    """
    whole = provenance.area_code == settings.place.code and len(settings.all_areas) > 1
    if filters.get(AREA_CODE) is not None and filters[AREA_CODE] == provenance.area_code and not whole:
        return {name: value for name, value in filters.items() if name != AREA_CODE}
    return dict(filters)
