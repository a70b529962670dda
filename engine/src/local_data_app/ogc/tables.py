"""Features as CSV: the schema's fields, the area fields, then id, position and (for near) distance.

The position is lon and lat (WGS84 degrees), or easting and northing (metres)
when the British National Grid is asked for with ``crs`` (see crs.py).

Text that a spreadsheet would run as a formula is written as text (see formulas.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any

from ..formulas import neutralised
from ..store import AREA_FIELDS, Feature
from .crs import DEFAULT, Crs, coordinates

Found = Sequence[tuple[Feature, float | None]]  # features with their distance in metres, for near


def csv_columns(
    fields: Sequence[dict[str, Any]],
    with_distance: bool,
    crs: Crs = DEFAULT,
    properties: Sequence[str] | None = None,
    skip_geometry: bool = False,
) -> list[str]:
    """The schema's fields, the area fields every record carries, then id, position and (for near) distance.

    ``properties`` keeps only those fields (the id stays); ``skip_geometry`` leaves out the position.
    """
    names = [spec["name"] for spec in [*fields, *AREA_FIELDS]]
    if properties is not None:
        names = [name for name in names if name in properties]
    position = () if skip_geometry else crs.columns
    columns = names + [name for name in ("id", *position) if name not in names]
    return [*columns, "distance"] if with_distance else columns


def csv_rows(
    fields: Sequence[dict[str, Any]],
    found: Found,
    with_distance: bool,
    crs: Crs = DEFAULT,
    properties: Sequence[str] | None = None,
    skip_geometry: bool = False,
) -> Iterator[list[Any]]:
    columns = csv_columns(fields, with_distance, crs, properties, skip_geometry)
    x_column, y_column = crs.columns
    positions = coordinates(crs, [feature for feature, _ in found])
    for (feature, metres), position in zip(found, positions, strict=True):
        x, y = (None, None) if position is None else (position[::-1] if crs.lat_first else position)
        values = {**feature.properties, "id": feature.id, x_column: x, y_column: y}
        if with_distance and metres is not None:
            values["distance"] = round(metres, 1)
        yield [csv_value(values.get(column)) for column in columns]


def csv_value(value: Any) -> Any:
    """Booleans as true and false (Table Schema's default words), missing values as empty cells, text formula-safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralised(value)
    return value


def csv_text(
    fields: Sequence[dict[str, Any]],
    found: Found,
    with_distance: bool,
    crs: Crs = DEFAULT,
    properties: Sequence[str] | None = None,
    skip_geometry: bool = False,
) -> str:
    """A header row, then one row per feature, with CRLF line ends as RFC 4180 has them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_columns(fields, with_distance, crs, properties, skip_geometry))
    writer.writerows(csv_rows(fields, found, with_distance, crs, properties, skip_geometry))
    return buffer.getvalue()
