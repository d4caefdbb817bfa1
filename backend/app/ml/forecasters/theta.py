"""The Theta method, written for speed: simple exponential smoothing plus half the linear trend (Hyndman & Billah's form).

On log1p; with two seasons of history and a significant yearly autocorrelation (M4's 90%
test), a classical additive seasonal pattern is removed first and added back to the forecast.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.ml.forecasters.base import LogScale


def _ses_errors(alpha: float, y: np.ndarray) -> tuple[np.ndarray, float]:
    """One-step errors of simple exponential smoothing started at y[0], and the final level."""
    # scipy is imported where a fit needs it: at module level it cost every start of the server and
    # the command line 1.7 s, though fits run in worker processes.
    from scipy.signal import lfilter

    levels, _ = lfilter([alpha], [1.0, alpha - 1.0], y[1:], zi=[(1 - alpha) * y[0]])
    previous = np.concatenate([[y[0]], levels[:-1]])
    return y[1:] - previous, float(levels[-1])


def seasonality_is_significant(y: np.ndarray, period: int) -> bool:
    """M4's test: the autocorrelation at the seasonal lag exceeds 1.645 of its standard error."""
    if len(y) < 3 * period:
        return False
    centred = y - y.mean()
    denominator = float(np.dot(centred, centred))
    if denominator == 0:
        return False
    acf = np.array([np.dot(centred[lag:], centred[:-lag]) / denominator for lag in range(1, period + 1)])
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(acf[:-1] ** 2)) / len(y))
    return bool(abs(acf[-1]) > limit)


def seasonal_pattern(y: np.ndarray, period: int) -> np.ndarray:
    """Classical additive decomposition: mean detrended value per position in the season, centred on 0."""
    trend = np.convolve(y, np.ones(period) / period, mode="same")
    half = period // 2
    trend[:half], trend[-half:] = np.nan, np.nan
    detrended = y - trend
    positions = np.arange(len(y)) % period
    pattern = np.array([np.nanmean(detrended[positions == p]) for p in range(period)])
    return np.nan_to_num(pattern - np.nanmean(pattern))


class FastTheta(LogScale):
    """Theta method on log1p (θ = 2), deseasonalised when the yearly season tests significant."""

    name = "theta"

    def __init__(self, *, season: int = 52, interval_scale: float = 1.0) -> None:
        super().__init__(interval_scale=interval_scale)
        self.season = season

    def _fit_log(self, log_y: np.ndarray) -> None:
        from scipy.optimize import minimize_scalar  # see _ses_errors

        self.seasonal_ = seasonality_is_significant(log_y, self.season)
        self.pattern_ = seasonal_pattern(log_y, self.season) if self.seasonal_ else np.zeros(1)
        adjusted = log_y - self._season_at(np.arange(len(log_y)))
        result = minimize_scalar(
            lambda alpha: float(np.sum(_ses_errors(alpha, adjusted)[0] ** 2)), bounds=(0.01, 0.99), method="bounded"
        )
        self.alpha_ = float(result.x)
        errors, self.level_ = _ses_errors(self.alpha_, adjusted)
        self.sigma2_ = float(np.mean(errors**2))
        steps = np.arange(len(adjusted))
        self.slope_ = float(np.polyfit(steps, adjusted, 1)[0]) if len(adjusted) > 2 else 0.0
        self.n_ = len(adjusted)

    def _season_at(self, positions: np.ndarray) -> np.ndarray:
        if not self.seasonal_:
            return np.zeros(len(positions))
        return self.pattern_[positions % self.season]

    def _predict_log(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        steps = np.arange(1, h + 1)
        alpha = self.alpha_
        drift = 0.5 * self.slope_ * (steps - 1 + 1 / alpha - (1 - alpha) ** self.n_ / alpha)
        mean = self.level_ + drift + self._season_at(np.arange(self.n_, self.n_ + h))
        sd = np.sqrt(self.sigma2_ * (1 + (steps - 1) * alpha**2))
        return mean, sd

    def get_params(self) -> dict[str, Any]:
        return {"alpha": self.alpha_, "slope": self.slope_, "seasonal": self.seasonal_, "sigma2": self.sigma2_}
