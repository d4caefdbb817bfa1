"""Damped-trend exponential smoothing (ETS) on log1p, through statsmodels.

With two seasons of history or more, a 52-week seasonal pattern is removed first (STL) and
what remains is forecast; shorter series get the plain method. The Theta method is
`app.ml.forecasters.theta.FastTheta`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from app.ml.forecasters.base import LogScale

SEASON = 52


class DampedEts(LogScale):
    """ETS(A,Ad,N) on log1p (multiplicative on the original scale), after STL removes the yearly season."""

    name = "ets_damped"

    def __init__(self, *, season: int = SEASON, interval_scale: float = 1.0) -> None:
        super().__init__(interval_scale=interval_scale)
        self.season = season

    def _fit_log(self, log_y: np.ndarray) -> None:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel
        from statsmodels.tsa.forecasting.stl import STLForecast

        # A Series, not an array: statsmodels' prediction results index by it.
        series = pd.Series(log_y)
        self.seasonal_ = len(log_y) >= 2 * self.season
        options = {"error": "add", "trend": "add", "damped_trend": True}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if self.seasonal_:
                model = STLForecast(series, ETSModel, model_kwargs=options, period=self.season, robust=True)
                self.result_ = model.fit(fit_kwargs={"disp": False, "maxiter": 200})
            else:
                self.result_ = ETSModel(series, **options).fit(disp=False, maxiter=200)

    def _predict_log(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.log_y_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prediction = self.result_.get_prediction(start=n, end=n + h - 1)
            frame = prediction.summary_frame(alpha=0.3173)  # +-1 sd
        mean = np.asarray(frame["mean"], float)
        lower_column = "pi_lower" if "pi_lower" in frame else "mean_ci_lower"
        upper_column = "pi_upper" if "pi_upper" in frame else "mean_ci_upper"
        sd = (np.asarray(frame[upper_column], float) - np.asarray(frame[lower_column], float)) / 2
        return mean, np.maximum(sd, 0.0)

    def get_params(self) -> dict[str, Any]:
        model = self.result_.model_result if self.seasonal_ else self.result_
        params = {name: float(value) for name, value in zip(model.param_names, model.params, strict=True)}
        return {"seasonal_adjustment": "stl" if self.seasonal_ else None, **params}
