"""The forecasting models, by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.ml.forecasters.base import Forecast, Forecaster, LogScale
from app.ml.forecasters.baselines import Naive, SeasonalNaive
from app.ml.forecasters.sarima import CssSarima, CssSarimaDrift, SeedSarima
from app.ml.forecasters.smoothing import DampedEts
from app.ml.forecasters.theta import FastTheta

MODELS: dict[str, Callable[..., LogScale]] = {
    SeedSarima.name: SeedSarima,
    CssSarima.name: CssSarima,
    CssSarimaDrift.name: CssSarimaDrift,
    DampedEts.name: DampedEts,
    FastTheta.name: FastTheta,
    Naive.name: Naive,
    SeasonalNaive.name: SeasonalNaive,
}


def make_model(name: str, **settings: Any) -> LogScale:
    """A fresh, unfitted model by its name."""
    try:
        factory = MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(sorted(MODELS))}, auto") from None
    return factory(**settings)


__all__ = ["MODELS", "Forecast", "Forecaster", "LogScale", "make_model"]
