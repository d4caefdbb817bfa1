"""A category's `SeriesForecast` and its row of forecast_models: the one place that knows how one maps onto the other.

The typed parts go to their columns: both models' forecasts (with the format number) to
`forecast`, the backtest to `backtest`, the diagnostics to `diagnostics`, the fitted parameters
to `params` (where the next training finds its warm start). Rows written before the format had
a number are read by `app.services.forecasting.legacy`, so an upgrade serves every stored
forecast until the next retrain rewrites it.
"""

from __future__ import annotations

from typing import Any

from app.ml.evidence import Diagnostics, ProductBacktest
from app.ml.forecast import Backtest, ModelForecast, SeriesForecast
from app.models import ForecastModel
from app.services.forecasting.legacy import from_format_1


def category_row(forecast: SeriesForecast, *, products: ProductBacktest, job_id: str) -> dict[str, Any]:
    """The column values of a category's row (all but `trained_at`, which the store sets)."""
    backtest = forecast.backtest.model_copy(update={"products": products})
    return {
        "level": "category",
        "series_key": forecast.series_key,
        "model_name": forecast.auto.model,
        "params": forecast.params,
        "backtest": backtest.model_dump(mode="json"),
        "forecast": {
            "format": SeriesForecast.FORMAT,
            "auto": forecast.auto.model_dump(mode="json"),
            "sarima": forecast.sarima.model_dump(mode="json"),
        },
        "diagnostics": forecast.diagnostics.model_dump(mode="json"),
        "train_start": forecast.train_start,
        "train_end": forecast.train_end,
        "training_job_id": job_id,
    }


def series_forecast(row: ForecastModel) -> SeriesForecast:
    """The stored forecast of a category row, validated; a format-1 row is converted on the way."""
    stored = row.forecast
    if stored.get("format") != SeriesForecast.FORMAT:
        return from_format_1(row)
    return SeriesForecast(
        series_key=row.series_key,
        train_start=row.train_start,
        train_end=row.train_end,
        auto=ModelForecast.model_validate(stored["auto"]),
        sarima=ModelForecast.model_validate(stored["sarima"]),
        params=row.params or {},
        backtest=Backtest.model_validate(row.backtest),
        diagnostics=Diagnostics.model_validate(row.diagnostics),
        trained_at=row.trained_at,
    )
