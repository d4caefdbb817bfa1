"""Forecast responses in DESIGN.md's shape, and training jobs."""

from __future__ import annotations

from datetime import date, datetime
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


def _absent(value: object) -> bool:
    return value is None


class BacktestScores(BaseModel):
    smape: float = Field(description="Mean rolling-origin sMAPE, percent.")
    mase: float = Field(description="Mean rolling-origin MASE (relative to the in-sample naive forecast).")
    coverage_95: float = Field(description="Share of held-out weeks inside the 95% band.")


class NoBacktest(BaseModel):
    """An empty object: the series was too short to leave a backtest window."""

    model_config = ConfigDict(extra="forbid")


class SeedBacktestScores(BacktestScores):
    note: str = Field(description="How the backtest fitted the seed model (its windows are many fits).")


class ModelInfo(BaseModel):
    """What produced a forecast: the model, the series it learnt from, when it was stored."""

    model: str
    resample_freq: Literal["W"] = "W"
    log_transform: bool = Field(True, description="Fitted on log1p of weekly units; bounds are expm1 of log bounds.")
    train_start: date
    train_end: date = Field(description="The last complete week the model saw (its Sunday).")


class AutoModelInfo(ModelInfo):
    """The backtest's winner (`model=auto`)."""

    selected: str = Field(description="The winning candidate, or the combination of the best ones.")
    backtest: BacktestScores | NoBacktest = Field(
        description="The winner's backtest scores; {} when the series was too short for a backtest."
    )
    candidates: list[str]
    fallback: str | None = Field(description="Why the selection had to fall back, when it did.")
    trained_at: datetime


class SeedModelInfo(ModelInfo):
    """The seed SARIMA(1,1,1)(1,0,1,52) exactly (`model=sarima`)."""

    estimator: str
    fallback: str | None = Field(description="Why the seed structure could not be fitted as is, when it could not.")
    backtest: SeedBacktestScores | None = Field(
        None, exclude_if=_absent, description="Backtest of the same structure; absent when there was none."
    )
    trained_at: datetime


class ForecastOut(BaseModel):
    """A category's forecast: 30/60/90-day totals with 95% bounds, weekly points, and what produced it."""

    category: str
    model_info: AutoModelInfo | SeedModelInfo
    forecasts: dict[str, HorizonTotal] = Field(description="Keyed 30_day, 60_day and 90_day.")
    weekly: list[WeeklyPoint]


class HistoryPoint(BaseModel):
    week: str = Field(description="Week ending (Sunday), YYYY-MM-DD.")
    units: float = Field(description="Units sold that week (Cancelled orders and refunds left out).")


class BacktestPoint(WeeklyPoint):
    actual: float = Field(description="What sold that week; the forecast was made without seeing it.")


class ForecastSeriesOut(BaseModel):
    """A category's chart as data: weekly history, the backtest's predictions of its last weeks, the forecast."""

    category: str
    model_info: AutoModelInfo
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
