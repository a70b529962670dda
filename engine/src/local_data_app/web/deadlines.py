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

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import deadline


class Deadlines:
    """Pure ASGI middleware: every HTTP request within its deadline, stopped early when its client goes."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        inbox_in, inbox_out = anyio.create_memory_object_stream[Message](max_buffer_size=16)
        with deadline.within(self.seconds) as limit:

            async def watch() -> None:
                async with inbox_in:
                    while True:
                        message = await receive()
                        await inbox_in.send(message)
                        if message["type"] == "http.disconnect":
                            # In a thread: cancelling a PostgreSQL query waits on the network.
                            await anyio.to_thread.run_sync(limit.client_gone)
                            return

            async def relayed() -> Message:
                try:
                    return await inbox_out.receive()
                except anyio.EndOfStream:  # asked again after the disconnect: it is still gone
                    return {"type": "http.disconnect"}

            async with anyio.create_task_group() as task_group, inbox_out:
                task_group.start_soon(watch)
                try:
                    await self.app(scope, relayed, send)
                finally:
                    task_group.cancel_scope.cancel()
