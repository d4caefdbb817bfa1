"""The stored forecast of app.ml.forecast: one z per level, steps that keep both scales, a lossless JSON form."""

from __future__ import annotations

import json
from datetime import date
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from app.ml.forecast import ModelForecast, SeriesForecast, steps_of
from app.ml.forecasters import make_model
from app.ml.forecasters.base import z_for_level
from app.ml.pipeline import forecast_category


@pytest.fixture(scope="module")
def fitted() -> SeriesForecast:
    rng = np.random.default_rng(4)
    weeks = pd.date_range("2021-01-03", periods=160, freq="W")
    units = 120 + 30 * np.sin(2 * np.pi * np.arange(160) / 52) + rng.normal(0, 10, 160)
    return forecast_category("Toys", pd.Series(np.round(units.clip(0)), index=weeks), horizon=13)


@pytest.mark.parametrize(("level", "z"), [(80, 1.281552), (90, 1.644854), (95, 1.959964), (99, 2.575829)])
def test_z_for_level_is_the_normal_quantile(level: int, z: float) -> None:
    assert z_for_level(level) == pytest.approx(z, abs=1e-6)
    assert z_for_level(95) == NormalDist().inv_cdf(0.975)
    with pytest.raises(ValueError):
        z_for_level(100)


def test_steps_keep_the_model_scale_and_the_units_they_make() -> None:
    forecast = make_model("theta").fit(np.linspace(50, 80, 120)).predict(4, 95)
    steps = steps_of(forecast, date(2025, 1, 5))
    assert [step.week for step in steps] == [date(2025, 1, 5), date(2025, 1, 12), date(2025, 1, 19), date(2025, 1, 26)]
    for step in steps:
        # The bounds are expm1 of the log-scale mean +- z sd: nothing needs recovering from them.
        assert step.upper == pytest.approx(np.expm1(step.log_mean + z_for_level(95) * step.log_sd))
        assert step.mean == pytest.approx(np.expm1(step.log_mean))
        assert step.lower <= step.mean <= step.upper


def test_the_pipeline_returns_a_forecast_not_an_api_body(fitted: SeriesForecast) -> None:
    assert fitted.train_end == date(2024, 1, 21) and fitted.auto.steps[0].week == date(2024, 1, 28)
    assert len(fitted.auto.steps) == len(fitted.sarima.steps) == 13
    assert fitted.auto.model.startswith("auto: ") and fitted.sarima.fit.kind == "seed"
    assert fitted.backtest.winner in fitted.backtest.candidates and len(fitted.backtest.holdout) == 13
    ninety = fitted.auto.horizon(90)
    assert ninety.lower <= ninety.total <= ninety.upper and ninety.weeks == 13
    # Unrounded: the API rounds when it answers, never the stored forecast.
    assert any(step.mean != round(step.mean, 2) for step in fitted.auto.steps)


def test_the_stored_form_reads_back_equal(fitted: SeriesForecast) -> None:
    stored = json.loads(json.dumps(fitted.model_dump(mode="json")))  # what a JSON column gives back
    assert SeriesForecast.model_validate(stored) == fitted
    assert ModelForecast.model_validate(stored["sarima"]).fit == fitted.sarima.fit
