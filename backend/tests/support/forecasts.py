"""A category forecast fitted on a made-up series, and the row format 1 stored for it (before the format had a
number: the API's bodies themselves, rounded), for the tests of the stored format and its readers."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from app.ml.evidence import HorizonError, ProductBacktest
from app.ml.forecast import SeriesForecast
from app.ml.pipeline import forecast_category
from app.models import ForecastModel
from app.services.forecasting.responses import forecast_out

TRAINED_AT = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
PRODUCTS = ProductBacktest(
    method="sba", candidates={"sba": HorizonError(wape=0.5, mae_per_product=1.0)}, products=3, metric="WAPE"
)


def fitted_forecast(category: str = "Garden", *, seed: int = 9, weeks: int = 170) -> SeriesForecast:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2021-01-03", periods=weeks, freq="W")
    units = 300 + 80 * np.sin(2 * np.pi * np.arange(weeks) / 52) + rng.normal(0, 25, weeks)
    return forecast_category(category, pd.Series(np.round(units.clip(0)), index=index), horizon=13)


def format_1_row(forecast: SeriesForecast) -> ForecastModel:
    """The row as format 1 wrote it: the API's bodies (rounded) in `forecast`, the holdout rounded the same way."""
    served = forecast.model_copy(update={"trained_at": TRAINED_AT})
    auto, seed = (forecast_out(served, name).model_dump(mode="json") for name in ("auto", "sarima"))
    for body in (auto, seed):
        del body["model_info"]["trained_at"]  # format 1 added it when serving
    holdout = [
        {"week": s.week.isoformat(), "actual": s.actual, "forecast": round(s.mean, 2), "lower": round(s.lower, 2),
         "upper": round(s.upper, 2)}
        for s in forecast.backtest.holdout
    ]  # fmt: skip
    backtest = {**forecast.backtest.model_dump(mode="json", exclude_none=True), "holdout": holdout}
    return ForecastModel(
        level="category", series_key=forecast.series_key, model_name=forecast.auto.model, params=forecast.params,
        backtest={**backtest, "products": PRODUCTS.model_dump()}, forecast={**auto, "alternatives": {"sarima": seed}},
        diagnostics=forecast.diagnostics.model_dump(mode="json"), train_start=forecast.train_start,
        train_end=forecast.train_end, trained_at=TRAINED_AT,
    )  # fmt: skip
