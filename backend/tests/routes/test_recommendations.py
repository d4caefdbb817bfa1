"""/forecast/inventory-recommendations: history until a forecast exists, then the forecast; the arithmetic shown."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from app.models import ForecastModel
from app.schemas.events import envelope
from tests.support.api import forecast_body
from tests.support.databases import TestDatabase


async def test_product_level_uses_history_and_explains_itself(store: httpx.AsyncClient) -> None:
    body = (
        await store.get("/forecast/inventory-recommendations", params={"level": "product", "as_of": "2024-03-10"})
    ).json()
    items = {item["sku"]: item for item in body["items"]}
    assert body["policy"]["z"] == pytest.approx(1.6449, abs=1e-4) and body["total"] == 5
    e1 = items["E1"]
    # E1 sold 2 + 1 + 1 = 4 units in the 13 weeks to 2024-03-10: 4 / 91 a day.
    assert e1["demand_source"] == "history"
    assert e1["daily_demand"] == pytest.approx(4 / 91, abs=1e-4)
    assert e1["reorder_point"] == pytest.approx(e1["lead_time_demand"] + e1["safety_stock"], abs=0.02)
    assert "z(0.95) 1.645" in e1["explanation"] and "EOQ = sqrt(" in e1["explanation"]
    assert items["T1"]["should_reorder"] and items["T1"]["suggested_order_quantity"] > 0  # 0 on hand, it sells


async def test_a_stored_forecast_replaces_history(store: httpx.AsyncClient, db: TestDatabase) -> None:
    async with db.work.begin() as transaction:
        transaction.session.add(
            ForecastModel(
                level="product", series_key="B2", model_name="test-model", params={}, backtest={},
                forecast=forecast_body("Books", 14.0, 1.96 * 7), train_start=date(2023, 1, 1), train_end=date(2024, 3, 10),
            )
        )  # fmt: skip
        # What training does with every forecast it stores (and what tells caches to refresh).
        transaction.record_events([(envelope("forecast.generated", {"level": "product", "series_key": "B2"}), "B2")])
    body = (
        await store.get("/forecast/inventory-recommendations", params={"level": "product", "as_of": "2024-03-10"})
    ).json()
    b2 = next(item for item in body["items"] if item["sku"] == "B2")
    assert b2["demand_source"] == "forecast" and "test-model" in b2["demand_source_detail"]
    # 14 a week is 2 a day; a band of +-1.96 x 7 a week is a weekly sigma of 7, sqrt(7) a day.
    assert b2["daily_demand"] == pytest.approx(2.0, abs=0.01)
    assert b2["daily_sigma"] == pytest.approx(7 / 7**0.5, abs=0.01)
    # Lead time 14: 28 expected; safety stock 1.645 x sqrt(7) x sqrt(14) = 16.28.
    assert b2["lead_time_demand"] == pytest.approx(28.0, abs=0.1)
    assert b2["safety_stock"] == pytest.approx(1.6449 * 7**0.5 * 14**0.5, abs=0.05)


async def test_category_level_and_policy_parameters(store: httpx.AsyncClient) -> None:
    body = (
        await store.get("/forecast/inventory-recommendations", params={"service_level": 0.99, "as_of": "2024-03-10"})
    ).json()
    assert body["level"] == "category" and body["policy"]["z"] == pytest.approx(2.3263, abs=1e-4)
    assert {item["category"] for item in body["items"]} == {"Toys", "Books", "Electronics"}
    toys = next(item for item in body["items"] if item["category"] == "Toys")
    assert toys["stock_on_hand"] == 2 and toys["demand_source"] == "history"
