"""How long one request may work: a deadline the web app sets and every store query obeys.

No query plan can be proved cheap on every store and every question: a word
search with a point and a filter on millions of records, a deep offset on a
filtered field. So each request gets a deadline (``[server] request_seconds``)
and stops when it passes, or as soon as its client goes away: SQLite checks
it every few thousand steps of a query (a progress handler), PostgreSQL is
given the time left as its ``statement_timeout`` and is cancelled when the
client leaves. The request then ends with :class:`TooSlow`, a 503 that says
how to ask for less, and the server's threads are free for the next request.

The deadline travels in a context variable, which Starlette copies into the
thread that runs a request's handler, so the stores need no argument for it.
Work outside a request (an ingest, an export, a test) has no deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from .errors import ClientError

DEFAULT_REQUEST_SECONDS = 10.0
PACE = 1000  # items that paced() lets by between looks at the deadline

Item = TypeVar("Item")


class TooSlow(ClientError):
    """The request ran out of time, or its client left, so its work was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            503,
            "ServiceUnavailable",
            f"This request needed more than {seconds:g} seconds of work, so it was stopped. Ask for less at a "
            "time: a smaller area (bbox), fewer words or filters at once, or an earlier page (a smaller offset).",
        )
        self.seconds = seconds


@dataclass
class Deadline:
    """When a request's work must stop, and whether its client has gone."""

    seconds: float
    ends: float = 0.0
    gone: threading.Event = field(default_factory=threading.Event)
    _on_gone: list[Callable[[], object]] = field(default_factory=list)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.ends = time.monotonic() + self.seconds

    def passed(self) -> bool:
        """Whether the work must stop: the time is up or the client has gone."""
        return self.gone.is_set() or time.monotonic() >= self.ends

    def left(self) -> float:
        """Seconds left, at least 0."""
        return max(0.0, self.ends - time.monotonic())

    def check(self) -> None:
        """TooSlow if the work must stop; for loops in Python between queries."""
        if self.passed():
            raise TooSlow(self.seconds)

    def client_gone(self) -> None:
        """Note that the client went away, and run what stops work already under way (a query's cancel)."""
        with self._guard:
            self.gone.set()
            callbacks = list(self._on_gone)
        for callback in callbacks:
            callback()

    @contextmanager
    def stopping(self, cancel: Callable[[], object]) -> Iterator[None]:
        """Run ``cancel`` if the client goes while the block runs (at once if it has gone already)."""
        with self._guard:
            self._on_gone.append(cancel)
            gone = self.gone.is_set()
        if gone:
            cancel()
        try:
            yield
        finally:
            with self._guard:
                self._on_gone.remove(cancel)


CURRENT: ContextVar[Deadline | None] = ContextVar("deadline", default=None)


def current() -> Deadline | None:
    """The deadline of the request being answered, or None outside one."""
    return CURRENT.get()


@contextmanager
def within(seconds: float) -> Iterator[Deadline]:
    """Give the work in the block ``seconds`` to finish."""
    deadline = Deadline(seconds)
    token = CURRENT.set(deadline)
    try:
        yield deadline
    finally:
        CURRENT.reset(token)


def check() -> None:
    """TooSlow if the current request must stop; nothing outside a request."""
    deadline = current()
    if deadline is not None:
        deadline.check()


def paced(items: Iterable[Item]) -> Iterator[Item]:
    """The items, with a look at the current request's deadline every :data:`PACE` of them.

    For the work in Python after a query (building thousands of features from
    rows), which no database timeout sees.
    """
    for number, item in enumerate(items, 1):
        if number % PACE == 0:
            check()
        yield item
