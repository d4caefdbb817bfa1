"""The estimator contract: settings in __init__, fit(y) -> self, fitted state ending in "_", predict(h, level)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Self

import numpy as np


@dataclass(frozen=True)
class Forecast:
    """Point forecasts and the bounds of a central `level`% interval, one value per step ahead.

    Models fitted on log1p also give the log-scale mean and standard deviation the bounds were
    made of (`log_mean`, `log_sd`, the latter already stretched by any interval calibration);
    models without a transform leave them None.
    """

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: int
    log_mean: np.ndarray | None = None
    log_sd: np.ndarray | None = None


def z_for_level(level: float) -> float:
    """Half-width of a central `level`% normal interval in standard deviations (1.959964 for 95).

    The one place a level becomes a z: models, backtests, the stored forecast and the reorder
    maths all call it, so their intervals agree to the last digit.
    """
    if not 0 < level < 100:
        raise ValueError("level must be between 0 and 100")
    return NormalDist().inv_cdf(0.5 + level / 200)


def from_log_scale(log_mean: np.ndarray, log_sd: np.ndarray, level: int) -> Forecast:
    """expm1 of the mean and of mean +- z x sd (floored at zero): the forecast of a model fitted on log1p."""
    half = z_for_level(level) * log_sd
    return Forecast(
        mean=np.expm1(log_mean).clip(min=0), lower=np.expm1(log_mean - half).clip(min=0),
        upper=np.expm1(log_mean + half).clip(min=0), level=level, log_mean=log_mean, log_sd=log_sd,
    )  # fmt: skip


class Forecaster(ABC):
    """A univariate forecaster of a non-negative series (weekly units, M4 values)."""

    name: str = "forecaster"

    @abstractmethod
    def fit(self, y: np.ndarray) -> Self:
        """Learn from the history `y` (oldest first)."""

    @abstractmethod
    def predict(self, h: int, level: int = 95) -> Forecast:
        """Forecast `h` steps ahead with a central `level`% interval."""

    def get_params(self) -> dict[str, Any]:
        """Fitted parameters as JSON-friendly values (stored, never pickled)."""
        return {}


class LogScale(Forecaster):
    """Fits on log1p(y) and returns expm1 of the mean and of the bounds (the seed model's transform).

    Subclasses implement `_fit_log` and `_predict_log` returning the log-scale mean and the
    standard deviation of each step; bounds are mean +- z x sd, transformed back, so they
    are never negative.
    """

    def __init__(self, *, interval_scale: float = 1.0) -> None:
        self.interval_scale = interval_scale

    def fit(self, y: np.ndarray) -> Self:
        values = np.asarray(y, dtype=float)
        if np.any(values < 0) or not np.all(np.isfinite(values)):
            raise ValueError("the series must be finite and non-negative")
        self.log_y_ = np.log1p(values)
        self._fit_log(self.log_y_)
        return self

    def predict(self, h: int, level: int = 95) -> Forecast:
        mean, sd = self._predict_log(h)
        return from_log_scale(mean, sd * self.interval_scale, level)

    def predict_log(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        """Log-scale mean and standard deviation per step (for combining and calibrating)."""
        return self._predict_log(h)

    @abstractmethod
    def _fit_log(self, log_y: np.ndarray) -> None: ...

    @abstractmethod
    def _predict_log(self, h: int) -> tuple[np.ndarray, np.ndarray]: ...
