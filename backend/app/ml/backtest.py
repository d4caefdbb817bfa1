"""Rolling-origin backtests: refit at several past origins and score each forecast against what happened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.ml.forecasters import LogScale
from app.ml.forecasters.base import z_for_level
from app.ml.metrics import coverage, mase, smape


@dataclass(frozen=True)
class Window:
    """One origin: the forecast made there (log-scale mean and sd) and the actuals that followed."""

    origin: int
    actual: np.ndarray
    log_mean: np.ndarray
    log_sd: np.ndarray


def origins(length: int, *, horizon: int, windows: int, min_train: int) -> list[int]:
    """Up to `windows` origins, one horizon apart, ending where the last horizon meets the end of the series."""
    candidates = [length - horizon * k for k in range(windows, 0, -1)]
    return [origin for origin in candidates if origin >= min_train]


def rolling_origin(
    y: np.ndarray, make: Callable[[], LogScale], *, horizon: int, windows: int, min_train: int
) -> list[Window]:
    """Fit a fresh model at each origin on everything before it; forecast the next `horizon` points."""
    return backtest_at(y, make, origins(len(y), horizon=horizon, windows=windows, min_train=min_train), horizon=horizon)


def backtest_at(y: np.ndarray, make: Callable[[], LogScale], at: list[int], *, horizon: int) -> list[Window]:
    """The forecast a fresh model fitted on y[:origin] makes of the next `horizon` points, for each origin in `at`."""
    results = []
    for origin in at:
        model = make().fit(y[:origin])
        mean, sd = model.predict_log(horizon)
        results.append(Window(origin=origin, actual=y[origin : origin + horizon], log_mean=mean, log_sd=sd))
    return results


def window_scores(y: np.ndarray, windows: list[Window], *, scale: float = 1.0) -> dict[str, float]:
    """Mean sMAPE, MASE and 95% coverage of a model over its backtest windows (original scale)."""
    z = z_for_level(95)
    smapes, mases, covered = [], [], []
    for window in windows:
        mean = np.expm1(window.log_mean)
        lower = np.expm1(window.log_mean - z * scale * window.log_sd)
        upper = np.expm1(window.log_mean + z * scale * window.log_sd)
        smapes.append(smape(window.actual, mean))
        mases.append(mase(window.actual, mean, y[: window.origin]))
        covered.append(coverage(window.actual, lower, upper))
    return {"smape": float(np.mean(smapes)), "mase": float(np.nanmean(mases)), "coverage_95": float(np.mean(covered))}


def standardized_errors(windows: list[Window]) -> np.ndarray:
    """(log actual - log forecast) / forecast sd over every window and step: how wide intervals must be."""
    errors = [
        (np.log1p(window.actual) - window.log_mean) / np.where(window.log_sd > 0, window.log_sd, np.nan)
        for window in windows
    ]
    return np.concatenate(errors) if errors else np.array([])
