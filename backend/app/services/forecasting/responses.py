"""A stored `SeriesForecast` in the API's shapes: rounded points, 30/60/90-day totals, model_info, evidence.

The API rounds to cents; the stored forecast never is, so totals are sums of unrounded weeks.
"""

from __future__ import annotations

from app.ml.forecast import AutoFit, HoldoutStep, ModelForecast, ModelName, SeriesForecast, Step
from app.schemas.forecast_evidence import CategoryBacktestOut, DiagnosticsOut
from app.schemas.forecasting import (
    AutoModelInfo,
    BacktestPoint,
    BacktestScores,
    ForecastOut,
    HorizonTotal,
    NoBacktest,
    SeedBacktestScores,
    SeedModelInfo,
    WeeklyPoint,
)

HORIZON_DAYS = (30, 60, 90)
CSS_NOTE = "rolling-origin windows estimated by conditional least squares"


def _cents(value: float) -> float:
    return round(value, 2)


def weekly_point(step: Step) -> WeeklyPoint:
    return WeeklyPoint(
        week=step.week.isoformat(), forecast=_cents(step.mean), lower=_cents(step.lower), upper=_cents(step.upper)
    )


def backtest_point(step: HoldoutStep) -> BacktestPoint:
    return BacktestPoint(**weekly_point(step).model_dump(), actual=step.actual)


def horizon_out(model: ModelForecast, days: int) -> HorizonTotal:
    total = model.horizon(days)
    return HorizonTotal(
        total_forecast=_cents(total.total), daily_average=_cents(total.daily_average),
        lower_ci_total=_cents(total.lower), upper_ci_total=_cents(total.upper), weeks_in_forecast=total.weeks,
    )  # fmt: skip


def model_info(forecast: SeriesForecast, name: ModelName) -> AutoModelInfo | SeedModelInfo:
    model = forecast.model(name)
    common = {
        "model": model.model, "train_start": forecast.train_start, "train_end": forecast.train_end,
        "trained_at": forecast.trained_at, "fallback": model.fit.fallback,
    }  # fmt: skip
    fit = model.fit
    if isinstance(fit, AutoFit):
        scores = BacktestScores(**fit.scores.model_dump()) if fit.scores else NoBacktest()
        return AutoModelInfo(**common, selected=fit.selected, backtest=scores, candidates=fit.candidates)
    scores = SeedBacktestScores(**fit.css_scores.model_dump(), note=CSS_NOTE) if fit.css_scores else None
    return SeedModelInfo(**common, estimator=fit.estimator, backtest=scores)


def forecast_out(forecast: SeriesForecast, name: ModelName) -> ForecastOut:
    """GET /forecast/forecast/{category}'s body: one model's forecast of the category."""
    model = forecast.model(name)
    return ForecastOut(
        category=forecast.series_key,
        model_info=model_info(forecast, name),
        forecasts={f"{days}_day": horizon_out(model, days) for days in HORIZON_DAYS},
        weekly=[weekly_point(step) for step in model.steps],
    )


def diagnostics_out(forecast: SeriesForecast) -> DiagnosticsOut:
    return DiagnosticsOut(
        category=forecast.series_key, trained_at=forecast.trained_at, **forecast.diagnostics.model_dump()
    )


def backtest_out(forecast: SeriesForecast) -> CategoryBacktestOut:
    backtest = forecast.backtest
    return CategoryBacktestOut(
        category=forecast.series_key,
        winner=backtest.winner,
        members=backtest.members,
        interval_scale=backtest.interval_scale,
        models={name: scores.model_dump(exclude={"members"}) for name, scores in backtest.candidates.items()},
        products=backtest.products.model_dump() if backtest.products else None,
        train_end=forecast.train_end,
    )
