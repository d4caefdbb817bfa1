"""Loading orders files in chunks, on SQLite and PostgreSQL: repeats, overlapping loads, the catalogue kept."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.schemas.ingestion import IngestReport
from app.services.ingestion import ingest_orders_file
from tests.support.databases import TestDatabase
from tests.support.files import order_row, write_rows


async def load(db: TestDatabase, path: Path, *, chunk_rows: int = 2) -> IngestReport:
    # Chunks of two rows, so every rule that spans chunks is exercised.
    return await ingest_orders_file(db.work, path, chunk_rows=chunk_rows, today=date(2025, 1, 1))


async def test_a_repeated_order_id_is_rejected_with_its_first_line_in_any_chunk(
    db: TestDatabase, tmp_path: Path
) -> None:
    rows = [order_row(f"ORD-{n}") for n in (1, 2, 3, 1, 4, 2, 2)]
    report = await load(db, write_rows(tmp_path / "orders.csv", rows))

    assert (report.rows_read, report.rows_inserted, report.rows_rejected) == (7, 4, 3)
    assert [(item.line, item.value, item.reason) for item in report.rejections] == [
        (5, "ORD-1", "OrderID already appears on line 2"),
        (7, "ORD-2", "OrderID already appears on line 3"),
        (8, "ORD-2", "OrderID already appears on line 3"),
    ]
    assert await db.scalar("SELECT COUNT(*) FROM orders") == 4
    assert await db.scalar("SELECT COUNT(*) FROM order_lines") == 4


async def test_an_overlapping_second_file_adds_only_new_orders_and_the_newest_facts(
    db: TestDatabase, tmp_path: Path
) -> None:
    first = write_rows(
        tmp_path / "first.csv",
        [
            order_row("ORD-1", OrderDate="2024-01-10", ProductName="Widget", CustomerName="Ada Lovelace"),
            order_row("ORD-2", OrderDate="2024-02-10", ProductID="PROD-0002", ProductName="Gadget", Brand="Acme"),
            order_row("ORD-3", OrderDate="2024-03-10", ProductName="Widget Pro", City="Salem"),
        ],
    )
    second = write_rows(
        tmp_path / "second.csv",
        [
            order_row("ORD-3", OrderDate="2024-03-10", ProductName="Widget Pro", City="Salem"),
            # Newer, without a customer name or brand: the known ones stay.
            order_row("ORD-4", OrderDate="2024-04-10", ProductName="Widget Max", CustomerName="", Brand=""),
            # Older than what the catalogue has: the product keeps its newer name.
            order_row("ORD-5", OrderDate="2023-12-01", ProductID="PROD-0002", ProductName="Old gadget"),
        ],
    )
    assert (await load(db, first)).rows_inserted == 3

    report = await load(db, second)

    assert (report.rows_inserted, report.rows_already_present, report.rows_rejected) == (2, 1, 0)
    assert await db.scalar("SELECT COUNT(*) FROM orders") == 5
    assert await db.scalar("SELECT COUNT(*) FROM order_lines") == 5
    assert await db.scalar("SELECT name FROM products WHERE sku = 'PROD-0001'") == "Widget Max"
    assert await db.scalar("SELECT brand FROM products WHERE sku = 'PROD-0001'") == "Acme"
    assert await db.scalar("SELECT name FROM products WHERE sku = 'PROD-0002'") == "Gadget"
    assert await db.scalar("SELECT name FROM customers WHERE customer_id = 'CUST-00001'") == "Ada Lovelace"
    assert await db.scalar("SELECT city FROM customers WHERE customer_id = 'CUST-00001'") == "Boston"
    assert await db.scalar("SELECT source FROM orders WHERE order_id = 'ORD-5'") == "import"
    conflicts = {conflict.sku: conflict for conflict in report.product_conflicts}
    assert conflicts["PROD-0001"].names == ["Widget Max", "Widget Pro"]
    assert conflicts["PROD-0001"].kept_name == "Widget Max"
    # Conflicts are what one file says: this one names PROD-0002 once.
    assert "PROD-0002" not in conflicts


async def test_the_report_describes_the_accepted_rows(db: TestDatabase, tmp_path: Path) -> None:
    rows = [
        order_row("ORD-1", OrderDate="2023-05-01", Category="Toys", CustomerName="Ada"),
        order_row("ORD-2", OrderDate="2024-07-09", Category="Books", ProductID="PROD-0002", CustomerName="Ada L."),
        order_row("ORD-3", OrderDate="2024-02-29", Category="Toys", CustomerID="CUST-2", SellerID=""),
        order_row("ORD-4", OrderDate="2026-01-01", Category="Garden"),  # in the future: rejected
    ]
    report = await load(db, write_rows(tmp_path / "orders.csv", rows))

    assert report.rows_inserted == 3
    assert report.categories == {"Books": 1, "Toys": 2}
    assert (report.date_range.first, report.date_range.last) == (date(2023, 5, 1), date(2024, 7, 9))
    assert (report.customers, report.products, report.sellers) == (2, 2, 1)
    assert report.customers_with_several_names == 1
    amounts = await db.scalar("SELECT SUM(total_amount) FROM orders")
    assert float(amounts) == 3 * 16.79
    assert await db.scalar("SELECT COUNT(*) FROM orders WHERE seller_id IS NULL") == 1
