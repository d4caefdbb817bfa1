"""Forecast accuracy as the M4 competition computed it.

sMAPE = (200 / h) x sum |y - f| / (|y| + |f|); MASE = MAE / mean |y_t - y_{t-m}| in sample
(m = 1 for weekly data, as M4 used); MSIS (alpha = 0.05) = mean of (U - L) + (2/alpha)(L - y)[y < L]
+ (2/alpha)(y - U)[y > U], scaled like MASE; coverage = share of actuals inside [L, U].
"""

from __future__ import annotations

import numpy as np


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Symmetric MAPE in percent (0..200); a point where both are 0 counts as 0."""
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    denominator = np.abs(actual) + np.abs(forecast)
    ratio = np.divide(np.abs(actual - forecast), denominator, out=np.zeros_like(denominator), where=denominator > 0)
    return float(200 * ratio.mean())


def mae(actual: np.ndarray, forecast: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(actual, float) - np.asarray(forecast, float))))


def naive_scale(insample: np.ndarray, m: int = 1) -> float:
    """Mean absolute m-step naive error in sample: the MASE and MSIS denominator."""
    insample = np.asarray(insample, float)
    if len(insample) <= m:
        return float("nan")
    return float(np.mean(np.abs(insample[m:] - insample[:-m])))


def mase(actual: np.ndarray, forecast: np.ndarray, insample: np.ndarray, m: int = 1) -> float:
    return mae(actual, forecast) / naive_scale(insample, m)


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actual values inside their interval."""
    actual = np.asarray(actual, float)
    return float(np.mean((actual >= np.asarray(lower, float)) & (actual <= np.asarray(upper, float))))


def msis(
    actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, insample: np.ndarray, m: int = 1, alpha: float = 0.05
) -> float:
    """Mean scaled interval score: width plus 2/alpha times each miss, over the naive scale."""
    actual, lower, upper = (np.asarray(values, float) for values in (actual, lower, upper))
    penalty = (
        (upper - lower)
        + (2 / alpha) * (lower - actual) * (actual < lower)
        + (2 / alpha) * (actual - upper) * (actual > upper)
    )
    return float(penalty.mean() / naive_scale(insample, m))
