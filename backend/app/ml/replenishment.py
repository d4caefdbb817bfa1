"""Reorder maths: safety stock, reorder point, EOQ and the risk of running out during a lead time.

Demand over a lead time of L days is treated as normal with mean d x L and standard
deviation sigma_daily x sqrt(L) (independent days), the textbook model behind the
z x sigma formula.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from app.ml.forecasters.base import from_log_scale, z_for_level

# The standard library's normal distribution, not scipy.stats: importing that took 1.7 s of every
# start of the server and the command line, for three scalar functions.
STANDARD_NORMAL = NormalDist()


def normal_tail(x: float) -> float:
    """P(Z > x) for a standard normal Z; erfc keeps it accurate far into the tail, where 1 - cdf is 0."""
    return 0.5 * math.erfc(x / math.sqrt(2))


def service_level_z(service_level: float) -> float:
    """The standard normal quantile for a cycle service level: z(0.95) = 1.645."""
    if not 0 < service_level < 1:
        raise ValueError("service level must be between 0 and 1")
    return STANDARD_NORMAL.inv_cdf(service_level)


def weekly_sigma(log_mean: np.ndarray, log_sd: np.ndarray, level: int) -> float:
    """Spread of weekly demand, in units, from a log1p-scale forecast: the normal sigma of the same band width.

    Each week's central `level`% band, expm1(mean +- z sd) floored at zero, is 2 z sigma wide for a
    normal; the mean of those sigmas over the weeks is the spread the safety stock formula takes.
    """
    band = from_log_scale(np.asarray(log_mean, float), np.asarray(log_sd, float), level)
    if not len(band.mean):
        return 0.0
    return float(np.mean((band.upper - band.lower) / (2 * z_for_level(level))))


def lead_time_sigma(daily_sigma: float, lead_time_days: float) -> float:
    """Standard deviation of demand over the lead time."""
    return daily_sigma * math.sqrt(max(lead_time_days, 0.0))


def safety_stock(service_level: float, daily_sigma: float, lead_time_days: float) -> float:
    """z(service level) x sigma of demand over the lead time."""
    return service_level_z(service_level) * lead_time_sigma(daily_sigma, lead_time_days)


def reorder_point(daily_demand: float, lead_time_days: float, safety: float) -> float:
    """Lead-time demand plus safety stock."""
    return daily_demand * lead_time_days + safety


def economic_order_quantity(annual_demand: float, ordering_cost: float, holding_cost_per_unit: float) -> float:
    """EOQ = sqrt(2 D S / H); 0 when there is no demand or holding costs nothing."""
    if annual_demand <= 0 or holding_cost_per_unit <= 0:
        return 0.0
    return math.sqrt(2 * annual_demand * ordering_cost / holding_cost_per_unit)


def stockout_risk(stock_on_hand: float, daily_demand: float, daily_sigma: float, lead_time_days: float) -> float:
    """Probability that demand over the next lead time exceeds the stock on hand."""
    mean = daily_demand * lead_time_days
    sigma = lead_time_sigma(daily_sigma, lead_time_days)
    if sigma <= 0:
        return 1.0 if mean > stock_on_hand else 0.0
    return normal_tail((stock_on_hand - mean) / sigma)


def reorder_plan(
    frame: pd.DataFrame, *, service_level: float, ordering_cost: float, holding_cost_rate: float
) -> pd.DataFrame:
    """The reorder policy of many products at once.

    `frame` holds per product: daily_demand, daily_sigma, lead_time_days, stock_on_hand,
    unit_cost (may be NaN). Adds lead_time_demand, safety_stock, reorder_point, eoq (NaN
    without a unit cost), should_reorder, suggested_order_quantity, days_until_reorder
    (0 when at or below the reorder point, inf when nothing sells) and stockout_risk.
    """
    z = service_level_z(service_level)
    demand, sigma = frame["daily_demand"].to_numpy(float), frame["daily_sigma"].to_numpy(float)
    lead, stock = frame["lead_time_days"].to_numpy(float), frame["stock_on_hand"].to_numpy(float)
    lead_sigma = sigma * np.sqrt(np.maximum(lead, 0))
    plan = frame.copy()
    plan["lead_time_demand"] = demand * lead
    plan["safety_stock"] = z * lead_sigma
    plan["reorder_point"] = plan["lead_time_demand"] + plan["safety_stock"]
    holding = holding_cost_rate * frame["unit_cost"].to_numpy(float)
    annual = demand * 365
    with np.errstate(divide="ignore", invalid="ignore"):
        eoq = np.sqrt(2 * annual * ordering_cost / holding)
    plan["eoq"] = np.where((annual > 0) & (holding > 0), eoq, np.where(np.isnan(holding), np.nan, 0.0))
    plan["should_reorder"] = (stock <= plan["reorder_point"].to_numpy()) & (demand > 0)
    shortfall = np.maximum(plan["reorder_point"].to_numpy() - stock, 0)
    order_size = np.maximum(np.nan_to_num(plan["eoq"].to_numpy(), nan=0.0), shortfall)
    plan["suggested_order_quantity"] = np.where(plan["should_reorder"], np.ceil(order_size), 0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        days = (stock - plan["reorder_point"].to_numpy()) / demand
    plan["days_until_reorder"] = np.where(demand > 0, np.maximum(days, 0), np.inf)
    spread = np.divide(
        stock - plan["lead_time_demand"].to_numpy(), lead_sigma, out=np.zeros_like(stock), where=lead_sigma > 0
    )
    risk = np.fromiter((normal_tail(x) for x in spread), float, count=len(spread))
    no_spread = lead_sigma <= 0
    plan["stockout_risk"] = np.where(no_spread, (plan["lead_time_demand"].to_numpy() > stock).astype(float), risk)
    return plan
