"""Model selection: per series, the candidate with the best rolling-origin backtest wins.

Candidates are fitted at a few past origins; the combination of the best candidates (the
mean of their log-scale forecasts, which often beats each of them) is scored too, from the
same fits. The winner is refitted on the whole series. Its intervals are then calibrated:
the backtest's standardised errors say how many standard deviations a 95% interval really
needs, and the width follows (bounded, so a few windows cannot make it absurd).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np

from app.ml.backtest import Window, rolling_origin, standardized_errors, window_scores
from app.ml.forecasters import LogScale, make_model
from app.ml.forecasters.base import Forecast, z_of

# Chosen on the training part of M4 weekly and on the generated store (see bench/m4_weekly.py);
# damped ETS backtested worse than these and costs 40 times Theta's time.
DEFAULT_CANDIDATES = ("sarima_css", "theta", "naive", "seasonal_naive")
COMBINED = "combination"


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
    `calibrate` and `scale_bounds` (how far intervals may be narrowed or widened to match the
    backtest's errors).
    Fitted: `winner_`, `backtest_` (scores per candidate), `interval_scale_`, `fallback_`.
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
        scale_bounds: tuple[float, float] = (0.4, 2.0),
    ) -> None:
        self.candidates = candidates
        self.horizon = horizon
        self.windows = windows
        self.combine_top = combine_top
        self.calibrate = calibrate
        self.min_train = min_train
        self.criterion = criterion
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
        self.interval_scale_ = self._interval_scale(backtests[self.winner_]) if self.calibrate else 1.0
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

    def _interval_scale(self, windows: list[Window]) -> float:
        errors = np.abs(standardized_errors(windows))
        errors = errors[np.isfinite(errors)]
        if len(errors) < 10:
            return 1.0
        return float(np.clip(np.quantile(errors, 0.95) / z_of(95), *self.scale_bounds))

    def _fit_members(self, names: list[str]) -> _Combination:
        return _Combination(members=[make_model(name).fit(self.y_) for name in names])

    def predict_log(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        return self.model_.predict_log(h)

    def predict(self, h: int, level: int = 95) -> Forecast:
        mean, sd = self.predict_log(h)
        half = z_of(level) * sd * self.interval_scale_
        return Forecast(
            mean=np.expm1(mean).clip(min=0), lower=np.expm1(mean - half).clip(min=0),
            upper=np.expm1(mean + half).clip(min=0), level=level,
        )  # fmt: skip

    def get_params(self) -> dict[str, Any]:
        return {
            "winner": self.winner_,
            "members": {member.name: member.get_params() for member in self.model_.members},
            "interval_scale": self.interval_scale_,
            "fallback": self.fallback_,
        }
