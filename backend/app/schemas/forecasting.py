"""Forecast responses in DESIGN.md's shape, and training jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import RequestBody

ModelChoice = Literal["auto", "sarima"]


class HorizonTotal(BaseModel):
    total_forecast: float
    daily_average: float
    lower_ci_total: float
    upper_ci_total: float
    weeks_in_forecast: int


class WeeklyPoint(BaseModel):
    week: str = Field(description="Week ending (Sunday), YYYY-MM-DD.")
    forecast: float
    lower: float
    upper: float


class ForecastOut(BaseModel):
    """A category's forecast: 30/60/90-day totals with 95% bounds, weekly points, and what produced it."""

    category: str
    model_info: dict[str, Any]
    forecasts: dict[str, HorizonTotal]
    weekly: list[WeeklyPoint]


class HistoryPoint(BaseModel):
    week: str = Field(description="Week ending (Sunday), YYYY-MM-DD.")
    units: float = Field(description="Units sold that week (Cancelled orders and refunds left out).")


class BacktestPoint(WeeklyPoint):
    actual: float = Field(description="What sold that week; the forecast was made without seeing it.")


class ForecastSeriesOut(BaseModel):
    """A category's chart as data: weekly history, the backtest's predictions of its last weeks, the forecast."""

    category: str
    model_info: dict[str, Any]
    history: list[HistoryPoint]
    backtest: list[BacktestPoint]
    forecast: list[WeeklyPoint]


class AllForecasts(BaseModel):
    model: ModelChoice
    forecasts: list[ForecastOut]


class RetrainRequest(RequestBody):
    categories: list[str] | None = Field(None, max_length=1000, description="Only these categories (default: all).")


class TrainingJobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    total: int
    done: int
    requested: dict[str, Any]
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobAccepted(BaseModel):
    job_id: str
    status: str
    status_url: str
