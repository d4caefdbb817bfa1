"""What /metrics reads from the database at scrape time: the outbox backlog."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import metrics
from app.models import OutboxEvent
from app.models.base import utcnow


async def observe_outbox(session: AsyncSession) -> None:
    """Set the outbox gauges: events not yet published and the age of the oldest (one indexed query)."""
    waiting, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxEvent.occurred_at)).where(OutboxEvent.published_at.is_(None))
        )
    ).one()
    metrics.OUTBOX_BACKLOG.set(waiting)
    age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
    metrics.OUTBOX_OLDEST_AGE.set(max(age, 0.0))


async def metrics_text(session: AsyncSession) -> bytes:
    """Every metric in the Prometheus text format, the outbox read just now."""
    await observe_outbox(session)
    # Reading every worker's file is file work: in a thread, not on the loop.
    return await asyncio.to_thread(metrics.render)
