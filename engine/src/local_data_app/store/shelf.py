"""Answers a store's reading threads share, kept by key until they weigh too much, the least recently used out first.

A loaded table never changes (a load makes a new one), so what is read from
one, keyed by its name, never goes stale: a shelf only has to bound how much
it keeps. The lock is held for dictionary work alone, never while an answer
is made, so a thread never waits on another's query; two threads making the
same answer at once both make it, a waste rather than an error. A shelf of
answers that each take a pass over a table (PostgreSQL's counts of a whole
collection) is given a ``patience`` instead: a thread asking for an answer
another is making waits for it, for as long as its request may, rather than
making it too, so a burst of the same first request makes it once.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Shelf(Generic[V]):
    """Answers by key, weighing at most ``most`` in all (each ``weight(answer)``) and at most ``most_keys`` of them."""

    def __init__(
        self,
        most: int,
        weight: Callable[[V], int] = lambda _: 1,
        most_keys: int | None = None,
        patience: Callable[[], float | None] | None = None,
    ) -> None:
        """``patience``, if given, says how many seconds the asking thread may wait for an answer another thread
        is making (None: until it is made); without it, each thread makes its own."""
        self.most, self.weight, self.most_keys = most, weight, most if most_keys is None else most_keys
        self.patience = patience
        self._kept: OrderedDict[Hashable, V] = OrderedDict()
        self._making: dict[Hashable, threading.Event] = {}  # with patience: the answers being made, by key
        self._weighs = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The answer kept for ``key``, or ``make()``'s, kept for next time.

        With patience, a thread finding the answer being made waits for it;
        should the maker fail, one of the waiters makes it next, and one whose
        wait outlasts its patience makes its own.
        """
        patience = self.patience
        while True:
            with self._lock:
                if key in self._kept:
                    self._kept.move_to_end(key)
                    return self._kept[key]
                making = self._making.get(key) if patience is not None else None
                mine = patience is not None and making is None
                if mine:
                    making = self._making[key] = threading.Event()
            if mine or patience is None or making is None or not making.wait(patience()):
                break
            # Made (the next pass finds it kept) or failed (the next pass may make it)
        try:
            answer = make()
            self._keep(key, answer)
        finally:
            if mine and making is not None:
                with self._lock:
                    del self._making[key]
                making.set()
        return answer

    def _keep(self, key: Hashable, answer: V) -> None:
        """Keep ``answer`` for ``key`` (unless one is kept already), dropping the least recently used past the
        bounds."""
        with self._lock:
            if key not in self._kept:
                self._kept[key] = answer
                self._weighs += self.weight(answer)
                while self._kept and (self._weighs > self.most or len(self._kept) > self.most_keys):
                    _, dropped = self._kept.popitem(last=False)
                    self._weighs -= self.weight(dropped)

    def kept(self, key: Hashable) -> V | None:
        """The answer kept for ``key``, or None, without making one."""
        with self._lock:
            return self._kept.get(key)

    @property
    def weighs(self) -> int:
        """What the answers kept weigh in all."""
        return self._weighs

    def __len__(self) -> int:
        return len(self._kept)


def unless_stopped(shelf: Shelf[V], stopped: Shelf[bool], key: Hashable, make: Callable[[], V]) -> V | None:
    """``shelf``'s answer for ``key``, made if need be; None, without trying, once making it was stopped part way.

    A read stopped by its request's deadline (SQLite's progress handler
    interrupts it) would be stopped again in each request that tried it
    under the same load, spending its time on nothing. The request that
    stopped fails as before; later ones go their way without the answer.
    """
    if stopped.kept(key):
        return None
    try:
        return shelf.get(key, make)
    except sqlite3.OperationalError:
        stopped.get(key, lambda: True)
        raise
