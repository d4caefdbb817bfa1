"""Events waiting to be published, written in the same transaction as the change they describe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, utcnow


class OutboxEvent(Base):
    """One event envelope. `id` gives the publishing order; `published_at` is set once the bus acknowledged it."""

    __tablename__ = "outbox"
    # AUTOINCREMENT: SQLite must never reuse an id (it would after the table is emptied),
    # because the newest id versions cached figures.
    __table_args__ = (Index("ix_outbox_published_at_id", "published_at", "id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    # Partition key on the bus (a SKU or an order id) so one entity's events stay in order.
    partition_key: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
