"""A cache of derived figures that is right on every replica without being told.

Every change to sales or stock writes an outbox event, and every load of history writes an
ingestion run, in the same transaction; the newest ids of both tables form a data version
that one cheap query reads (both are primary-key maxima). A cached figure is reused only
while the version it was computed at is still the current one.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from functools import partial
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.reads import ReadWorker
from app.db.unit_of_work import Reader
from app.models import IngestionRun, OutboxEvent

Value = TypeVar("Value")
DataVersion = tuple[int, int]


async def data_version(session: AsyncSession) -> DataVersion:
    """(newest outbox id, newest ingestion run id): changes whenever sales, stock or forecasts change."""
    row = (
        await session.execute(
            select(
                select(func.max(OutboxEvent.id)).scalar_subquery(),
                select(func.max(IngestionRun.id)).scalar_subquery(),
            )
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def question_key(question: Callable[..., object]) -> Hashable:
    """What a question asks: its function, and the arguments a partial fixed (which must be hashable)."""
    if isinstance(question, partial):
        keywords = tuple(sorted(question.keywords.items()))
        return (*_function_name(question.func), question.args, keywords)
    return (*_function_name(question), (), ())


def _function_name(function: Callable[..., object]) -> tuple[str, str]:
    return function.__module__, function.__qualname__


class AnalyticsCache:
    """Derived figures per (question, data version), computed off the event loop, once per version.

    One per app (built by the lifespan). A miss runs `compute(session)` in the read worker, so the
    pandas and Python over many rows never hold the server's loop; concurrent requests for the same
    figure share one computation instead of queueing a copy each. A bounded LRU keeps the answers.
    """

    def __init__(self, reader: Reader, reads: ReadWorker, *, max_entries: int = 512) -> None:
        self._reader = reader
        self._reads = reads
        self._entries: OrderedDict[tuple[Hashable, DataVersion], object] = OrderedDict()
        self._running: dict[tuple[Hashable, DataVersion], asyncio.Future[object]] = {}
        self._max_entries = max_entries

    async def answer(self, question: Callable[[AsyncSession], Awaitable[Value]]) -> Value:
        """`question(session)` at the current data version, from memory when it was answered at it.

        `question` is a service function, or a `functools.partial` of one with its arguments: the cache
        key is the function and those arguments, so two routes cannot share a key by mistake and a new
        parameter can never be left out of it.
        """
        async with self._reader() as session:
            entry_key = (question_key(question), await data_version(session))
        if entry_key in self._entries:
            self._entries.move_to_end(entry_key)
            return self._entries[entry_key]  # type: ignore[return-value]
        running = self._running.get(entry_key)
        if running is None:
            running = asyncio.ensure_future(self._reads.run(question))
            self._running[entry_key] = running
            running.add_done_callback(partial(self._finished, entry_key))
        # Shielded: one caller going away must not cancel the others' computation.
        return await asyncio.shield(running)  # type: ignore[return-value]

    def _finished(self, entry_key: tuple[Hashable, DataVersion], running: asyncio.Future[object]) -> None:
        self._running.pop(entry_key, None)
        if running.cancelled() or running.exception() is not None:
            return
        self._entries[entry_key] = running.result()
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
