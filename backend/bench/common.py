"""Shared by the benchmarks: fresh databases, timing, tables."""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.core.db import create_engine
from app.services.database import upgrade_database

POSTGRES_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
console = Console()


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def fresh_database(backend: str, server_url: str = POSTGRES_SERVER) -> AsyncIterator[tuple[str, AsyncEngine]]:
    """A new, migrated, empty database (SQLite file or PostgreSQL database), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        else:
            name = f"inventory_bench_{uuid.uuid4().hex[:8]}"
            admin = await asyncpg.connect(_dsn(server_url))
            await admin.execute(f'CREATE DATABASE "{name}"')
            await admin.close()
            url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        engine = create_engine(Settings(_env_file=None, database_url=url))
        try:
            await upgrade_database(engine)
            yield url, engine
        finally:
            await engine.dispose()
            if backend == "postgresql":
                admin = await asyncpg.connect(_dsn(server_url))
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await admin.close()


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    return statistics.median(values)


def print_table(title: str, columns: list[str], rows: list[list[object]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="right" if column != columns[0] else "left")
    for row in rows:
        table.add_row(*(f"{value:,.3f}" if isinstance(value, float) else str(value) for value in row))
    console.print(table)
