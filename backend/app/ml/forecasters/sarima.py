"""The seed model, SARIMA(1,1,1)(1,0,1,52) on log1p of weekly sales, in two estimators.

`SeedSarima` is the seed exactly: statsmodels' SARIMAX by exact maximum likelihood (the scale
concentrated out, which finds the same optimum faster), optionally warm-started from stored
parameters. `CssSarima` estimates the same model by conditional sum of squares with a
recursive filter: hundreds of times faster, close but not identical estimates; it is the
candidate used in rolling-origin backtests, where thousands of fits are needed.
Series shorter than two seasons cannot carry a 52-week seasonal term: both fall back to
ARIMA(1,1,1) and say so in `fallback_`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from app.ml.forecasters.base import LogScale

SEASON = 52
MIN_SEASONAL_LENGTH = 2 * SEASON
BOUND = 0.98  # keep estimates inside the stationary and invertible region


def _polynomials(params: np.ndarray, season: int) -> tuple[np.ndarray, np.ndarray]:
    """AR and MA lag polynomials of (1 - phi B)(1 - Phi B^s) and (1 + theta B)(1 + Theta B^s)."""
    phi, theta, seasonal_phi, seasonal_theta = params
    ar = np.zeros(season + 2)
    ma = np.zeros(season + 2)
    ar[0] = ma[0] = 1.0
    ar[1], ma[1] = -phi, theta
    ar[season] -= seasonal_phi
    ar[season + 1] += phi * seasonal_phi
    ma[season] += seasonal_theta
    ma[season + 1] += theta * seasonal_theta
    return ar, ma


class CssSarima(LogScale):
    """SARIMA(1,1,1)(1,0,1,52) on log1p by conditional sum of squares."""

    name = "sarima_css"

    def __init__(
        self,
        *,
        season: int = SEASON,
        interval_scale: float = 1.0,
        warm_start: dict[str, Any] | None = None,
        drift: bool = False,
    ) -> None:
        super().__init__(interval_scale=interval_scale)
        self.season = season
        self.warm_start = warm_start
        self.drift = drift

    def _seasonal(self, n: int) -> bool:
        return n >= 2 * self.season

    def _fit_log(self, log_y: np.ndarray) -> None:
        seasonal = self._seasonal(len(log_y))
        self.fallback_ = (
            None if seasonal else f"{len(log_y)} points, under two seasons of {self.season}: ARIMA(1,1,1) instead"
        )
        self.period_ = self.season if seasonal else 1
        differences = np.diff(log_y)
        # With drift, the model describes the weekly changes around their mean (a trend).
        self.drift_ = float(np.mean(differences)) if self.drift and len(differences) else 0.0
        differences = differences - self.drift_
        start = np.zeros(4)
        if self.warm_start and "coefficients" in self.warm_start:
            start = np.clip(np.asarray(self.warm_start["coefficients"], float), -BOUND + 1e-6, BOUND - 1e-6)
        upper = np.array([BOUND, BOUND, BOUND if seasonal else 1e-9, BOUND if seasonal else 1e-9])
        if not seasonal:
            start[2:] = 0.0

        # scipy is imported where a fit needs it: at module level it cost every start of the server
        # and the command line 1.7 s, though fits run in worker processes.
        from scipy.optimize import least_squares
        from scipy.signal import lfilter

        def residuals(params: np.ndarray) -> np.ndarray:
            ar, ma = _polynomials(params, self.period_ if seasonal else 1)
            return lfilter(ar, ma, differences)

        solution = least_squares(residuals, start, bounds=(-upper, upper), method="trf", max_nfev=200)
        self.coefficients_ = solution.x
        errors = residuals(self.coefficients_)
        burn_in = min(self.period_ + 1, len(errors) // 2)
        self.sigma2_ = float(np.mean(errors[burn_in:] ** 2)) if len(errors) > burn_in else float(np.var(differences))
        self.differences_ = differences
        self.errors_ = errors

    def _fit_start(self, log_y: np.ndarray) -> np.ndarray:
        """CSS coefficients of `log_y`, as a starting point for the exact estimator."""
        self.log_y_ = log_y
        self._fit_log(log_y)
        return self.coefficients_

    def _predict_log(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        from scipy.signal import lfilter  # see _fit_log

        ar, ma = _polynomials(self.coefficients_, self.period_ if self.period_ > 1 else 1)
        lags = len(ar)
        history = np.concatenate([np.zeros(lags), self.differences_, np.zeros(h)])
        errors = np.concatenate([np.zeros(lags), self.errors_, np.zeros(h)])
        start = lags + len(self.differences_)
        for t in range(start, start + h):
            # a(B) w_t = m(B) e_t with future errors 0
            history[t] = -np.dot(ar[1:], history[t - 1 : t - lags : -1]) + np.dot(ma[1:], errors[t - 1 : t - lags : -1])
        mean = self.log_y_[-1] + np.cumsum(history[start : start + h] + self.drift_)
        # Psi weights of the integrated model give the variance of each step ahead.
        impulse = np.zeros(h)
        impulse[0] = 1.0
        psi = lfilter(ma, np.convolve(ar, [1.0, -1.0]), impulse)
        sd = np.sqrt(self.sigma2_ * np.cumsum(psi**2))
        return mean, sd

    def get_params(self) -> dict[str, Any]:
        return {
            "estimator": "css",
            "order": [1, 1, 1],
            "seasonal_order": [1, 0, 1, self.period_],
            "coefficients": [float(value) for value in self.coefficients_],
            "coefficient_names": ["ar.L1", "ma.L1", f"ar.S.L{self.period_}", f"ma.S.L{self.period_}"],
            "sigma2": self.sigma2_,
            "drift": self.drift_,
            "fallback": self.fallback_,
        }


class CssSarimaDrift(CssSarima):
    """The seed structure with a drift (the mean weekly change on log1p carried forward), by CSS."""

    name = "sarima_css_drift"

    def __init__(
        self, *, season: int = SEASON, interval_scale: float = 1.0, warm_start: dict[str, Any] | None = None
    ) -> None:
        super().__init__(season=season, interval_scale=interval_scale, warm_start=warm_start, drift=True)


class SeedSarima(LogScale):
    """The seed's model exactly: statsmodels SARIMAX(1,1,1)(1,0,1,52) on log1p, exact maximum likelihood.

    `warm_start` (stored parameters of an earlier fit) starts the optimiser where it ended
    last time, so a retrain on a few more weeks converges in a few iterations.
    """

    name = "sarima"

    def __init__(
        self, *, season: int = SEASON, interval_scale: float = 1.0, warm_start: dict[str, Any] | None = None
    ) -> None:
        super().__init__(interval_scale=interval_scale)
        self.season = season
        self.warm_start = warm_start

    def _fit_log(self, log_y: np.ndarray) -> None:
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        seasonal = len(log_y) >= 2 * self.season
        self.fallback_ = (
            None if seasonal else f"{len(log_y)} points, under two seasons of {self.season}: ARIMA(1,1,1) instead"
        )
        seasonal_order = (1, 0, 1, self.season) if seasonal else (0, 0, 0, 0)
        model = SARIMAX(log_y, order=(1, 1, 1), seasonal_order=seasonal_order, concentrate_scale=True)
        start = None
        if self.warm_start and len(self.warm_start.get("coefficients", [])) == len(model.start_params):
            start = np.asarray(self.warm_start["coefficients"], float)
        else:
            # Conditional least squares lands next to the likelihood's optimum: a cheap start.
            css = CssSarima(season=self.season)._fit_start(log_y)
            start = css if seasonal else css[:2]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter; the result is checked below
            self.result_ = model.fit(start_params=start, disp=False, cov_type="none", maxiter=200)
        if not np.all(np.isfinite(self.result_.params)):
            raise RuntimeError("SARIMAX returned non-finite parameters")
        self.seasonal_ = seasonal

    def _predict_log(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        prediction = self.result_.get_forecast(h)
        return np.asarray(prediction.predicted_mean, float), np.sqrt(np.asarray(prediction.var_pred_mean, float))

    def get_params(self) -> dict[str, Any]:
        return {
            "estimator": "statsmodels-sarimax-mle",
            "order": [1, 1, 1],
            "seasonal_order": [1, 0, 1, self.season] if self.seasonal_ else [0, 0, 0, 0],
            "coefficients": [float(value) for value in self.result_.params],
            "coefficient_names": list(self.result_.model.param_names),
            "sigma2": float(self.result_.scale),
            "loglikelihood": float(self.result_.llf),
            "iterations": int(self.result_.mle_retvals.get("iterations", 0)) if self.result_.mle_retvals else 0,
            "fallback": self.fallback_,
        }
