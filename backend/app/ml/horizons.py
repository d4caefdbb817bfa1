"""Weekly forecasts turned into the 30/60/90-day totals of the response contract.

Day d of the horizon (1-based) falls in week ceil(d / 7) and gets a seventh of that week's
forecast: 30 days are 4 full weeks and 2/7 of the fifth; 90 days are 12 weeks and 6/7 of the
thirteenth.
"""

from __future__ import annotations

import math

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


def horizon_summary(mean: np.ndarray, lower: np.ndarray, upper: np.ndarray, days: int) -> dict[str, float | int]:
    """Total, daily average and bounds over `days` days, as the API reports them.

    The bounds add the weekly bounds: a deliberately cautious band (weeks rarely all land at
    their extremes together).
    """
    total = days_total(mean, days)
    return {
        "total_forecast": round(total, 2),
        "daily_average": round(total / days, 2),
        "lower_ci_total": round(days_total(lower, days), 2),
        "upper_ci_total": round(days_total(upper, days), 2),
        "weeks_in_forecast": math.ceil(days / 7),
    }
