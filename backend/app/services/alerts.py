"""Alerts operators send to every dashboard."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.schemas.events import AlertData, Severity
from app.services.events import envelope, record_events


async def broadcast_alert(session: AsyncSession, *, title: str, message: str, severity: Severity) -> str:
    """Record an alert.broadcast event (delivered on the alerts channel); returns its event id."""
    event = envelope("alert.broadcast", AlertData(title=title, message=message, severity=severity))
    await record_events(session, [(event, None)])
    return event.event_id
