"""Residual diagnostics and the regression-assumption tests return what the API documents."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.ml.diagnostics import regression_assumptions, residual_diagnostics, trend_month_design


def test_white_noise_looks_like_white_noise() -> None:
    noise = np.random.default_rng(0).normal(size=300)
    result = residual_diagnostics(noise)
    assert result["adf"]["stationary_at_5pct"] and result["ljung_box"]["white_noise_at_5pct"]
    assert set(result["residuals"]) == {"mean", "std", "skewness", "kurtosis", "n"}


def test_linear_regression_on_seasonal_autocorrelated_sales_fails_its_assumptions() -> None:
    rng = np.random.default_rng(1)
    weeks = pd.date_range("2020-01-05", periods=260, freq="W")
    ar = np.zeros(260)
    for t in range(1, 260):
        ar[t] = 0.8 * ar[t - 1] + rng.normal(scale=5)
    level = 50 + 0.1 * np.arange(260) + 15 * np.sin(2 * np.pi * np.arange(260) / 52) + ar
    result = regression_assumptions(pd.Series(level * (1 + np.arange(260) / 260), index=weeks))
    assert result["durbin_watson"]["autocorrelated"]
    assert set(result) >= {"durbin_watson", "breusch_pagan", "vif", "r_squared"}
    assert result["max_vif"] > 1


def test_trend_month_design_continues_the_trend_after_the_training_weeks() -> None:
    weeks = pd.date_range("2020-01-05", periods=120, freq="W")
    train = trend_month_design(weeks[:104])
    future = trend_month_design(weeks[104:], first_step=104).reindex(columns=train.columns, fill_value=0.0)
    assert list(train.columns[:2]) == ["const", "trend"]
    assert [f"month_{m}" for m in range(2, 13)] == list(train.columns[2:])
    assert future["trend"].tolist() == list(range(104, 120))
    assert (future.drop(columns=["const", "trend"]).sum(axis=1) <= 1).all()  # one month at most, January none
