"""The API's JSON answers, written with orjson rather than the standard library's encoder.

A page of 50 GeoJSON features took about 1.5 ms to write with ``json.dumps``
and 0.17 ms with orjson, byte for byte the same (docs/performance.md): the
largest single cost of an items request after building its features. orjson
writes floats as ``repr`` does (the shortest text that reads back as the same
float), non-ASCII text as UTF-8 rather than escapes, and no spaces, as
Starlette's JSONResponse does. Where they differ it cannot matter here: a
number that is not finite (which ingest never stores) becomes ``null`` rather
than failing the request.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class FastJSONResponse(JSONResponse):
    """A JSONResponse written by orjson (keys that are not text are written as text, as ``json`` does)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
