"""Product-level demand for the reorder recommendations, made after each category's forecast.

A category's products are read as one weeks x products grid on the category's own
calendar (the seed's filter: no Cancelled orders, no refunds), forecast in a worker process
by the method that backtests best (`app.ml.product_demand`), and stored one row per
product (level "product"), where the recommendations find them.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.bulk import dialect_insert
from app.ml.forecast import HoldoutStep, ModelForecast
from app.ml.product_demand import ProductForecasts, forecast_products
from app.models import ForecastModel, OrderLine
from app.models.base import utcnow
from app.services.analytics.sql import plain_rows

LINES = OrderLine.__table__
STORE_BATCH = 2000
# What top-down splits, in the columns forecast_products reads.
WEEKLY_COLUMNS: dict[str, Literal["mean", "lower", "upper"]] = {"forecast": "mean", "lower": "lower", "upper": "upper"}


async def product_weekly_history(session: AsyncSession, category: str, weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """Units sold per product (columns) in each of `weeks` (week-ending Sundays, rows); 0 where none sold."""
    statement = (
        select(LINES.c.sku, LINES.c.order_date, func.sum(LINES.c.quantity))
        .where(LINES.c.category == category, LINES.c.status != "Cancelled", LINES.c.line_total > 0)
        .group_by(LINES.c.sku, LINES.c.order_date)
    )
    frame = pd.DataFrame(plain_rows(await session.execute(statement)), columns=["sku", "day", "units"])
    days = pd.to_datetime(frame["day"])
    week_ends = days + pd.to_timedelta(6 - days.dt.day_of_week, unit="D")
    rows = weeks.get_indexer(pd.DatetimeIndex(week_ends))
    inside = rows >= 0  # days of the partial first and last weeks are left out, as for the category
    codes, skus = pd.factorize(frame["sku"][inside])
    grid = np.zeros((len(weeks), len(skus)))
    np.add.at(grid, (rows[inside], codes), frame["units"][inside].to_numpy(dtype=float))
    return pd.DataFrame(grid, index=weeks, columns=skus)


def fit_products(
    category: str, history: pd.DataFrame, holdout: list[HoldoutStep], forecast: ModelForecast, horizon: int
) -> tuple[str, ProductForecasts]:
    """Worker-process entry: the category's served forecast and its backtest weeks in, the products' forecasts out."""
    category_holdout = np.array([step.mean for step in holdout], float) if holdout else None
    weekly = pd.DataFrame({column: forecast.values(name) for column, name in WEEKLY_COLUMNS.items()})
    return category, forecast_products(
        history, category_holdout=category_holdout, category_weekly=weekly, horizon=horizon
    )


async def store_product_forecasts(
    session: AsyncSession, *, category: str, result: ProductForecasts, weeks: pd.DatetimeIndex, job_id: str
) -> None:
    """Replace the category's product rows with these forecasts (products no longer sold lose theirs)."""
    params = {"method": result.method, "category": category}
    common = {
        "level": "product", "model_name": result.method, "params": params, "backtest": {}, "diagnostics": None,
        "train_start": weeks[0].date(), "train_end": weeks[-1].date(), "trained_at": utcnow(), "training_job_id": job_id,
    }  # fmt: skip
    rows = [{**common, "series_key": sku, "forecast": forecast} for sku, forecast in result.forecasts.items()]
    product_rows = (ForecastModel.level == "product") & (ForecastModel.params["category"].as_string() == category)
    await session.execute(delete(ForecastModel).where(product_rows))
    # A SKU listed under two categories keeps the forecast of the category trained last.
    skus = list(result.forecasts)
    for start in range(0, len(skus), STORE_BATCH):
        listed = ForecastModel.series_key.in_(skus[start : start + STORE_BATCH])
        await session.execute(delete(ForecastModel).where(ForecastModel.level == "product", listed))
    for start in range(0, len(rows), STORE_BATCH):
        await session.execute(dialect_insert(session, ForecastModel.__table__), rows[start : start + STORE_BATCH])
