"""Resuming a client: the events it missed, from the outbox table (shared by every replica)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import OutboxEvent
from app.schemas.events import ROUTES

HISTORY_LIMIT = 1000


def event_types_for(channels: set[str]) -> list[str]:
    return [event_type for event_type, (_topic, routed) in ROUTES.items() if channels & set(routed)]


async def events_after(
    session: AsyncSession, last_event_id: str, channels: set[str]
) -> tuple[list[dict[str, Any]], bool]:
    """Events after `last_event_id` on these channels, oldest first, at most HISTORY_LIMIT.

    Rows not yet relayed are included: they are committed facts, and a client that resumes
    while the relay is between sending a row and marking it must not miss it (the caller
    drops the live copy of anything history already gave).

    The flag is False when the id is not in the history any more (or never was): the client
    then gets what there is and knows it may have missed some.
    """
    anchor = await session.scalar(select(OutboxEvent.id).where(OutboxEvent.event_id == last_event_id))
    if anchor is None:
        return [], False
    rows = await session.scalars(
        select(OutboxEvent.payload)
        .where(
            OutboxEvent.id > anchor,
            OutboxEvent.event_type.in_(event_types_for(channels)),
        )
        .order_by(OutboxEvent.id)
        .limit(HISTORY_LIMIT)
    )
    return list(rows), True
