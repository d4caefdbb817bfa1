"""Heavy reads off the server's event loop: a thread with an event loop and a read engine of its own.

An analytics figure or a reorder plan is a few queries and then pandas and Python over thousands of
rows. Run on the server's loop, that work held every other request, /health included, until it was
done (23 s for the first product-level reorder plan of the demo data set). Here the server's loop only
waits on a future; the work, its queries and the building of its response run in the worker's thread.
At most `concurrency` pieces of work run at once, so a burst of cold requests queues here, not in
front of the server's other requests.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker

Result = TypeVar("Result")
Work = Callable[[AsyncSession], Awaitable[Result]]


class ReadWorker:
    """Runs `work(session)` on a session of its own engine, in its own thread, `concurrency` at a time.

    The engine reads only: on SQLite its transactions start deferred (a WAL reader, which never takes
    the write lock the server's own transactions take up front), on PostgreSQL it keeps a pool of
    `concurrency` connections beside the server's.
    """

    def __init__(self, settings: Settings, *, concurrency: int = 2) -> None:
        self.concurrency = concurrency
        self._engine = create_engine(settings, read_only=True, pool_size=concurrency)
        self._sessions = create_sessionmaker(self._engine)
        self._loop = asyncio.new_event_loop()
        self._limit: asyncio.Semaphore | None = None
        self._thread = threading.Thread(target=self._serve, name="read-worker", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._limit = asyncio.Semaphore(self.concurrency)
        self._loop.run_forever()
        self._loop.close()

    async def run(self, work: Work[Result]) -> Result:
        """`await work(session)` in the worker; cancelling the caller cancels the work."""
        future: Future[Result] = asyncio.run_coroutine_threadsafe(self._bounded(work), self._loop)
        return await asyncio.wrap_future(future)

    async def _bounded(self, work: Work[Result]) -> Result:
        assert self._limit is not None  # set before the loop runs anything
        async with self._limit, self._sessions() as session:
            return await work(session)

    async def close(self) -> None:
        """Dispose of the engine and stop the thread."""
        if not self._thread.is_alive():
            return
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._engine.dispose(), self._loop))
        self._loop.call_soon_threadsafe(self._loop.stop)
        await asyncio.to_thread(self._thread.join, 10)
