"""/analytics, /customers and /sellers against figures computed here from a small hand-made store.

The store is loaded through the real upload; every expected figure is computed in the test
from the same rows with plain Python, not by the code under test.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.support.api import upload
from tests.support.databases import TestDatabase
from tests.support.store import ORDERS, STOCK, figures, total


# (date, sku, quantity, status, customer, seller)
async def test_dashboard_summary_compares_two_periods(store: httpx.AsyncClient) -> None:
    body = (await store.get("/analytics/dashboard/summary", params={"as_of": "2024-03-10", "period_days": 10})).json()

    now, before = figures("2024-03-01", "2024-03-10"), figures("2024-02-20", "2024-02-29")
    assert body["period"] == {"start": "2024-03-01", "end": "2024-03-10"}
    for key in ("revenue", "orders", "units", "customers"):
        assert body["current"][key] == now[key], key
        assert body["previous"][key] == before[key], key
    assert body["current"]["average_order_value"] == round(now["revenue"] / now["orders"], 2)
    assert body["change"]["revenue"] == round((now["revenue"] - before["revenue"]) / abs(before["revenue"]), 4)
    assert (body["products"], body["low_stock_products"], body["out_of_stock_products"]) == (5, 2, 1)


async def test_the_summary_says_what_the_data_covers_and_where_it_has_holes(store: httpx.AsyncClient) -> None:
    body = (await store.get("/analytics/dashboard/summary", params={"as_of": "2024-01-10", "period_days": 30})).json()

    # Orders on 2023-02-10, then nothing until 2024-01-05, then nothing for 14 days until 2024-01-20.
    assert body["data"] == {
        "first_order": "2023-02-10", "last_order": "2024-03-10", "days_with_orders": len({o[0] for o in ORDERS}),
        "gaps": [{"start": "2023-02-11", "end": "2024-01-04", "days": 328},
                 {"start": "2024-01-06", "end": "2024-01-19", "days": 14}],
    }  # fmt: skip
    # The window before falls in the first hole: no orders there, so no change to report against it.
    assert body["previous"]["orders"] == 0 and body["change"]["revenue"] is None


async def test_as_of_defaults_to_the_latest_order_date(store: httpx.AsyncClient) -> None:
    body = (await store.get("/analytics/dashboard/summary")).json()
    assert body["as_of"] == max(o[0] for o in ORDERS)


async def test_monthly_trend_overall_and_for_one_category(store: httpx.AsyncClient) -> None:
    months = (await store.get("/analytics/monthly-sales-trend")).json()["months"]
    by_hand = {month: figures(f"{month}-01", f"{month}-31") for month in ("2023-02", "2024-01", "2024-02", "2024-03")}
    assert [m["month"] for m in months] == list(by_hand)
    for month in months:
        expected = by_hand[month["month"]]
        assert (month["revenue"], month["orders"], month["units"]) == (
            expected["revenue"],
            expected["orders"],
            expected["units"],
        )

    toys = (await store.get("/analytics/monthly-sales-trend", params={"category": "Toys"})).json()["months"]
    march = figures("2024-03-01", "2024-03-31", category="Toys")
    assert next(m for m in toys if m["month"] == "2024-03") == {
        "month": "2024-03",
        **{k: march[k] for k in ("revenue", "units", "orders")},
    }


async def test_monthly_report_against_previous_month_and_last_year(store: httpx.AsyncClient) -> None:
    body = (await store.get("/analytics/monthly-report/2024/2")).json()

    assert body["figures"]["revenue"] == figures("2024-02-01", "2024-02-29")["revenue"]
    assert body["previous_month"]["revenue"] == figures("2024-01-01", "2024-01-31")["revenue"]
    assert body["same_month_last_year"]["revenue"] == figures("2023-02-01", "2023-02-28")["revenue"]
    assert body["top_categories"][0]["key"] == "Electronics"  # 2 x 50 beats 20 and the refund
    empty = await store.get("/analytics/monthly-report/2022/6")
    assert empty.status_code == 404 and "available-months" in empty.json()["error"]["message"]
    assert (await store.get("/analytics/monthly-report/2024/13")).status_code == 422


async def test_product_and_category_performance(store: httpx.AsyncClient) -> None:
    params = {"from_date": "2024-01-01", "to_date": "2024-03-31", "n": 2}
    body = (await store.get("/analytics/product-performance", params=params)).json()
    revenue = defaultdict(float)
    for o in ORDERS:
        if o[0] >= "2024-01-01" and o[3] != "Cancelled":
            revenue[o[1]] += total(*o[:4])
    ranked = sorted(revenue, key=lambda sku: (-revenue[sku], sku))
    assert [item["key"] for item in body["best"]] == ranked[:2]
    assert [item["key"] for item in body["worst"]] == sorted(revenue, key=lambda sku: (revenue[sku], sku))[:2]

    by_units = (await store.get("/analytics/product-performance", params={**params, "metric": "units"})).json()
    assert by_units["best"][0]["key"] == "T1"  # 2 + 3 units; the cancelled one does not count

    categories = (await store.get("/analytics/category-performance", params=params)).json()["categories"]
    share = {c["category"]: c["revenue_share"] for c in categories}
    books = figures("2024-01-01", "2024-03-31", category="Books")["revenue"]
    assert share["Books"] == round(books / sum(revenue.values()), 4)


async def test_abc_classes_by_hand(store: httpx.AsyncClient) -> None:
    body = (await store.get("/analytics/abc-analysis")).json()
    revenue = defaultdict(float)
    for o in ORDERS:
        if o[3] != "Cancelled":
            revenue[o[1]] += total(*o[:4])
    # B2 300, E1 200 (the Processing order counts), T1 60, T2 60, B1 -20 (a refund). Of 620:
    # B2 + E1 = 80.6% already reach 80%, so A is {B2, E1}; T1 and T2 start at 80.6% and 90.3%
    # (below 95%): B; the refunded B1 is C.
    classes = {c["class"]: {item["key"] for item in c["top_products"]} for c in body["classes"]}
    assert classes == {"A": {"B2", "E1"}, "B": {"T1", "T2"}, "C": {"B1"}}
    assert body["total_revenue"] == sum(max(v, 0) for v in revenue.values())
    assert body["classes"][0]["strategy"].startswith("Daily monitoring and weekly reorder")

    bad = await store.get("/analytics/abc-analysis", params={"a_share": 0.9, "b_share": 0.2})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "b_share"


async def test_xyz_and_matrix_cover_the_products_sold(store: httpx.AsyncClient) -> None:
    body = (await store.get("/analytics/xyz-analysis", params={"weeks": 12, "as_of": "2024-03-10"})).json()
    assert sum(c["products"] for c in body["classes"]) == 5  # every product sold in those 12 weeks
    matrix = (await store.get("/analytics/abc-xyz-matrix", params={"weeks": 12, "as_of": "2024-03-10"})).json()
    assert sum(sum(row.values()) for row in matrix["matrix"].values()) == matrix["products"] == 5
    assert (await store.get("/analytics/xyz-analysis", params={"x_max": 2, "y_max": 1})).status_code == 422


async def test_low_and_dead_stock_and_status(store: httpx.AsyncClient) -> None:
    low = (await store.get("/analytics/inventory/low-stock", params={"as_of": "2024-03-10", "window_days": 10})).json()
    items = {item["sku"]: item for item in low["items"]}
    assert set(items) == {"T1", "T2", "E1"} and low["total"] == 3
    # E1 sold 1 + 1 units in the 10 days to 2024-03-10: 0.2 a day, 3 in stock -> 15 days of cover.
    assert items["E1"]["daily_demand"] == 0.2 and items["E1"]["days_of_cover"] == 15.0

    dead = (await store.get("/analytics/inventory/dead-stock", params={"as_of": "2024-03-10", "days": 30})).json()
    # B1 holds 10 units and last sold (and was returned) on 2024-02-20; nothing sold since.
    assert [item["sku"] for item in dead["dead"]] == ["B1"]
    assert dead["dead"][0]["capital_tied_up"] == 20.0 and dead["dead"][0]["days_without_sale"] == 19
    assert dead["dead_capital"] == 20.0

    status = (await store.get("/analytics/inventory/status")).json()
    assert status["stock_units"] == sum(v[0] for v in STOCK.values())
    assert status["stock_value_at_cost"] == sum(v[0] * v[3] for v in STOCK.values())
    assert (status["in_stock"], status["low"], status["out"]) == (2, 2, 1)


async def test_customers_sellers_and_segments(store: httpx.AsyncClient) -> None:
    customers = (await store.get("/customers", params={"limit": 2})).json()
    assert customers["total"] == 5
    profile = (await store.get("/customers/C1")).json()
    mine = [o for o in ORDERS if o[4] == "C1" and o[3] != "Cancelled"]
    assert profile["orders"] == len(mine) and profile["revenue"] == sum(total(*o[:4]) for o in mine)
    assert (profile["first_order"], profile["last_order"]) == ("2023-02-10", "2024-03-02")
    # Toys: three orders (50 in all); Electronics: one order (also 50). Most orders first.
    assert [c["category"] for c in profile["favourite_categories"]] == ["Toys", "Electronics"]
    assert (await store.get("/customers/NOBODY")).status_code == 404

    segments = (await store.get("/analytics/customers/segments")).json()
    assert sum(s["customers"] for s in segments["segments"]) == 5
    assert all(s["rule"] for s in segments["segments"])

    sellers = (await store.get("/sellers")).json()
    assert {s["seller_id"] for s in sellers["items"]} == {"S1", "S2"}
    s2 = (await store.get("/sellers/S2")).json()
    assert s2["orders"] == len([o for o in ORDERS if o[5] == "S2" and o[3] != "Cancelled"])


async def test_weekday_profit_and_months(store: httpx.AsyncClient) -> None:
    days = {d["weekday"]: d for d in (await store.get("/analytics/sales-by-day-of-week")).json()["days"]}
    by_hand = defaultdict(float)
    for o in ORDERS:
        if o[3] != "Cancelled":
            by_hand[date.fromisoformat(o[0]).strftime("%A")] += total(*o[:4])
    assert {name: d["revenue"] for name, d in days.items() if d["revenue"]} == {
        k: round(v, 2) for k, v in by_hand.items() if v
    }

    profit = {m["month"]: m for m in (await store.get("/analytics/revenue-vs-profit-trend")).json()["months"]}
    # March 2024: B2 2 x (100 - 60), E1 2 x (50 - 30), T1 3 x (10 - 4), T2 2 x (20 - 8).
    assert profit["2024-03"]["profit"] == 2 * 40 + 2 * 20 + 3 * 6 + 2 * 12

    months = (await store.get("/analytics/available-months")).json()["months"]
    assert months == ["2023-02", "2024-01", "2024-02", "2024-03"]


async def test_a_new_order_changes_the_cached_figures(store: httpx.AsyncClient) -> None:
    before = (await store.get("/analytics/inventory/status")).json()
    await store.post("/products/B2/stock", json={"kind": "receipt", "quantity": 5, "note": "delivery"})
    after = (await store.get("/analytics/inventory/status")).json()
    assert after["stock_units"] == before["stock_units"] + 5


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/analytics/dashboard/summary", {"period_days": 0}),
        ("/analytics/dashboard/summary", {"as_of": "not-a-date"}),
        ("/analytics/monthly-sales-trend", {"as_of": "2024-13-01"}),
        ("/analytics/monthly-report/1900/1", {}),
        ("/analytics/monthly-report/2024/0", {}),
        ("/analytics/product-performance", {"metric": "margin"}),
        ("/analytics/product-performance", {"n": 0}),
        ("/analytics/product-performance", {"from_date": "2024-05-01", "to_date": "2024-01-01"}),
        ("/analytics/category-performance", {"to_date": "yesterday"}),
        ("/analytics/abc-analysis", {"a_share": 1.5}),
        ("/analytics/xyz-analysis", {"weeks": 1}),
        ("/analytics/abc-xyz-matrix", {"y_max": -1}),
        ("/analytics/inventory/low-stock", {"window_days": 0}),
        ("/analytics/inventory/dead-stock", {"days": 0}),
        ("/analytics/inventory/dead-stock", {"limit": 100000}),
        ("/analytics/sales-by-day-of-week", {"from_date": "x"}),
        ("/analytics/customers/segments", {"as_of": "2024-02-31"}),
        ("/customers", {"limit": 0}),
        ("/sellers", {"offset": -1}),
        ("/forecast/inventory-recommendations", {"level": "shelf"}),
        ("/forecast/inventory-recommendations", {"service_level": 1.5}),
    ],
)
async def test_bad_parameters_are_a_4xx_with_a_json_body(store: httpx.AsyncClient, path: str, params: dict) -> None:
    response = await store.get(path, params=params)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["code"]


async def test_empty_database_answers_404_not_500(api: httpx.AsyncClient, db: TestDatabase) -> None:
    response = await api.get("/analytics/dashboard/summary")
    assert response.status_code == 404 and "upload-data" in response.json()["error"]["message"]


async def test_abc_on_the_shared_sample_covers_every_product(
    api: httpx.AsyncClient, db: TestDatabase, sample_orders: Path
) -> None:
    assert (await upload(api, sample_orders)).status_code == 200
    body = (await api.get("/analytics/abc-analysis")).json()

    revenue = defaultdict(float)
    with sample_orders.open() as handle:
        for row in csv.DictReader(handle):
            if row["OrderStatus"] != "Cancelled":
                revenue[row["ProductID"]] += float(row["TotalAmount"])
    assert sum(c["products"] for c in body["classes"]) == len(revenue)
    ranked = sorted((max(v, 0) for v in revenue.values()), reverse=True)
    total = sum(ranked)
    a_count = body["classes"][0]["products"]
    # A reaches 80% of revenue, and one product fewer would not.
    assert sum(ranked[:a_count]) / total >= 0.80 > sum(ranked[: a_count - 1]) / total
