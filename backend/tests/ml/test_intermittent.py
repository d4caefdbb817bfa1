"""Croston, SBA and TSB against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from app.ml.intermittent import Croston, Tsb
from app.ml.product_demand import top_down_shares

DEMAND = np.array([0, 0, 4, 0, 0, 0, 2, 0, 6, 0], dtype=float)


def test_croston_and_sba_by_hand() -> None:
    # Demands 4 (at period 3), 2 (4 periods later), 6 (2 later); alpha 0.5.
    # Sizes: 4 -> 4 + 0.5(2 - 4) = 3 -> 3 + 0.5(6 - 3) = 4.5. Intervals: 3 -> 3 + 0.5(4 - 3) = 3.5 -> 3.5 + 0.5(2 - 3.5) = 2.75.
    croston = Croston(alpha=0.5).fit(DEMAND)
    assert (croston.size_, croston.interval_) == (pytest.approx(4.5), pytest.approx(2.75))
    assert croston.rate_ == pytest.approx(4.5 / 2.75)
    sba = Croston(alpha=0.5, variant="sba").fit(DEMAND)
    assert sba.rate_ == pytest.approx(0.75 * 4.5 / 2.75)
    assert np.allclose(croston.predict(4).mean, croston.rate_)


def test_tsb_decays_when_demand_stops() -> None:
    tsb = Tsb(alpha=0.5, beta=0.5).fit(np.array([3, 3, 3, 0, 0, 0], dtype=float))
    # Probability starts at the first quarter's share (1.0), +0.5(1-p) three times stays 1, then halves three times: 0.125.
    assert tsb.probability_ == pytest.approx(0.125)
    assert tsb.rate_ == pytest.approx(0.125 * 3)


def test_never_sold_forecasts_zero_and_shares_add_up() -> None:
    assert Croston().fit(np.zeros(8)).predict(3).mean.tolist() == [0.0, 0.0, 0.0]
    shares = top_down_shares(np.array([[1, 3], [1, 5]], dtype=float))
    assert shares.tolist() == [0.2, 0.8]
