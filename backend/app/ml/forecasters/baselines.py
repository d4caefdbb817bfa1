"""Baselines every model has to beat: the last value, and the value a season ago."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.ml.forecasters.base import LogScale


class Naive(LogScale):
    """Tomorrow looks like today: the last value repeated (M4's Naive1/Naive2 for weekly data).

    Intervals: a random walk on log1p, its step spread estimated from the history.
    """

    name = "naive"

    def _fit_log(self, log_y: np.ndarray) -> None:
        steps = np.diff(log_y)
        self.step_sd_ = float(np.std(steps, ddof=1)) if len(steps) > 1 else 0.0

    def _predict_log(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        return np.full(h, self.log_y_[-1]), self.step_sd_ * np.sqrt(np.arange(1, h + 1))

    def get_params(self) -> dict[str, Any]:
        return {"step_sd": self.step_sd_}


class SeasonalNaive(LogScale):
    """This week looks like the same week last season; the last value when the history is shorter than a season."""

    name = "seasonal_naive"

    def __init__(self, *, season: int = 52, interval_scale: float = 1.0) -> None:
        super().__init__(interval_scale=interval_scale)
        self.season = season

    def _fit_log(self, log_y: np.ndarray) -> None:
        self.period_ = self.season if len(log_y) >= self.season + 2 else 1
        changes = log_y[self.period_ :] - log_y[: -self.period_]
        self.season_sd_ = float(np.std(changes, ddof=1)) if len(changes) > 1 else 0.0

    def _predict_log(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        last_season = self.log_y_[-self.period_ :]
        steps = np.arange(h)
        cycles = steps // self.period_ + 1
        return last_season[steps % self.period_], self.season_sd_ * np.sqrt(cycles)

    def get_params(self) -> dict[str, Any]:
        return {"period": self.period_, "season_sd": self.season_sd_}
