"""The unit of work: its transactions commit, roll back and give up their connections as a session would
(on PostgreSQL `statements()` is a driver transaction), and a commit that wrote events wakes the relay."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError, OperationalError

from app.core.errors import InsufficientStock
from app.db.statements import Statements
from app.db.unit_of_work import UnitOfWork
from app.models import Product
from app.schemas.events import envelope
from app.services.stock import _SELL
from tests.support.databases import TestDatabase, asyncpg_dsn

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
async def shop(db: TestDatabase) -> TestDatabase:
    async with db.sessions() as session:
        session.add(Product(sku="A", name="A", category="Toys", unit_price=15, stock_on_hand=10))
        await session.commit()
    return db


async def sell_one(statements: Statements) -> int:
    row = await statements.first(_SELL, {"b_sku": "A", "quantity": 1, "now": NOW})
    assert row is not None
    return row[5]  # stock on hand after the sale


async def test_the_block_commits_what_it_did(shop: TestDatabase) -> None:
    async with shop.work.statements() as statements:
        assert await sell_one(statements) == 9

    assert await shop.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == 9


async def test_an_error_in_the_block_undoes_everything_in_it(shop: TestDatabase) -> None:
    with pytest.raises(InsufficientStock):
        async with shop.work.statements() as statements:
            await sell_one(statements)
            await statements.execute(text("UPDATE products SET name = 'changed' WHERE sku = :sku"), {"sku": "A"})
            raise InsufficientStock("refused after both writes")

    assert await shop.rows("SELECT name, stock_on_hand FROM products") == [("A", 10)]
    # The pooled connection went back clean: the next block starts its own transaction.
    async with shop.work.statements() as statements:
        assert await sell_one(statements) == 9


@pytest.mark.backends("postgresql")  # SQLite stores any number in a NUMERIC column
async def test_a_value_postgresql_refuses_is_the_same_error_as_on_core(shop: TestDatabase) -> None:
    reprice = text("UPDATE products SET unit_price = :price")

    with pytest.raises(DataError):
        async with shop.work.statements() as statements:
            await statements.execute(reprice, {"price": 10**12})  # NUMERIC(12, 2) holds under 10^10

    assert await shop.scalar("SELECT unit_price FROM products") == 15


@pytest.mark.backends("postgresql")  # an SQLite connection cannot be lost
async def test_a_lost_connection_is_a_503_error_and_is_never_reused(shop: TestDatabase) -> None:
    admin = await asyncpg.connect(asyncpg_dsn(shop.url))
    try:
        with pytest.raises(OperationalError) as raised:
            async with shop.work.statements() as statements:
                await sell_one(statements)
                backend = (await statements.first(text("SELECT pg_backend_pid()"), {}))[0]
                await admin.execute("SELECT pg_terminate_backend($1)", backend)
                await sell_one(statements)
    finally:
        await admin.close()

    # OperationalError with the connection invalidated is what the error handler answers with a 503.
    assert raised.value.connection_invalidated
    assert await shop.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == 10
    async with shop.work.statements() as statements:  # the pool hands out a live connection, not the dead one
        assert await sell_one(statements) == 9


async def cancel_mid_sale(shop: TestDatabase, *, wait_in_a_statement: bool) -> None:
    """Sell one unit, then wait (in the event loop or in a statement) until cancelled."""
    started = asyncio.Event()

    async def sell_then_wait() -> None:
        async with shop.work.statements() as statements:
            await sell_one(statements)
            started.set()
            if wait_in_a_statement:  # cancelled mid-statement: the driver is mid-protocol
                await statements.first(text("SELECT pg_sleep(30)"), {})
            await asyncio.sleep(30)

    task = asyncio.create_task(sell_then_wait())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def assert_sales_go_through_on_every_pooled_connection(shop: TestDatabase) -> None:
    assert await shop.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == 10
    for _ in range(3):  # none of them is left inside a transaction
        async with shop.work.statements() as statements:
            assert await sell_one(statements) <= 9
    assert await shop.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == 7


async def test_a_cancelled_block_leaves_no_transaction_open_on_a_pooled_connection(shop: TestDatabase) -> None:
    await cancel_mid_sale(shop, wait_in_a_statement=False)
    await assert_sales_go_through_on_every_pooled_connection(shop)


@pytest.mark.backends("postgresql")  # SQLite has no statement that waits
async def test_a_block_cancelled_mid_statement_gives_up_its_connection(shop: TestDatabase) -> None:
    await cancel_mid_sale(shop, wait_in_a_statement=True)
    await assert_sales_go_through_on_every_pooled_connection(shop)


def an_event(number: int):
    return envelope("alert.broadcast", {"title": f"t{number}", "message": "m", "severity": "info"}), None


@pytest.mark.parametrize("opening", ["begin", "statements"])
async def test_events_commit_with_the_change_and_wake_the_relay_once_committed(
    shop: TestDatabase, opening: str
) -> None:
    wakes: list[int] = []
    work = UnitOfWork(shop.engine, on_events_committed=lambda: wakes.append(1))
    open_transaction = getattr(work, opening)

    async with open_transaction() as statements:
        await sell_one(statements)
        statements.record_events([an_event(1), an_event(2)])
        assert wakes == []  # not before the commit
    assert wakes == [1]
    with pytest.raises(InsufficientStock):
        async with open_transaction() as statements:
            await sell_one(statements)
            statements.record_events([an_event(3)])
            raise InsufficientStock("refused after the events were recorded")
    async with open_transaction() as statements:  # nothing recorded: nothing to wake the relay for
        await sell_one(statements)

    assert wakes == [1]
    assert await shop.scalar("SELECT COUNT(*) FROM outbox") == 2
    assert await shop.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == 8


async def test_a_session_transaction_commits_orm_changes_and_statements_together(shop: TestDatabase) -> None:
    async with shop.work.begin() as transaction:
        product = await transaction.session.get(Product, "A")
        assert product is not None
        product.name = "renamed"
        await sell_one(transaction)

    assert await shop.rows("SELECT name, stock_on_hand FROM products") == [("renamed", 9)]
    with pytest.raises(InsufficientStock):
        async with shop.work.begin() as transaction:
            product = await transaction.session.get(Product, "A")
            product.name = "again"
            await transaction.session.flush()
            raise InsufficientStock("refused")
    assert await shop.rows("SELECT name, stock_on_hand FROM products") == [("renamed", 9)]
