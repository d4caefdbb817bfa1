"""Reorder recommendations per product and per category, each with its arithmetic in words.

Demand comes from the stored forecast when one exists and otherwise from the last 13 weeks of
sales (their week-to-week spread). The response says which. A category's stored forecast gives
its spread through the model-scale sd of each week (`app.ml.replenishment.weekly_sigma`); a
product's stores its weekly sigma itself.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.ml.forecast import ModelForecast
from app.ml.forecasters.base import z_for_level
from app.ml.replenishment import reorder_plan, service_level_z, weekly_sigma
from app.models import ForecastModel, Product
from app.schemas.replenishment import (
    CategoryRecommendation,
    CategoryRecommendations,
    Policy,
    ProductRecommendation,
    ProductRecommendations,
)
from app.services.analytics.classes import weekly_units
from app.services.analytics.sql import resolve_as_of
from app.services.forecasting.stored import series_forecast

HISTORY_WEEKS = 13
ORDER_BY_HORIZON_DAYS = 3650
DEMAND_DAYS = 90  # daily demand is the mean of the forecast's first 90 days


def category_spread(forecast: ModelForecast) -> tuple[float, float]:
    """Daily demand and daily sigma of a category's stored forecast: the mean of its 90 days, and the spread of
    its weeks from their model-scale sd (a week's sigma over sqrt(7) days)."""
    daily = forecast.horizon(DEMAND_DAYS).total / DEMAND_DAYS
    sigma = weekly_sigma(forecast.values("log_mean"), forecast.values("log_sd"), forecast.level)
    return daily, sigma / math.sqrt(7)


def forecast_spread(forecast: dict) -> tuple[float, float]:
    """Daily demand and daily sigma from a stored product forecast (its JSON): its weekly sigma, or for one stored
    with weekly 95% bands only (by hand or by older versions), the sigma those bands imply."""
    daily = float(forecast["forecasts"]["90_day"]["total_forecast"]) / DEMAND_DAYS
    if "weekly_sigma" in forecast:
        return daily, float(forecast["weekly_sigma"]) / math.sqrt(7)
    z = z_for_level(95)
    widths = [(float(week["upper"]) - float(week["lower"])) / (2 * z) for week in forecast.get("weekly", [])]
    return daily, (float(np.mean(widths)) if widths else 0.0) / math.sqrt(7)


async def _category_forecasts(session: AsyncSession) -> dict[str, tuple[float, float, str]]:
    """Daily demand, daily sigma and model of every category's stored (served, auto) forecast."""
    rows = await session.scalars(select(ForecastModel).where(ForecastModel.level == "category"))
    return {row.series_key: (*category_spread(series_forecast(row).auto), row.model_name) for row in rows}


async def _product_forecasts(session: AsyncSession) -> pd.DataFrame:
    """Daily demand and sigma of every stored product forecast, indexed by SKU.

    The two figures are read out of the stored JSON by the database: parsing thousands of whole
    forecasts in Python, on the event loop, was most of a cold product-level request. The few
    forecasts stored without a `weekly_sigma` (made by hand or by older versions) are parsed whole.
    """
    stored = ForecastModel.forecast
    rows = await session.execute(
        select(
            ForecastModel.series_key,
            ForecastModel.model_name,
            stored[("forecasts", "90_day", "total_forecast")].as_float(),
            stored["weekly_sigma"].as_float(),
        ).where(ForecastModel.level == "product")
    )
    frame = pd.DataFrame(rows.all(), columns=["sku", "model", "total_90_days", "weekly_sigma"]).set_index("sku")
    frame["daily_demand"] = frame["total_90_days"].astype(float) / 90
    frame["daily_sigma"] = frame["weekly_sigma"].astype(float) / math.sqrt(7)
    banded = frame.index[frame["weekly_sigma"].isna()]
    if len(banded):
        whole = await session.execute(
            select(ForecastModel.series_key, ForecastModel.forecast).where(
                ForecastModel.level == "product", ForecastModel.series_key.in_(banded.tolist())
            )
        )
        for sku, forecast in whole:
            frame.loc[sku, ["daily_demand", "daily_sigma"]] = forecast_spread(forecast)
    return frame[["model", "daily_demand", "daily_sigma"]]


async def _demand(session: AsyncSession, end: date, skus: pd.Index) -> pd.DataFrame:
    history = await weekly_units(session, end=end, weeks=HISTORY_WEEKS)
    weekly = history.reindex(columns=skus, fill_value=0)
    demand = pd.DataFrame(
        {
            "daily_demand": weekly.mean(axis=0).clip(lower=0) / 7,
            "daily_sigma": weekly.std(axis=0, ddof=1).fillna(0) / math.sqrt(7),
            "demand_source": "history",
            "demand_source_detail": f"net units sold in the {HISTORY_WEEKS} weeks to {end.isoformat()}",
        },
        index=skus,
    )
    forecasts = (await _product_forecasts(session)).reindex(skus).dropna(subset=["model"])
    demand.loc[forecasts.index, ["daily_demand", "daily_sigma"]] = forecasts[["daily_demand", "daily_sigma"]]
    demand.loc[forecasts.index, "demand_source"] = "forecast"
    demand.loc[forecasts.index, "demand_source_detail"] = (
        "the stored product forecast (" + forecasts["model"] + ": the method that backtested best in its category)"
    )
    return demand


def _explain(row: pd.Series, policy: Policy) -> str:
    cost = f"unit cost {row.unit_cost:.2f}" if not math.isnan(row.unit_cost) else "no unit cost (EOQ not computed)"
    parts = [
        f"Demand {row.daily_demand:.2f}/day (sigma {row.daily_sigma:.2f}/day) from {row.demand_source_detail}.",
        f"Over the {row.lead_time_days:.0f}-day lead time: {row.daily_demand:.2f} x {row.lead_time_days:.0f} = "
        f"{row.lead_time_demand:.1f} units expected.",
        f"Safety stock = z({policy.service_level:.2f}) {policy.z:.3f} x {row.daily_sigma:.2f} x sqrt({row.lead_time_days:.0f}) "
        f"= {row.safety_stock:.1f}; reorder point = {row.lead_time_demand:.1f} + {row.safety_stock:.1f} = {row.reorder_point:.1f}.",
    ]
    if not math.isnan(row.eoq) and row.eoq > 0:
        parts.append(
            f"EOQ = sqrt(2 x {row.daily_demand * 365:.0f}/year x {policy.ordering_cost:.2f} / "
            f"({policy.holding_cost_rate:.2f} x {row.unit_cost:.2f})) = {row.eoq:.1f}."
        )
    else:
        parts.append(f"EOQ: {cost if math.isnan(row.unit_cost) else 'no demand, no order quantity'}.")
    if row.should_reorder:
        parts.append(
            f"Stock {row.stock_on_hand} is at or below the reorder point: order {row.suggested_order_quantity} now "
            f"(the larger of EOQ and the shortfall to the reorder point)."
        )
    elif row.daily_demand <= 0:
        parts.append(f"Stock {row.stock_on_hand}; nothing sold recently, so no reorder.")
    else:
        parts.append(
            f"Stock {row.stock_on_hand} covers {row.days_until_reorder:.0f} more days before reaching the reorder point: no order yet."
        )
    parts.append(f"Chance of running out within one lead time at current stock: {row.stockout_risk:.0%}.")
    return " ".join(parts)


def _order_by(end: date, days_until_reorder: float) -> date | None:
    """The date to order by; None when demand is nil or so slow that no order is due within ten years."""
    if not days_until_reorder <= ORDER_BY_HORIZON_DAYS:
        return None
    return end + timedelta(days=int(days_until_reorder))


def _policy(service_level: float, ordering_cost: float, holding_cost_rate: float) -> Policy:
    return Policy(
        service_level=service_level, z=round(service_level_z(service_level), 4), ordering_cost=ordering_cost,
        holding_cost_rate=holding_cost_rate,
    )  # fmt: skip


async def _products(session: AsyncSession, category: str | None) -> pd.DataFrame:
    statement = select(
        Product.sku, Product.name, Product.category, Product.stock_on_hand, Product.lead_time_days, Product.unit_cost
    ).where(Product.archived_at.is_(None))
    if category:
        statement = statement.where(Product.category == category)
    frame = pd.DataFrame(
        (await session.execute(statement)).all(),
        columns=["sku", "name", "category", "stock_on_hand", "lead_time_days", "unit_cost"],
    )
    frame["unit_cost"] = pd.to_numeric(frame["unit_cost"], errors="coerce").astype(float)
    return frame.set_index("sku")


async def product_recommendations(
    session: AsyncSession, *, as_of: date | None, category: str | None, service_level: float, ordering_cost: float,
    holding_cost_rate: float, limit: int, offset: int,
) -> ProductRecommendations:  # fmt: skip
    """Every product's reorder numbers, the most urgent (highest stockout risk, then soonest order date) first."""
    end = await resolve_as_of(session, as_of)
    products = await _products(session, category)
    frame = products.join(await _demand(session, end, products.index))
    plan = reorder_plan(
        frame, service_level=service_level, ordering_cost=ordering_cost, holding_cost_rate=holding_cost_rate
    )
    plan = plan.sort_values(["stockout_risk", "days_until_reorder"], ascending=[False, True], kind="stable")
    policy = _policy(service_level, ordering_cost, holding_cost_rate)
    items = [
        ProductRecommendation(
            sku=sku,
            name=row["name"],
            category=row.category,
            stock_on_hand=int(row.stock_on_hand),
            lead_time_days=int(row.lead_time_days),
            unit_cost=None if math.isnan(row.unit_cost) else round(row.unit_cost, 2),
            demand_source=row.demand_source,
            demand_source_detail=row.demand_source_detail,
            daily_demand=round(row.daily_demand, 4),
            daily_sigma=round(row.daily_sigma, 4),
            lead_time_demand=round(row.lead_time_demand, 2),
            safety_stock=round(row.safety_stock, 2),
            reorder_point=round(row.reorder_point, 2),
            eoq=None if math.isnan(row.eoq) else round(row.eoq, 2),
            should_reorder=bool(row.should_reorder),
            suggested_order_quantity=int(row.suggested_order_quantity),
            order_by=_order_by(end, row.days_until_reorder),
            stockout_risk=round(float(row.stockout_risk), 4),
            explanation=_explain(row, policy),
        )
        for sku, row in plan.iloc[offset : offset + limit].iterrows()
    ]
    return ProductRecommendations(as_of=end, policy=policy, total=len(plan), items=items)


async def category_recommendations(
    session: AsyncSession, *, as_of: date | None, service_level: float, ordering_cost: float, holding_cost_rate: float
) -> CategoryRecommendations:
    """The seed's view per category: 90-day demand, safety stock, reorder point and stockout risk for the category's stock."""
    end = await resolve_as_of(session, as_of)
    products = await _products(session, None)
    history = await weekly_units(session, end=end, weeks=HISTORY_WEEKS)
    by_category = history.T.join(products["category"]).groupby("category").sum().T
    forecasts = await _category_forecasts(session)
    rows = []
    for category, members in products.groupby("category"):
        weekly = by_category[category] if category in by_category else pd.Series(0.0, index=history.index)
        daily, sigma = float(weekly.mean()) / 7, float(weekly.std(ddof=1) or 0.0) / math.sqrt(7)
        source, detail = "history", f"net units sold in the {HISTORY_WEEKS} weeks to {end.isoformat()}"
        if category in forecasts:
            daily, sigma, model = forecasts[category]
            source, detail = "forecast", f"stored category forecast ({model})"
        rows.append(
            {"category": category, "products": len(members), "stock_on_hand": int(members["stock_on_hand"].sum()),
             "daily_demand": max(daily, 0.0), "daily_sigma": sigma, "demand_source": source, "demand_source_detail": detail,
             "lead_time_days": float(members["lead_time_days"].mean()), "unit_cost": np.nan}
        )  # fmt: skip
    frame = pd.DataFrame(rows).set_index("category")
    plan = reorder_plan(
        frame, service_level=service_level, ordering_cost=ordering_cost, holding_cost_rate=holding_cost_rate
    )
    policy = _policy(service_level, ordering_cost, holding_cost_rate)
    items = []
    for category, row in plan.iterrows():
        explanation = (
            f"{row.products} products hold {row.stock_on_hand} units. Demand {row.daily_demand:.1f}/day (sigma "
            f"{row.daily_sigma:.1f}) from {row.demand_source_detail}: {row.daily_demand * 90:.0f} units in 90 days. Over the "
            f"average lead time of {row.lead_time_days:.1f} days, safety stock = {policy.z:.3f} x {row.daily_sigma:.1f} x "
            f"sqrt({row.lead_time_days:.1f}) = {row.safety_stock:.0f} and reorder point = {row.lead_time_demand:.0f} + "
            f"{row.safety_stock:.0f} = {row.reorder_point:.0f}; risk of running out within a lead time: {row.stockout_risk:.0%}."
        )
        items.append(
            CategoryRecommendation(
                category=category,
                products=int(row.products),
                stock_on_hand=int(row.stock_on_hand),
                demand_source=row.demand_source,
                demand_source_detail=row.demand_source_detail,
                forecast_90_days=round(row.daily_demand * 90, 1),
                daily_demand=round(row.daily_demand, 3),
                daily_sigma=round(row.daily_sigma, 3),
                average_lead_time_days=round(row.lead_time_days, 1),
                safety_stock=round(row.safety_stock, 1),
                reorder_point=round(row.reorder_point, 1),
                stockout_risk=round(float(row.stockout_risk), 4),
                should_reorder=bool(row.should_reorder),
                explanation=explanation,
            )
        )
    return CategoryRecommendations(as_of=end, policy=policy, items=items)
