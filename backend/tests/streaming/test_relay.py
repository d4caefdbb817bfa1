"""The outbox relay on a real database: events nobody woke it for are still published, and an idle
relay looks for them less and less often."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.core.db import create_engine
from app.db.unit_of_work import UnitOfWork
from app.models import OutboxEvent
from app.streaming.relay import OutboxRelay
from tests.support.databases import TestDatabase, fresh_test_database
from tests.support.environment import POSTGRES_URL


@pytest.fixture
async def own_database(backend: str, workdir: Path) -> AsyncIterator[TestDatabase]:
    """A database no app server's relay reads, so only the relay under test takes its events."""
    async with fresh_test_database(backend, workdir=workdir, postgres_url=POSTGRES_URL) as database:
        yield database


async def write_event(database: TestDatabase, key: str) -> None:
    """An event committed the way a process without a relay writes one: nobody wakes the relay."""
    async with database.sessions() as session:
        session.add(
            OutboxEvent(event_id=str(uuid.uuid4()), event_type="stock.updated", partition_key=key, payload={"sku": key})
        )
        await session.commit()


def collect(published: list[dict[str, Any]]):
    """The bus, as the relay sees it: acknowledges every envelope at once."""

    async def publish(envelope: dict[str, Any], key: str | None) -> None:
        published.append(envelope)

    return publish


async def wait_for(condition, within: float) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_an_idle_relay_backs_off_yet_still_publishes_what_it_was_not_told_about(
    own_database: TestDatabase,
) -> None:
    published: list[dict[str, Any]] = []
    relay = OutboxRelay(
        own_database.work,
        collect(published),
        poll_seconds=0.05,
        idle_poll_seconds=0.2,
    )
    relay.start()
    try:
        # Nothing to publish: the wait doubles from 0.05 s and stops at 0.2 s.
        await wait_for(lambda: relay.next_look_seconds == 0.2, within=2.0)
        assert relay.relayed == 0

        await write_event(own_database, "A")
        await wait_for(lambda: len(published) == 1, within=2.0)
        assert published[0]["sku"] == "A"
        # Having published, it looks again soon: more may follow what it just found.
        await wait_for(lambda: relay.next_look_seconds == 0.05, within=1.0)
    finally:
        await relay.stop()
    unsent = await own_database.scalar("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
    assert unsent == 0


async def test_a_wake_up_is_answered_at_once_however_long_the_idle_wait(own_database: TestDatabase) -> None:
    published: list[dict[str, Any]] = []
    relay = OutboxRelay(own_database.work, collect(published), poll_seconds=60, idle_poll_seconds=600)
    relay.start()
    try:
        await wait_for(lambda: relay.next_look_seconds == 120, within=5.0)  # its first look found nothing
        await write_event(own_database, "B")
        relay.wake()
        await wait_for(lambda: len(published) == 1, within=10.0)  # not the two minutes it would otherwise wait
    finally:
        await relay.stop()


async def test_events_that_keep_coming_wait_for_the_batch_interval_and_share_a_batch(
    own_database: TestDatabase,
) -> None:
    published: list[dict[str, Any]] = []
    relay = OutboxRelay(
        own_database.work,
        collect(published),
        poll_seconds=60,
        idle_poll_seconds=600,
        batch_interval_seconds=2.0,
    )
    relay.start()
    try:
        await wait_for(lambda: relay.next_look_seconds == 120, within=5.0)  # its first look found nothing
        # Within 2 s of that look: the next batch waits for the interval, then takes both.
        await write_event(own_database, "A")
        relay.wake()
        await asyncio.sleep(0.3)  # without the interval, A would have gone alone by now
        assert published == []
        await write_event(own_database, "B")
        relay.wake()
        await wait_for(lambda: relay.relayed == 2, within=10.0)  # counted once the batch is marked sent
    finally:
        await relay.stop()
    assert [event["sku"] for event in published] == ["A", "B"]
    assert relay.batches == 1


async def test_what_the_bus_refused_waits_for_the_next_batch_and_counts_an_attempt(own_database: TestDatabase) -> None:
    for key in ("A", "B", "C"):
        await write_event(own_database, key)
    published: list[dict[str, Any]] = []
    acknowledge = collect(published)

    async def refuse_b(envelope: dict[str, Any], key: str | None) -> None:
        if envelope["sku"] == "B":
            raise ConnectionError("bus down")
        await acknowledge(envelope, key)

    relay = OutboxRelay(own_database.work, refuse_b)
    with pytest.raises(ConnectionError):
        await relay.relay_once()
    assert [event["sku"] for event in published] == ["A"]
    rows = await own_database.rows("SELECT partition_key, published_at IS NOT NULL, attempts FROM outbox ORDER BY id")
    assert rows == [("A", True, 0), ("B", False, 1), ("C", False, 0)]

    relay = OutboxRelay(own_database.work, acknowledge)  # the bus is back
    assert await relay.relay_once() == 2
    assert [event["sku"] for event in published] == ["A", "B", "C"]
    assert await relay.relay_once() == 0


async def test_writes_go_on_while_the_bus_hangs_on_a_batch(own_database: TestDatabase) -> None:
    # A broker that stops answering holds a publish until its timeout. On SQLite the relay used to hold
    # the process's one connection and the write lock meanwhile: every order waited behind it.
    await write_event(own_database, "A")
    hanging, release = asyncio.Event(), asyncio.Event()
    published: list[dict[str, Any]] = []
    acknowledge = collect(published)

    async def hang_until_released(envelope: dict[str, Any], key: str | None) -> None:
        hanging.set()
        await release.wait()
        await acknowledge(envelope, key)

    relay = OutboxRelay(own_database.work, hang_until_released)
    batch = asyncio.create_task(relay.relay_once())
    try:
        await asyncio.wait_for(hanging.wait(), timeout=10)
        # Without a way past the held batch this write would wait for as long as the bus hangs: forever.
        await asyncio.wait_for(write_event(own_database, "B"), timeout=10)
    finally:
        release.set()
        sent = await batch
    assert sent == 1 and [event["sku"] for event in published] == ["A"]
    rows = await own_database.rows("SELECT partition_key, published_at IS NOT NULL FROM outbox ORDER BY id")
    assert rows == [("A", True), ("B", False)]
    assert await relay.relay_once() == 1 and [event["sku"] for event in published] == ["A", "B"]


async def test_two_relays_on_one_database_publish_every_event_exactly_once(own_database: TestDatabase) -> None:
    # Each relay with its own engine, as two replicas have: on PostgreSQL they skip each other's locked
    # rows, on SQLite they take turns through the lock file beside the database.
    engines = [create_engine(own_database.settings()) for _ in range(2)]
    published: list[dict[str, Any]] = []
    relays = [OutboxRelay(UnitOfWork(engine), collect(published), poll_seconds=0.01) for engine in engines]
    for relay in relays:
        relay.start()
    try:
        for batch in range(30):
            async with own_database.sessions() as session:
                session.add_all(
                    OutboxEvent(event_id=str(uuid.uuid4()), event_type="stock.updated", partition_key="A",
                                payload={"n": batch * 10 + number})
                    for number in range(10)
                )  # fmt: skip
                await session.commit()
            for relay in relays:
                relay.wake()
        await wait_for(lambda: len(published) >= 300, within=30.0)
        await asyncio.sleep(0.2)  # time for a duplicate, were there one, to arrive
    finally:
        for relay in relays:
            await relay.stop()
        for engine in engines:
            await engine.dispose()
    assert sorted(event["n"] for event in published) == list(range(300))
    assert sum(relay.relayed for relay in relays) == 300
