"""A picture of a forecast: history, the backtest on the last weeks, the forecast and its 95% band."""

from __future__ import annotations

import asyncio
import io

import pandas as pd
from sqlalchemy.ext.asyncio import AsyncSession

from app.ml.forecast import SeriesForecast, Step
from app.schemas.forecasting import ForecastSeriesOut, HistoryPoint
from app.services.forecasting.responses import backtest_point, model_info, weekly_point
from app.services.forecasting.series import category_weekly_series
from app.services.forecasting.serving import stored_forecast


def _band(steps: list[Step]) -> tuple[pd.DatetimeIndex, list[float], list[float], list[float]]:
    weeks = pd.to_datetime([step.week for step in steps])
    return weeks, [s.mean for s in steps], [s.lower for s in steps], [s.upper for s in steps]


def render(history: pd.Series, forecast: SeriesForecast) -> bytes:
    """PNG bytes of the chart of the served (auto) forecast (matplotlib's non-interactive backend: safe in servers)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 4.5), dpi=100)
    axes = figure.subplots()
    axes.plot(history.index, history.to_numpy(), color="#444444", linewidth=1, label="units sold per week")
    if forecast.backtest.holdout:
        weeks, mean, lower, upper = _band(forecast.backtest.holdout)
        axes.plot(weeks, mean, color="#d95f02", linewidth=1.5, label="backtest forecast")
        axes.fill_between(weeks, lower, upper, color="#d95f02", alpha=0.15)
    weeks, mean, lower, upper = _band(forecast.auto.steps)
    axes.plot(weeks, mean, color="#1b9e77", linewidth=2, label="forecast")
    axes.fill_between(weeks, lower, upper, color="#1b9e77", alpha=0.2, label=f"{forecast.auto.level}% interval")
    axes.set_title(f"{forecast.series_key}: {forecast.auto.model}")
    axes.set_ylabel("units per week")
    axes.legend(loc="upper left")
    axes.grid(alpha=0.3)
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


async def _chart_inputs(session: AsyncSession, category: str) -> tuple[pd.Series, SeriesForecast]:
    """What a chart of the category shows: its weekly history and its stored forecast (with the backtest's weeks)."""
    forecast = await stored_forecast(session, category)
    history = (await category_weekly_series(session, [category])).get(category, pd.Series(dtype=float))
    return history, forecast


async def forecast_plot(session: AsyncSession, category: str) -> bytes:
    """The chart of a category's stored forecast (drawn in a worker thread: it is CPU work)."""
    history, forecast = await _chart_inputs(session, category)
    return await asyncio.to_thread(render, history, forecast)


async def chart_data(session: AsyncSession, category: str) -> ForecastSeriesOut:
    """The same chart as data, for interactive clients: history weeks, backtest predictions, forecast weeks."""
    history, forecast = await _chart_inputs(session, category)
    return ForecastSeriesOut(
        category=category,
        model_info=model_info(forecast, "auto"),
        history=[HistoryPoint(week=week.date().isoformat(), units=float(units)) for week, units in history.items()],
        backtest=[backtest_point(step) for step in forecast.backtest.holdout],
        forecast=[weekly_point(step) for step in forecast.auto.steps],
    )
