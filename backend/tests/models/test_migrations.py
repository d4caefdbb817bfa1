"""The migrations build exactly the schema the models describe, on both backends, and undo cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

from app.core.config import Settings
from app.core.db import create_engine
from app.models import Base
from app.services.database import current_revision, downgrade_database, head_revision, upgrade_database
from tests.support.databases import TestDatabase


def schema_differences(connection: Connection) -> list[object]:
    """What autogenerate would change to make the database match the models (empty: nothing)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


async def test_autogenerate_finds_no_difference_between_models_and_migrations(database: TestDatabase) -> None:
    async with database.engine.connect() as connection:
        assert await connection.run_sync(schema_differences) == []
    assert await current_revision(database.engine) == head_revision()


async def test_upgrade_from_empty_to_head_and_down_again(backend: str, database: TestDatabase) -> None:
    # A second, empty database on the same server (or file system) as the session's one.
    if backend == "sqlite":
        url = database.url.replace(".db", "-roundtrip.db")
    else:
        from tests.support.databases import create_postgres_database, drop_postgres_database
        from tests.support.environment import POSTGRES_URL

        url = await create_postgres_database(POSTGRES_URL)
    engine = create_engine(Settings(database_url=url))
    try:
        await upgrade_database(engine)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert {table.name for table in Base.metadata.sorted_tables} <= tables
        await downgrade_database(engine, "base")
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert tables <= {"alembic_version"}
        assert await current_revision(engine) is None
    finally:
        await engine.dispose()
        if backend == "postgresql":
            await drop_postgres_database(POSTGRES_URL, url)
