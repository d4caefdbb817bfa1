"""A record of every load of sales data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, utcnow


class IngestionRun(Base):
    """One load that changed data: when, what it did (the report without its row lists).

    Its id also versions the imported data: caches of derived figures compare it, with the
    newest outbox id, to know whether anything changed since they were computed.
    """

    __tablename__ = "ingestion_runs"
    __table_args__ = ({"sqlite_autoincrement": True},)  # ids version caches: never reuse one

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(String(300))
    rows_read: Mapped[int]
    rows_inserted: Mapped[int]
    rows_rejected: Mapped[int]
    summary: Mapped[dict[str, Any]]
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
