"""The outbox relay: publish waiting events in order, mark them sent only once the bus acknowledged them.

Every replica may run it. On PostgreSQL a batch is claimed with FOR UPDATE SKIP LOCKED, so
two relays never publish the same row; on SQLite the write transaction (BEGIN IMMEDIATE)
gives one relay at a time the batch. When the bus is down the rows stay unsent and the
relay retries with exponential backoff; requests that write events are not affected.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import OutboxEvent
from app.models.base import utcnow
from app.streaming.backoff import Backoff

Publish = Callable[[dict[str, Any], str | None], Awaitable[None]]
BATCH = 200


class OutboxRelay:
    """Moves outbox rows to the bus. `wake()` after a commit that wrote events skips the polling wait."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], publish: Publish, *, poll_seconds: float = 0.5
    ) -> None:
        self._sessions = sessions
        self._publish = publish
        self._poll = poll_seconds
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.relayed = 0
        self.failures = 0
        self.last_error: str | None = None
        self.last_published_at: datetime | None = None

    def wake(self) -> None:
        self._wakeup.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        backoff = Backoff(first=0.1, cap=10.0)
        while True:
            # Cleared before looking, not after: a commit landing while a batch is out sets it again and
            # is looked for at once, and a wake-up whose events were already in the batch costs no
            # second, empty query.
            self._wakeup.clear()
            try:
                published = await self.relay_once()
                backoff.reset()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.failures += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
                await backoff.wait("outbox relay", self.last_error)
                continue
            if published == BATCH:
                continue  # a full batch: more are waiting
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self._poll)

    async def relay_once(self) -> int:
        """Publish one batch of waiting events in id order; returns how many were sent."""
        async with self._sessions() as session:
            statement = (
                select(OutboxEvent.id, OutboxEvent.payload, OutboxEvent.partition_key)
                .where(OutboxEvent.published_at.is_(None))
                .order_by(OutboxEvent.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
            rows = (await session.execute(statement)).all()
            sent: list[int] = []
            try:
                for row_id, payload, key in rows:
                    await self._publish(payload, key)
                    sent.append(row_id)
            finally:
                # What the bus acknowledged is marked, even when a later row failed.
                if sent:
                    now = utcnow()
                    await session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(sent)).values(published_at=now))
                if len(sent) < len(rows):
                    failed_id = rows[len(sent)][0]
                    await session.execute(
                        update(OutboxEvent).where(OutboxEvent.id == failed_id).values(attempts=OutboxEvent.attempts + 1)
                    )
                await session.commit()
            if sent:
                self.relayed += len(sent)
                self.last_published_at = utcnow()
            return len(sent)


async def outbox_lag(session: AsyncSession) -> dict[str, Any]:
    """Events waiting to be published and the age of the oldest one."""
    waiting, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxEvent.occurred_at)).where(OutboxEvent.published_at.is_(None))
        )
    ).one()
    age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
    return {"waiting": int(waiting or 0), "oldest_waiting_seconds": round(max(age, 0.0), 3)}
