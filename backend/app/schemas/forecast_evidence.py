"""Why a forecast can be trusted: its residual diagnostics and every category's backtest, as the API returns them."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class AdfOut(BaseModel):
    statistic: float
    p_value: float
    stationary_at_5pct: bool


class LjungBoxOut(BaseModel):
    lags: int
    statistic: float
    p_value: float
    white_noise_at_5pct: bool


class ResidualMomentsOut(BaseModel):
    mean: float
    std: float
    skewness: float
    kurtosis: float = Field(description="Excess kurtosis (0 for a normal).")
    n: int


class ResidualDiagnosticsOut(BaseModel):
    adf: AdfOut = Field(description="Augmented Dickey-Fuller on the residuals.")
    ljung_box: LjungBoxOut
    residuals: ResidualMomentsOut


class DurbinWatsonOut(BaseModel):
    statistic: float
    autocorrelated: bool


class BreuschPaganOut(BaseModel):
    statistic: float
    p_value: float
    heteroscedastic_at_5pct: bool


class RegressionAssumptionsOut(BaseModel):
    model: str
    r_squared: float
    durbin_watson: DurbinWatsonOut
    breusch_pagan: BreuschPaganOut
    vif: dict[str, float] = Field(description="Variance inflation factor of each regressor.")
    max_vif: float | None


class DiagnosticsOut(BaseModel):
    """Residual diagnostics of a category's seed SARIMA, and the tests a linear regression fails on its sales."""

    category: str
    trained_at: datetime
    sarima_residuals: ResidualDiagnosticsOut
    linear_regression: RegressionAssumptionsOut
    notes: list[str] = Field(description="Fallbacks the fit took, in words.")
    fit_seconds: float


class ModelScoresOut(BaseModel):
    smape: float
    mase: float
    coverage_95: float
    coverage_95_calibrated: float | None = Field(
        None,
        exclude_if=lambda value: value is None,
        description="The winner's coverage once its intervals were calibrated (the winner only).",
    )


class ProductMethodErrorOut(BaseModel):
    wape: float | None = Field(description="WAPE of the products' horizon totals; null when nothing sold.")
    mae_per_product: float


class ProductBacktestOut(BaseModel):
    method: str = Field(description="The method the category's products are forecast with.")
    candidates: dict[str, ProductMethodErrorOut]
    products: int
    metric: str


class CategoryBacktestOut(BaseModel):
    category: str
    winner: str
    members: list[str]
    interval_scale: float = Field(description="How far the winner's intervals were stretched by calibration.")
    models: dict[str, ModelScoresOut]
    products: ProductBacktestOut | None
    train_end: date


class BacktestsOut(BaseModel):
    """Every category's rolling-origin backtest: each candidate's scores, the winner, and its products' methods."""

    categories: list[CategoryBacktestOut]
