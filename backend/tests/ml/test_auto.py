"""The automatic selection's interval calibration: the scale from backtest errors, and the errors it rests on."""

from __future__ import annotations

import numpy as np
import pytest

from app.ml.auto import AutoForecaster, interval_scale
from app.ml.backtest import rolling_origin, standardized_errors
from app.ml.forecasters import make_model

QUARTILE = 0.6744897501960817  # a right sd leaves half of the standardised errors within this
BOUNDS = (0.4, 2.0)


def errors_with_median(median_abs: float, count: int = 20) -> np.ndarray:
    """Alternating signs: the sign must not matter, only the size."""
    return median_abs * np.where(np.arange(count) % 2 == 0, 1.0, -1.0)


def seasonal_series(weeks: int = 260, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    return rng.poisson(60 * (1 + 0.4 * np.sin(2 * np.pi * t / 52.18))).astype(float)


def test_errors_as_wide_as_the_model_said_leave_its_intervals_alone() -> None:
    assert interval_scale(errors_with_median(QUARTILE), tail_factor=1.0, bounds=BOUNDS) == pytest.approx(1.0)


def test_errors_half_again_as_wide_stretch_by_half_and_then_by_the_tail_factor() -> None:
    assert interval_scale(errors_with_median(1.5 * QUARTILE), tail_factor=1.0, bounds=BOUNDS) == pytest.approx(1.5)
    assert interval_scale(errors_with_median(1.5 * QUARTILE), tail_factor=1.1, bounds=BOUNDS) == pytest.approx(1.65)


def test_one_spoilt_window_does_not_move_the_scale() -> None:
    errors = errors_with_median(QUARTILE, count=117)
    spoilt = np.concatenate([errors, np.full(13, 40.0)])  # a level shift: 13 errors of 40 sd
    # The 95% quantile of these would be 40 sd (the old rule's 2.0 bound); the median stays put.
    assert interval_scale(spoilt, tail_factor=1.0, bounds=BOUNDS) == pytest.approx(1.0)


def test_scale_is_bounded_both_ways() -> None:
    assert interval_scale(errors_with_median(10.0), tail_factor=1.0, bounds=BOUNDS) == 2.0
    assert interval_scale(errors_with_median(0.01), tail_factor=1.0, bounds=BOUNDS) == 0.4


def test_too_few_errors_keep_the_models_own_sd() -> None:
    nine = errors_with_median(2 * QUARTILE, count=9)
    assert interval_scale(nine, tail_factor=1.1, bounds=BOUNDS) == 1.0
    with_gaps = np.concatenate([nine, [np.nan, np.inf]])  # a zero sd standardises to nan: not evidence
    assert interval_scale(with_gaps, tail_factor=1.1, bounds=BOUNDS) == 1.0


def test_calibration_rests_on_older_windows_than_the_selection() -> None:
    y = seasonal_series()
    auto = AutoForecaster(candidates=("theta",), combine_top=1, windows=4, calibration_windows=6).fit(y)
    assert auto.calibration_errors_.shape == (6, 13)
    theta = rolling_origin(y, lambda: make_model("theta"), horizon=13, windows=6, min_train=52)
    np.testing.assert_allclose(auto.calibration_errors_, standardized_errors(theta).reshape(6, 13))  # oldest first
    expected = interval_scale(auto.calibration_errors_, tail_factor=auto.tail_factor, bounds=auto.scale_bounds)
    assert auto.interval_scale_ == expected
    sd = auto.predict_log(13)[1]
    forecast = auto.predict(13)
    half = 1.959964 * sd * auto.interval_scale_
    np.testing.assert_allclose(np.log1p(forecast.upper) - np.log1p(forecast.mean), half, rtol=1e-5)


def test_a_combination_is_calibrated_on_its_own_older_windows() -> None:
    rng = np.random.default_rng(9)  # a seasonal random walk on which naive and seasonal naive tie: they combine
    t = np.arange(200)
    y = np.round(50 * np.exp(np.cumsum(rng.normal(0, 0.05, 200))) * (1 + 0.3 * np.sin(2 * np.pi * t / 52)))
    candidates = ("theta", "naive", "seasonal_naive")
    auto = AutoForecaster(candidates=candidates, windows=4, calibration_windows=6).fit(y)
    assert auto.winner_ == "combination" and sorted(auto.members_) == ["naive", "seasonal_naive"]
    members = [rolling_origin(y, lambda n=n: make_model(n), horizon=13, windows=6, min_train=52) for n in auto.members_]
    mean = np.mean([[w.log_mean for w in windows] for windows in members], axis=0)
    sd = np.mean([[w.log_sd for w in windows] for windows in members], axis=0)
    actual = np.log1p([w.actual for w in members[0]])
    np.testing.assert_allclose(auto.calibration_errors_, (actual - mean) / sd)


def test_calibration_windows_stop_where_the_history_does() -> None:
    # 80 weeks with 52 needed to fit: origins 67 and 54 only, whatever was asked
    auto = AutoForecaster(windows=4, calibration_windows=15).fit(seasonal_series(weeks=80))
    assert auto.calibration_errors_.shape == (2, 13)


def test_without_calibration_the_models_sd_stands() -> None:
    auto = AutoForecaster(windows=4, calibrate=False).fit(seasonal_series())
    assert auto.interval_scale_ == 1.0 and auto.calibration_errors_.shape == (0, 13)
