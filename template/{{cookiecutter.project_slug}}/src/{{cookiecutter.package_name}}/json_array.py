"""A source adapter of this project's own: JSON files holding an array of records, such as a portal's JSON export.

It is registered in pyproject.toml under ``local_data_app.adapters`` as
``json_array``, the name a [[sources]] entry's ``adapter`` uses, exactly as the
engine registers its built-in adapters. Copy it to add another kind of source;
docs/adapters.md walks through it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from local_data_app.adapters import RawRecord
from local_data_app.adapters.http import HttpOptions
from local_data_app.adapters.local_or_remote import FileAdapter, local_copy
from local_data_app.errors import SourceError


class JsonArrayOptions(HttpOptions):
    """The options beside a source's common keys: HTTP's timeout, retries and backoff, and where the array is."""

    records_key: str | None = None  # the key holding the array, when the file is an object


class JsonArrayAdapter(FileAdapter):
    """Reads a JSON array of objects, one record per object, from a file or a URL.

    As a FileAdapter it has a content digest for a file on disk, so ingest skips
    the file while it, its place.toml entry and this project's version are unchanged.
    """

    name = "json_array"
    Options = JsonArrayOptions
    options: JsonArrayOptions

    def records(self) -> Iterator[RawRecord]:
        with local_copy(self.source, self.options, ".json") as path:
            try:
                document = json.loads(path.read_text(encoding="utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise SourceError(f"Source {self.source.name!r}: {path.name} is not valid JSON ({error}).") from error
        key = self.options.records_key
        items = document.get(key) if key and isinstance(document, dict) else document
        if not isinstance(items, list):
            where = f" under {key!r}" if key else ""
            raise SourceError(
                f"Source {self.source.name!r}: expected a JSON array of records{where}. "
                "Set records_key to the key that holds the array."
            )
        self.total = len(items)
        for number, item in enumerate(items, start=1):
            if isinstance(item, dict):
                yield RawRecord(number, item)
            else:
                yield RawRecord(number, {}, problem="the record is not a JSON object")
