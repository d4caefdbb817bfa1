"""Product classes: ABC by revenue (Pareto), XYZ by demand variability, and the ABC x XYZ matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd

ABC_STRATEGIES = {
    "A": "Daily monitoring and weekly reorder: these few products make most of the revenue.",
    "B": "Weekly monitoring and bi-weekly reorder.",
    "C": "Monthly review and minimal stock: many products, little revenue.",
}
XYZ_MEANINGS = {
    "X": "Steady demand: forecasts are reliable, keep lean safety stock.",
    "Y": "Fluctuating demand: seasonal or trending, plan with forecasts and moderate safety stock.",
    "Z": "Erratic demand: hard to forecast, order on demand or hold strategic buffers.",
}


def abc_classes(revenue: pd.Series, *, a_share: float = 0.80, b_share: float = 0.15) -> pd.Series:
    """A for the smallest set of top products reaching `a_share` of revenue, B up to a_share + b_share, C the rest.

    A product is A while the cumulative share *before* it is below the cut-off, so the
    product that crosses 80% is A and A is the smallest set reaching 80%. Products with no
    (or negative) revenue are C.
    """
    if not 0 < a_share < 1 or not 0 <= b_share < 1 or a_share + b_share > 1:
        raise ValueError("cut-offs must satisfy 0 < a_share, 0 <= b_share and a_share + b_share <= 1")
    ordered = revenue.sort_values(ascending=False, kind="stable")
    positive = ordered.clip(lower=0)
    total = positive.sum()
    if total <= 0:
        return pd.Series("C", index=revenue.index)
    before = (positive.cumsum() - positive) / total
    classes = np.where(before < a_share, "A", np.where(before < a_share + b_share, "B", "C"))
    classes = np.where(positive.to_numpy() <= 0, "C", classes)
    return pd.Series(classes, index=ordered.index).reindex(revenue.index)


def demand_variability(weekly_units: pd.DataFrame) -> pd.Series:
    """Coefficient of variation (std / mean, population std) of each column's weekly demand; inf when it never sold."""
    mean = weekly_units.mean(axis=0)
    std = weekly_units.std(axis=0, ddof=0)
    return (std / mean.where(mean > 0)).fillna(np.inf)


def xyz_classes(variability: pd.Series, *, x_max: float = 0.5, y_max: float = 1.0) -> pd.Series:
    """X when the coefficient of variation is at most `x_max`, Y up to `y_max`, Z above."""
    if not 0 < x_max < y_max:
        raise ValueError("cut-offs must satisfy 0 < x_max < y_max")
    return pd.Series(
        np.where(variability <= x_max, "X", np.where(variability <= y_max, "Y", "Z")), index=variability.index
    )
