"""One series in, everything the service stores about its forecast out: picklable, for process pools.

`forecast_category` fits the seed SARIMA exactly (warm-started from stored parameters) and
the automatic selection, and returns a `SeriesForecast` (app.ml.forecast): both forecasts step
by step, the backtest table, the last backtest window (for plots) and the residual diagnostics.
What the API makes of it (30/60/90-day totals, rounding) is the service's business, not this one's.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from app.ml.auto import AutoForecaster
from app.ml.backtest import rolling_origin
from app.ml.diagnostics import regression_assumptions, residual_diagnostics
from app.ml.evidence import Diagnostics, Scores
from app.ml.forecast import AutoFit, Backtest, HoldoutStep, ModelForecast, SeedFit, SeriesForecast, steps_of
from app.ml.forecasters import make_model
from app.ml.forecasters.base import Forecast, from_log_scale
from app.ml.forecasters.sarima import SeedSarima

SEED_MODEL = "SARIMA(1,1,1)(1,0,1,52)"
SEED_ESTIMATOR = "exact maximum likelihood (statsmodels SARIMAX)"


def _first_week_after(weeks: pd.DatetimeIndex) -> date:
    return (weeks[-1] + pd.Timedelta(days=7)).date()


def _holdout(
    weeks: pd.DatetimeIndex, y: np.ndarray, auto: AutoForecaster, horizon: int, level: int
) -> list[HoldoutStep]:
    """The winner's forecast of the last `horizon` weeks made without them (what the plot shows as backtest)."""
    members = [
        rolling_origin(y, lambda name=name: make_model(name), horizon=horizon, windows=1, min_train=auto.min_train)
        for name in auto.members_
    ]
    if not all(members):
        return []
    window = members[0][0]
    log_mean = np.mean([m[0].log_mean for m in members], axis=0)
    log_sd = np.mean([m[0].log_sd for m in members], axis=0) * auto.interval_scale_
    steps = steps_of(from_log_scale(log_mean, log_sd, level), weeks[window.origin].date())
    return [
        HoldoutStep(**step.model_dump(), actual=float(actual))
        for step, actual in zip(steps, window.actual, strict=True)
    ]


def _scores(scores: dict[str, Any] | None) -> Scores | None:
    return Scores(smape=scores["smape"], mase=scores["mase"], coverage_95=scores["coverage_95"]) if scores else None


def forecast_category(
    series_key: str,
    weekly: pd.Series,
    *,
    horizon: int = 13,
    level: int = 95,
    warm_start: dict[str, Any] | None = None,
) -> SeriesForecast:
    """Fit the seed SARIMA and the automatic selection on one weekly series; return both forecasts and their evidence."""
    started = time.perf_counter()
    y = weekly.to_numpy(dtype=float)
    weeks = pd.DatetimeIndex(weekly.index)
    notes = []
    seed = SeedSarima(warm_start=warm_start).fit(y)
    if seed.fallback_:
        notes.append(seed.fallback_)
    seed_forecast = seed.predict(horizon, level)
    auto = AutoForecaster(horizon=horizon).fit(y)
    if auto.fallback_:
        notes.append(auto.fallback_)
    winner = auto.winner_ if auto.winner_ != "combination" else "combination of " + " + ".join(auto.members_)
    first_week = _first_week_after(weeks)
    auto_fit = AutoFit(
        selected=winner, candidates=sorted(auto.backtest_), scores=_scores(auto.backtest_.get(auto.winner_)),
        fallback=auto.fallback_,
    )  # fmt: skip
    seed_fit = SeedFit(
        estimator=SEED_ESTIMATOR, css_scores=_scores(auto.backtest_.get("sarima_css")), fallback=seed.fallback_
    )
    residuals = np.asarray(seed.result_.resid, float)[1:]
    return SeriesForecast(
        series_key=series_key,
        train_start=weeks[0].date(),
        train_end=weeks[-1].date(),
        auto=ModelForecast(
            model=f"auto: {winner}", level=level, steps=steps_of(auto.predict(horizon, level), first_week), fit=auto_fit
        ),
        sarima=ModelForecast(model=SEED_MODEL, level=level, steps=steps_of(seed_forecast, first_week), fit=seed_fit),
        params={"sarima": seed.get_params(), "auto": auto.get_params()},
        backtest=Backtest(
            winner=auto.winner_,
            members=auto.members_,
            interval_scale=auto.interval_scale_,
            candidates=auto.backtest_,
            holdout=_holdout(weeks, y, auto, horizon, level),
        ),
        diagnostics=Diagnostics(
            sarima_residuals=residual_diagnostics(residuals),
            linear_regression=regression_assumptions(weekly),
            notes=notes,
            fit_seconds=round(time.perf_counter() - started, 3),
        ),
    )


def forecast_series(
    values: np.ndarray, *, model: str = "auto", horizon: int = 13, level: int = 95
) -> tuple[Forecast, dict[str, Any]]:
    """Any series, any model name (or "auto"): the forecast and what was fitted (for `inventory backtest`)."""
    if model == "auto":
        fitted = AutoForecaster(horizon=horizon).fit(values)
        return fitted.predict(horizon, level), {"winner": fitted.winner_, "backtest": fitted.backtest_}
    fitted = make_model(model).fit(values)
    return fitted.predict(horizon, level), {"winner": model}
