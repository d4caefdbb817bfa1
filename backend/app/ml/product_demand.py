"""Demand per product: Croston, SBA and TSB against a top-down split of the category forecast.

Most SKUs sell a few units a year, so a model per product learns little. Two families are
made for that: intermittent-demand smoothing per product (Croston, SBA, TSB), and top-down
(the category's forecast split by each product's recent share of the category's units).
`forecast_products` backtests all of them on the category's last `horizon` weeks and keeps
the one with the lowest error on the products' horizon totals (what a reorder decision
needs), then forecasts every product with it.

The smoothing runs across all products at once (one numpy step per week), and matches the
per-series estimators of `app.ml.intermittent` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from app.ml.forecasters.base import z_for_level

ALPHA = 0.1  # smoothing of demand sizes and intervals (Croston/SBA/TSB)
BETA = 0.05  # smoothing of the probability of a demand (TSB)
SHARE_WEEKS = 52  # a product's share of its category is taken over the last year
METHODS = ("croston", "sba", "tsb", "top_down")


def croston_rates(weekly: np.ndarray, *, alpha: float = ALPHA, sba: bool = False) -> np.ndarray:
    """Croston's (or SBA's) demand rate per period for every column of `weekly` (rows: periods)."""
    periods, products = weekly.shape
    size, interval, since = np.zeros(products), np.zeros(products), np.zeros(products)
    started = np.zeros(products, dtype=bool)
    for t in range(periods):
        demand = weekly[t]
        since += 1
        sold = demand > 0
        first, again = sold & ~started, sold & started
        size = np.where(first, demand, np.where(again, size + alpha * (demand - size), size))
        interval = np.where(first, since, np.where(again, interval + alpha * (since - interval), interval))
        started |= sold
        since = np.where(sold, 0, since)
    correction = 1 - alpha / 2 if sba else 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(started, correction * size / np.where(interval > 0, interval, 1), 0.0)


def tsb_rates(weekly: np.ndarray, *, alpha: float = ALPHA, beta: float = BETA) -> np.ndarray:
    """TSB's demand rate (probability of a demand x its size) for every column of `weekly`."""
    periods, products = weekly.shape
    sold_at = weekly > 0
    probability = sold_at[: max(1, periods // 4)].mean(axis=0).astype(float) if periods else np.zeros(products)
    first_sale = sold_at.argmax(axis=0)
    size = np.where(sold_at.any(axis=0), weekly[first_sale, np.arange(products)], 0.0).astype(float)
    for t in range(periods):
        sold = sold_at[t]
        probability = probability + beta * (sold - probability)
        size = np.where(sold, size + alpha * (weekly[t] - size), size)
    return probability * size


def top_down_shares(weekly: np.ndarray, *, weeks: int = SHARE_WEEKS) -> np.ndarray:
    """Each product's share of the category's units over the last `weeks` periods (even split when none sold)."""
    recent = np.clip(weekly[-weeks:], 0, None).sum(axis=0)
    total = recent.sum()
    return recent / total if total > 0 else np.full(weekly.shape[1], 1 / max(weekly.shape[1], 1))


def _rates(method: str, weekly: np.ndarray) -> np.ndarray:
    if method == "tsb":
        return tsb_rates(weekly)
    return croston_rates(weekly, sba=method == "sba")


def horizon_error(predicted_totals: np.ndarray, actual_totals: np.ndarray) -> dict[str, float | None]:
    """WAPE of the products' horizon totals (sum |F - A| / sum A; None when nothing sold) and the mean absolute
    error per product."""
    error = np.abs(predicted_totals - actual_totals)
    actual = float(np.abs(actual_totals).sum())
    return {
        "wape": round(float(error.sum() / actual), 4) if actual > 0 else None,
        "mae_per_product": round(float(error.mean()), 4) if len(error) else 0.0,
    }


@dataclass
class ProductForecasts:
    """The method chosen for a category's products, the backtest of every method, and each product's forecast."""

    method: str
    backtest: dict[str, dict[str, float | None]]
    forecasts: dict[str, dict[str, Any]] = field(default_factory=dict)


def backtest_methods(
    weekly: np.ndarray, category_holdout: np.ndarray | None, *, horizon: int
) -> dict[str, dict[str, float | None]]:
    """Every method's error on the last `horizon` weeks, fitted without them.

    `category_holdout` is the category model's own forecast of those weeks (made without
    them); without it top-down cannot be scored fairly and is left out.
    """
    if weekly.shape[0] <= horizon + 4:
        return {}
    train, actual = weekly[:-horizon], np.clip(weekly[-horizon:], 0, None).sum(axis=0)
    scores = {method: horizon_error(_rates(method, train) * horizon, actual) for method in METHODS[:3]}
    if category_holdout is not None and len(category_holdout) == horizon:
        scores["top_down"] = horizon_error(top_down_shares(train) * float(np.sum(category_holdout)), actual)
    return scores


def _choose(scores: dict[str, dict[str, float | None]]) -> str:
    scored = {name: value["wape"] for name, value in scores.items() if value["wape"] is not None}
    return min(scored, key=lambda name: (scored[name], METHODS.index(name))) if scored else "sba"


def forecast_products(
    history: pd.DataFrame,
    *,
    category_holdout: np.ndarray | None,
    category_weekly: pd.DataFrame,
    horizon: int = 13,
    level: int = 95,
) -> ProductForecasts:
    """Forecast every product (column of `history`, rows: weeks) by the method that backtests best.

    `category_weekly` has the category forecast's `forecast`, `lower`, `upper` per future week
    (what top-down splits). A product's band: its share of the category band (top-down), or
    its rate +- z x the standard deviation of its weekly demand, floored at zero.
    """
    weekly = np.clip(history.to_numpy(dtype=float), 0, None)
    scores = backtest_methods(weekly, category_holdout, horizon=horizon)
    method = _choose(scores)
    if method == "top_down":
        shares = top_down_shares(weekly)[:, None]
        mean = shares * category_weekly["forecast"].to_numpy(float)[None, :horizon]
        lower = shares * category_weekly["lower"].to_numpy(float)[None, :horizon]
        upper = shares * category_weekly["upper"].to_numpy(float)[None, :horizon]
    else:
        rates = _rates(method, weekly)[:, None]
        half = z_for_level(level) * (weekly.std(axis=0, ddof=1)[:, None] if len(weekly) > 1 else 0.0)
        mean = np.repeat(rates, horizon, axis=1)
        lower, upper = np.clip(mean - half, 0, None), mean + half
    forecasts = {
        str(sku): _product_body(mean[i], lower[i], upper[i], method=method, level=level)
        for i, sku in enumerate(history.columns)
    }
    return ProductForecasts(method=method, backtest=scores, forecasts=forecasts)


def _product_body(mean: np.ndarray, lower: np.ndarray, upper: np.ndarray, *, method: str, level: int) -> dict[str, Any]:
    # Compact on purpose: thousands of products are stored per retrain. The weekly spread is what
    # the reorder maths needs from the band (a 95% band is +- z sigma wide).
    days = 90
    weeks = days / 7
    total = float(mean.mean()) * weeks
    return {
        "model": method,
        "forecasts": {
            f"{days}_day": {
                "total_forecast": round(total, 3),
                "daily_average": round(total / days, 4),
                "lower_ci_total": round(float(lower.mean()) * weeks, 3),
                "upper_ci_total": round(float(upper.mean()) * weeks, 3),
            }
        },
        "weekly_sigma": round(float(np.mean(upper - lower)) / (2 * z_for_level(level)), 4),
    }
