"""The reorder plan from stored product forecasts read by the database equals the plan of the per-SKU loop
it replaced (which parsed every stored forecast whole, in Python), SKU for SKU, on both backends."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import httpx
import pandas as pd
from sqlalchemy import select

from app.ml.replenishment import reorder_plan
from app.models import ForecastModel, Product
from app.schemas.events import envelope
from app.services.analytics.classes import weekly_units
from app.services.analytics.sql import resolve_as_of
from app.services.replenishment import forecast_spread, product_recommendations
from tests.support.api import forecast_body, load_generated, train
from tests.support.databases import TestDatabase

POLICY = {"service_level": 0.95, "ordering_cost": 50.0, "holding_cost_rate": 0.25}


async def plan_the_old_way(session, end: date) -> pd.DataFrame:
    """The plan as the service computed it before: history for every product, then each stored product
    forecast parsed whole and assigned to its SKU one at a time."""
    products = pd.DataFrame(
        (
            await session.execute(
                select(Product.sku, Product.stock_on_hand, Product.lead_time_days, Product.unit_cost).where(
                    Product.archived_at.is_(None)
                )
            )
        ).all(),
        columns=["sku", "stock_on_hand", "lead_time_days", "unit_cost"],
    ).set_index("sku")
    products["unit_cost"] = pd.to_numeric(products["unit_cost"], errors="coerce").astype(float)
    weekly = (await weekly_units(session, end=end, weeks=13)).reindex(columns=products.index, fill_value=0)
    demand = pd.DataFrame(
        {
            "daily_demand": weekly.mean(axis=0).clip(lower=0) / 7,
            "daily_sigma": weekly.std(axis=0, ddof=1).fillna(0) / math.sqrt(7),
            "demand_source": "history",
        },
        index=products.index,
    )
    stored = await session.execute(
        select(ForecastModel.series_key, ForecastModel.forecast).where(ForecastModel.level == "product")
    )
    for sku, forecast in stored:
        if sku in demand.index:
            demand.loc[sku, ["daily_demand", "daily_sigma"]] = list(forecast_spread(forecast))
            demand.loc[sku, "demand_source"] = "forecast"
    return reorder_plan(products.join(demand), **POLICY)


async def test_the_plan_equals_the_per_sku_loops(api: httpx.AsyncClient, db: TestDatabase, tmp_path: Path) -> None:
    await load_generated(api, tmp_path, n_orders=20_000, seed=13)
    assert (await train(api, ["Electronics", "Toys & Games"]))["status"] == "succeeded"
    async with db.work.begin() as transaction:
        session = transaction.session
        # One forecast stored the older way, with weekly bands and no weekly_sigma: it is parsed whole.
        sku = (await session.scalars(select(Product.sku).where(Product.category == "Books & Media"))).first()
        session.add(
            ForecastModel(
                level="product", series_key=sku, model_name="banded", params={}, backtest={},
                forecast=forecast_body("Books & Media", 21.0, 1.96 * 5), train_start=date(2020, 1, 1),
                train_end=date(2024, 12, 1),
            )
        )  # fmt: skip
        transaction.record_events([(envelope("forecast.generated", {"level": "product", "series_key": sku}), sku)])

    async with db.sessions() as session:
        end = await resolve_as_of(session, None)
        old = await plan_the_old_way(session, end)
        total = len(old)
        new = []
        for offset in range(0, total, 500):
            page = await product_recommendations(session, as_of=None, category=None, limit=500, offset=offset, **POLICY)
            new.extend(page.items)

    assert (old["demand_source"] == "forecast").sum() > 100  # the stored forecasts are most of what is compared
    assert sorted(item.sku for item in new) == sorted(old.index)
    for item in new:
        expected = old.loc[item.sku]
        assert item.demand_source == expected.demand_source, item.sku
        assert item.suggested_order_quantity == int(expected.suggested_order_quantity), item.sku
        assert item.daily_demand == round(expected.daily_demand, 4), item.sku
        assert item.daily_sigma == round(expected.daily_sigma, 4), item.sku
        assert item.reorder_point == round(expected.reorder_point, 2), item.sku
    banded = next(item for item in new if item.sku == sku)
    assert banded.demand_source == "forecast" and banded.daily_demand == 3.0  # 21 a week
