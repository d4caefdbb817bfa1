"""The demo data generator: each promised property, measured on the generated data itself."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from app.generator.demo_data import ORDER_COLUMNS, generate_demo_data, write_csv
from app.services.ingestion import ingest_orders_file
from tests.support.databases import TestDatabase


@pytest.fixture(scope="module")
def data_100k():
    return generate_demo_data(n_orders=100_000, seed=42)


def formula(orders: pd.DataFrame) -> pd.Series:
    gross = (orders["Quantity"] * orders["UnitPrice"]).round(2)
    return (gross - orders["Discount"] + orders["Tax"] + orders["ShippingCost"]).round(2)


def test_schema_dates_and_counts_match_the_contract(data_100k) -> None:
    orders = data_100k.orders
    assert list(orders.columns) == ORDER_COLUMNS
    assert len(orders) == 100_000 and orders["OrderID"].is_unique
    assert (orders["OrderDate"].min(), orders["OrderDate"].max()) == ("2020-01-01", "2024-12-31")
    assert orders["Category"].nunique() == 10
    assert 8_500 <= orders["ProductID"].nunique() <= 9_500
    assert 13_500 <= orders["CustomerID"].nunique() <= 15_500
    assert orders["Quantity"].between(1, 6).all()
    # OrderIDs follow the dates, as an export sorted by OrderID would.
    assert orders["OrderDate"].is_monotonic_increasing


def test_totals_follow_the_formula_per_status(data_100k) -> None:
    orders = data_100k.orders
    expected = formula(orders)
    status = orders["OrderStatus"]
    live = status.isin(["Delivered", "Shipped", "Processing"])
    assert ((orders["TotalAmount"] - expected).abs()[live] <= 0.01).all()
    assert (orders["TotalAmount"][status == "Cancelled"] == 0).all()
    assert ((orders["TotalAmount"] + expected).abs()[status == "Returned"] <= 0.01).all()
    shares = status.value_counts(normalize=True)
    assert 0.01 <= shares["Cancelled"] <= 0.03 and 0.008 <= shares["Returned"] <= 0.025
    recent = orders["OrderDate"] >= "2024-12-21"
    assert set(status[~recent]) <= {"Delivered", "Cancelled", "Returned"}


def test_a_fifth_of_products_make_about_four_fifths_of_revenue(data_100k) -> None:
    orders = data_100k.orders
    revenue = orders[orders["OrderStatus"] != "Cancelled"].groupby("ProductID")["TotalAmount"].sum()
    ranked = revenue.sort_values(ascending=False)
    top_share = ranked.iloc[: len(ranked) // 5].sum() / ranked.sum()
    assert 0.72 <= top_share <= 0.88
    units = orders.groupby("ProductID")["Quantity"].sum()
    assert units.median() <= 12  # most products sell a few units a year


def weekly_units(orders: pd.DataFrame) -> pd.DataFrame:
    sold = orders[(orders["OrderStatus"] != "Cancelled") & (orders["TotalAmount"] > 0)]
    dated = sold.assign(OrderDate=pd.to_datetime(sold["OrderDate"]))
    return dated.groupby(["Category", pd.Grouper(key="OrderDate", freq="W")])["Quantity"].sum().unstack(0)


def test_weekly_sales_repeat_a_yearly_pattern_with_holiday_peaks(data_100k) -> None:
    weekly = weekly_units(data_100k.orders).iloc[1:-1]
    total = weekly.sum(axis=1)
    december = total[total.index.month == 12]
    assert december.median() > total.median() * 1.2
    toys = weekly["Toys & Games"]
    assert toys[toys.index.month == 12].median() > 1.8 * toys[toys.index.month.isin([2, 3, 4])].median()
    for category in weekly.columns:
        log_sales = np.log1p(weekly[category].fillna(0))
        assert log_sales.autocorr(52) > 0.2, category
    # Black Friday's week outsells the weeks around it.
    week_of_black_friday = total[pd.Timestamp("2023-11-26")]
    assert week_of_black_friday > total[pd.Timestamp("2023-11-12")] * 1.3


def test_stock_file_covers_every_product_once_with_healthy_low_out_and_dead_stock(data_100k) -> None:
    orders, stock = data_100k.orders, data_100k.stock
    assert set(stock["ProductID"]) == set(orders["ProductID"]) and stock["ProductID"].is_unique
    assert (stock[["StockOnHand", "ReorderPoint", "LeadTimeDays"]] >= 0).all().all()
    out = (stock["StockOnHand"] == 0).mean()
    low = ((stock["StockOnHand"] > 0) & (stock["StockOnHand"] <= stock["ReorderPoint"])).mean()
    assert 0.02 <= out <= 0.04 and 0.05 <= low <= 0.10
    last_sale = pd.to_datetime(orders["OrderDate"]).groupby(orders["ProductID"]).max()
    unsold = last_sale[last_sale < pd.Timestamp("2024-10-02")].index
    dead = stock[stock["ProductID"].isin(unsold) & (stock["StockOnHand"] >= 5)]
    assert len(dead) > 100
    listed_price = orders.groupby("ProductID")["UnitPrice"].max()
    assert (stock.set_index("ProductID")["UnitCost"] < listed_price.reindex(stock["ProductID"]).to_numpy()).all()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    def digest(seed: int, name: str) -> str:
        path = tmp_path / name
        write_csv(generate_demo_data(n_orders=5_000, seed=seed), path, tmp_path / f"stock-{name}")
        return hashlib.sha256(path.read_bytes() + (tmp_path / f"stock-{name}").read_bytes()).hexdigest()

    assert digest(7, "a.csv") == digest(7, "b.csv")
    assert digest(7, "a.csv") != digest(8, "c.csv")


async def test_generated_files_load_without_a_single_rejection(db: TestDatabase, tmp_path: Path) -> None:
    orders, stock = tmp_path / "orders.csv", tmp_path / "stock.csv"
    write_csv(generate_demo_data(n_orders=20_000, seed=3), orders, stock)

    report = await ingest_orders_file(db.work, orders, stock_path=stock)

    assert (report.rows_inserted, report.rows_rejected) == (20_000, 0)
    assert report.stock.rows_rejected == 0
    assert (
        await db.scalar(
            "SELECT COUNT(*) FROM products p WHERE p.stock_on_hand <> "
            "COALESCE((SELECT SUM(quantity_change) FROM inventory_movements m WHERE m.sku = p.sku), 0)"
        )
        == 0
    )
