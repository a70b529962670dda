"""The worker threads a process's requests run in, as many as its store reads at once.

Each route is a plain function, run by Starlette in one of anyio's worker
threads: 40 of them unless told otherwise. Python runs one thread at a time,
and every SQLite query lets go of its lock and then waits to take it back,
so with 16 requests open 16 threads queued for it after each query, and a
page of 50 features took longer under load than one after another. On the
1,000,000-record benchmark at 16 connections, on two cores, bbox pages went
from about 320 to 520 a second, with a p99 from 150 to 41 ms, when the
threads were two (docs/performance.md). So the threads are ``[server]
threads``, or else the store's ``reads_at_once``: the usable cores for
SQLite, whose reads run in this process; the read connections for
PostgreSQL, since a thread more would only wait for one.

With few threads, a slow request holds one until its deadline, and the rest
wait their turn, their deadlines running (deadlines.py). The health checks
and the news that a client has gone must not wait behind them: a load
balancer would take a busy server for a dead one, and a query whose client
has gone would run on. They run :func:`aside`, in threads of their own.

Handing a request to a thread and back costs more than the work of the
cheapest ones: an item, one row found by its key. On SQLite, whose reads run
in this process and take microseconds, :func:`brief` runs such work on the
event loop itself: items at 16 connections went from about 1,200 to 1,700 a
second. Only work whose cost is bounded belongs there: anything that may
read many rows (a box, a filter, a search) keeps its thread, since on the
loop it would hold up every other request. On PostgreSQL, whose reads wait
on the network, :func:`brief` uses a thread too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

from ..store import Store

T = TypeVar("T")

ASIDE_THREADS = 2  # for health checks and clients gone: never more than a few at once
_ASIDE: RunVar[CapacityLimiter] = RunVar("local_data_app_aside")


def size(threads: int) -> None:
    """Let ``threads`` requests work at once in this event loop's worker threads (from the app's startup)."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads


async def aside(work: Callable[..., T], *args: object) -> T:
    """Run ``work`` in a worker thread of its own, whether or not every request thread is busy."""
    try:
        limiter = _ASIDE.get()
    except LookupError:  # a limiter belongs to one event loop: made in the first that asks
        limiter = CapacityLimiter(ASIDE_THREADS)
        _ASIDE.set(limiter)
    return await anyio.to_thread.run_sync(work, *args, limiter=limiter)


async def brief(store: Store, work: Callable[..., T], *args: object) -> T:
    """Run ``work``, which reads no more than one row by its key, at once on SQLite, in a worker thread otherwise."""
    if store.reads_in_process:
        return work(*args)
    return await anyio.to_thread.run_sync(work, *args)
