"""The outbox relay: publish waiting events in order, mark them sent only once the bus acknowledged them.

Every replica may run it. On PostgreSQL a batch is claimed with FOR UPDATE SKIP LOCKED, so
two relays never publish the same row, and the claim is held while the bus takes the batch (one
pooled connection; requests use the others). SQLite has one writer at a time, and a process one
connection: a transaction held while a hung broker times out stalled every order behind it (5 s
each during a Kafka outage). There a relay takes its turn with an OS lock on a file beside the
database (the processes sharing a SQLite file share a machine), reads the batch, publishes it with
no transaction open, and marks what the bus took in a second, short one. When the bus is down the
rows stay unsent and the relay retries with exponential backoff; requests that write events are
not affected.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no flock; see _SqliteTurn
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Update, bindparam, case, func, select, update
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import metrics
from app.db.unit_of_work import UnitOfWork
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

    While events keep coming, batches start at least `batch_interval_seconds` apart, so that under
    load one batch carries the events of several orders: a batch is a transaction of its own, and
    one per order would cost more CPU than the order itself (bench.orders_throughput shows the CPU per
    order). A lone event, on a quiet system, is published at once; under load an event may wait up to
    the interval.
    """

    def __init__(
        self,
        work: UnitOfWork,
        publish: Publish,
        *,
        poll_seconds: float = 0.5,
        idle_poll_seconds: float = 5.0,
        batch_interval_seconds: float = 0.0,
    ) -> None:
        self._work = work
        self._publish = publish
        self._turn = _SqliteTurn.of(work.engine.url)
        self._poll = poll_seconds
        self._idle_poll = max(idle_poll_seconds, poll_seconds)
        self._batch_interval = batch_interval_seconds
        self.next_look_seconds = poll_seconds
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.relayed = 0
        self.batches = 0
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
        clock = asyncio.get_running_loop().time
        while True:
            # Cleared before looking, not after: a commit landing while a batch is out sets it again and
            # is looked for at once, and a wake-up whose events were already in the batch costs no
            # second, empty query.
            self._wakeup.clear()
            batch_started = clock()
            try:
                published = await self.relay_once()
                backoff.reset()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.failures += 1
                metrics.RELAY_FAILURES.inc()
                self.last_error = f"{type(exc).__name__}: {exc}"
                await backoff.wait("outbox relay", self.last_error)
                continue
            if published == BATCH:
                continue  # a full batch: more are waiting
            self.next_look_seconds = self._poll if published else min(self.next_look_seconds * 2, self._idle_poll)
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self.next_look_seconds)
            if (too_soon := batch_started + self._batch_interval - clock()) > 0:
                await asyncio.sleep(too_soon)  # wake-ups meanwhile join the next batch

    async def relay_once(self) -> int:
        """Publish one batch of waiting events in id order; returns how many were sent."""
        sent = await (self._relay_claimed_batch() if self._turn is None else self._relay_in_turn(self._turn))
        if sent:
            self.relayed += sent
            self.batches += 1
            metrics.RELAY_BATCHES.inc()
            self.last_published_at = utcnow()
        return sent

    async def _relay_claimed_batch(self) -> int:
        """PostgreSQL: the batch is claimed and marked sent in one statement, inside a transaction that
        commits only after the bus acknowledged the events: until then nobody sees the mark, and if a
        publish fails the rows from that one on are unmarked again before the commit."""
        sent: list[int] = []
        failure: BaseException | None = None
        async with self._work.begin() as transaction:
            rows = sorted(await transaction.all(_CLAIM_BATCH, {"now": utcnow()}), key=lambda row: row[0])
            try:
                await self._publish_in_order(rows, sent)
            except BaseException as error:  # even a cancellation commits what the bus already took
                failure = error
            if len(sent) < len(rows):
                waiting = [row[0] for row in rows[len(sent) :]]
                await transaction.execute(_unclaim(waiting, failed_id=waiting[0]), {})
        if failure is not None:
            raise failure
        return len(sent)

    async def _relay_in_turn(self, turn: _SqliteTurn) -> int:
        """SQLite: read the batch, publish it holding no transaction, then mark what the bus took."""
        with turn.taken() as mine:
            if not mine:
                return 0  # another process's relay is publishing: these rows are its to send
            async with self._work.reader() as session:
                rows = (await session.execute(_WAITING_BATCH)).all()
            sent: list[int] = []
            try:
                await self._publish_in_order(rows, sent)
            finally:
                waiting = [row[0] for row in rows[len(sent) :]]
                if rows:
                    async with self._work.begin() as transaction:
                        if sent:
                            await transaction.execute(_MARK_SENT, {"ids": sent, "now": utcnow()})
                        if waiting:
                            await transaction.execute(_unclaim(waiting, failed_id=waiting[0]), {})
            return len(sent)

    async def _publish_in_order(self, rows: Sequence[Any], sent: list[int]) -> None:
        """Publish rows (id, payload, key) one by one, adding each id to `sent` once the bus took it."""
        for row_id, payload, key in rows:
            await self._publish(payload, key)
            sent.append(row_id)


class _SqliteTurn:
    """Which relay publishes, among processes sharing one SQLite file: the one holding an exclusive
    flock on `<database>-relay.lock`, taken without waiting and only for one batch. The OS drops it
    with a process that dies. Without flock (Windows) only the process's own relay is excluded, and
    a second process on the same file may publish an event twice (the hub drops repeats by id)."""

    def __init__(self, lock_path: Path | None) -> None:
        self._lock_path = lock_path

    @classmethod
    def of(cls, url: URL) -> _SqliteTurn | None:
        if url.get_backend_name() != "sqlite":
            return None
        database = url.database
        shared = bool(database) and database != ":memory:" and fcntl is not None
        return cls(Path(f"{database}-relay.lock") if shared else None)

    @contextmanager
    def taken(self) -> Iterator[bool]:
        if self._lock_path is None:
            yield True
            return
        with self._lock_path.open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


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


_WAITING_BATCH = (
    select(_OUTBOX.c.id, _OUTBOX.c.payload, _OUTBOX.c.partition_key)
    .where(_OUTBOX.c.published_at.is_(None))
    .order_by(_OUTBOX.c.id)
    .limit(BATCH)
)
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    .values(published_at=bindparam("now", type_=_OUTBOX.c.published_at.type))
)


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
