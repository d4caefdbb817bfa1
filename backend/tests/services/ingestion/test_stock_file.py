"""Stock files: counted stock goes through the ledger, settings are applied, bad rows are reported."""

from __future__ import annotations

import csv
from pathlib import Path

from app.services.ingestion import ingest_orders_file
from tests.support.databases import TestDatabase
from tests.support.files import order_row, write_rows

STOCK_HEADER = ["ProductID", "StockOnHand", "ReorderPoint", "LeadTimeDays", "UnitCost"]


def write_stock(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(STOCK_HEADER)
        writer.writerows(rows)
    return path


async def ledger_matches_stock(db: TestDatabase) -> bool:
    mismatches = await db.scalar(
        """
        SELECT COUNT(*) FROM products p
        WHERE p.stock_on_hand <> COALESCE(
            (SELECT SUM(m.quantity_change) FROM inventory_movements m WHERE m.sku = p.sku), 0
        )
        """
    )
    return mismatches == 0


async def load(db: TestDatabase, orders: Path, stock: Path | None) -> object:
    return await ingest_orders_file(db.work, orders, stock_path=stock)


async def test_stock_file_sets_stock_through_the_ledger_and_is_idempotent(db: TestDatabase, tmp_path: Path) -> None:
    orders = write_rows(tmp_path / "orders.csv", [order_row("ORD-1"), order_row("ORD-2", ProductID="PROD-0002")])
    stock = write_stock(
        tmp_path / "stock.csv", [["PROD-0001", "40", "10", "7", "4.50"], ["PROD-0002", "0", "5", "21", ""]]
    )

    report = await load(db, orders, stock)

    assert report.stock.products_updated == 2
    assert report.stock.stock_movements == 1  # PROD-0002 was counted at 0, which it already was
    assert await db.scalar("SELECT stock_on_hand FROM products WHERE sku = 'PROD-0001'") == 40
    assert await db.scalar("SELECT lead_time_days FROM products WHERE sku = 'PROD-0002'") == 21
    assert float(await db.scalar("SELECT unit_cost FROM products WHERE sku = 'PROD-0001'")) == 4.5
    assert await ledger_matches_stock(db)

    again = await load(db, orders, stock)
    assert again.stock.stock_movements == 0
    assert await db.scalar("SELECT COUNT(*) FROM inventory_movements") == 1

    recount = write_stock(tmp_path / "recount.csv", [["PROD-0001", "35", "10", "7", "4.50"]])
    assert (await load(db, orders, recount)).stock.stock_movements == 1
    assert await db.scalar("SELECT quantity_change FROM inventory_movements ORDER BY id DESC LIMIT 1") == -5
    assert await ledger_matches_stock(db)


async def test_bad_stock_rows_are_rejected_with_their_line(db: TestDatabase, tmp_path: Path) -> None:
    orders = write_rows(tmp_path / "orders.csv", [order_row("ORD-1")])
    stock = write_stock(
        tmp_path / "stock.csv",
        [["PROD-0001", "-1", "1", "1", ""], ["PROD-9999", "3", "1", "1", ""], ["PROD-0001", "2", "x", "1", ""]],
    )

    report = await load(db, orders, stock)

    assert [(item.line, item.column) for item in report.stock.rejections] == [
        (2, "StockOnHand"), (3, "ProductID"), (4, "ReorderPoint"),
    ]  # fmt: skip
    assert await db.scalar("SELECT stock_on_hand FROM products WHERE sku = 'PROD-0001'") == 0
