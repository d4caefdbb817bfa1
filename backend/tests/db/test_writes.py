"""The INSERTs of one unit of work sent together (one statement on PostgreSQL), on every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db.writes import Write
from app.models import Customer, OutboxEvent, Product, Seller
from app.models.orders import Order, OrderLine
from tests.support.databases import TestDatabase

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


async def insert_in_transaction(db: TestDatabase, writes: list[Write]) -> None:
    """As the order path does it: in its unit of work (a driver transaction on PostgreSQL)."""
    async with db.work.statements() as statements:
        await statements.insert(*writes)


@pytest.fixture
async def shop(db: TestDatabase) -> TestDatabase:
    """The products the order lines below name."""
    async with db.sessions() as session:
        session.add_all(Product(sku=sku, name=sku, category="Toys", unit_price=15) for sku in ("A", "B"))
        await session.commit()
    return db


def _order_writes(order_id: str, event_ids: list[str]):
    customer = {
        "customer_id": f"C-{order_id}", "name": "Ada", "city": None, "state": None, "country": None, "created_at": NOW,
    }  # fmt: skip
    order = {
        "order_id": order_id, "order_date": date(2026, 12, 1), "customer_id": f"C-{order_id}", "seller_id": None,
        "status": "Processing", "payment_method": None, "discount": 0, "tax": 0, "shipping_cost": 0,
        "total_amount": 30, "city": None, "state": None, "country": None, "source": "api", "created_at": NOW,
        "updated_at": NOW,
    }  # fmt: skip
    lines = [
        {
            "order_id": order_id, "line_number": number, "order_date": date(2026, 12, 1), "status": "Processing",
            "sku": sku, "product_name": sku, "category": "Toys", "brand": None, "quantity": 1, "unit_price": 15,
            "line_total": 15,
        }
        for number, sku in enumerate(["A", "B"], start=1)
    ]  # fmt: skip
    events = [
        {"event_id": event_id, "event_type": "order.created", "partition_key": "A", "attempts": 0,
         "payload": {"order_id": order_id, "n": number}, "occurred_at": NOW}
        for number, event_id in enumerate(event_ids)
    ]  # fmt: skip
    return [
        (Customer.__table__.insert(), [customer]), (Order.__table__.insert(), [order]),
        (OrderLine.__table__.insert(), lines), (OutboxEvent.__table__.insert(), events),
    ]  # fmt: skip


async def test_a_parent_its_children_and_their_events_go_in_together(shop: TestDatabase) -> None:
    await insert_in_transaction(shop, _order_writes("O-1", ["e-1", "e-2"]))

    assert await shop.scalar("SELECT name FROM customers WHERE customer_id = 'C-O-1'") == "Ada"
    assert await shop.scalar("SELECT count(*) FROM order_lines WHERE order_id = 'O-1'") == 2
    assert await shop.scalar("SELECT sum(line_total) FROM order_lines WHERE order_id = 'O-1'") == 30
    # JSON and timestamps are converted as the ORM would: the payload reads back as the dict written.
    async with shop.sessions() as session:
        events = (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))).all()
    assert [(event.event_id, event.payload["n"]) for event in events] == [("e-1", 0), ("e-2", 1)]


async def test_one_failing_insert_leaves_nothing_of_the_others(shop: TestDatabase) -> None:
    await insert_in_transaction(shop, _order_writes("O-1", ["e-1"]))
    before = await shop.snapshot()

    with pytest.raises(IntegrityError):  # the event id is taken: the whole unit of work fails
        await insert_in_transaction(shop, _order_writes("O-2", ["e-1"]))

    assert await shop.snapshot() == before


async def test_the_same_shape_goes_again_with_other_values(shop: TestDatabase) -> None:
    for number in range(3):
        await insert_in_transaction(shop, _order_writes(f"O-{number}", [f"e-{number}"]))

    assert await shop.scalar("SELECT count(*) FROM orders") == 3
    assert await shop.scalar("SELECT count(*) FROM outbox") == 3


async def test_rows_must_give_the_columns_that_have_python_defaults(shop: TestDatabase) -> None:
    with pytest.raises(ValueError, match="sellers must give created_at"):
        await insert_in_transaction(shop, [(Seller.__table__.insert(), [{"seller_id": "S-1"}])])
