"""The stored forecast: what one fit of a weekly series produced, typed, and the one format of it.

Training writes a `SeriesForecast`; serving, the charts, the reorder advice and the command line
read one. Each step keeps the model's own numbers (mean and standard deviation of log1p units,
the sd already stretched by any interval calibration) next to what they mean in units (expm1 of
the mean and of mean +- z x sd, floored at zero), unrounded: the API rounds, the reorder maths
works from the model-scale sd, and neither has to undo the other.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from app.ml.evidence import CandidateScores, Diagnostics, Frozen, ProductBacktest, Scores
from app.ml.forecasters.base import Forecast
from app.ml.horizons import HorizonTotal, horizon_total

ModelName = Literal["auto", "sarima"]


class Step(Frozen):
    """One week ahead: the model-scale mean and sd, and the back-transformed mean and bounds."""

    week: date  # the week's last day (a Sunday)
    log_mean: float
    log_sd: float
    mean: float
    lower: float
    upper: float


class HoldoutStep(Step):
    """A week of the backtest: the forecast made without it, and what sold."""

    actual: float


class AutoFit(Frozen):
    """How the automatic selection chose: the winner, the candidates and the winner's own scores."""

    kind: Literal["auto"] = "auto"
    selected: str  # "theta", or "combination of a + b"
    candidates: list[str]
    scores: Scores | None  # None when the series left no backtest window
    fallback: str | None


class SeedFit(Frozen):
    """The seed SARIMA's estimator, and the scores of its conditional-least-squares twin in the backtest."""

    kind: Literal["seed"] = "seed"
    estimator: str
    css_scores: Scores | None
    fallback: str | None


class ModelForecast(Frozen):
    """One model's forecast of a series, one `Step` per week, with a central `level`% interval."""

    model: str  # what the API calls it: "auto: theta", "SARIMA(1,1,1)(1,0,1,52)"
    level: int
    steps: list[Step]
    fit: Annotated[AutoFit | SeedFit, Field(discriminator="kind")]

    def values(self, name: Literal["log_mean", "log_sd", "mean", "lower", "upper"]) -> np.ndarray:
        """One field of every step, as an array."""
        return np.array([getattr(step, name) for step in self.steps], dtype=float)

    def horizon(self, days: int) -> HorizonTotal:
        """The forecast summed over its first `days` days (and the sums of its bounds)."""
        return horizon_total(self.values("mean"), self.values("lower"), self.values("upper"), days)


class Backtest(Frozen):
    """The automatic selection's rolling-origin contest, the winner's forecast of the last weeks, the products'."""

    winner: str
    members: list[str]
    interval_scale: float
    candidates: dict[str, CandidateScores]
    holdout: list[HoldoutStep]
    products: ProductBacktest | None = None  # added by training once the category's products are forecast


class SeriesForecast(Frozen):
    """Everything stored about one series' forecast: both models' forecasts, their parameters and evidence."""

    FORMAT: ClassVar[int] = 2  # stored with the forecasts; rows without it are the untyped format 1

    series_key: str
    train_start: date
    train_end: date
    auto: ModelForecast  # the backtest's winner: what is served by default
    sarima: ModelForecast  # the seed model exactly
    params: dict[str, Any]  # fitted parameters per estimator (the next fit's warm start)
    backtest: Backtest
    diagnostics: Diagnostics
    trained_at: datetime | None = None  # when it was stored; None until then

    def model(self, name: ModelName) -> ModelForecast:
        return self.auto if name == "auto" else self.sarima


def steps_of(forecast: Forecast, first_week: date) -> list[Step]:
    """The steps of a log-scale model's forecast, weekly from `first_week`."""
    if forecast.log_mean is None or forecast.log_sd is None:
        raise ValueError("a stored forecast needs a model fitted on log1p (its mean and sd on that scale)")
    columns = zip(forecast.log_mean, forecast.log_sd, forecast.mean, forecast.lower, forecast.upper, strict=True)
    return [
        Step(week=first_week + timedelta(weeks=i), log_mean=float(m), log_sd=float(s), mean=float(mean),
             lower=float(lower), upper=float(upper))
        for i, (m, s, mean, lower, upper) in enumerate(columns)
    ]  # fmt: skip
