"""What the fuzzer found, pinned down: client input that used to reach the database or date maths as a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.support.databases import TestDatabase


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/analytics/dashboard/summary?as_of=0001-01-02", "query.as_of"),  # as_of - period overflowed
        ("/analytics/category-performance?from_date=9999-12-31", "query.from_date"),
        ("/orders?to_date=0001-01-01", "query.to_date"),
        ("/customers?q=%00abc", "query.q"),  # PostgreSQL refuses NUL in text
        ("/products/AB%00C", "path.sku"),
        ("/products?limit=501", "query.limit"),  # page size cap
        ("/products?offset=-1", "query.offset"),
        ("/forecast/inventory-recommendations?holding_cost_rate=1e-300", "query.holding_cost_rate"),  # EOQ overflow
    ],
)
async def test_out_of_range_input_is_a_422_naming_the_field(
    api: httpx.AsyncClient, db: TestDatabase, path: str, field: str
) -> None:
    response = await api.get(path)

    assert response.status_code == 422, response.text
    assert field in {detail["field"] for detail in response.json()["error"]["details"]}


async def test_a_body_that_is_not_even_text_is_a_400_naming_the_body(api: httpx.AsyncClient, db: TestDatabase) -> None:
    response = await api.post("/products", content=b"{\xff\xfe\x00", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["error"]["details"] == [{"field": "body", "reason": "not decodable"}]
