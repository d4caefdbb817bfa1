"""Demand for products that sell a few units a year: Croston, SBA and TSB, one series at a time.

All three smooth the size of non-zero demands and the spacing between them (Croston,
SBA with its bias correction) or the probability of a demand (TSB, which also lets an
item that stopped selling fade to zero). They forecast a flat rate per period.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np

from app.ml.forecasters.base import Forecast, z_for_level


class Croston:
    """Croston's method; `variant="sba"` applies Syntetos-Boylan's (1 - alpha/2) correction.

    Settings: alpha (smoothing of sizes and intervals). Fitted: size_, interval_, rate_.
    Intervals: the rate +- z x the standard deviation of past per-period demand around it,
    floored at zero (a practical band; intermittent demand has no closed form).
    """

    name = "croston"

    def __init__(self, *, alpha: float = 0.1, variant: str = "croston") -> None:
        self.alpha = alpha
        self.variant = variant

    def fit(self, y: np.ndarray) -> Self:
        demand = np.asarray(y, float)
        positions = np.flatnonzero(demand > 0)
        self.spread_ = float(demand.std(ddof=1)) if len(demand) > 1 else 0.0
        if len(positions) == 0:
            self.size_, self.interval_, self.rate_ = 0.0, float(len(demand) or 1), 0.0
            return self
        size, interval = demand[positions[0]], float(positions[0] + 1)
        previous = positions[0]
        for position in positions[1:]:
            size += self.alpha * (demand[position] - size)
            interval += self.alpha * ((position - previous) - interval)
            previous = position
        self.size_, self.interval_ = float(size), float(interval)
        correction = 1 - self.alpha / 2 if self.variant == "sba" else 1.0
        self.rate_ = correction * self.size_ / self.interval_
        return self

    def predict(self, h: int, level: int = 95) -> Forecast:
        mean = np.full(h, self.rate_)
        half = z_for_level(level) * self.spread_
        return Forecast(mean=mean, lower=np.maximum(mean - half, 0), upper=mean + half, level=level)

    def get_params(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "variant": self.variant,
            "size": self.size_,
            "interval": self.interval_,
            "rate": self.rate_,
        }


class Tsb:
    """Teunter-Syntetos-Babai: smooths the probability of a demand each period (beta) and its size (alpha)."""

    name = "tsb"

    def __init__(self, *, alpha: float = 0.1, beta: float = 0.05) -> None:
        self.alpha = alpha
        self.beta = beta

    def fit(self, y: np.ndarray) -> Self:
        demand = np.asarray(y, float)
        positive = demand > 0
        self.spread_ = float(demand.std(ddof=1)) if len(demand) > 1 else 0.0
        probability = float(positive[: max(1, len(demand) // 4)].mean()) if len(demand) else 0.0
        size = float(demand[positive][0]) if positive.any() else 0.0
        for value, sold in zip(demand, positive, strict=True):
            probability += self.beta * (float(sold) - probability)
            if sold:
                size += self.alpha * (value - size)
        self.probability_, self.size_ = probability, size
        self.rate_ = probability * size
        return self

    def predict(self, h: int, level: int = 95) -> Forecast:
        mean = np.full(h, self.rate_)
        half = z_for_level(level) * self.spread_
        return Forecast(mean=mean, lower=np.maximum(mean - half, 0), upper=mean + half, level=level)

    def get_params(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "beta": self.beta,
            "probability": self.probability_,
            "size": self.size_,
            "rate": self.rate_,
        }
