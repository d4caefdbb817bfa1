"""RFM: scoring customers by recency, frequency and monetary value, and naming segments by stated rules."""

from __future__ import annotations

import pandas as pd

# Evaluated in order: the first rule a customer meets names its segment.
SEGMENT_RULES: tuple[tuple[str, str], ...] = (
    ("Champions", "R >= 4 and F >= 4 and M >= 4: bought recently, often, and spend the most"),
    ("Loyal", "F >= 4: buy often"),
    ("New", "R >= 4 and F == 1: first order was recent"),
    ("Promising", "R >= 4: bought recently"),
    ("At risk", "R <= 2 and F >= 3: used to buy often, not lately"),
    ("Lost", "R == 1: no order for the longest time"),
    ("Needs attention", "everyone else"),
)


def _score(values: pd.Series, *, higher_is_better: bool) -> pd.Series:
    # Quintiles of the rank (ties broken by order) so equal values cannot collapse the bins.
    ranks = values.rank(method="first", ascending=higher_is_better)
    return pd.qcut(ranks, 5, labels=False).astype(int) + 1 if len(values) >= 5 else pd.Series(3, index=values.index)


def rfm_scores(recency_days: pd.Series, orders: pd.Series, revenue: pd.Series) -> pd.DataFrame:
    """R, F and M scores from 1 (worst) to 5 (best) by quintile; frequency is scored on its rank."""
    return pd.DataFrame(
        {
            "R": _score(recency_days, higher_is_better=False),
            "F": _score(orders, higher_is_better=True),
            "M": _score(revenue, higher_is_better=True),
        }
    )


def rfm_segment(r: int, f: int, m: int, orders: int) -> str:
    """The first segment of SEGMENT_RULES the scores satisfy."""
    if r >= 4 and f >= 4 and m >= 4:
        return "Champions"
    if f >= 4:
        return "Loyal"
    if r >= 4 and orders == 1:
        return "New"
    if r >= 4:
        return "Promising"
    if r <= 2 and f >= 3:
        return "At risk"
    if r == 1:
        return "Lost"
    return "Needs attention"
