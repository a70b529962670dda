"""The docs about data sources and adapters say what the code does."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path

import pytest
from conftest import PROJECT_DIR

from {{ cookiecutter.package_name }} import adapters
from {{ cookiecutter.package_name }}.adapters.http import HttpOptions
from {{ cookiecutter.package_name }}.config import Source
from {{ cookiecutter.package_name }}.errors import SourceError

DOCS = PROJECT_DIR / "docs"


def section(text: str, heading: str) -> str:
    """The text under a Markdown heading, up to the next heading."""
    pattern = "^#+ " + re.escape(heading) + r"\n(.*?)(?=^#+ |\Z)"
    match = re.search(pattern, text, re.MULTILINE | re.DOTALL)
    assert match, f"no heading {heading!r}"
    return match.group(1)


def test_every_source_key_is_documented() -> None:
    keys = section((DOCS / "data-sources.md").read_text(encoding="utf-8"), "An entry")
    for key in Source.model_fields:
        assert f"| `{key}` |" in keys, key


@pytest.mark.parametrize("name", sorted(adapters.ADAPTERS))
def test_every_adapter_and_its_options_are_documented(name: str) -> None:
    text = section((DOCS / "data-sources.md").read_text(encoding="utf-8"), f"`{name}`")
    for option in adapters.ADAPTERS[name].Options.model_fields:
        if option not in HttpOptions.model_fields:
            assert f"| `{option}` |" in text, f"{name}: {option}"


@pytest.fixture
def example_adapter(monkeypatch: pytest.MonkeyPatch) -> type[adapters.Adapter]:
    """The worked example of docs/adapters.md, loaded as a module of the adapters package."""
    text = (DOCS / "adapters.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    module = types.ModuleType(f"{adapters.__name__}.json_files_example")
    module.__package__ = adapters.__name__
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(adapters, "ADAPTERS", dict(adapters.ADAPTERS))
    exec(compile(code, "docs/adapters.md", "exec"), module.__dict__)  # noqa: S102 (the project's own docs)
    return adapters.ADAPTERS["json"]


def test_the_worked_example_reads_records(example_adapter: type[adapters.Adapter], tmp_path: Path) -> None:
    (tmp_path / "toilets.json").write_text(json.dumps({"results": [{"LocationText": "Park"}, 3]}))
    spec = adapters.SourceSpec("toilets", "toilets.json", tmp_path)
    records = list(adapters.create("json", spec, {"records_key": "results"}).records())
    assert [(r.number, r.values, r.problem) for r in records] == [
        (1, {"LocationText": "Park"}, None),
        (2, {}, "the record is not a JSON object"),
    ]
    with pytest.raises(SourceError, match="Set records_key"):
        list(adapters.create("json", spec, {}).records())
    with pytest.raises(ValueError, match="record_key is not an option of the json adapter"):
        adapters.create("json", spec, {"record_key": "results"})
