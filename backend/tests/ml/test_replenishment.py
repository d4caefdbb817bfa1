"""Reorder maths against textbook values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from app.ml.replenishment import (
    economic_order_quantity,
    reorder_plan,
    reorder_point,
    safety_stock,
    service_level_z,
    stockout_risk,
)


@pytest.mark.parametrize(("level", "z"), [(0.95, 1.645), (0.99, 2.326), (0.90, 1.282), (0.975, 1.960)])
def test_z_of_common_service_levels(level: float, z: float) -> None:
    assert service_level_z(level) == pytest.approx(z, abs=5e-4)


def test_safety_stock_reorder_point_and_eoq_by_the_book() -> None:
    # Daily demand 20 (sigma 5), lead time 9 days, 95% service: SS = 1.645 x 5 x 3 = 24.67.
    ss = safety_stock(0.95, 5.0, 9)
    assert ss == pytest.approx(1.6449 * 15, rel=1e-4)
    assert reorder_point(20, 9, ss) == pytest.approx(180 + ss)
    # EOQ = sqrt(2DS/H): D = 1,000 a year, S = 10 an order, H = 0.5 a unit-year -> 200.
    assert economic_order_quantity(1000, 10, 0.5) == pytest.approx(200.0)
    assert economic_order_quantity(0, 10, 0.5) == 0.0


def test_stockout_risk_is_the_normal_tail() -> None:
    # Lead-time demand N(100, 20): holding 100 units runs out half the time, 132.9 about 5%.
    assert stockout_risk(100, 10, 20 / math.sqrt(10), 10) == pytest.approx(0.5)
    assert stockout_risk(100 + 1.645 * 20, 10, 20 / math.sqrt(10), 10) == pytest.approx(0.05, abs=1e-3)
    assert stockout_risk(5, 1, 0, 3) == 0.0 and stockout_risk(2, 1, 0, 3) == 1.0
    # Nine sigmas of cover: tiny, not 0 (P(Z > 9) = 1.1286e-19).
    assert stockout_risk(100 + 9 * 20, 10, 20 / math.sqrt(10), 10) == pytest.approx(1.1286e-19, rel=1e-4)


def test_plan_orders_the_larger_of_eoq_and_the_shortfall() -> None:
    frame = pd.DataFrame(
        {
            "daily_demand": [2.0, 2.0, 0.0], "daily_sigma": [1.0, 1.0, 0.0], "lead_time_days": [4, 4, 4],
            "stock_on_hand": [50, 3, 10], "unit_cost": [10.0, np.nan, 10.0],
        }
    )  # fmt: skip
    plan = reorder_plan(frame, service_level=0.95, ordering_cost=20, holding_cost_rate=0.25)
    rop = 8 + 1.6449 * 2
    assert plan["reorder_point"].iloc[0] == pytest.approx(rop, rel=1e-4)
    assert not plan["should_reorder"].iloc[0]
    assert plan["days_until_reorder"].iloc[0] == pytest.approx((50 - rop) / 2, rel=1e-4)
    # No unit cost: no EOQ, so the order fills the shortfall to the reorder point.
    assert plan["should_reorder"].iloc[1] and np.isnan(plan["eoq"].iloc[1])
    assert plan["suggested_order_quantity"].iloc[1] == math.ceil(rop - 3)
    # Nothing sells: nothing to reorder, no date.
    assert not plan["should_reorder"].iloc[2] and math.isinf(plan["days_until_reorder"].iloc[2])
