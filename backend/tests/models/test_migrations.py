"""The migrations build exactly the schema the models describe, on both backends, and undo cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.core.db import create_engine
from app.db.migrations import (
    alembic_config,
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)
from app.models import Base
from tests.support.databases import TestDatabase, create_postgres_database, drop_postgres_database
from tests.support.environment import POSTGRES_URL
from tests.support.schema import schema_differences


@asynccontextmanager
async def empty_database(backend: str, folder: Path) -> AsyncIterator[tuple[str, AsyncEngine]]:
    """A database with no tables at all (not the session's migrated one): its URL and an engine on it."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / 'empty.db'}"
    else:
        url = await create_postgres_database(POSTGRES_URL)
    engine = create_engine(Settings(_env_file=None, database_url=url))
    try:
        yield url, engine
    finally:
        await engine.dispose()
        if backend == "postgresql":
            await drop_postgres_database(POSTGRES_URL, url)


async def test_autogenerate_finds_no_difference_between_models_and_migrations(database: TestDatabase) -> None:
    async with database.engine.connect() as connection:
        assert await connection.run_sync(schema_differences) == []
    assert await current_revision(database.engine) == head_revision()


async def test_upgrade_from_empty_to_head_and_down_again(backend: str, database: TestDatabase, tmp_path: Path) -> None:
    async with empty_database(backend, tmp_path) as (_url, engine):
        await upgrade_database(engine)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert {table.name for table in Base.metadata.sorted_tables} <= tables
        await downgrade_database(engine, "base")
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert tables <= {"alembic_version"}
        assert await current_revision(engine) is None


def inventory_db(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`inventory db ...` as an operator runs it: a subprocess with DATABASE_URL in its environment."""
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "db", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip


async def test_inventory_db_upgrade_and_downgrade_on_an_empty_database(
    backend: str, database: TestDatabase, tmp_path: Path
) -> None:
    # cwd is an empty folder, so no developer's .env can change the database the commands use.
    async with empty_database(backend, tmp_path) as (url, engine):
        assert await current_revision(engine) is None

        upgraded = inventory_db("upgrade", database_url=url, cwd=tmp_path)
        assert upgraded.returncode == 0, upgraded.stderr
        assert head_revision() in upgraded.stderr
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as connection:
            assert await connection.run_sync(schema_differences) == []

        unknown = inventory_db("downgrade", "no-such-revision", database_url=url, cwd=tmp_path)
        assert unknown.returncode == 1
        assert "Nothing was migrated" in unknown.stderr and "Traceback" not in unknown.stderr
        assert await current_revision(engine) == head_revision()

        downgraded = inventory_db("downgrade", database_url=url, cwd=tmp_path)
        assert downgraded.returncode == 0, downgraded.stderr
        assert "base (empty)" in downgraded.stderr
        assert await current_revision(engine) is None
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert tables <= {"alembic_version"}


async def test_inventory_db_downgrade_takes_a_relative_revision(
    backend: str, database: TestDatabase, tmp_path: Path
) -> None:
    # "-1" is a revision (one step down), not an unknown option.
    async with empty_database(backend, tmp_path) as (url, engine):
        assert inventory_db("upgrade", database_url=url, cwd=tmp_path).returncode == 0
        one_back = inventory_db("downgrade", "-1", database_url=url, cwd=tmp_path)
        assert one_back.returncode == 0, one_back.stderr
        before_head = ScriptDirectory.from_config(alembic_config()).get_revision(head_revision()).down_revision
        assert await current_revision(engine) == before_head
