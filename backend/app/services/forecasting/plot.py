"""A picture of a forecast: history, the backtest on the last weeks, the forecast and its 95% band."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pandas as pd
from sqlalchemy.ext.asyncio import AsyncSession

from app.services.forecasting.series import category_weekly_series
from app.services.forecasting.serving import plot_inputs


def render(category: str, history: pd.Series, holdout: list[dict[str, Any]], forecast: dict[str, Any]) -> bytes:
    """PNG bytes of the chart (matplotlib's non-interactive backend: safe in servers and workers)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 4.5), dpi=100)
    axes = figure.subplots()
    axes.plot(history.index, history.to_numpy(), color="#444444", linewidth=1, label="units sold per week")
    if holdout:
        weeks = pd.to_datetime([point["week"] for point in holdout])
        axes.plot(weeks, [p["forecast"] for p in holdout], color="#d95f02", linewidth=1.5, label="backtest forecast")
        axes.fill_between(
            weeks, [p["lower"] for p in holdout], [p["upper"] for p in holdout], color="#d95f02", alpha=0.15
        )
    future = pd.to_datetime([point["week"] for point in forecast["weekly"]])
    axes.plot(future, [p["forecast"] for p in forecast["weekly"]], color="#1b9e77", linewidth=2, label="forecast")
    axes.fill_between(
        future, [p["lower"] for p in forecast["weekly"]], [p["upper"] for p in forecast["weekly"]],
        color="#1b9e77", alpha=0.2, label="95% interval",
    )  # fmt: skip
    axes.set_title(f"{category}: {forecast['model_info']['model']}")
    axes.set_ylabel("units per week")
    axes.legend(loc="upper left")
    axes.grid(alpha=0.3)
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


async def _chart_inputs(session: AsyncSession, category: str) -> tuple[pd.Series, list[dict[str, Any]], dict[str, Any]]:
    """What a chart of the category shows: weekly history, the backtest's holdout weeks, the stored forecast."""
    row, forecast = await plot_inputs(session, category)
    history = (await category_weekly_series(session, [category])).get(category, pd.Series(dtype=float))
    return history, row.backtest.get("holdout", []), forecast


async def forecast_plot(session: AsyncSession, category: str) -> bytes:
    """The chart of a category's stored forecast (drawn in a worker thread: it is CPU work)."""
    history, holdout, forecast = await _chart_inputs(session, category)
    return await asyncio.to_thread(render, category, history, holdout, forecast)


async def chart_data(session: AsyncSession, category: str) -> dict[str, Any]:
    """The same chart as data, for interactive clients: history weeks, backtest predictions, forecast weeks."""
    history, holdout, forecast = await _chart_inputs(session, category)
    return {
        "category": category,
        "model_info": forecast["model_info"],
        "history": [{"week": week.date().isoformat(), "units": float(units)} for week, units in history.items()],
        "backtest": holdout,
        "forecast": forecast["weekly"],
    }
