"""Fresh, migrated databases for a test session: a temporary SQLite file or a new PostgreSQL database."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.db.migrations import upgrade_database
from app.db.unit_of_work import UnitOfWork
from app.models import Base

# Products whose stock on hand differs from the sum of their stock ledger.
LEDGER_MISMATCHES = (
    "SELECT COUNT(*) FROM products p WHERE p.stock_on_hand <> "
    "COALESCE((SELECT SUM(m.quantity_change) FROM inventory_movements m WHERE m.sku = p.sku), 0)"
)

# Columns the outbox relay writes in the background; snapshots leave them out.
_RELAY_BOOKKEEPING = {("outbox", "published_at"), ("outbox", "attempts"), ("outbox", "last_error")}


@dataclass
class TestDatabase:
    """One migrated database, with an engine in the test's event loop for checking what the app wrote."""

    __test__ = False  # not a test class, whatever its name

    backend: str
    url: str
    engine: AsyncEngine
    # The app's unit of work on this database (what write use cases take), and plain sessions for a
    # test's own setup and checks.
    work: UnitOfWork
    sessions: async_sessionmaker[AsyncSession]

    def settings(self, **overrides: object) -> Settings:
        """Settings for an app process on this database."""
        values: dict[str, object] = {"database_url": self.url, "environment": "test", "auth_enabled": False}
        values.update(overrides)
        # _env_file=None: a developer's .env must not change what the tests run against.
        return Settings(_env_file=None, **values)

    async def scalar(self, sql: str, **params: object) -> object:
        async with self.engine.connect() as connection:
            return (await connection.execute(text(sql), params)).scalar()

    async def rows(self, sql: str, **params: object) -> list[tuple[object, ...]]:
        async with self.engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(text(sql), params)]

    async def ledger_mismatches(self) -> int:
        """Products whose stock on hand differs from the sum of their stock ledger."""
        value = await self.scalar(LEDGER_MISMATCHES)
        return int(value)

    async def events(self, event_type: str) -> list[dict[str, object]]:
        """Payloads of the outbox events of one type, oldest first."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT payload FROM outbox WHERE event_type = :t ORDER BY id"), {"t": event_type}
            )
            # JSON comes back parsed from PostgreSQL and as text from a plain SQLite query.
            return [row[0] if isinstance(row[0], dict) else json.loads(row[0]) for row in rows]

    async def snapshot(self) -> dict[str, list[tuple[object, ...]]]:
        """Every row of every table, in primary-key order: equal snapshots mean nothing changed.

        The outbox relay's own bookkeeping (published_at, attempts, last_error) is left out: the relay
        marks events sent in the background at any moment, which is not a change a request made.
        """
        tables: dict[str, list[tuple[object, ...]]] = {}
        async with self.engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                columns = [column for column in table.columns if (table.name, column.name) not in _RELAY_BOOKKEEPING]
                statement = select(*columns).order_by(*table.primary_key.columns)
                tables[table.name] = [tuple(row) for row in await connection.execute(statement)]
        return tables

    async def empty(self) -> None:
        """Delete every row of every table (children first), keeping the schema."""
        async with self.engine.begin() as connection:
            if self.backend == "postgresql":
                names = ", ".join(table.name for table in Base.metadata.sorted_tables)
                # Identities keep counting: ids must never repeat (they version the app's caches).
                await connection.execute(text(f"TRUNCATE {names} CASCADE"))
            else:
                for table in reversed(Base.metadata.sorted_tables):
                    await connection.execute(table.delete())


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def create_postgres_database(server_url: str) -> str:
    """CREATE DATABASE with a unique name on the server of `server_url`; returns its URL."""
    name = f"inventory_test_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(server_url: str, url: str) -> None:
    name = make_url(url).database
    connection = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@asynccontextmanager
async def fresh_test_database(backend: str, *, workdir: Path, postgres_url: str) -> AsyncIterator[TestDatabase]:
    """A database of its own for as long as the block runs; on PostgreSQL it is dropped afterwards."""
    database = await open_test_database(backend, workdir=workdir, postgres_url=postgres_url)
    try:
        yield database
    finally:
        await database.engine.dispose()
        if backend == "postgresql":
            await drop_postgres_database(postgres_url, database.url)


async def open_test_database(backend: str, *, workdir: Path, postgres_url: str) -> TestDatabase:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / f'inventory-{uuid.uuid4().hex[:8]}.db'}"
    else:
        url = await create_postgres_database(postgres_url)
    engine = create_engine(Settings(_env_file=None, database_url=url))
    await upgrade_database(engine)
    return TestDatabase(
        backend=backend, url=url, engine=engine, work=UnitOfWork(engine), sessions=create_sessionmaker(engine)
    )
