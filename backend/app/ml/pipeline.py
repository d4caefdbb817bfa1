"""One series in, everything the service stores about its forecast out: picklable, for process pools.

`forecast_category` fits the seed SARIMA exactly (warm-started from stored parameters) and
the automatic selection, and returns both forecasts, the backtest table, the last backtest
window (for plots) and the residual diagnostics, as JSON-friendly values.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from app.ml.auto import AutoForecaster
from app.ml.backtest import rolling_origin
from app.ml.diagnostics import regression_assumptions, residual_diagnostics
from app.ml.forecasters import make_model
from app.ml.forecasters.base import Forecast
from app.ml.forecasters.sarima import SeedSarima
from app.ml.horizons import horizon_summary

SEED_MODEL = "SARIMA(1,1,1)(1,0,1,52)"
HORIZON_DAYS = (30, 60, 90)


@dataclass
class SeriesForecast:
    """What one fit produced, ready for JSON."""

    auto: dict[str, Any]
    sarima: dict[str, Any]
    params: dict[str, Any]
    backtest: dict[str, Any]
    diagnostics: dict[str, Any]
    seconds: float
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def response_body(
    series_key: str, weeks: pd.DatetimeIndex, forecast: Forecast, *, model: str, extra: dict[str, Any]
) -> dict[str, Any]:
    """The forecast in the API's shape: 30/60/90-day totals, weekly points, model_info."""
    future = pd.date_range(weeks[-1] + pd.Timedelta(days=7), periods=len(forecast.mean), freq="7D")
    return {
        "category": series_key,
        "model_info": {
            "model": model,
            "resample_freq": "W",
            "log_transform": True,
            "train_start": weeks[0].date().isoformat(),
            "train_end": weeks[-1].date().isoformat(),
            **extra,
        },
        "forecasts": {
            f"{days}_day": horizon_summary(forecast.mean, forecast.lower, forecast.upper, days) for days in HORIZON_DAYS
        },
        "weekly": [
            {
                "week": week.date().isoformat(),
                "forecast": round(float(m), 2),
                "lower": round(float(lo), 2),
                "upper": round(float(hi), 2),
            }
            for week, m, lo, hi in zip(future, forecast.mean, forecast.lower, forecast.upper, strict=True)
        ],
    }


def _holdout(weeks: pd.DatetimeIndex, y: np.ndarray, auto: AutoForecaster, horizon: int) -> list[dict[str, Any]]:
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
    return [
        {"week": weeks[window.origin + i].date().isoformat(), "actual": float(window.actual[i]),
         "forecast": round(float(np.expm1(log_mean[i])), 2),
         "lower": round(float(np.expm1(log_mean[i] - 1.96 * log_sd[i])), 2),
         "upper": round(float(np.expm1(log_mean[i] + 1.96 * log_sd[i])), 2)}
        for i in range(len(window.actual))
    ]  # fmt: skip


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
    backtest = {
        "winner": auto.winner_,
        "members": auto.members_,
        "interval_scale": auto.interval_scale_,
        "candidates": auto.backtest_,
    }
    winner_scores = (
        {key: auto.backtest_[auto.winner_][key] for key in ("smape", "mase", "coverage_95")} if auto.backtest_ else {}
    )
    sarima_extra = {"estimator": "exact maximum likelihood (statsmodels SARIMAX)", "fallback": seed.fallback_}
    if "sarima_css" in auto.backtest_:
        scores = auto.backtest_["sarima_css"]
        sarima_extra["backtest"] = {"smape": scores["smape"], "mase": scores["mase"], "coverage_95": scores["coverage_95"],
                                    "note": "rolling-origin windows estimated by conditional least squares"}  # fmt: skip
    auto_extra = {
        "selected": winner,
        "backtest": winner_scores,
        "candidates": sorted(auto.backtest_),
        "fallback": auto.fallback_,
    }
    residuals = np.asarray(seed.result_.resid, float)[1:]
    return SeriesForecast(
        auto=response_body(series_key, weeks, auto.predict(horizon, level), model=f"auto: {winner}", extra=auto_extra),
        sarima=response_body(series_key, weeks, seed_forecast, model=SEED_MODEL, extra=sarima_extra),
        params={"sarima": seed.get_params(), "auto": auto.get_params()},
        backtest={**backtest, "holdout": _holdout(weeks, y, auto, horizon)},
        diagnostics={
            "sarima_residuals": residual_diagnostics(residuals),
            "linear_regression": regression_assumptions(weekly),
        },
        seconds=round(time.perf_counter() - started, 3),
        notes=notes,
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
