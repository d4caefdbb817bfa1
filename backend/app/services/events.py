"""Recording events in the outbox, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import OUTBOX_WRITTEN
from app.db.writes import Write
from app.models import OutboxEvent
from app.schemas.events import EventEnvelope, EventType

_INSERT_EVENTS = OutboxEvent.__table__.insert()


def envelope(event_type: EventType, data: BaseModel | dict[str, object]) -> EventEnvelope:
    """A new event of `event_type` carrying `data`."""
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    return EventEnvelope(event_type=event_type, data=payload)


def outbox_rows(events: Sequence[tuple[EventEnvelope, str | None]]) -> Write:
    """The outbox rows of (event, partition key) pairs, for the caller to insert in its transaction
    (and to say it did, so that the relay is woken after the commit).

    The partition key (a SKU or an order id) keeps one entity's events in order on the bus.
    """
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


async def record_events(session: AsyncSession, events: Sequence[tuple[EventEnvelope, str | None]]) -> None:
    """Add (event, partition key) pairs to the outbox; they commit or roll back with the change."""
    if events:
        await session.execute(*outbox_rows(events))
        session.info[OUTBOX_WRITTEN] = True  # tells the relay, after the commit, that there is work
