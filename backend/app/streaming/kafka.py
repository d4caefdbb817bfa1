"""Kafka through aiokafka: an idempotent producer (acks=all) and a consumer group that feeds the fan-out.

Topics are `<prefix>.orders`, `.stock`, `.alerts`, `.forecasts` (DESIGN.md), keyed by SKU or
order id so one entity's events stay in order. The consumer commits an offset only after
the fan-out took the event, and drops an event id it has already handed on.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from typing import Any

from app.core import metrics
from app.schemas.events import ROUTES
from app.streaming.backoff import Backoff
from app.streaming.fanout import Fanout

logger = logging.getLogger("app.streaming")


def topic_of(prefix: str, event_type: str) -> str:
    return f"{prefix}.{ROUTES[event_type][0]}"


def all_topics(prefix: str) -> list[str]:
    return sorted({f"{prefix}.{topic}" for topic, _channels in ROUTES.values()})


class SeenIds:
    """The most recent event ids, to drop redeliveries (bounded: old ids fall out)."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, event_id: str) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        self._ids[event_id] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)


def _record_lag(consumer: Any, batches: dict[Any, list[Any]]) -> None:
    """Messages behind the broker's end on the partitions just fetched; a fetch that came back empty
    within its timeout means this consumer has caught up."""
    behind = 0
    for partition, messages in batches.items():
        end = consumer.highwater(partition)
        if end is not None and messages:
            behind += max(end - (messages[-1].offset + 1), 0)
    metrics.KAFKA_CONSUMER_LAG.set(behind)


class KafkaBus:
    """Producer for the relay, consumer task for the fan-out."""

    name = "kafka"

    def __init__(self, *, servers: str, prefix: str, group: str, fanout: Fanout) -> None:
        self.servers, self.prefix, self.group, self.fanout = servers, prefix, group, fanout
        self._producer: Any = None
        self._producer_task: asyncio.Task[None] | None = None
        self._consumer_task: asyncio.Task[None] | None = None
        self._seen = SeenIds()
        self.consumed = 0
        self.duplicates_dropped = 0
        self._consumer_connected = False

    async def start(self) -> None:
        """Connect in the background: a broker that is down at start-up must not stop the app from serving."""
        self._producer_task = asyncio.create_task(self._connect_producer(), name="kafka-producer")
        self._consumer_task = asyncio.create_task(self._consume(), name="kafka-consumer")

    async def _connect_producer(self) -> None:
        from aiokafka import AIOKafkaProducer

        backoff = Backoff(first=0.5, cap=10.0)
        while True:
            await self._create_topics()
            producer = AIOKafkaProducer(
                bootstrap_servers=self.servers, acks="all", enable_idempotence=True, request_timeout_ms=5000,
                retry_backoff_ms=200, metadata_max_age_ms=5000,
            )  # fmt: skip
            try:
                await producer.start()
            except Exception as exc:
                await producer.stop()
                await backoff.wait("kafka producer cannot connect", exc)
                continue
            self._producer = producer
            return

    async def _create_topics(self) -> None:
        # Best effort: some brokers (librdkafka's mock) create topics on first use and refuse this call.
        from aiokafka.admin import AIOKafkaAdminClient, NewTopic

        admin = AIOKafkaAdminClient(bootstrap_servers=self.servers, request_timeout_ms=3000)
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [
                NewTopic(name, num_partitions=3, replication_factor=1)
                for name in all_topics(self.prefix)
                if name not in existing
            ]
            if missing:
                await admin.create_topics(missing)
        except Exception as exc:
            logger.info("kafka topics not created (%s); relying on the broker to create them", exc)
        finally:
            await admin.close()

    async def publish(self, envelope: dict[str, Any], key: str | None) -> None:
        """Send and wait for the broker's acknowledgement (raises when Kafka is unreachable)."""
        if self._producer is None:
            raise ConnectionError("the Kafka producer is not connected yet")
        value = json.dumps(envelope, separators=(",", ":")).encode()
        await asyncio.wait_for(
            self._producer.send_and_wait(
                topic_of(self.prefix, envelope["event_type"]), value, key=key.encode() if key else None
            ),
            timeout=10,
        )

    async def _consume(self) -> None:
        from aiokafka import AIOKafkaConsumer
        from aiokafka.errors import CommitFailedError

        backoff = Backoff(first=0.5, cap=5.0)
        while True:
            consumer = AIOKafkaConsumer(
                *all_topics(self.prefix), bootstrap_servers=self.servers, group_id=self.group, enable_auto_commit=False,
                auto_offset_reset="earliest", request_timeout_ms=10000, metadata_max_age_ms=5000,
                # Live events: the broker answers a fetch as soon as anything arrives, not after 500 ms.
                fetch_max_wait_ms=20,
            )  # fmt: skip
            try:
                await consumer.start()
                self._consumer_connected = True
                backoff.reset()
                while True:
                    batches = await consumer.getmany(timeout_ms=200, max_records=500)
                    _record_lag(consumer, batches)
                    for partition, messages in batches.items():
                        for message in messages:
                            await self._hand_on(json.loads(message.value))
                        # Commit only what the fan-out has taken: a crash before this re-delivers it.
                        try:
                            await consumer.commit({partition: messages[-1].offset + 1})
                        except CommitFailedError:
                            # The group rebalanced (a replica joined or left): the new owner of the
                            # partition re-delivers; every hub drops event ids it has already seen.
                            logger.info("offset commit lost to a rebalance; the events will come again")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._consumer_connected = False
                await backoff.wait("kafka consumer stopped", exc)
            finally:
                await consumer.stop()

    async def _hand_on(self, envelope: dict[str, Any]) -> None:
        if envelope["event_id"] in self._seen:
            self.duplicates_dropped += 1
            return
        backoff = Backoff(first=0.1, cap=5.0)
        while True:
            try:
                await self.fanout.publish(envelope)
                break
            except Exception as exc:
                await backoff.wait("fan-out refused an event", exc)
        # Seen only once handed on: a redelivery of an event that never got out must go out.
        self._seen.add(envelope["event_id"])
        self.consumed += 1

    async def stop(self) -> None:
        for task in (self._producer_task, self._consumer_task):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        if self._producer is not None:
            await self._producer.stop()

    def healthy(self) -> bool:
        return self._consumer_connected
