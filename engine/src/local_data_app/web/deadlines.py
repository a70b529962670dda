"""Each request's deadline (see :mod:`local_data_app.deadline`), and the news that its client has gone.

A handler runs in a worker thread, and nothing stops that thread when the
client hangs up: 13 abandoned word searches once kept a server's two cores
busy for minutes. This middleware gives every request ``[server]
request_seconds`` and reads the ASGI messages on the request's behalf, so that
it sees the ``http.disconnect`` the server sends when the client goes; the
deadline is then marked gone, which stops the request's queries at their next
look (SQLite) or cancels them on the server (PostgreSQL). The app reads the
same messages, in order, from a queue.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import deadline
from . import workers

INBOX = 16  # messages read ahead of the app (a long body's parts), before the watch waits for it to catch up
DISCONNECT: Message = {"type": "http.disconnect"}


class Deadlines:
    """Pure ASGI middleware: every HTTP request within its deadline, stopped early when its client goes.

    The watch is a plain asyncio task with a queue rather than an anyio task
    group and memory stream: those cost about 0.45 ms a request, a quarter of
    the time an item took (docs/performance.md). uvicorn runs on asyncio.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        inbox: asyncio.Queue[Message] = asyncio.Queue(INBOX)
        ended = False  # the disconnect is in the inbox: nothing follows it
        with deadline.within(self.seconds) as limit:

            async def watch() -> None:
                nonlocal ended
                while True:
                    message = await receive()
                    await inbox.put(message)
                    if message["type"] == "http.disconnect":
                        ended = True
                        # In a thread: cancelling a PostgreSQL query waits on the network. One of its own, so
                        # that it need not wait for the request threads, which may all be busy (workers.py).
                        await workers.aside(limit.client_gone)
                        return

            async def relayed() -> Message:
                if ended and inbox.empty():  # asked again after the disconnect: it is still gone
                    return DISCONNECT
                return await inbox.get()

            watcher = asyncio.get_running_loop().create_task(watch())
            try:
                await self.app(scope, relayed, send)
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
