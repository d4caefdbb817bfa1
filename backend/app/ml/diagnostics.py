"""Residual diagnostics of a fit, and the regression-assumption tests that rule out plain linear regression.

A linear trend-and-month regression on weekly sales leaves autocorrelated (Durbin-Watson
far from 2) and heteroscedastic (Breusch-Pagan) residuals, with collinear month dummies
(VIF): the reasons the seed moved to SARIMA on log sales.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd


def residual_diagnostics(residuals: np.ndarray, *, lags: int = 10) -> dict[str, Any]:
    """Augmented Dickey-Fuller on the residuals, Ljung-Box up to `lags`, and their mean, std, skewness, kurtosis."""
    from scipy import stats
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.tsa.stattools import adfuller

    values = np.asarray(residuals, float)
    values = values[np.isfinite(values)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        adf = adfuller(values, autolag="AIC")
        ljung = acorr_ljungbox(values, lags=[min(lags, len(values) // 3)], return_df=True)
    return {
        "adf": {"statistic": float(adf[0]), "p_value": float(adf[1]), "stationary_at_5pct": bool(adf[1] < 0.05)},
        "ljung_box": {
            "lags": int(ljung.index[0]),
            "statistic": float(ljung["lb_stat"].iloc[0]),
            "p_value": float(ljung["lb_pvalue"].iloc[0]),
            "white_noise_at_5pct": bool(ljung["lb_pvalue"].iloc[0] > 0.05),
        },
        "residuals": {
            "mean": float(values.mean()),
            "std": float(values.std(ddof=1)),
            "skewness": float(stats.skew(values)),
            "kurtosis": float(stats.kurtosis(values)),
            "n": len(values),
        },
    }


def trend_month_design(index: pd.DatetimeIndex, *, first_step: int = 0) -> pd.DataFrame:
    """The regression's design matrix: a constant, a linear trend and dummies of the months present but the first.

    `first_step` numbers the trend from there, so the design of the weeks after a training
    period continues its trend (reindex its columns to the training design's).
    """
    index = pd.DatetimeIndex(index)
    design = pd.get_dummies(index.month, prefix="month", drop_first=True, dtype=float).set_index(index)
    design.insert(0, "trend", np.arange(first_step, first_step + len(index), dtype=float))
    design.insert(0, "const", 1.0)
    return design


def regression_assumptions(weekly: pd.Series) -> dict[str, Any]:
    """Fit sales = trend + month dummies by OLS and test its assumptions (Durbin-Watson, Breusch-Pagan, VIF)."""
    import statsmodels.api as sm
    from statsmodels.stats.diagnostic import het_breuschpagan
    from statsmodels.stats.outliers_influence import variance_inflation_factor
    from statsmodels.stats.stattools import durbin_watson

    design = trend_month_design(pd.DatetimeIndex(weekly.index))
    fit = sm.OLS(weekly.astype(float).to_numpy(), design.to_numpy()).fit()
    bp_stat, bp_p, _, _ = het_breuschpagan(fit.resid, design.to_numpy())
    vif = {
        name: float(variance_inflation_factor(design.to_numpy(), position))
        for position, name in enumerate(design.columns)
        if name != "const"
    }
    dw = float(durbin_watson(fit.resid))
    return {
        "model": "weekly units = constant + trend + month dummies (OLS)",
        "r_squared": float(fit.rsquared),
        "durbin_watson": {"statistic": dw, "autocorrelated": bool(dw < 1.5 or dw > 2.5)},
        "breusch_pagan": {
            "statistic": float(bp_stat),
            "p_value": float(bp_p),
            "heteroscedastic_at_5pct": bool(bp_p < 0.05),
        },
        "vif": vif,
        "max_vif": max(vif.values()) if vif else None,
    }
