"""A cache of derived figures that is right on every replica without being told.

Every change to sales or stock writes an outbox event, and every load of history writes an
ingestion run, in the same transaction; the newest ids of both tables form a data version
that one cheap query reads (both are primary-key maxima). A cached figure is reused only
while the version it was computed at is still the current one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

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


class VersionedCache:
    """Bounded LRU of results keyed by (key, data version)."""

    def __init__(self, max_entries: int = 512) -> None:
        self._entries: OrderedDict[tuple[Hashable, DataVersion], object] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()

    async def get_or_compute(
        self, session: AsyncSession, key: Hashable, compute: Callable[[], Awaitable[Value]]
    ) -> Value:
        version = await data_version(session)
        entry_key = (key, version)
        with self._lock:
            if entry_key in self._entries:
                self._entries.move_to_end(entry_key)
                return self._entries[entry_key]  # type: ignore[return-value]
        value = await compute()
        with self._lock:
            self._entries[entry_key] = value
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


analytics_cache = VersionedCache()


async def cached(session: AsyncSession, key: Hashable, compute: Callable[[], Awaitable[Value]]) -> Value:
    """`compute()` at the current data version, from the process-wide analytics cache when possible."""
    return await analytics_cache.get_or_compute(session, key, compute)
