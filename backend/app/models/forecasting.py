"""Fitted forecast models and the training jobs that produce them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, utcnow


class ForecastModel(Base):
    """The current fitted model of one series: parameters, backtest, forecast, all as JSON.

    One row per (level, series_key): level is "category" or "product". Every replica serves
    the stored forecast, so nothing is refitted on start-up.
    """

    __tablename__ = "forecast_models"
    __table_args__ = (UniqueConstraint("level", "series_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    level: Mapped[str] = mapped_column(String(16))
    series_key: Mapped[str] = mapped_column(String(120))
    model_name: Mapped[str] = mapped_column(String(120))
    params: Mapped[dict[str, Any]]
    backtest: Mapped[dict[str, Any]]
    forecast: Mapped[dict[str, Any]]
    diagnostics: Mapped[dict[str, Any] | None]
    train_start: Mapped[date] = mapped_column(Date)
    train_end: Mapped[date] = mapped_column(Date)
    trained_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    training_job_id: Mapped[str | None] = mapped_column(String(36))


class TrainingJob(Base):
    """A retraining run, visible to every replica: status and progress."""

    __tablename__ = "training_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # queued, running, succeeded, failed
    total: Mapped[int] = mapped_column(default=0, server_default="0")
    done: Mapped[int] = mapped_column(default=0, server_default="0")
    requested: Mapped[dict[str, Any]]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
