"""A small hand-made store: every order written out, so tests can compute the expected figures by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import httpx

from tests.support.files import order_row, write_rows

PRICES = {"T1": 10.0, "T2": 20.0, "B1": 5.0, "B2": 100.0, "E1": 50.0}
CATEGORY = {"T1": "Toys", "T2": "Toys", "B1": "Books", "B2": "Books", "E1": "Electronics"}
ORDERS = [
    ("2023-02-10", "T1", 1, "Delivered", "C1", "S1"),
    ("2024-01-05", "T1", 2, "Delivered", "C1", "S1"),
    ("2024-01-20", "B2", 1, "Delivered", "C2", "S2"),
    ("2024-02-03", "T2", 1, "Delivered", "C1", "S1"),
    ("2024-02-14", "E1", 2, "Delivered", "C3", "S2"),
    ("2024-02-20", "B1", 4, "Returned", "C2", "S2"),
    ("2024-02-25", "T1", 1, "Cancelled", "C3", "S1"),
    ("2024-03-01", "B2", 2, "Delivered", "C4", "S2"),
    ("2024-03-02", "E1", 1, "Delivered", "C1", "S2"),
    ("2024-03-03", "T1", 3, "Delivered", "C5", "S1"),
    ("2024-03-09", "T2", 2, "Shipped", "C2", "S1"),
    ("2024-03-10", "E1", 1, "Processing", "C4", "S2"),
]
STOCK = {  # sku: (stock on hand, reorder point, lead time, unit cost)
    "T1": (0, 2, 7, 4.0),
    "T2": (2, 5, 7, 8.0),
    "B1": (10, 1, 14, 2.0),
    "B2": (50, 3, 14, 60.0),
    "E1": (3, 3, 21, 30.0),
}


def rows() -> list[dict[str, str]]:
    made = []
    for number, (day, sku, quantity, status, customer, seller) in enumerate(ORDERS, start=1):
        made.append(
            order_row(
                f"ORD-{number:03d}", quantity=quantity, unit_price=f"{PRICES[sku]:.2f}", status=status, Tax="0",
                ShippingCost="0", OrderDate=day, ProductID=sku, ProductName=f"Product {sku}", Category=CATEGORY[sku],
                CustomerID=customer, SellerID=seller, Brand="Acme" if sku != "E1" else "Volt",
            )
        )  # fmt: skip
    return made


def total(day: str, sku: str, quantity: int, status: str) -> float:
    gross = quantity * PRICES[sku]
    return {"Cancelled": 0.0, "Returned": -gross}.get(status, gross)


def figures(start: str, end: str, **where: str) -> dict[str, float]:
    """Revenue, orders, units and customers of non-cancelled orders between two dates, computed by hand."""
    chosen = [o for o in ORDERS if start <= o[0] <= end and o[3] != "Cancelled"]
    if "category" in where:
        chosen = [o for o in chosen if CATEGORY[o[1]] == where["category"]]
    return {
        "revenue": round(sum(total(*o[:4]) for o in chosen), 2),
        "orders": len(chosen),
        "units": sum(-o[2] if o[3] == "Returned" else o[2] for o in chosen),
        "customers": len({o[4] for o in chosen}),
    }


async def load_store(api: httpx.AsyncClient, folder: Path) -> httpx.AsyncClient:
    """Upload the store's orders and stock through the real upload route; the client, ready to query."""
    orders = write_rows(folder / "orders.csv", rows())
    stock = folder / "stock.csv"
    with stock.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ProductID", "StockOnHand", "ReorderPoint", "LeadTimeDays", "UnitCost"])
        writer.writerows([sku, *values] for sku, values in STOCK.items())
    with orders.open("rb") as o, stock.open("rb") as s:
        response = await api.post(
            "/forecast/upload-data", files={"file": ("orders.csv", o), "stock_file": ("stock.csv", s)}
        )
    assert response.status_code == 200 and response.json()["rows_inserted"] == len(ORDERS)
    return api
