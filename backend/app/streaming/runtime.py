"""Everything that moves events, built from the settings and started/stopped by the app's lifespan."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from app.core.config import Settings
from app.db.unit_of_work import UnitOfWork
from app.streaming.fanout import Fanout, LocalFanout, RedisFanout
from app.streaming.hub import Hub
from app.streaming.kafka import KafkaBus
from app.streaming.relay import OutboxRelay

logger = logging.getLogger("app.streaming")


class Streaming:
    """Hub (this process's sockets), fan-out (local or Redis), bus (Kafka or none) and the outbox relay.

    One code path: without Kafka the relay publishes straight to the fan-out; with Kafka it
    publishes to Kafka and a consumer group hands events to the fan-out.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.hub = Hub(queue_size=settings.stream_client_queue)
        self.fanout: Fanout = (
            RedisFanout(self.hub, settings.redis_url, settings.redis_channel_prefix)
            if settings.redis_enabled
            else LocalFanout(self.hub)
        )
        self.kafka = (
            KafkaBus(
                servers=settings.kafka_bootstrap_servers, prefix=settings.kafka_topic_prefix,
                group=settings.kafka_consumer_group, fanout=self.fanout,
            )
            if settings.kafka_enabled
            else None
        )  # fmt: skip
        self.relay: OutboxRelay | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    async def _publish(self, envelope: dict[str, Any], key: str | None) -> None:
        if self.kafka is not None:
            await self.kafka.publish(envelope, key)
        else:
            await self.fanout.publish(envelope)

    def wake_relay(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    async def start(self, work: UnitOfWork) -> None:
        await self.fanout.start()
        if self.kafka is not None:
            await self.kafka.start()
        self.relay = OutboxRelay(
            work,
            self._publish,
            poll_seconds=self.settings.outbox_poll_seconds,
            idle_poll_seconds=self.settings.outbox_idle_poll_seconds,
            batch_interval_seconds=self.settings.outbox_batch_interval_seconds,
        )
        self.relay.start()
        self._heartbeat = asyncio.create_task(self._beat(), name="stream-heartbeat")

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.settings.stream_heartbeat_seconds)
            self.hub.ping()

    async def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
        if self.relay is not None:
            await self.relay.stop()
        if self.kafka is not None:
            await self.kafka.stop()
        await self.fanout.stop()

    def status(self) -> dict[str, Any]:
        backends = {"fanout": {"backend": self.fanout.name, "healthy": self.fanout.healthy()}}
        if self.kafka is not None:
            backends["kafka"] = {
                "healthy": self.kafka.healthy(), "consumed": self.kafka.consumed,
                "duplicates_dropped": self.kafka.duplicates_dropped,
            }  # fmt: skip
        relay = self.relay
        return {
            "connections": self.hub.connections,
            "connections_per_channel": self.hub.connections_per_channel(),
            "connections_written_directly": self.hub.written_directly,
            "events_delivered_to_sockets": self.hub.delivered,
            "slow_clients_dropped": self.hub.dropped_slow_clients,
            "relay": {
                "events_relayed": relay.relayed if relay else 0,
                "batches": relay.batches if relay else 0,
                "failures": relay.failures if relay else 0,
                "last_error": relay.last_error if relay else None,
                "last_published_at": relay.last_published_at.isoformat() if relay and relay.last_published_at else None,
            },
            "backends": backends,
        }
