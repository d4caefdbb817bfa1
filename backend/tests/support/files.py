"""CSV files for tests, written with the csv module (not with the code under test)."""

from __future__ import annotations

import csv
from pathlib import Path

ORDER_HEADER = [
    "OrderID", "OrderDate", "CustomerID", "CustomerName", "ProductID", "ProductName", "Category", "Brand",
    "Quantity", "UnitPrice", "Discount", "Tax", "ShippingCost", "TotalAmount", "PaymentMethod", "OrderStatus",
    "City", "State", "Country", "SellerID",
]  # fmt: skip


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]], *, header: list[str] | None = None, bom: bool = False) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header or ORDER_HEADER, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def order_row(
    order_id: str, *, quantity: int = 1, unit_price: str = "10.00", status: str = "Delivered", **fields: str
) -> dict[str, str]:
    """One consistent orders row (TotalAmount by the contract's formula unless given)."""
    tax = fields.pop("Tax", "0.80")
    shipping = fields.pop("ShippingCost", "5.99")
    discount = fields.pop("Discount", "0.00")
    gross = round(quantity * float(unit_price) - float(discount) + float(tax) + float(shipping), 2)
    total = {"Cancelled": 0.0, "Returned": -gross}.get(status, gross)
    row = {
        "OrderID": order_id, "OrderDate": "2024-03-05", "CustomerID": "CUST-00001", "CustomerName": "Ada Lovelace",
        "ProductID": "PROD-0001", "ProductName": "Widget", "Category": "Electronics", "Brand": "Acme",
        "Quantity": str(quantity), "UnitPrice": unit_price, "Discount": discount, "Tax": tax, "ShippingCost": shipping,
        "TotalAmount": f"{total:.2f}", "PaymentMethod": "Credit Card", "OrderStatus": status, "City": "Boston",
        "State": "MA", "Country": "USA", "SellerID": "SELL-001",
    }  # fmt: skip
    row.update(fields)
    return row
