"""Metric functions against hand-computed values and M4's published Naive2 figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.ml.metrics import coverage, mae, mase, msis, naive_scale, smape
from tests.support.environment import missing_data

M4 = Path(__file__).resolve().parents[4] / "shared" / "data" / "m4"


def test_smape_mae_and_mase_by_hand() -> None:
    actual, forecast = np.array([100.0, 200.0]), np.array([110.0, 180.0])
    # (200/2) x (10/210 + 20/380) = 100 x (0.047619 + 0.052632)
    assert smape(actual, forecast) == pytest.approx(100 * (10 / 210 + 20 / 380))
    assert smape(np.array([0.0]), np.array([0.0])) == 0.0
    assert mae(actual, forecast) == 15.0
    insample = np.array([1.0, 3.0, 2.0, 6.0])  # naive errors 2, 1, 4 -> scale 7/3
    assert naive_scale(insample) == pytest.approx(7 / 3)
    assert mase(actual, forecast, insample) == pytest.approx(15 / (7 / 3))


def test_coverage_and_msis_by_hand() -> None:
    actual = np.array([10.0, 20.0, 30.0])
    lower, upper = np.array([8.0, 21.0, 25.0]), np.array([12.0, 25.0, 29.0])
    assert coverage(actual, lower, upper) == pytest.approx(1 / 3)
    insample = np.array([0.0, 2.0, 4.0])  # scale 2
    # widths 4, 4, 4; misses: 20 is 1 below 21 -> 40 x 1; 30 is 1 above 29 -> 40 x 1
    assert msis(actual, lower, upper, insample) == pytest.approx(((4 + 4 + 4) + 40 + 40) / 3 / 2)


def test_naive2_on_m4_weekly_matches_the_published_figures() -> None:
    if not (M4 / "Weekly-train.csv").exists():
        missing_data(M4 / "Weekly-train.csv", "put ../shared (with its data/m4) beside the project")
    from app.ml.series_files import read_series

    train = read_series(M4 / "Weekly-train.csv")
    test = read_series(M4 / "Weekly-test.csv").by_id()
    smapes, mases = [], []
    for key, history in zip(train.ids, train.values, strict=True):
        actual = test[key]
        forecast = np.full(len(actual), history[-1])  # Naive2 for weekly data is the last value
        smapes.append(smape(actual, forecast))
        mases.append(mase(actual, forecast, history))
    # M4's published Naive2 on the 359 weekly series.
    assert np.mean(smapes) == pytest.approx(9.161, abs=0.0005)
    assert np.mean(mases) == pytest.approx(2.777, abs=0.0005)
