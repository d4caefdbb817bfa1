"""Alerts operators send to every dashboard."""

from __future__ import annotations

from app.db.unit_of_work import UnitOfWork
from app.schemas.events import AlertData, Severity, envelope


async def broadcast_alert(work: UnitOfWork, *, title: str, message: str, severity: Severity) -> str:
    """Record an alert.broadcast event (delivered on the alerts channel); returns its event id."""
    event = envelope("alert.broadcast", AlertData(title=title, message=message, severity=severity))
    async with work.begin() as transaction:
        transaction.record_events([(event, None)])
    return event.event_id
