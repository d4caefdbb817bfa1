"""The row rules of the orders CSV: what each bad cell is rejected for, and how good rows come out typed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from app.services.ingestion.csv_source import CsvSource
from app.services.ingestion.orders_validation import ORDER_COLUMNS, validate_orders
from tests.support.files import order_row, write_rows

TODAY = date(2025, 6, 30)


def validate(tmp_path: Path, rows: list[dict[str, str]]) -> tuple[pd.DataFrame, list[tuple[int, str | None, str]]]:
    path = write_rows(tmp_path / "orders.csv", rows)
    accepted, problems = [], []
    for chunk in CsvSource(path, ORDER_COLUMNS).chunks(1_000):
        validated = validate_orders(chunk, today=TODAY)
        accepted.append(validated.rows)
        problems += [(problem["line"], problem["column"], problem["reason"]) for problem in validated.problems]
    return pd.concat(accepted, ignore_index=True), problems


@pytest.mark.parametrize(
    ("fields", "column", "reason"),
    [
        ({"OrderID": "  "}, "OrderID", "OrderID is empty"),
        ({"ProductID": ""}, "ProductID", "ProductID is empty"),
        ({"CustomerName": "x" * 201}, "CustomerName", "CustomerName is longer than 200 characters"),
        ({"OrderDate": ""}, "OrderDate", "OrderDate is empty"),
        ({"OrderDate": "2024-02-30"}, "OrderDate", "OrderDate is not a date (expected YYYY-MM-DD)"),
        ({"OrderDate": "05/03/2024"}, "OrderDate", "OrderDate is not a date (expected YYYY-MM-DD)"),
        ({"OrderDate": "1969-12-31"}, "OrderDate", "OrderDate is before 1970"),
        ({"OrderDate": "2025-07-01"}, "OrderDate", "OrderDate is in the future"),
        ({"Quantity": ""}, "Quantity", "Quantity is empty"),
        ({"Quantity": "two"}, "Quantity", "Quantity is not a number"),
        ({"Quantity": "1.5"}, "Quantity", "Quantity is not a whole number"),
        ({"Quantity": "0"}, "Quantity", "Quantity must be greater than 0"),
        ({"Quantity": "1000001"}, "Quantity", "Quantity is above 1,000,000"),
        ({"UnitPrice": "1,50"}, "UnitPrice", "UnitPrice is not a number"),
        ({"UnitPrice": "inf"}, "UnitPrice", "UnitPrice is not a number"),
        ({"UnitPrice": "1e400"}, "UnitPrice", "UnitPrice is not a number"),
        ({"UnitPrice": "-3"}, "UnitPrice", "UnitPrice is negative"),
        ({"UnitPrice": "1e11"}, "UnitPrice", "UnitPrice is too large"),
        ({"Tax": "nan", "TotalAmount": "16.79"}, "Tax", "Tax is not a number"),
        ({"TotalAmount": "-1e11"}, "TotalAmount", "TotalAmount is too large"),
        (
            {"OrderStatus": "Lost"},
            "OrderStatus",
            "OrderStatus is not one of Delivered, Shipped, Processing, Cancelled, Returned",
        ),
        ({"Discount": "20.00", "TotalAmount": "-3.21"}, "Discount", "Discount is larger than Quantity x UnitPrice"),
    ],
)
def test_a_bad_cell_rejects_its_row_with_line_column_and_reason(
    tmp_path: Path, fields: dict[str, str], column: str, reason: str
) -> None:
    rows, problems = validate(tmp_path, [order_row("ORD-1"), order_row("ORD-2", **fields), order_row("ORD-3")])

    assert problems == [(3, column, reason)]
    assert rows["order_id"].tolist() == ["ORD-1", "ORD-3"]
    assert rows["line"].tolist() == [2, 4]


def test_total_amount_follows_the_formula_by_status(tmp_path: Path) -> None:
    rows, problems = validate(
        tmp_path,
        [
            order_row("ORD-1", quantity=3, unit_price="19.99", Discount="5.00", Tax="4.40", ShippingCost="0.00"),
            order_row("ORD-2", status="Returned"),
            order_row("ORD-3", status="Cancelled"),
            order_row("ORD-4", status="Cancelled", TotalAmount="16.79"),  # the amount before cancelling
            order_row("ORD-5", TotalAmount="16.80"),  # a cent off: rounding in the export
            order_row("ORD-6", TotalAmount="16.90"),
            order_row("ORD-7", status="Returned", TotalAmount="16.79"),  # a refund must be negative
        ],
    )

    reason = (
        "TotalAmount disagrees with Quantity x UnitPrice - Discount + Tax + ShippingCost "
        "(negated for Returned, 0 allowed for Cancelled) by more than a cent"
    )
    assert problems == [(7, "TotalAmount", reason), (8, "TotalAmount", reason)]
    assert rows["total_amount"].tolist() == [59.37, -16.79, 0.0, 16.79, 16.8]


def test_accepted_rows_come_out_typed_and_trimmed(tmp_path: Path) -> None:
    rows, problems = validate(
        tmp_path,
        [
            order_row(
                " ORD-1 ", quantity=2, unit_price="+1.5e1", OrderDate="2024-03-05T14:30:00", OrderStatus="shipped",
                Discount="0", Tax="0", ShippingCost="0", TotalAmount="30", Brand="", CustomerName=" ", City="",
            )
            | {"Discount": "", "Tax": "", "ShippingCost": ""},
            order_row("ORD-2", ProductName="", SellerID="", PaymentMethod=""),
        ],
    )  # fmt: skip

    assert problems == []
    first, second = rows.to_dict("records")
    assert (first["order_id"], first["status"], first["quantity"], first["unit_price"]) == ("ORD-1", "Shipped", 2, 15.0)
    assert (first["discount"], first["tax"], first["shipping_cost"], first["total_amount"]) == (0.0, 0.0, 0.0, 30.0)
    assert first["order_date"] == pd.Timestamp("2024-03-05")
    assert all(pd.isna(first[column]) for column in ("brand", "customer_name", "city"))
    # A product without a name is named by its ProductID.
    assert second["product_name"] == second["sku"] == "PROD-0001"
    assert all(pd.isna(second[column]) for column in ("seller_id", "payment_method"))


def test_one_problem_per_cell_and_every_bad_cell_of_a_row(tmp_path: Path) -> None:
    _rows, problems = validate(tmp_path, [order_row("ORD-1", Quantity="-2", UnitPrice="abc", OrderDate="soon")])

    assert sorted(problems) == [
        (2, "OrderDate", "OrderDate is not a date (expected YYYY-MM-DD)"),
        (2, "Quantity", "Quantity must be greater than 0"),
        (2, "UnitPrice", "UnitPrice is not a number"),
    ]
