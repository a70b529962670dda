"""Helpers for tests, the engine's and a project's own: a copy of a project, a served app, a GET that never raises.

A generated project's tests import these, so the way an app is served on
127.0.0.1 in a test is written once and kept up to date with the engine.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

# What a copy leaves out: version control, environments, caches, local settings and data the app writes.
SKIPPED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".env", "*.db*", "rejects", "build", "dist"
)


def copy_project(source: Path, destination: Path) -> Path:
    """A copy of a project's own files at ``destination``, without its environment, database or rejects."""
    shutil.copytree(source, destination, ignore=SKIPPED)
    return destination


@contextmanager
def running(app: FastAPI) -> Iterator[str]:
    """Serve an app with uvicorn on a free port of 127.0.0.1 in a thread; yields its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws="none", server_header=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@dataclass
class Answer:
    """A response: its status, headers and body."""

    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def get(url: str, method: str = "GET", **headers: str) -> Answer:
    """Ask a test server on 127.0.0.1 for a URL (GET, or ``method``) with these headers, whatever its status.

    urllib asks for no compression unless an ``Accept-Encoding`` header is given.
    """
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"get() is for test servers on 127.0.0.1, not {url!r}")
    request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310 (a test server on 127.0.0.1)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, error.headers, error.read())
