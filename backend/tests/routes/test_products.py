"""/products over real HTTP: CRUD, stock receipts and adjustments, the ledger, on both backends."""

from __future__ import annotations

import httpx
import pytest

from tests.support.api import product
from tests.support.databases import TestDatabase


async def test_create_read_update_and_list(api: httpx.AsyncClient, db: TestDatabase) -> None:
    created = await api.post("/products", json=product())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["stock_on_hand"] == 10 and body["stock_state"] == "in_stock" and body["unit_price"] == 19.99

    assert (await api.post("/products", json=product())).status_code == 409
    patched = await api.patch("/products/SKU-1", json={"reorder_point": 12, "name": "Renamed"})
    assert patched.json()["stock_state"] == "low" and patched.json()["name"] == "Renamed"

    for n in range(2, 6):
        brand = "Globex" if n == 3 else "Acme"
        await api.post(
            "/products", json=product(f"SKU-{n}", category="Toys", brand=brand, stock_on_hand=0 if n == 5 else 50)
        )
    listed = (await api.get("/products", params={"category": "Toys", "limit": 2, "sort": "-sku"})).json()
    assert listed["total"] == 4 and [item["sku"] for item in listed["items"]] == ["SKU-5", "SKU-4"]
    assert (await api.get("/products", params={"stock_state": "out"})).json()["total"] == 1
    assert (await api.get("/products", params={"q": "sku-3"})).json()["items"][0]["sku"] == "SKU-3"
    by_brand = (await api.get("/products", params={"brand": "Globex"})).json()
    assert by_brand["total"] == 1 and by_brand["items"][0]["sku"] == "SKU-3"
    # The opening stock is a ledger row: stock on hand is the ledger's sum.
    assert await db.ledger_mismatches() == 0
    assert (await api.get("/products/SKU-1/movements")).json()["items"][0]["reason"] == "stock_count"


async def test_receipts_and_adjustments_go_through_the_ledger(api: httpx.AsyncClient, db: TestDatabase) -> None:
    await api.post("/products", json=product(stock_on_hand=5))

    received = await api.post("/products/SKU-1/stock", json={"kind": "receipt", "quantity": 20, "note": "PO 1042"})
    assert received.status_code == 201 and received.json()["product"]["stock_on_hand"] == 25
    damaged = await api.post("/products/SKU-1/stock", json={"kind": "adjustment", "quantity": -4, "note": "damaged"})
    assert damaged.json()["movement"]["stock_after"] == 21
    too_much = await api.post("/products/SKU-1/stock", json={"kind": "adjustment", "quantity": -22, "note": "lost"})
    assert too_much.status_code == 409 and too_much.json()["error"]["code"] == "insufficient_stock"
    negative_receipt = await api.post("/products/SKU-1/stock", json={"kind": "receipt", "quantity": -1, "note": "x"})
    assert negative_receipt.status_code == 422

    ledger = (await api.get("/products/SKU-1/movements")).json()
    assert [item["quantity_change"] for item in ledger["items"]] == [-4, 20, 5]
    assert await db.ledger_mismatches() == 0
    assert [event["data"]["change"] for event in await db.events("stock.updated")] == [5, 20, -4]


async def test_delete_erases_an_unsold_product_and_archives_a_sold_one(
    api: httpx.AsyncClient, db: TestDatabase
) -> None:
    await api.post("/products", json=product("NEVER-SOLD"))
    await api.post("/products", json=product("SOLD"))
    order = await api.post("/orders", json={"customer_id": "C1", "items": [{"sku": "SOLD", "quantity": 1}]})
    assert order.status_code == 201

    assert (await api.delete("/products/NEVER-SOLD")).json() == {"sku": "NEVER-SOLD", "outcome": "erased"}
    assert (await api.get("/products/NEVER-SOLD")).status_code == 404
    assert (await api.delete("/products/SOLD")).json()["outcome"] == "archived"
    assert (await api.get("/products/SOLD")).json()["archived"] is True
    assert (await api.get("/products")).json()["total"] == 0
    refused = await api.post("/orders", json={"customer_id": "C1", "items": [{"sku": "SOLD", "quantity": 1}]})
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "items.0.sku"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unit_price": "-1"}, "body.unit_price"),
        ({"unit_price": "1.999"}, "body.unit_price"),
        ({"sku": ""}, "body.sku"),
        ({"sku": "has space"}, "body.sku"),
        ({"stock_on_hand": -3}, "body.stock_on_hand"),
        ({"lead_time_days": 99999}, "body.lead_time_days"),
        ({"colour": "red"}, "body.colour"),
        ({"name": None}, "body.name"),
    ],
)
async def test_invalid_product_fields_are_named_in_a_422(
    api: httpx.AsyncClient, db: TestDatabase, body: dict, field: str
) -> None:
    response = await api.post("/products", json=product(**body))
    assert response.status_code == 422
    assert field in [detail["field"] for detail in response.json()["error"]["details"]]


@pytest.mark.parametrize("field", ["name", "category", "unit_price", "reorder_point", "lead_time_days"])
async def test_an_update_cannot_null_a_field_every_product_has(
    api: httpx.AsyncClient, db: TestDatabase, field: str
) -> None:
    await api.post("/products", json=product())
    before = (await api.get("/products/SKU-1")).json()

    response = await api.patch("/products/SKU-1", json={field: None})

    assert response.status_code == 422, response.text  # was a 500 from the database's NOT NULL (schemathesis)
    assert f"body.{field}" in [detail["field"] for detail in response.json()["error"]["details"]]
    assert (await api.get("/products/SKU-1")).json() == before


@pytest.mark.parametrize(
    ("path", "params"),
    [("/products", {"limit": 0}), ("/products", {"limit": 501}), ("/products", {"sort": "price"}),
     ("/products", {"stock_state": "gone"}), ("/products/SKU-1/movements", {"offset": -1})],
)  # fmt: skip
async def test_bad_query_parameters_are_a_422(
    api: httpx.AsyncClient, db: TestDatabase, path: str, params: dict
) -> None:
    await api.post("/products", json=product())
    response = await api.get(path, params=params)
    assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error"


async def test_unknown_product_is_a_404_with_the_error_body(api: httpx.AsyncClient, db: TestDatabase) -> None:
    for response in (
        await api.get("/products/NOPE"),
        await api.patch("/products/NOPE", json={"name": "x"}),
        await api.post("/products/NOPE/stock", json={"kind": "receipt", "quantity": 1, "note": "x"}),
    ):
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
