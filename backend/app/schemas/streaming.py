"""What GET /stream/status answers: this process's sockets, its relay, its backends, and the outbox."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class RelayStatus(BaseModel):
    events_relayed: int
    batches: int
    failures: int
    last_error: str | None
    last_published_at: datetime | None


class FanoutStatus(BaseModel):
    backend: str = Field(description="local or redis")
    healthy: bool


class KafkaStatus(BaseModel):
    healthy: bool
    consumed: int
    duplicates_dropped: int


class StreamBackends(BaseModel):
    fanout: FanoutStatus
    kafka: KafkaStatus | None = Field(default=None, description="Only when KAFKA_ENABLED.")


class OutboxLag(BaseModel):
    waiting: int = Field(description="Events not yet published to the bus.")
    oldest_waiting_seconds: float


class StreamStatus(BaseModel):
    connections: int
    connections_per_channel: dict[str, int]
    connections_written_directly: int = Field(description="Sockets whose events skip ASGI (app.streaming.wire).")
    events_delivered_to_sockets: int
    slow_clients_dropped: int
    relay: RelayStatus
    backends: StreamBackends
    outbox: OutboxLag
