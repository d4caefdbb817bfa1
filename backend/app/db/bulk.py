"""Bulk inserts and updates at driver speed, inside the session's transaction.

The ORM's executemany builds a dict and runs bind processors per value, which costs more
than the database's own work for 100,000 rows. Here PostgreSQL gets the rows as CSV, which
Arrow writes in C++ without a Python object per value, through COPY: straight into the
table for a plain INSERT, through a temporary table for an upsert (INSERT ... SELECT ... ON
CONFLICT) or an UPDATE ... FROM. SQLite gets the driver's executemany with plain tuples.
`staged` puts a frame in a temporary table, so that one copy feeds several INSERT ... SELECT
statements that run inside the database, without a Python call per row (on SQLite they run
three times faster than executemany into the same tables, and without holding the GIL).
The ON CONFLICT clauses are written once: both dialects accept the same upsert syntax.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex
from sqlalchemy.types import TypeEngine

# No header; strings always quoted, so PostgreSQL reads "" as an empty string and an
# unquoted empty field as NULL.
CSV_OPTIONS = pa_csv.WriteOptions(include_header=False)


def dialect_insert(session: AsyncSession, table: Table) -> Any:
    """INSERT with ON CONFLICT support for the session's dialect (both share the API)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _plain_values(series: pd.Series) -> list[Any]:
    """The column as the Python values SQLite binds: None for missing, dates as ISO text.

    Text and dates are converted once per distinct value and the str objects shared: a
    chunk's column repeats a few hundred cities or statuses, and one str per row cost twice
    as much.
    """
    if pd.api.types.is_numeric_dtype(series):
        return series.astype(object).where(series.notna(), None).tolist() if series.hasnans else series.tolist()
    codes, uniques = pd.factorize(series)
    if pd.api.types.is_datetime64_any_dtype(uniques.dtype):
        # SQLAlchemy stores DATE on SQLite as ISO text.
        values = np.datetime_as_string(np.asarray(uniques, dtype="datetime64[D]")).tolist()
    else:
        values = uniques.tolist()
    # Code -1 (missing) picks the None at the end.
    return np.array([*values, None], dtype=object)[codes].tolist()


def column_values(frame: pd.DataFrame, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """Rows as tuples of plain Python values for SQLite's executemany.

    A lazy zip: executemany takes one row at a time, so a chunk's tuples never all live at
    once (building them all set off the garbage collector, a quarter of the conversion).
    """
    return zip(*(_plain_values(frame[column]) for column in columns), strict=True)


def _arrow_column(series: pd.Series) -> pa.Array | pa.ChunkedArray:
    if pd.api.types.is_datetime64_any_dtype(series):
        return pa.array(series.to_numpy(dtype="datetime64[D]"), from_pandas=True)
    return pa.array(series, from_pandas=True)


def csv_rows(frame: pd.DataFrame, columns: Sequence[str]) -> memoryview:
    """The frame's `columns` as CSV for COPY: dates as ISO dates, missing values as empty fields."""
    table = pa.table({column: _arrow_column(frame[column]) for column in columns})
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(table, sink, CSV_OPTIONS)
    # A buffer, not bytes: asyncpg would take bytes for a file name.
    return memoryview(sink.getvalue())


class BulkWriter:
    """Bulk statements for one session; `dialect` picks the fast path."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    @property
    def inserts_by_copy(self) -> bool:
        """Whether `insert` without ON CONFLICT is a COPY (PostgreSQL), the cheapest way to fill a table."""
        return self.dialect == "postgresql"

    async def _driver(self) -> Any:
        connection = await self.session.connection()
        raw = await connection.get_raw_connection()
        return raw.driver_connection

    async def insert(self, table: Table, frame: pd.DataFrame, columns: Sequence[str], *, on_conflict: str = "") -> None:
        """INSERT the frame's `columns` into `table`, with an optional `ON CONFLICT ...` clause."""
        if frame.empty:
            return
        names = ", ".join(columns)
        driver = await self._driver()
        if self.dialect == "postgresql" and not on_conflict:
            await self._copy(driver, table.name, frame, columns)
        elif self.dialect == "postgresql":
            async with self.staged(frame, {column: table.c[column].type for column in columns}) as staging:
                await driver.execute(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {staging} {on_conflict}")
        else:
            marks = ", ".join("?" for _ in columns)
            rows = column_values(frame, columns)
            await driver.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks}) {on_conflict}", rows)

    async def update(self, table: Table, frame: pd.DataFrame, key: str, columns: Sequence[str]) -> None:
        """UPDATE `columns` of the rows of `table` whose `key` matches, from the frame."""
        if frame.empty:
            return
        driver = await self._driver()
        if self.dialect == "postgresql":
            async with self.staged(frame, {column: table.c[column].type for column in (key, *columns)}) as staging:
                assignments = ", ".join(f"{column} = s.{column}" for column in columns)
                await driver.execute(
                    f"UPDATE {table.name} AS t SET {assignments} FROM {staging} AS s WHERE t.{key} = s.{key}"
                )
        else:
            assignments = ", ".join(f"{column} = ?" for column in columns)
            rows = column_values(frame, [*columns, key])
            await driver.executemany(f"UPDATE {table.name} SET {assignments} WHERE {key} = ?", rows)

    @asynccontextmanager
    async def staged(self, frame: pd.DataFrame, columns: Mapping[str, TypeEngine[Any]]) -> AsyncIterator[str]:
        """The frame's `columns` (name -> type) in a temporary table, whose name the block gets.

        For INSERT ... SELECT statements that read one copy of the rows. The table is dropped
        after the block; if the transaction fails instead, its rollback removes the table on
        both dialects.
        """
        names = ", ".join(columns)
        staging = f"_staged_{zlib.crc32(names.encode()):08x}"
        dialect = self.session.get_bind().dialect
        definitions = ", ".join(f"{column} {kind.compile(dialect=dialect)}" for column, kind in columns.items())
        driver = await self._driver()
        await driver.execute(f"CREATE TEMP TABLE {staging} ({definitions})")
        if self.dialect == "postgresql":
            await self._copy(driver, staging, frame, list(columns))
        else:
            marks = ", ".join("?" for _ in columns)
            await driver.executemany(f"INSERT INTO {staging} VALUES ({marks})", column_values(frame, list(columns)))
        yield staging
        await driver.execute(f"DROP TABLE {staging}")

    async def _copy(self, driver: Any, table_name: str, frame: pd.DataFrame, columns: Sequence[str]) -> None:
        await driver.copy_to_table(table_name, source=csv_rows(frame, columns), columns=list(columns), format="csv")


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
