"""Placing an order as a unit of work of its own: what it commits, and the relay's wake-up after it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.core.errors import InsufficientStock
from app.db.unit_of_work import UnitOfWork
from app.models import Product
from app.schemas.orders import OrderCreate
from app.services.orders import place_order_once
from tests.support.databases import TestDatabase


def order(quantity: int) -> OrderCreate:
    return OrderCreate.model_validate({"customer_id": "C-1", "items": [{"sku": "A", "quantity": quantity}]})


async def test_a_placed_order_wakes_the_relay_after_its_commit_and_a_refused_one_does_not(db: TestDatabase) -> None:
    async with db.sessions() as session:
        session.add(Product(sku="A", name="A", category="Toys", unit_price=15, stock_on_hand=3))
        await session.commit()
    relay_wakes: list[int] = []
    work = UnitOfWork(db.engine, on_events_committed=lambda: relay_wakes.append(1))

    placed, replayed = await place_order_once(
        work, order(2), idempotency_key=None, tax_rate=Decimal(0), today=date.today()
    )
    with pytest.raises(InsufficientStock):
        await place_order_once(work, order(2), idempotency_key=None, tax_rate=Decimal(0), today=date.today())

    assert not replayed and placed.total_amount == 30
    assert len(relay_wakes) == 1
    # With a key: the first placement wakes it, a replay (nothing written) does not.
    for _ in range(2):
        await place_order_once(work, order(1), idempotency_key="k-1", tax_rate=Decimal(0), today=date.today())
    assert len(relay_wakes) == 2
    # order.created, stock.updated; then order.created, stock.updated, stock.out
    assert await db.scalar("SELECT COUNT(*) FROM outbox") == 5
    assert await db.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == 0


async def test_the_same_key_replays_the_first_answer_from_the_same_transaction(db: TestDatabase) -> None:
    async with db.sessions() as session:
        session.add(Product(sku="A", name="A", category="Toys", unit_price=15, stock_on_hand=3))
        await session.commit()

    first, _ = await place_order_once(db.work, order(1), idempotency_key="k-1", tax_rate=Decimal(0), today=date.today())
    again, replayed = await place_order_once(
        db.work, order(1), idempotency_key="k-1", tax_rate=Decimal(0), today=date.today()
    )

    assert replayed and again == first
    assert await db.scalar("SELECT status_code FROM idempotency_records WHERE key = 'k-1'") == 201
    assert await db.scalar("SELECT COUNT(*) FROM orders") == 1
