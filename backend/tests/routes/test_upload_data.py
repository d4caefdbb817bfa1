"""POST /forecast/upload-data over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import collections
from pathlib import Path

import httpx
import pytest

from tests.support.api import upload
from tests.support.databases import TestDatabase
from tests.support.files import ORDER_HEADER, order_row, read_rows, write_rows
from tests.support.schema import schema_differences


def formula(row: dict[str, str]) -> float:
    return round(
        int(row["Quantity"]) * float(row["UnitPrice"])
        - float(row["Discount"])
        + float(row["Tax"])
        + float(row["ShippingCost"]),
        2,
    )


async def test_sample_file_loads_every_row_and_reports_what_it_knows(
    api: httpx.AsyncClient, db: TestDatabase, sample_orders: Path
) -> None:
    rows = read_rows(sample_orders)
    names_per_product = collections.defaultdict(set)
    for row in rows:
        names_per_product[row["ProductID"]].add(row["ProductName"])

    response = await upload(api, sample_orders)

    assert response.status_code == 200, response.text
    report = response.json()
    # Every row of this file is valid under the contract: Returned rows carry the negative of
    # the formula, Cancelled rows 0 or the amount before cancelling, the rest the formula.
    assert report["rows_read"] == len(rows) == 5000
    assert report["rows_inserted"] == 5000
    assert report["rows_rejected"] == 0 and report["rejections"] == []
    assert report["rows_already_present"] == 0
    several_names = {sku for sku, names in names_per_product.items() if len(names) > 1}
    assert len(several_names) == 970
    assert {conflict["sku"] for conflict in report["product_conflicts"]} >= several_names
    assert report["products"] == len(names_per_product) == 3821
    assert report["customers"] == len({row["CustomerID"] for row in rows}) == 3332
    assert report["date_range"] == {"first": "2020-01-01", "last": "2024-12-31"}
    assert report["categories"] == dict(sorted(collections.Counter(row["Category"] for row in rows).items()))

    assert await db.scalar("SELECT COUNT(*) FROM orders") == 5000
    assert await db.scalar("SELECT COUNT(*) FROM order_lines") == 5000
    assert await db.scalar("SELECT COUNT(*) FROM products") == 3821
    returned = [row for row in rows if row["OrderStatus"] == "Returned"]
    assert len(returned) == 62 and all(float(row["TotalAmount"]) == -formula(row) for row in returned)
    assert await db.scalar("SELECT COUNT(*) FROM orders WHERE status = 'Returned' AND total_amount < 0") == 62
    cancelled_at_zero = [row for row in rows if row["OrderStatus"] == "Cancelled" and float(row["TotalAmount"]) == 0]
    assert len(cancelled_at_zero) == 50
    assert await db.scalar("SELECT COUNT(*) FROM orders WHERE status = 'Cancelled' AND total_amount = 0") == 50
    # The product keeps the name of its latest order.
    latest = max((row for row in rows if row["ProductID"] == "PROD-1007"), key=lambda row: row["OrderDate"])
    assert await db.scalar("SELECT name FROM products WHERE sku = 'PROD-1007'") == latest["ProductName"]


async def test_loading_the_same_file_twice_changes_nothing(
    api: httpx.AsyncClient, db: TestDatabase, sample_orders: Path
) -> None:
    first = await upload(api, sample_orders)
    assert first.status_code == 200
    before = await db.snapshot()

    second = await upload(api, sample_orders)

    assert second.status_code == 200
    report = second.json()
    assert (report["rows_inserted"], report["rows_already_present"], report["rows_rejected"]) == (0, 5000, 0)
    assert await db.snapshot() == before


async def test_three_broken_rows_of_a_thousand_are_rejected_with_line_and_column(
    api: httpx.AsyncClient, db: TestDatabase, tmp_path: Path
) -> None:
    rows = [
        order_row(f"ORD-{n:05d}", CustomerID=f"CUST-{n % 37:05d}", ProductID=f"PROD-{n % 53:04d}") for n in range(1000)
    ]
    rows[9]["OrderDate"] = "2024-02-30"  # line 11
    rows[499]["Quantity"] = "two"  # line 501
    rows[998]["TotalAmount"] = "999.99"  # line 1000
    path = write_rows(tmp_path / "orders.csv", rows)

    response = await upload(api, path)

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows_read"], report["rows_inserted"], report["rows_rejected"]) == (1000, 997, 3)
    found = [(item["line"], item["column"]) for item in report["rejections"]]
    assert found == [(11, "OrderDate"), (501, "Quantity"), (1000, "TotalAmount")]
    assert "not a date" in report["rejections"][0]["reason"]
    assert await db.scalar("SELECT COUNT(*) FROM orders") == 997
    assert await db.scalar("SELECT COUNT(*) FROM orders WHERE order_id IN ('ORD-00009', 'ORD-00499', 'ORD-00998')") == 0


async def test_quoted_comma_and_utf8_bom_are_read_correctly(
    api: httpx.AsyncClient, db: TestDatabase, tmp_path: Path
) -> None:
    rows = [
        order_row("ORD-1", ProductName="Cable, USB-C, 2 m"),
        order_row("ORD-2", ProductID="PROD-0002", ProductName='12" Ruler'),
    ]
    path = write_rows(tmp_path / "excel.csv", rows, bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    response = await upload(api, path)

    assert response.status_code == 200, response.text
    assert response.json()["rows_inserted"] == 2
    assert await db.scalar("SELECT name FROM products WHERE sku = 'PROD-0001'") == "Cable, USB-C, 2 m"
    assert await db.scalar("SELECT name FROM products WHERE sku = 'PROD-0002'") == '12" Ruler'


async def test_line_break_inside_a_quoted_field_keeps_line_numbers_right(
    api: httpx.AsyncClient, db: TestDatabase, tmp_path: Path
) -> None:
    rows = [order_row("ORD-1", ProductName="Two-line\nname"), order_row("ORD-2", quantity=0)]
    path = write_rows(tmp_path / "multiline.csv", rows)

    response = await upload(api, path)

    report = response.json()
    assert report["rows_inserted"] == 1
    # Header on line 1, the first record spans lines 2-3, so the second record is line 4.
    assert [(item["line"], item["column"]) for item in report["rejections"]] == [(4, "Quantity")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("header-only.csv", (",".join(ORDER_HEADER) + "\n").encode(), "no data rows"),
        ("binary.csv", bytes(range(256)) * 40, "binary"),
        ("latin1.csv", (",".join(ORDER_HEADER) + "\nORD-1,2024-01-01,C,Jos\xe9\n").encode("latin-1"), "UTF-8"),
        ("wrong-header.csv", b"id,date,amount\n1,2024-01-01,3.50\n", "lacks 20 required column"),
        (
            "renamed-column.csv",
            (",".join(ORDER_HEADER).replace("Quantity", "Qty") + "\nORD-1" + "," * 19 + "\n").encode(),
            "lacks 1 required column(s): Quantity",
        ),
        ("not-csv.csv", b"just some words in a text file\nand another line\n", "not a comma-separated file"),
    ],
)
async def test_unusable_file_is_refused_and_changes_nothing(
    api: httpx.AsyncClient,
    db: TestDatabase,
    sample_orders: Path,
    tmp_path: Path,
    name: str,
    content: bytes,
    message: str,
) -> None:
    assert (await upload(api, sample_orders)).status_code == 200
    before = await db.snapshot()
    path = tmp_path / name
    path.write_bytes(content)

    response = await upload(api, path)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "unusable_file"
    assert message in error["message"]
    assert await db.snapshot() == before


async def test_a_file_with_no_usable_row_is_refused_with_the_row_problems(
    api: httpx.AsyncClient, db: TestDatabase, tmp_path: Path
) -> None:
    path = write_rows(
        tmp_path / "bad.csv", [order_row("ORD-1", OrderStatus="Lost"), order_row("ORD-2", UnitPrice="-3")]
    )

    response = await upload(api, path)

    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert [(detail["line"], detail["column"]) for detail in details] == [(2, "OrderStatus"), (3, "UnitPrice")]
    assert await db.scalar("SELECT COUNT(*) FROM orders") == 0


async def test_a_file_that_breaks_halfway_leaves_nothing_and_the_schema_intact(
    api: httpx.AsyncClient, db: TestDatabase, tmp_path: Path
) -> None:
    # A first load into empty tables rebuilds their indexes at the end; when the file turns
    # out unusable halfway, the rollback must bring back rows and indexes alike.
    rows = [order_row(f"ORD-{n:06d}") for n in range(60_000)]
    path = write_rows(tmp_path / "broken.csv", rows)
    with path.open("ab") as handle:
        handle.write(b"ORD-X,2024-01-01,C,\xff\xfe broken bytes\n")

    response = await upload(api, path)

    assert response.status_code == 422, response.text
    assert "UTF-8" in response.json()["error"]["message"]
    assert await db.scalar("SELECT COUNT(*) FROM orders") == 0
    async with db.engine.connect() as connection:
        assert await connection.run_sync(schema_differences) == []


async def test_first_load_into_empty_tables_ends_with_every_index(
    api: httpx.AsyncClient, db: TestDatabase, sample_orders: Path
) -> None:
    assert (await upload(api, sample_orders)).status_code == 200
    async with db.engine.connect() as connection:
        assert await connection.run_sync(schema_differences) == []
