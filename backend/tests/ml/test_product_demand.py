"""Product-level demand: the vectorised smoothing equals the per-series estimators, and the backtest picks the better family."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.ml.intermittent import Croston, Tsb
from app.ml.product_demand import (
    backtest_methods,
    croston_rates,
    forecast_products,
    horizon_error,
    top_down_shares,
    tsb_rates,
)


def intermittent_grid(weeks: int = 120, products: int = 40, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    sells = rng.random((weeks, products)) < rng.uniform(0.02, 0.5, products)
    return np.where(sells, rng.integers(1, 6, (weeks, products)), 0).astype(float)


def test_vectorised_rates_equal_the_per_series_estimators() -> None:
    grid = intermittent_grid()
    grid[:, 0] = 0  # one product never sold
    croston = [Croston(alpha=0.1).fit(grid[:, j]).rate_ for j in range(grid.shape[1])]
    sba = [Croston(alpha=0.1, variant="sba").fit(grid[:, j]).rate_ for j in range(grid.shape[1])]
    tsb = [Tsb(alpha=0.1, beta=0.05).fit(grid[:, j]).rate_ for j in range(grid.shape[1])]
    assert np.allclose(croston_rates(grid), croston)
    assert np.allclose(croston_rates(grid, sba=True), sba)
    assert np.allclose(tsb_rates(grid), tsb)
    assert croston_rates(grid)[0] == 0 and tsb_rates(grid)[0] == 0


def test_horizon_error_by_hand() -> None:
    # |3 - 1| + |0 - 1| = 3 over 2 units sold: WAPE 1.5; 1.5 units off per product.
    assert horizon_error(np.array([3.0, 0.0]), np.array([1.0, 1.0])) == {"wape": 1.5, "mae_per_product": 1.5}
    assert horizon_error(np.array([1.0]), np.array([0.0]))["wape"] is None


def test_top_down_wins_when_the_category_forecast_is_right_and_loses_when_it_is_not() -> None:
    rng = np.random.default_rng(3)
    weeks, horizon = 156, 13
    category = 200 + 120 * np.sin(2 * np.pi * np.arange(weeks) / 52)  # strongly seasonal
    shares = rng.dirichlet(np.ones(30))
    grid = rng.poisson(np.outer(category, shares)).astype(float)
    actual_category = grid[-horizon:].sum(axis=1)
    good = backtest_methods(grid, actual_category, horizon=horizon)
    assert min(good, key=lambda name: good[name]["wape"]) == "top_down"
    bad = backtest_methods(grid, actual_category * 4, horizon=horizon)
    assert min(bad, key=lambda name: bad[name]["wape"]) != "top_down"
    assert set(backtest_methods(grid, None, horizon=horizon)) == {"croston", "sba", "tsb"}
    weekly = pd.DataFrame({"forecast": np.full(13, 30.0), "lower": np.full(13, 20.0), "upper": np.full(13, 40.0)})
    split = forecast_products(
        pd.DataFrame(grid), category_holdout=actual_category, category_weekly=weekly, horizon=horizon
    )
    assert split.method == "top_down"
    # The products' totals add up to the category's 90 days (30 a week), and so do their bounds.
    totals = [body["forecasts"]["90_day"] for body in split.forecasts.values()]
    assert sum(t["total_forecast"] for t in totals) == pytest.approx(30 * 90 / 7, rel=1e-3)
    assert sum(t["upper_ci_total"] for t in totals) == pytest.approx(40 * 90 / 7, rel=1e-3)


def test_forecast_products_gives_every_product_a_total_and_a_spread() -> None:
    grid = intermittent_grid(weeks=104, products=12)
    history = pd.DataFrame(grid, columns=[f"SKU{j}" for j in range(12)])
    weekly = pd.DataFrame({"forecast": np.full(13, 30.0), "lower": np.full(13, 20.0), "upper": np.full(13, 40.0)})
    result = forecast_products(history, category_holdout=None, category_weekly=weekly, horizon=13)
    assert result.method in {"croston", "sba", "tsb"}
    assert set(result.forecasts) == set(history.columns)
    body = result.forecasts["SKU3"]
    ninety = body["forecasts"]["90_day"]
    assert ninety["lower_ci_total"] <= ninety["total_forecast"] <= ninety["upper_ci_total"]
    assert body["weekly_sigma"] > 0 and body["model"] == result.method


def test_shares_use_the_last_year_and_add_up() -> None:
    grid = np.zeros((60, 2))
    grid[:8, 0] = 10  # sold only before the last 52 weeks
    grid[8:, 1] = 1
    assert top_down_shares(grid).tolist() == [0.0, 1.0]
    assert top_down_shares(np.zeros((5, 4))).tolist() == [0.25] * 4
