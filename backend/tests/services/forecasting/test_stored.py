"""A category's stored forecast: format 2 reads back as written; format-1 rows (the API body itself, before the
format had a number) are still served, and the reorder maths gets the same spread from either."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.ml.forecast import SeriesForecast
from app.models import ForecastModel
from app.services.forecasting.responses import forecast_out
from app.services.forecasting.stored import category_row, series_forecast
from app.services.replenishment import category_spread
from tests.support.forecasts import PRODUCTS, TRAINED_AT, fitted_forecast, format_1_row


@pytest.fixture(scope="module")
def fitted() -> SeriesForecast:
    return fitted_forecast()


def format_2_row(forecast: SeriesForecast) -> ForecastModel:
    return ForecastModel(**category_row(forecast, products=PRODUCTS, job_id="job-1"), trained_at=TRAINED_AT)


def test_format_2_reads_back_as_it_was_written(fitted: SeriesForecast) -> None:
    row = format_2_row(fitted)
    assert row.forecast["format"] == SeriesForecast.FORMAT == 2
    expected = fitted.model_copy(
        update={"trained_at": TRAINED_AT, "backtest": fitted.backtest.model_copy(update={"products": PRODUCTS})}
    )
    assert series_forecast(row) == expected


@pytest.mark.parametrize("model", ["auto", "sarima"])
def test_a_format_1_row_is_served_as_it_was(fitted: SeriesForecast, model: str) -> None:
    row = format_1_row(fitted)
    before = row.forecast if model == "auto" else row.forecast["alternatives"]["sarima"]

    served = forecast_out(series_forecast(row), model).model_dump(mode="json")

    assert served["weekly"] == before["weekly"]  # every point to the cent
    assert {**served["model_info"], "trained_at": None} == {**before["model_info"], "trained_at": None}
    for days, total in before["forecasts"].items():
        # Format 1 summed unrounded weeks; its rows now sum the stored (rounded) ones: a few cents at most.
        for key in ("total_forecast", "lower_ci_total", "upper_ci_total"):
            assert served["forecasts"][days][key] == pytest.approx(total[key], abs=13 * 0.005 + 0.01)


def test_a_format_1_rows_evidence_survives(fitted: SeriesForecast) -> None:
    legacy = series_forecast(format_1_row(fitted))
    assert legacy.diagnostics == fitted.diagnostics and legacy.backtest.candidates == fitted.backtest.candidates
    assert [round(s.upper, 2) for s in legacy.backtest.holdout] == [round(s.upper, 2) for s in fitted.backtest.holdout]
    assert legacy.params == fitted.params and legacy.backtest.products == PRODUCTS


def test_the_reorder_spread_equals_the_one_recovered_from_the_bands(fitted: SeriesForecast) -> None:
    # What the service computed before: sigma from the rounded weekly bands, with its own z of 1.959964.
    body = forecast_out(fitted.model_copy(update={"trained_at": TRAINED_AT}), "auto")
    old_sigma = np.mean([(p.upper - p.lower) / (2 * 1.959964) for p in body.weekly]) / math.sqrt(7)
    old_daily = body.forecasts["90_day"].total_forecast / 90

    daily, sigma = category_spread(fitted.auto)  # from the stored log-scale sd

    # Equal but for the bands' rounding to cents (and z's seventh digit): well inside what the API shows.
    assert sigma == pytest.approx(old_sigma, abs=0.005 / math.sqrt(7))
    assert daily == pytest.approx(old_daily, abs=0.005 / 90)
    legacy_daily, legacy_sigma = category_spread(series_forecast(format_1_row(fitted)).auto)
    assert (legacy_daily, legacy_sigma) == pytest.approx((daily, sigma), rel=1e-4)
