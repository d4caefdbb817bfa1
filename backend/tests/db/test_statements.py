"""The order path's unit of work: a driver transaction on PostgreSQL that commits, rolls back and gives
up its connection exactly as a session would."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError, OperationalError

from app.core.errors import InsufficientStock
from app.db.statements import Statements, unit_of_work
from app.models import Product
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
    async with unit_of_work(shop.sessions) as statements:
        assert await sell_one(statements) == 9

    assert await shop.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == 9


async def test_an_error_in_the_block_undoes_everything_in_it(shop: TestDatabase) -> None:
    with pytest.raises(InsufficientStock):
        async with unit_of_work(shop.sessions) as statements:
            await sell_one(statements)
            await statements.execute(text("UPDATE products SET name = 'changed' WHERE sku = :sku"), {"sku": "A"})
            raise InsufficientStock("refused after both writes")

    assert await shop.rows("SELECT name, stock_on_hand FROM products") == [("A", 10)]
    # The pooled connection went back clean: the next block starts its own transaction.
    async with unit_of_work(shop.sessions) as statements:
        assert await sell_one(statements) == 9


@pytest.mark.backends("postgresql")  # SQLite stores any number in a NUMERIC column
async def test_a_value_postgresql_refuses_is_the_same_error_as_on_core(shop: TestDatabase) -> None:
    reprice = text("UPDATE products SET unit_price = :price")

    with pytest.raises(DataError):
        async with unit_of_work(shop.sessions) as statements:
            await statements.execute(reprice, {"price": 10**12})  # NUMERIC(12, 2) holds under 10^10

    assert await shop.scalar("SELECT unit_price FROM products") == 15


@pytest.mark.backends("postgresql")  # an SQLite connection cannot be lost
async def test_a_lost_connection_is_a_503_error_and_is_never_reused(shop: TestDatabase) -> None:
    admin = await asyncpg.connect(asyncpg_dsn(shop.url))
    try:
        with pytest.raises(OperationalError) as raised:
            async with unit_of_work(shop.sessions) as statements:
                await sell_one(statements)
                backend = (await statements.first(text("SELECT pg_backend_pid()"), {}))[0]
                await admin.execute("SELECT pg_terminate_backend($1)", backend)
                await sell_one(statements)
    finally:
        await admin.close()

    # OperationalError with the connection invalidated is what the error handler answers with a 503.
    assert raised.value.connection_invalidated
    assert await shop.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == 10
    async with unit_of_work(shop.sessions) as statements:  # the pool hands out a live connection, not the dead one
        assert await sell_one(statements) == 9


async def cancel_mid_sale(shop: TestDatabase, *, wait_in_a_statement: bool) -> None:
    """Sell one unit, then wait (in the event loop or in a statement) until cancelled."""
    started = asyncio.Event()

    async def sell_then_wait() -> None:
        async with unit_of_work(shop.sessions) as statements:
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
        async with unit_of_work(shop.sessions) as statements:
            assert await sell_one(statements) <= 9
    assert await shop.scalar("SELECT stock_on_hand FROM products WHERE sku = 'A'") == 7


async def test_a_cancelled_block_leaves_no_transaction_open_on_a_pooled_connection(shop: TestDatabase) -> None:
    await cancel_mid_sale(shop, wait_in_a_statement=False)
    await assert_sales_go_through_on_every_pooled_connection(shop)


@pytest.mark.backends("postgresql")  # SQLite has no statement that waits
async def test_a_block_cancelled_mid_statement_gives_up_its_connection(shop: TestDatabase) -> None:
    await cancel_mid_sale(shop, wait_in_a_statement=True)
    await assert_sales_go_through_on_every_pooled_connection(shop)
