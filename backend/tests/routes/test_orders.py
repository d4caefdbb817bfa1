"""/orders over real HTTP: never oversell, status changes, idempotency, validation, on both backends."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.support.api import product
from tests.support.databases import TestDatabase


async def new_product(api: httpx.AsyncClient, sku: str, stock: int, **fields: object) -> None:
    response = await api.post("/products", json=product(sku, stock_on_hand=stock, **fields))
    assert response.status_code == 201, response.text


def order(*lines: tuple[str, int], **fields: object) -> dict[str, object]:
    return {"customer_id": "CUST-1", "items": [{"sku": s, "quantity": q} for s, q in lines], **fields}


async def test_200_concurrent_orders_for_50_units_sell_exactly_50(api: httpx.AsyncClient, db: TestDatabase) -> None:
    await new_product(api, "HOT", 50, reorder_point=10)

    responses = await asyncio.gather(*(api.post("/orders", json=order(("HOT", 1))) for _ in range(200)))

    codes = [response.status_code for response in responses]
    assert codes.count(201) == 50 and codes.count(409) == 150, sorted(set(codes))
    refused = next(response for response in responses if response.status_code == 409).json()["error"]
    assert refused["code"] == "insufficient_stock" and refused["details"][0]["sku"] == "HOT"
    assert await db.scalar("SELECT stock_on_hand FROM products WHERE sku = 'HOT'") == 0
    assert await db.scalar("SELECT SUM(quantity_change) FROM inventory_movements WHERE sku = 'HOT'") == 0
    assert await db.scalar("SELECT COUNT(*) FROM orders") == 50
    assert len(await db.events("stock.out")) == 1
    assert len(await db.events("stock.low")) == 1  # crossing 10 on the way down
    assert len(await db.events("order.created")) == 50
    # One stock.updated per sale, each with the units left after it: 49 down to 0, every one once.
    sales = [event for event in await db.events("stock.updated") if event["data"]["reason"] == "sale"]
    assert sorted(event["data"]["stock_on_hand"] for event in sales) == list(range(50))
    assert await db.ledger_mismatches() == 0


async def test_an_order_short_on_one_line_writes_nothing(api: httpx.AsyncClient, db: TestDatabase) -> None:
    await new_product(api, "A", 5)
    await new_product(api, "B", 1)
    before = await db.snapshot()

    response = await api.post("/orders", json=order(("A", 2), ("B", 3)))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["details"] == [{"field": "items.1.quantity", "sku": "B", "requested": 3, "available": 1}]
    assert "B: 3 requested, 1 available" in error["message"]
    assert await db.snapshot() == before


async def test_total_follows_the_contract_and_lines_share_it(api: httpx.AsyncClient, db: TestDatabase) -> None:
    await new_product(api, "A", 10, unit_price="10.00")
    await new_product(api, "B", 10, unit_price="5.50")

    body = order(("A", 2), ("B", 1), discount="2.50", shipping_cost="4.99", payment_method="PayPal")
    created = (await api.post("/orders", json=body)).json()

    gross, discount = 2 * 10.00 + 5.50, 2.50
    tax = round((gross - discount) * 0.08, 2)  # SALES_TAX_RATE's default
    assert created["tax"] == tax
    assert created["total_amount"] == round(gross - discount + tax + 4.99, 2)
    assert round(sum(line["line_total"] for line in created["items"]), 2) == created["total_amount"]
    assert created["status"] == "Processing" and created["order_id"].startswith("ORD-")
    fetched = (await api.get(f"/orders/{created['order_id']}")).json()
    assert fetched == created


async def test_cancel_and_return_restock_through_the_ledger(api: httpx.AsyncClient, db: TestDatabase) -> None:
    await new_product(api, "A", 10)
    first = (await api.post("/orders", json=order(("A", 4)))).json()
    second = (await api.post("/orders", json=order(("A", 3)))).json()
    assert await db.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == 3

    cancelled = await api.post(f"/orders/{first['order_id']}/status", json={"status": "Cancelled"})
    assert cancelled.json()["status"] == "Cancelled" and cancelled.json()["total_amount"] == 0
    assert await db.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == 7
    assert await db.ledger_mismatches() == 0

    for status in ("Shipped", "Delivered"):
        assert (await api.post(f"/orders/{second['order_id']}/status", json={"status": status})).status_code == 200
    returned = (await api.post(f"/orders/{second['order_id']}/status", json={"status": "Returned"})).json()
    assert returned["total_amount"] == -second["total_amount"]
    assert await db.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == 10
    assert await db.ledger_mismatches() == 0
    reasons = [m["reason"] for m in (await api.get("/products/A/movements")).json()["items"]]
    assert reasons == ["return", "cancellation", "sale", "sale", "stock_count"]
    assert [e["data"]["status"] for e in await db.events("order.updated")] == [
        "Cancelled",
        "Shipped",
        "Delivered",
        "Returned",
    ]


@pytest.mark.parametrize(
    ("path", "status"),
    [(["Shipped"], "Processing"), ([], "Delivered"), ([], "Returned"), (["Cancelled"], "Shipped"),
     (["Shipped", "Delivered"], "Cancelled"), (["Shipped", "Delivered", "Returned"], "Delivered")],
)  # fmt: skip
async def test_illegal_status_changes_are_a_409_listing_the_allowed_ones(
    api: httpx.AsyncClient, db: TestDatabase, path: list[str], status: str
) -> None:
    await new_product(api, "A", 10)
    order_id = (await api.post("/orders", json=order(("A", 2)))).json()["order_id"]
    for step in path:
        assert (await api.post(f"/orders/{order_id}/status", json={"status": step})).status_code == 200
    stock_before = await db.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'")

    response = await api.post(f"/orders/{order_id}/status", json={"status": status})

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "illegal_status_change" and "allowed" in error["details"][0]
    assert await db.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == stock_before
    assert await db.ledger_mismatches() == 0


async def test_the_same_idempotency_key_20_times_at_once_makes_one_order(
    api: httpx.AsyncClient, db: TestDatabase
) -> None:
    await new_product(api, "A", 100)
    key = str(uuid.uuid4())

    responses = await asyncio.gather(
        *(api.post("/orders", json=order(("A", 2)), headers={"Idempotency-Key": key}) for _ in range(20))
    )

    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["order_id"] for response in responses}) == 1
    assert sum(response.headers.get("Idempotent-Replayed") == "true" for response in responses) == 19
    assert await db.scalar("SELECT COUNT(*) FROM orders") == 1
    assert await db.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == 98
    assert await db.ledger_mismatches() == 0

    other_body = await api.post("/orders", json=order(("A", 3)), headers={"Idempotency-Key": key})
    assert other_body.status_code == 422 and other_body.json()["error"]["code"] == "idempotency_key_reused"


async def test_list_filters_and_pages(api: httpx.AsyncClient, db: TestDatabase) -> None:
    await new_product(api, "A", 100, category="Toys")
    await new_product(api, "B", 100, category="Books")
    for n in range(5):
        await api.post("/orders", json={**order(("A" if n % 2 else "B", 1)), "customer_id": f"C{n % 2}"})

    page = (await api.get("/orders", params={"category": "Toys", "limit": 1})).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert (await api.get("/orders", params={"customer_id": "C0"})).json()["total"] == 3
    assert (await api.get("/orders", params={"status": "Cancelled"})).json()["total"] == 0
    assert (await api.get("/orders", params={"from_date": "2099-01-01"})).json()["total"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": []}, "body.items"),
        ({"items": [{"sku": "A", "quantity": 0}]}, "body.items.0.quantity"),
        ({"items": [{"sku": "A", "quantity": -2}]}, "body.items.0.quantity"),
        ({"items": [{"sku": "A", "quantity": "two"}]}, "body.items.0.quantity"),
        ({"items": [{"sku": "A", "quantity": 1}, {"sku": "A", "quantity": 1}]}, "body.items"),
        ({"discount": "-1"}, "body.discount"),
        ({"shipping_cost": "abc"}, "body.shipping_cost"),
        ({"customer_id": ""}, "body.customer_id"),
        ({"items": [{"sku": "NOPE", "quantity": 1}]}, "items.0.sku"),
        ({"discount": "1000"}, "discount"),
        ({"customer_name": "Ada\u0000"}, "body.customer_name"),  # PostgreSQL cannot store a NUL
        ({"items": [{"sku": "A\u0000", "quantity": 1}]}, "body.items.0.sku"),
        ({"shipping_cost": "9999999999.99"}, "total_amount"),  # the total would not fit its column
    ],
)
async def test_invalid_orders_are_a_4xx_naming_the_field(
    api: httpx.AsyncClient, db: TestDatabase, body: dict, field: str
) -> None:
    await new_product(api, "A", 10)
    response = await api.post("/orders", json={**order(("A", 1)), **body})
    assert response.status_code == 422, response.text
    assert field in [detail["field"] for detail in response.json()["error"]["details"]]
    assert await db.scalar("SELECT COUNT(*) FROM orders") == 0


async def test_malformed_json_and_unknown_order_are_clear_errors(api: httpx.AsyncClient, db: TestDatabase) -> None:
    malformed = await api.post("/orders", content=b"{not json", headers={"content-type": "application/json"})
    assert malformed.status_code == 422 and malformed.json()["error"]["code"] == "validation_error"
    assert (await api.get("/orders/ORD-NOPE")).status_code == 404
    assert (await api.post("/orders/ORD-NOPE/status", json={"status": "Shipped"})).status_code == 404
    assert (await api.post("/orders/x/status", json={"status": "Lost"})).status_code == 422
