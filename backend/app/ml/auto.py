"""Model selection: per series, the candidate with the best rolling-origin backtest wins.

Candidates are fitted at a few past origins; the combination of the best candidates (the
mean of their log-scale forecasts, which often beats each of them) is scored too, from the
same fits. The winner is refitted on the whole series.

Its intervals are then calibrated on its backtest errors, standardised by the model's own
standard deviations. The choice being made, the winner is also fitted at older origins
(`calibration_windows` in all), so the calibration rests on more errors than the selection.
The median absolute standardised error, against the 0.674 a right standard deviation gives,
says how far to stretch or narrow the intervals; `tail_factor` widens them for tails heavier
than the normal's; bounds keep a freak backtest from making them absurd. The median rests
on half of the errors, where the 95% quantile used before rested on the largest half-dozen of
130, so one window spoilt by a level shift set a series' width. On M4 weekly (bench/m4_weekly.py)
MSIS went from 16.75 to 15.49 at 94.1% coverage, the point forecasts unchanged. One stretch
serves every step ahead and both bounds: per-step and separate lower/upper stretches scored
worse on M4 weekly's training part (a step has one error per window, and a 2.5% tail three of
130: too few to estimate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np

from app.ml.backtest import Window, backtest_at, origins, rolling_origin, standardized_errors, window_scores
from app.ml.forecasters import LogScale, make_model
from app.ml.forecasters.base import Forecast, from_log_scale

# Chosen on the training part of M4 weekly and on the generated store (see bench/m4_weekly.py);
# damped ETS backtested worse than these and costs 40 times Theta's time.
DEFAULT_CANDIDATES = ("sarima_css", "theta", "naive", "seasonal_naive")
COMBINED = "combination"
# Chosen on the last two 13-week holdouts of M4 weekly's training part, never its test part
# (bench/m4_calibration.py): the lowest mean MSIS among the settings whose mean 95% coverage
# stays within 93.5-96.5%, the target band less half a point either side for holdout noise.
CALIBRATION_WINDOWS = 15
TAIL_FACTOR = 1.1
NORMAL_MEDIAN_ABS = 0.6744897501960817  # median of |N(0, 1)|: its 75% quantile
MIN_CALIBRATION_ERRORS = 10


@dataclass
class _Combination:
    members: list[LogScale] = field(default_factory=list)

    def predict_log(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        parts = [member.predict_log(h) for member in self.members]
        return np.mean([mean for mean, _ in parts], axis=0), np.mean([sd for _, sd in parts], axis=0)


class AutoForecaster:
    """Chooses, per series, the model with the lowest backtest sMAPE among `candidates` and their combination.

    Settings: `candidates` (model names), `horizon` and `windows` of the backtest,
    `combine_top` (how many of the best candidates the combination averages),
    `criterion` ("smape", "mase" or "both": each relative to the naive forecast's, summed),
    `calibrate`, `calibration_windows` (backtest windows of the winner its intervals are
    calibrated on, at least `windows`), `tail_factor` (extra width for heavy tails) and
    `scale_bounds` (how far intervals may be narrowed or widened).
    Fitted: `winner_`, `backtest_` (scores per candidate), `interval_scale_`,
    `calibration_errors_` (the winner's standardised errors, one row per window, oldest first),
    `fallback_`.
    """

    name = "auto"

    def __init__(
        self,
        *,
        candidates: tuple[str, ...] = DEFAULT_CANDIDATES,
        horizon: int = 13,
        windows: int = 10,
        combine_top: int = 2,
        calibrate: bool = True,
        min_train: int = 52,
        criterion: str = "both",
        calibration_windows: int = CALIBRATION_WINDOWS,
        tail_factor: float = TAIL_FACTOR,
        scale_bounds: tuple[float, float] = (0.4, 2.0),
    ) -> None:
        self.candidates = candidates
        self.horizon = horizon
        self.windows = windows
        self.combine_top = combine_top
        self.calibrate = calibrate
        self.min_train = min_train
        self.criterion = criterion
        self.calibration_windows = calibration_windows
        self.tail_factor = tail_factor
        self.scale_bounds = scale_bounds

    def fit(self, y: np.ndarray) -> Self:
        y = np.asarray(y, dtype=float)
        self.y_ = y
        backtests: dict[str, list[Window]] = {}
        for name in self.candidates:
            try:
                backtests[name] = rolling_origin(
                    y,
                    lambda name=name: make_model(name),
                    horizon=self.horizon,
                    windows=self.windows,
                    min_train=self.min_train,
                )
            except Exception:
                continue
        self.backtest_ = {name: window_scores(y, windows) for name, windows in backtests.items() if windows}
        if not self.backtest_:
            self.fallback_ = (
                f"{len(y)} points leave no backtest window of {self.horizon}: theta chosen without a contest"
            )
            self.winner_, self.members_ = "theta", ["theta"]
            self.interval_scale_ = 1.0
            self.calibration_errors_ = np.empty((0, self.horizon))
            self.model_ = self._fit_members(["theta"])
            return self
        self.fallback_ = None
        ranked = sorted(self.backtest_, key=self._loss)
        members = ranked[: self.combine_top]
        if len(members) > 1:
            combined = self._combine([backtests[name] for name in members])
            self.backtest_[COMBINED] = {**window_scores(y, combined), "members": members}
            backtests[COMBINED] = combined
        self.winner_ = min(self.backtest_, key=self._loss)
        self.members_ = members if self.winner_ == COMBINED else [self.winner_]
        self.calibration_errors_ = (
            self._calibration_errors(backtests[self.winner_]) if self.calibrate else np.empty((0, self.horizon))
        )
        self.interval_scale_ = interval_scale(
            self.calibration_errors_, tail_factor=self.tail_factor, bounds=self.scale_bounds
        )
        self.backtest_[self.winner_]["coverage_95_calibrated"] = window_scores(
            y, backtests[self.winner_], scale=self.interval_scale_
        )["coverage_95"]
        self.model_ = self._fit_members(self.members_)
        return self

    def _loss(self, name: str) -> float:
        scores = self.backtest_[name]
        if self.criterion == "mase":
            return scores["mase"]
        if self.criterion == "both":  # M4's OWA-like mix: each relative to the naive forecast's
            naive = self.backtest_.get("naive", scores)
            return scores["smape"] / max(naive["smape"], 1e-9) + scores["mase"] / max(naive["mase"], 1e-9)
        return scores["smape"]

    @staticmethod
    def _combine(per_model: list[list[Window]]) -> list[Window]:
        common = set.intersection(*({window.origin for window in windows} for windows in per_model))
        combined = []
        for origin in sorted(common):
            picked = [next(w for w in windows if w.origin == origin) for windows in per_model]
            combined.append(
                Window(
                    origin=origin, actual=picked[0].actual, log_mean=np.mean([w.log_mean for w in picked], axis=0),
                    log_sd=np.mean([w.log_sd for w in picked], axis=0),
                )
            )  # fmt: skip
        return combined

    def _calibration_errors(self, selection: list[Window]) -> np.ndarray:
        """The winner's standardised errors at its selection origins and at the older ones up to `calibration_windows`."""
        done = {window.origin for window in selection}
        at = origins(len(self.y_), horizon=self.horizon, windows=self.calibration_windows, min_train=self.min_train)
        older = [origin for origin in at if origin not in done]
        try:
            per_member = [
                backtest_at(self.y_, lambda name=name: make_model(name), older, horizon=self.horizon)
                for name in self.members_
            ]
        except Exception:  # the older origins are extra evidence: a fit failing there must not fail the series
            per_member = [[]]
        extra = self._combine(per_member) if len(per_member) > 1 else per_member[0]
        return standardized_errors(extra + selection).reshape(-1, self.horizon)

    def _fit_members(self, names: list[str]) -> _Combination:
        return _Combination(members=[make_model(name).fit(self.y_) for name in names])

    def predict_log(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        return self.model_.predict_log(h)

    def predict(self, h: int, level: int = 95) -> Forecast:
        mean, sd = self.predict_log(h)
        return from_log_scale(mean, sd * self.interval_scale_, level)

    def get_params(self) -> dict[str, Any]:
        return {
            "winner": self.winner_,
            "members": {member.name: member.get_params() for member in self.model_.members},
            "interval_scale": self.interval_scale_,
            "fallback": self.fallback_,
        }


def interval_scale(errors: np.ndarray, *, tail_factor: float, bounds: tuple[float, float]) -> float:
    """How much to stretch a model's standard deviations so its intervals match its backtest errors.

    `errors` are standardised (actual minus forecast, over the forecast's sd, on log1p). A right sd
    leaves half of them within 0.674; the median's ratio to that is robust to the one window a
    level shift spoilt. Too few errors leave the model's own sd alone.
    """
    errors = np.abs(np.asarray(errors, float))
    errors = errors[np.isfinite(errors)]
    if len(errors) < MIN_CALIBRATION_ERRORS:
        return 1.0
    return float(np.clip(tail_factor * np.median(errors) / NORMAL_MEDIAN_ABS, *bounds))
