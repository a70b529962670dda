"""Helpers for the tests of `check`: a copy of this project to change, its place.toml, and local web servers.

The tests of the checks work on a copy, never on the project itself: what the
team has done to its own files since (new sources, answers, code) is for the
`check` command to judge, and the tests judge the checks.
"""

from __future__ import annotations

import socket
import threading
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from conftest import PROJECT_DIR, toml_text

from local_data_app import testing
from local_data_app.checks import Project, checklist, datapackage


def copy_project(destination: Path) -> Path:
    """A copy of the generated project's own files at ``destination``."""
    return testing.copy_project(PROJECT_DIR, destination)


def fresh_copy(destination: Path) -> Path:
    """A copy whose one source is the shipped sample data, with its generated files written for that.

    So the copy is as a freshly generated project would be, whatever sources
    and answers the project has now.
    """
    copy_project(destination)
    (sample,) = sorted((destination / "data" / "sample").glob("*.csv"))

    def sample_only(values: dict[str, Any]) -> None:
        name = values["sources"][0]["name"] if values.get("sources") else "sample"
        values["sources"] = [{"name": name, "adapter": "csv", "location": f"data/sample/{sample.name}"}]

    change_config(destination, sample_only)
    project = Project.find(destination / "place.toml")
    datapackage.write(project)
    checklist.write(destination)
    return destination


def change_config(project_dir: Path, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Rewrite a project's place.toml after ``change`` has edited its values; returns the values."""
    path = project_dir / "place.toml"
    values = tomllib.loads(path.read_text(encoding="utf-8"))
    change(values)
    path.write_text(toml_text(values), encoding="utf-8")
    return values


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace text that must be in the file (so a test never passes by changing nothing)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    """The number of the first line of a file that holds ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path.name}")


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve a folder's files over HTTP on 127.0.0.1; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
