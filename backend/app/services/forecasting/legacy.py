"""Category rows stored in format 1 (before the format had a number), read as a `SeriesForecast`.

Format 1 stored the API's body itself: weekly points rounded to cents and 30/60/90-day totals,
with no model-scale numbers. Those are recovered from the stored points: the log-scale mean is
log1p of the point forecast and the sd comes from the upper bound (upper = expm1(mean + z sd),
never floored, unlike the lower one), so the bounds come back to the cent and the totals, being
sums of rounded weeks, to within a few cents. Only such rows take this path, and the next
retrain replaces each of them with format 2.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from app.ml.evidence import Diagnostics, Scores
from app.ml.forecast import AutoFit, Backtest, HoldoutStep, ModelForecast, SeedFit, SeriesForecast, Step
from app.ml.forecasters.base import z_for_level
from app.models import ForecastModel

LEVEL = 95  # the only level format 1 was ever written with


def _step(point: dict[str, Any]) -> dict[str, Any]:
    mean, lower, upper = float(point["forecast"]), float(point["lower"]), float(point["upper"])
    log_mean = math.log1p(mean)
    log_sd = max(math.log1p(upper) - log_mean, 0.0) / z_for_level(LEVEL)
    return {
        "week": date.fromisoformat(point["week"]), "log_mean": log_mean, "log_sd": log_sd, "mean": mean,
        "lower": lower, "upper": upper,
    }  # fmt: skip


def _scores(scores: dict[str, Any] | None) -> Scores | None:
    return Scores.model_validate(scores) if scores else None


def _model(body: dict[str, Any], kind: str) -> ModelForecast:
    info = body["model_info"]
    fit = (
        AutoFit(selected=info.get("selected", info["model"]), candidates=info.get("candidates", []),
                scores=_scores(info.get("backtest")), fallback=info.get("fallback"))
        if kind == "auto"
        else SeedFit(estimator=info.get("estimator", ""), css_scores=_scores(info.get("backtest")),
                     fallback=info.get("fallback"))
    )  # fmt: skip
    return ModelForecast(
        model=info["model"], level=LEVEL, steps=[Step(**_step(p)) for p in body.get("weekly", [])], fit=fit
    )


def from_format_1(row: ForecastModel) -> SeriesForecast:
    """A format-1 category row as a `SeriesForecast` (its model-scale numbers recovered from the rounded points)."""
    body = dict(row.forecast)
    alternatives = body.pop("alternatives", {})
    stored = dict(row.backtest)
    holdout = [HoldoutStep(**_step(point), actual=float(point["actual"])) for point in stored.pop("holdout", [])]
    return SeriesForecast(
        series_key=row.series_key,
        train_start=row.train_start,
        train_end=row.train_end,
        auto=_model(body, "auto"),
        sarima=_model(alternatives["sarima"], "seed") if "sarima" in alternatives else _model(body, "auto"),
        params=row.params or {},
        backtest=Backtest.model_validate({**stored, "holdout": holdout}),
        diagnostics=Diagnostics.model_validate(row.diagnostics),
        trained_at=row.trained_at,
    )
