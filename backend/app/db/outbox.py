"""Outbox rows: how an event is kept in the database until the relay has put it on the bus."""

from __future__ import annotations

from collections.abc import Sequence

from app.db.writes import Write
from app.models import OutboxEvent
from app.schemas.events import EventEnvelope

# An event and its partition key (a SKU or an order id: one entity's events stay in order on the bus).
KeyedEvent = tuple[EventEnvelope, str | None]

_INSERT_EVENTS = OutboxEvent.__table__.insert()


def outbox_rows(events: Sequence[KeyedEvent]) -> Write:
    """The outbox INSERT of (event, partition key) pairs."""
    rows = [
        {
            "event_id": event.event_id,
            "event_type": event.event_type,
            "partition_key": key,
            "payload": event.model_dump(mode="json"),
            "occurred_at": event.occurred_at,
            "attempts": 0,
        }
        for event, key in events
    ]
    return _INSERT_EVENTS, rows
