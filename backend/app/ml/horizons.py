"""Weekly forecasts turned into day totals (the 30/60/90-day totals of the response contract).

Day d of the horizon (1-based) falls in week ceil(d / 7) and gets a seventh of that week's
forecast: 30 days are 4 full weeks and 2/7 of the fifth; 90 days are 12 weeks and 6/7 of the
thirteenth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def days_total(weekly: np.ndarray, days: int) -> float:
    """Sum of the first `days` days of a weekly forecast."""
    full_weeks, extra_days = divmod(days, 7)
    if full_weeks + (1 if extra_days else 0) > len(weekly):
        raise ValueError(f"{days} days need {math.ceil(days / 7)} weeks of forecast, {len(weekly)} given")
    total = float(np.sum(weekly[:full_weeks]))
    if extra_days:
        total += float(weekly[full_weeks]) * extra_days / 7
    return total


@dataclass(frozen=True)
class HorizonTotal:
    """A forecast summed over its first `days` days: the total and the sums of the weekly bounds.

    The bounds add the weekly bounds: a deliberately cautious band (weeks rarely all land at
    their extremes together).
    """

    days: int
    total: float
    lower: float
    upper: float

    @property
    def daily_average(self) -> float:
        return self.total / self.days

    @property
    def weeks(self) -> int:
        """Weeks of forecast the total draws on (the last one in part)."""
        return math.ceil(self.days / 7)


def horizon_total(mean: np.ndarray, lower: np.ndarray, upper: np.ndarray, days: int) -> HorizonTotal:
    """Total and bounds of a weekly forecast over its first `days` days."""
    return HorizonTotal(
        days=days, total=days_total(mean, days), lower=days_total(lower, days), upper=days_total(upper, days)
    )
