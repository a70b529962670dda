"""The quality of each source's data, measured as it loads and kept with the load.

Residents, other councils and aggregators cannot read ``data/rejects/<source>.csv``
on the server, so ingest measures what a load was like while it runs
(:class:`Measure`): which reasons rejected rows and how often, with a few
example row numbers (as the rejects file gives them), how many loaded rows
have a value in each schema field, and the first and last date in each date
field. The measure is stored as JSON in the load's provenance, committed in
the same transaction as the data, so every app process behind a load balancer
reads the same one, and a failed load leaves the previous load's measure with
its data. A load made by a version that did not measure has none: its quality
is "not measured" until it is loaded again.

:func:`quality_of` reads a provenance's measure back as a :class:`Quality`,
with its status in plain words; the page (web/quality_pages.py), the API's
JSON document (ogc/quality.py), the static export and the ``quality`` check
all show that one reading.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Literal

from .normalise import Rejection
from .store import Feature, Provenance

VERSION = 1  # of the stored measure's shape
SHOWN_REASONS = 10  # the commonest reasons a measure keeps
EXAMPLE_ROWS = 3  # row numbers kept for each reason
KEPT_REASONS = 1_000  # distinct reasons counted at most during a load (see Measure._forget_rarest)
LONGEST_REASON = 300  # characters of a reason kept (a reason can quote a long cell)
GOOD_SHARE = 0.01  # rejected share of rows read up to which a load is "good"
WARN_SHARE = 0.05  # ... and above which it is "poor": the quality check warns
DATE_TYPES = frozenset({"date", "datetime"})
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # how a date field's values start once normalised

Status = Literal["good", "fair", "poor", "not measured"]


class Measure:
    """What one load's rows were like, gathered batch by batch while the load runs."""

    def __init__(self, fields: Sequence[Mapping[str, Any]]) -> None:
        self.names = [spec["name"] for spec in fields]
        self.dated = [spec["name"] for spec in fields if spec.get("type") in DATE_TYPES]
        self.reasons: Counter[str] = Counter()
        self.examples: dict[str, list[int]] = {}
        self.other_reasons = 0  # rows given a reason once KEPT_REASONS distinct ones were counted
        self.filled = dict.fromkeys(self.names, 0)
        self.dates: dict[str, list[str]] = {}

    def add(self, features: Sequence[Feature], rejections: Sequence[Rejection]) -> None:
        """Count a batch: its rejections' reasons, and its loaded features' values."""
        for rejection in rejections:
            for text in dict.fromkeys(rejection.reasons):  # a reason counts once per row
                reason = text if len(text) <= LONGEST_REASON else text[: LONGEST_REASON - 3] + "..."
                if reason not in self.reasons and len(self.reasons) >= KEPT_REASONS:
                    self._forget_rarest()
                self.reasons[reason] += 1
                rows = self.examples.setdefault(reason, [])
                if len(rows) < EXAMPLE_ROWS:
                    rows.append(rejection.row)
        if not features:
            return
        for name, values in zip(self.names, self._columns(features), strict=True):
            self.filled[name] += len(values) - values.count(None)
            if name in self.dated:
                self._note_dates(name, values)

    def _columns(self, features: Sequence[Feature]) -> list[Sequence[Any]]:
        """Each schema field's values in these features, in the fields' order (None where a feature has none).

        Taken row by row with one ``itemgetter`` and turned into columns by
        ``zip``, both in C, rather than one lookup per field per feature.
        """
        names = self.names
        if len(names) > 1:
            try:
                return list(zip(*map(itemgetter(*names), [feature.properties for feature in features]), strict=True))
            except KeyError:  # a feature without some field: looked up one by one below
                pass
        return [[feature.properties.get(name) for feature in features] for name in names]

    def _forget_rarest(self) -> None:
        """Keep the commonest half of the reasons counted, the others' rows counted as other reasons from now.

        So memory stays bounded on a file whose every row is rejected for a
        reason quoting its own value, while a reason common later in the file
        still gets in.
        """
        kept = dict(self.reasons.most_common(KEPT_REASONS // 2))
        self.other_reasons += sum(self.reasons.values()) - sum(kept.values())
        self.reasons = Counter(kept)
        self.examples = {reason: self.examples[reason] for reason in kept}

    def _note_dates(self, name: str, values: Sequence[Any]) -> None:
        dates = [value for value in values if isinstance(value, str) and ISO_DATE.match(value)]
        if not dates:
            return
        first, last = min(dates), max(dates)
        known = self.dates.get(name)
        self.dates[name] = [min(first, known[0]), max(last, known[1])] if known else [first, last]

    def stored(self, remote: dict[str, Any] | None = None) -> str:
        """The measure as the store keeps it: compact JSON, bounded in size whatever the data held.

        ``remote`` is the quality the source's own app reports of its data
        (see :func:`remote_quality`), kept beside this app's measure.
        """
        commonest = self.reasons.most_common(SHOWN_REASONS)
        listed = {reason for reason, _ in commonest}
        others = self.other_reasons + sum(rows for reason, rows in self.reasons.items() if reason not in listed)
        return json.dumps(
            {
                "version": VERSION,
                "reasons": [[reason, rows, self.examples[reason]] for reason, rows in commonest],
                "otherReasons": others,
                "filled": self.filled,
                "dates": self.dates,
                **({"remote": remote} if remote else {}),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )


@dataclass(frozen=True)
class Reason:
    """A reason rows were rejected, as the rejects file gives it, how many rows gave it and some of their numbers."""

    reason: str
    rows: int
    example_rows: list[int]


@dataclass(frozen=True)
class Completeness:
    """How many loaded rows have a value in a schema field, and that as a share of the rows loaded."""

    field: str
    title: str
    rows: int
    share: float


@dataclass(frozen=True)
class DateRange:
    """The first and last date in a date field of the loaded rows (ISO 8601)."""

    field: str
    title: str
    first: str
    last: str


@dataclass(frozen=True)
class Quality:
    """One collection's quality: its load's counts, and what was measured of it (nothing for an older load)."""

    provenance: Provenance
    measured: bool
    status: Status
    summary: str  # the status in plain words, such as "Good: 4,995 of 5,000 rows loaded; 5 rejected ..."
    reasons: list[Reason] = field(default_factory=list)
    other_reasons: int = 0  # rows given a reason not listed (counted once per reason)
    completeness: list[Completeness] = field(default_factory=list)
    dates: list[DateRange] = field(default_factory=list)
    remote: dict[str, Any] | None = None  # what the source's own app reports of its data (remote_quality's shape)

    @property
    def rejected_share(self) -> float:
        read = self.provenance.rows_read
        return self.provenance.rows_rejected / read if read else 0.0


def quality_of(provenance: Provenance, fields: Sequence[Mapping[str, Any]]) -> Quality:
    """A collection's quality, from its provenance and the schema's fields (for their titles and order)."""
    stored = _read(provenance.quality)
    if stored is None:
        return Quality(provenance, False, "not measured", not_measured_words(provenance))
    reasons = [
        Reason(str(reason), int(rows), [int(row) for row in examples]) for reason, rows, examples in stored["reasons"]
    ]
    titles = {spec["name"]: spec.get("title") or spec["name"] for spec in fields}
    filled: dict[str, int] = stored.get("filled", {})
    loaded = provenance.rows_loaded
    completeness = [
        Completeness(name, titles.get(name, name), int(filled[name]), filled[name] / loaded if loaded else 0.0)
        for name in [*(name for name in titles if name in filled), *(name for name in filled if name not in titles)]
    ]
    dates = [DateRange(name, titles.get(name, name), first, last) for name, (first, last) in stored["dates"].items()]
    status = status_of(provenance)
    return Quality(
        provenance,
        True,
        status,
        status_words(provenance, status, reasons),
        reasons,
        int(stored.get("otherReasons", 0)),
        completeness,
        dates,
        stored.get("remote"),
    )


def status_of(provenance: Provenance) -> Status:
    """Good when at most 1% of the rows read were rejected, fair up to 5%, poor above."""
    read, rejected = provenance.rows_read, provenance.rows_rejected
    share = rejected / read if read else 0.0
    if share <= GOOD_SHARE:
        return "good"
    return "fair" if share <= WARN_SHARE else "poor"


def status_words(provenance: Provenance, status: Status, reasons: Sequence[Reason]) -> str:
    """The status as a resident reads it: ``Good: 4,995 of 5,000 rows loaded; 5 rejected, most for ...``."""
    read, loaded, rejected = provenance.rows_read, provenance.rows_loaded, provenance.rows_rejected
    word = status.capitalize()
    if not rejected:
        return f"{word}: all {rows(loaded)} loaded; none rejected."
    why = f', most often for "{reasons[0].reason}"' if reasons else ""
    share = f" ({rejected / read:.0%})" if status == "poor" and read else ""
    return f"{word}: {loaded:,} of {rows(read)} loaded; {rejected:,} rejected{share}{why}."


def not_measured_words(provenance: Provenance) -> str:
    return (
        f"Not measured: {provenance.rows_loaded:,} of {rows(provenance.rows_read)} loaded, "
        f"{provenance.rows_rejected:,} rejected. This data was loaded before the app measured its quality; "
        "the next ingest measures it."
    )


def remote_quality(document: Any) -> dict[str, Any] | None:
    """The parts of another app's quality document (as ogc/quality.py writes it) kept with a load; None if not one.

    An aggregator reading a council's app through the ``ogcapi`` adapter keeps
    what that app says of its own data, beside its own measure of what it read.
    The document comes from another server, so only known members of the
    right types are kept, each bounded in length and number; the page shows
    them as text.
    """
    if not isinstance(document, dict):
        return None
    counts = [document.get(name) for name in ("rowsRead", "rowsLoaded", "rowsRejected")]
    if not all(isinstance(number, int) and not isinstance(number, bool) and number >= 0 for number in counts):
        return None
    kept: dict[str, Any] = dict(zip(("rowsRead", "rowsLoaded", "rowsRejected"), counts, strict=True))
    for name in ("status", "summary", "fetchedAt"):
        value = document.get(name)
        if isinstance(value, str) and value.strip():
            kept[name] = _bounded(value)
    reasons = []
    for entry in document.get("reasons") if isinstance(document.get("reasons"), list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("reason"), str):
            continue
        rows_given = entry.get("rows")
        if not isinstance(rows_given, int) or isinstance(rows_given, bool):
            continue
        examples = entry.get("exampleRows") if isinstance(entry.get("exampleRows"), list) else []
        shown = [row for row in examples if isinstance(row, int) and not isinstance(row, bool)][:EXAMPLE_ROWS]
        reasons.append({"reason": _bounded(entry["reason"]), "rows": rows_given, "exampleRows": shown})
        if len(reasons) == SHOWN_REASONS:
            break
    kept["reasons"] = reasons
    return kept


def _bounded(text: str) -> str:
    """A remote text on one line, at most LONGEST_REASON characters."""
    text = " ".join(text.split())
    return text if len(text) <= LONGEST_REASON else text[: LONGEST_REASON - 3] + "..."


def rows(number: int) -> str:
    return f"{number:,} row{'' if number == 1 else 's'}"


def _read(text: str | None) -> dict[str, Any] | None:
    """The stored measure, or None when there is none (or it is of a shape this version does not know)."""
    if not text:
        return None
    try:
        stored = json.loads(text)
    except ValueError:
        return None
    if not isinstance(stored, dict) or stored.get("version") != VERSION:
        return None
    return stored
