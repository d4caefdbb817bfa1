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

from sqlalchemy import Update, bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import OutboxEvent
from app.models.base import utcnow
from app.streaming.backoff import Backoff

Publish = Callable[[dict[str, Any], str | None], Awaitable[None]]
BATCH = 200


class OutboxRelay:
    """Moves outbox rows to the bus. `wake()` after a commit that wrote events skips the polling wait.

    Without a wake-up it still looks for events that processes without a relay wrote (the command
    line's `train`, say): `poll_seconds` after it last published, then at doubling intervals up to
    `idle_poll_seconds`. An idle relay thus rarely queries the database: each look is a database
    round trip on the event loop, and on a slower machine two a second showed in the p99 of the
    requests they landed among.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        publish: Publish,
        *,
        poll_seconds: float = 0.5,
        idle_poll_seconds: float = 5.0,
    ) -> None:
        self._sessions = sessions
        self._publish = publish
        self._poll = poll_seconds
        self._idle_poll = max(idle_poll_seconds, poll_seconds)
        self.next_look_seconds = poll_seconds
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
            self.next_look_seconds = self._poll if published else min(self.next_look_seconds * 2, self._idle_poll)
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self.next_look_seconds)

    async def relay_once(self) -> int:
        """Publish one batch of waiting events in id order; returns how many were sent.

        The batch is claimed and marked sent in one statement, inside a transaction that commits
        only after the bus acknowledged the events: until then nobody sees the mark, and if a
        publish fails the rows from that one on are unmarked again before the commit.
        """
        async with self._sessions() as session:
            # Core statements on the session's connection: the ORM's execute adds nothing for them.
            connection = await session.connection()
            rows = sorted((await connection.execute(_CLAIM_BATCH, {"now": utcnow()})).all(), key=lambda row: row[0])
            sent = 0
            try:
                for _, payload, key in rows:
                    await self._publish(payload, key)
                    sent += 1
            finally:
                if sent < len(rows):
                    await connection.execute(_unclaim([row[0] for row in rows[sent:]], failed_id=rows[sent][0]))
                await session.commit()
            if sent:
                self.relayed += sent
                self.last_published_at = utcnow()
            return sent


_OUTBOX = OutboxEvent.__table__


def _claim_batch() -> Update:
    """Mark the oldest waiting events sent (at :now) and return them; on PostgreSQL skipping rows another
    relay holds. Built once: a statement built per call costs its construction and cache key every time."""
    waiting = (
        select(_OUTBOX.c.id)
        .where(_OUTBOX.c.published_at.is_(None))
        .order_by(_OUTBOX.c.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    return (
        update(_OUTBOX)
        .where(_OUTBOX.c.id.in_(waiting))
        .values(published_at=bindparam("now", type_=_OUTBOX.c.published_at.type))
        .returning(_OUTBOX.c.id, _OUTBOX.c.payload, _OUTBOX.c.partition_key)
    )


_CLAIM_BATCH = _claim_batch()


def _unclaim(ids: list[int], *, failed_id: int) -> Update:
    """Events the bus did not take wait again; the one it refused counts an attempt."""
    attempts = case((_OUTBOX.c.id == failed_id, _OUTBOX.c.attempts + 1), else_=_OUTBOX.c.attempts)
    return update(_OUTBOX).where(_OUTBOX.c.id.in_(ids)).values(published_at=None, attempts=attempts)


async def outbox_lag(session: AsyncSession) -> dict[str, Any]:
    """Events waiting to be published and the age of the oldest one."""
    waiting, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxEvent.occurred_at)).where(OutboxEvent.published_at.is_(None))
        )
    ).one()
    age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
    return {"waiting": int(waiting or 0), "oldest_waiting_seconds": round(max(age, 0.0), 3)}
