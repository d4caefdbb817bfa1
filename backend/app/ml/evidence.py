"""What a stored forecast carries as evidence: backtest scores and residual diagnostics, typed.

`app.ml.diagnostics` computes the tests as plain values; these models are how they are kept
with the forecast (and validated when read back), so every reader indexes fields, not strings.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """A value of the stored forecast: immutable once made."""

    model_config = ConfigDict(frozen=True)


class Scores(Frozen):
    """Mean rolling-origin scores of one model: sMAPE (percent), MASE and the share of actuals inside its 95% band."""

    smape: float
    mase: float
    coverage_95: float


class CandidateScores(Scores):
    """A candidate of the automatic selection: its scores, and what only some candidates have."""

    coverage_95_calibrated: float | None = None  # the winner's coverage once its intervals were calibrated
    members: list[str] | None = None  # the combination's members


class HorizonError(Frozen):
    """A product-level method's error on its products' horizon totals."""

    wape: float | None  # None when nothing sold in the held-out weeks
    mae_per_product: float


class ProductBacktest(Frozen):
    """How the category's products were forecast: the method used and every method's backtest."""

    method: str
    candidates: dict[str, HorizonError]
    products: int
    metric: str


class AdfTest(Frozen):
    statistic: float
    p_value: float
    stationary_at_5pct: bool


class LjungBoxTest(Frozen):
    lags: int
    statistic: float
    p_value: float
    white_noise_at_5pct: bool


class ResidualMoments(Frozen):
    mean: float
    std: float
    skewness: float
    kurtosis: float
    n: int


class ResidualDiagnostics(Frozen):
    """`app.ml.diagnostics.residual_diagnostics` of the seed SARIMA's residuals."""

    adf: AdfTest
    ljung_box: LjungBoxTest
    residuals: ResidualMoments


class DurbinWatson(Frozen):
    statistic: float
    autocorrelated: bool


class BreuschPagan(Frozen):
    statistic: float
    p_value: float
    heteroscedastic_at_5pct: bool


class RegressionAssumptions(Frozen):
    """`app.ml.diagnostics.regression_assumptions`: why a linear trend-and-month regression does not fit."""

    model: str
    r_squared: float
    durbin_watson: DurbinWatson
    breusch_pagan: BreuschPagan
    vif: dict[str, float]
    max_vif: float | None


class Diagnostics(Frozen):
    """Residual diagnostics of the seed SARIMA, the regression tests, and what the fit had to say."""

    sarima_residuals: ResidualDiagnostics
    linear_regression: RegressionAssumptions
    notes: list[str]  # fallbacks taken, in words
    fit_seconds: float
