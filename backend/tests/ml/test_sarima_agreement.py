"""`model=sarima` is the seed model: its 90-day totals agree within 2% with a direct statsmodels fit.

On every category of the generated data set (100,000 orders): the direct fit is
SARIMAX(log1p(weekly), order=(1,1,1), seasonal_order=(1,0,1,52)).fit() with statsmodels'
defaults, nothing of ours in between.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from app.generator.demo_data import generate_demo_data
from app.ml.forecasters.sarima import SeedSarima
from app.ml.horizons import days_total
from app.ml.series import category_weekly_demand
from app.services.forecasting.workers import process_pool


def direct_statsmodels_total(y: np.ndarray) -> float:
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = SARIMAX(np.log1p(y), order=(1, 1, 1), seasonal_order=(1, 0, 1, 52)).fit(disp=False)
    return days_total(np.expm1(fit.get_forecast(13).predicted_mean), 90)


def our_total(y: np.ndarray) -> float:
    return days_total(SeedSarima().fit(y).predict(13).mean, 90)


@pytest.mark.slow
def test_seed_sarima_agrees_with_statsmodels_within_2_percent_on_every_category() -> None:
    series = category_weekly_demand(generate_demo_data(n_orders=100_000, seed=42).orders)
    assert len(series) == 10
    values = [weekly.to_numpy(float) for weekly in series.values()]
    with process_pool(2) as pool:  # one BLAS thread per worker, as in training
        direct = list(pool.map(direct_statsmodels_total, values))
        ours = list(pool.map(our_total, values))
    gaps = {name: ours[i] / direct[i] - 1 for i, name in enumerate(series)}
    assert max(abs(gap) for gap in gaps.values()) <= 0.02, gaps
