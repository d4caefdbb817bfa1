"""Bulk inserts and updates at driver speed, inside the session's transaction.

The ORM's executemany builds a dict and runs bind processors per value, which costs more
than the database's own work for 100,000 rows. Here PostgreSQL gets COPY into a temporary
table and one INSERT ... SELECT (or UPDATE ... FROM); SQLite gets the driver's executemany
with plain tuples. The ON CONFLICT clauses are written once: both dialects accept the same
upsert syntax.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pandas as pd
from sqlalchemy import Numeric, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex
from sqlalchemy.types import TypeEngine


def dialect_insert(session: AsyncSession, table: Table) -> Any:
    """INSERT with ON CONFLICT support for the session's dialect (both share the API)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _staging_type(column_type: TypeEngine[Any]) -> str:
    if isinstance(column_type, Numeric):
        return "double precision"
    return column_type.compile(dialect=postgresql.dialect())


def _plain_values(series: pd.Series, dialect: str) -> list[Any]:
    if pd.api.types.is_datetime64_any_dtype(series):
        # SQLAlchemy stores DATE on SQLite as ISO text; asyncpg wants date objects.
        if dialect == "sqlite":
            return series.dt.strftime("%Y-%m-%d").astype(object).where(series.notna(), None).tolist()
        return [None if value is pd.NaT else value.date() for value in series]
    if not series.hasnans:
        return series.tolist()
    return series.astype(object).where(series.notna(), None).tolist()


def column_values(frame: pd.DataFrame, columns: Sequence[str], *, dialect: str) -> list[tuple[Any, ...]]:
    """Rows as tuples of plain Python values the driver takes: None for missing, dates as the dialect stores them."""
    return list(zip(*(_plain_values(frame[column], dialect) for column in columns), strict=True))


class BulkWriter:
    """Bulk statements for one session; `dialect` picks the fast path."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    async def _driver(self) -> Any:
        connection = await self.session.connection()
        raw = await connection.get_raw_connection()
        return raw.driver_connection

    async def insert(self, table: Table, frame: pd.DataFrame, columns: Sequence[str], *, on_conflict: str = "") -> None:
        """INSERT the frame's `columns` into `table`, with an optional `ON CONFLICT ...` clause."""
        if frame.empty:
            return
        rows = column_values(frame, columns, dialect=self.dialect)
        names = ", ".join(columns)
        driver = await self._driver()
        if self.dialect == "postgresql":
            staging = await self._stage(driver, table, columns, rows)
            await driver.execute(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {staging} {on_conflict}")
        else:
            marks = ", ".join("?" for _ in columns)
            await driver.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks}) {on_conflict}", rows)

    async def update(self, table: Table, frame: pd.DataFrame, key: str, columns: Sequence[str]) -> None:
        """UPDATE `columns` of the rows of `table` whose `key` matches, from the frame."""
        if frame.empty:
            return
        driver = await self._driver()
        all_columns = [key, *columns]
        rows = column_values(frame, all_columns, dialect=self.dialect)
        if self.dialect == "postgresql":
            staging = await self._stage(driver, table, all_columns, rows)
            assignments = ", ".join(f"{column} = s.{column}" for column in columns)
            await driver.execute(
                f"UPDATE {table.name} AS t SET {assignments} FROM {staging} AS s WHERE t.{key} = s.{key}"
            )
        else:
            assignments = ", ".join(f"{column} = ?" for column in columns)
            reordered = [(*row[1:], row[0]) for row in rows]
            await driver.executemany(f"UPDATE {table.name} SET {assignments} WHERE {key} = ?", reordered)

    async def _stage(self, driver: Any, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> str:
        # A temporary table with exactly these columns, emptied for every batch and dropped
        # with the transaction. Amounts travel as float8 (COPY encodes floats natively,
        # numerics through text) and are rounded into NUMERIC by the INSERT's assignment cast.
        names = ", ".join(columns)
        staging = f"_load_{table.name}_{zlib.crc32(names.encode()):08x}"
        definitions = ", ".join(f"{column} {_staging_type(table.c[column].type)}" for column in columns)
        await driver.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} ({definitions}) ON COMMIT DROP")
        await driver.execute(f"TRUNCATE {staging}")
        await driver.copy_records_to_table(staging, records=rows, columns=list(columns))
        return staging


@asynccontextmanager
async def without_secondary_indexes(session: AsyncSession, tables: Sequence[Table]) -> AsyncIterator[None]:
    """Drop the tables' secondary indexes (and, on PostgreSQL, their foreign keys) and build them again at the end.

    The first load of history into empty tables is where a database spends its time keeping
    indexes and checking foreign keys row by row; building them once over the loaded rows
    is several times cheaper (pg_restore loads the same way). The DDL is part of the load's
    transaction: if the load fails, the rollback brings the indexes back. Meanwhile the
    tables are locked, so use this only when they were empty.
    """
    dialect = session.get_bind().dialect.name
    indexes = [index for table in tables for index in table.indexes]
    foreign_keys = [fk for table in tables for fk in table.foreign_key_constraints] if dialect == "postgresql" else []
    for foreign_key in foreign_keys:
        await session.execute(DropConstraint(foreign_key))
    for index in indexes:
        await session.execute(DropIndex(index))
    yield
    for index in indexes:
        await session.execute(CreateIndex(index))
    # Adding a foreign key checks every existing row in one pass.
    for foreign_key in foreign_keys:
        await session.execute(AddConstraint(foreign_key))
