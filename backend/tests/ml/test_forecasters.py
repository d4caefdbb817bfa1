"""The estimators: their contract, fallbacks, warm starts, and the automatic selection."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.ml.auto import AutoForecaster
from app.ml.forecasters import MODELS, make_model
from app.ml.horizons import days_total, horizon_total


def seasonal_series(weeks: int = 260, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    level = 60 * (1 + 0.002 * t) * (1 + 0.4 * np.sin(2 * np.pi * t / 52.18))
    return rng.poisson(level).astype(float)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_fits_predicts_and_exports_json(name: str) -> None:
    model = make_model(name)
    assert model.fit(seasonal_series()) is model
    forecast = model.predict(13, level=95)
    assert forecast.mean.shape == forecast.lower.shape == forecast.upper.shape == (13,)
    assert np.all(forecast.lower <= forecast.mean + 1e-9) and np.all(forecast.mean <= forecast.upper + 1e-9)
    assert np.all(forecast.lower >= 0)
    json.dumps(model.get_params())  # stored as JSON, never pickled
    narrower = model.predict(13, level=80)
    assert np.all(narrower.upper - narrower.lower <= forecast.upper - forecast.lower + 1e-9)


@pytest.mark.parametrize("name", ["sarima", "sarima_css"])
def test_short_history_falls_back_and_says_so(name: str) -> None:
    model = make_model(name).fit(seasonal_series(weeks=80))
    assert model.fallback_ and "under two seasons" in model.fallback_
    assert model.get_params()["fallback"] == model.fallback_
    assert np.all(np.isfinite(model.predict(13).mean))


def test_sarima_warm_start_from_stored_parameters_reaches_the_same_fit() -> None:
    y = seasonal_series()
    cold = make_model("sarima").fit(y)
    stored = json.loads(json.dumps(cold.get_params()))
    warm = make_model("sarima", warm_start=stored).fit(y)
    assert warm.get_params()["iterations"] <= cold.get_params()["iterations"]
    # The likelihood is flat near its optimum and L-BFGS stops within its tolerance, so two starts
    # land a hair apart (0.3% here); the contract with plain statsmodels is 2%.
    assert np.allclose(warm.predict(13).mean, cold.predict(13).mean, rtol=5e-3)


def test_auto_chooses_by_backtest_and_reports_every_candidate() -> None:
    auto = AutoForecaster(windows=4).fit(seasonal_series())
    assert set(auto.backtest_) >= {"sarima_css", "theta", "naive", "seasonal_naive"}
    assert auto.winner_ == min(auto.backtest_, key=auto._loss)
    assert auto.backtest_["naive"]["smape"] > auto.backtest_[auto.winner_]["smape"]
    assert 0.4 <= auto.interval_scale_ <= 2.0
    assert auto.predict(13).mean.shape == (13,)


def test_auto_with_no_room_for_a_backtest_says_so() -> None:
    auto = AutoForecaster().fit(seasonal_series(weeks=40))
    assert auto.fallback_ and auto.winner_ == "theta"


def test_day_totals_split_weeks_into_sevenths() -> None:
    weekly = np.full(13, 7.0)
    assert days_total(weekly, 30) == pytest.approx(30.0)
    assert days_total(weekly, 90) == pytest.approx(90.0)
    summary = horizon_total(weekly, weekly * 0.5, weekly * 2, 90)
    assert (summary.total, summary.daily_average, summary.lower, summary.upper, summary.weeks) == pytest.approx(
        (90.0, 1.0, 45.0, 180.0, 13)
    )
    with pytest.raises(ValueError):
        days_total(np.ones(4), 30)
