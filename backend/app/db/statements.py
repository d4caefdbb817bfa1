"""How placing an order talks to the database: its few statements, in one transaction.

On PostgreSQL they run through asyncpg directly, on a connection taken from the engine's pool, in a
transaction asyncpg owns. SQLAlchemy compiles each statement once (the same SQL, casts and value
conversions it would send itself); after that an order pays only for the driver, not for
SQLAlchemy's per-statement and per-session work (what that saves: `bench.orders_instructions` in
the README's benchmark table).

So on PostgreSQL every statement of the unit of work must go through the `Statements` handed out
here: anything run elsewhere would take another connection, outside the transaction. A driver
error comes out as the SQLAlchemy error the Core path would raise (a lost connection is invalidated,
never returned to the pool), so one handler answers both.

On PostgreSQL the unit of work opens no session at all, and wakes the outbox relay itself after
committing events. On SQLite the statements run on a session's Core connection and the session
commits as usual, which wakes the relay.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import asyncpg
from sqlalchemy import exc
from sqlalchemy.dialects.postgresql import asyncpg as postgresql_asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.sql.expression import Executable

from app.core.db import OUTBOX_WRITTEN, bound_engine, events_committed_callback, transaction

Values = Mapping[str, Any]
_DIALECT = postgresql_asyncpg.dialect()
# Statements are module constants, plus the combined INSERTs of writes.py (bounded by its shapes).
_MOST_STATEMENTS = 512
# The connection is gone, or in a state the driver cannot go on from (the server hung up between two
# statements, say). Answered with a 503, as the Core path answers them.
_CONNECTION_LOST = (
    OSError, asyncpg.InterfaceError, asyncpg.InternalClientError, asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
)  # fmt: skip


class Statements(Protocol):
    """Runs statements in the request's transaction."""

    # The database's dialect name: some statements (upserts) are built per dialect.
    dialect: str
    # Whether several INSERTs should be sent as one statement (PostgreSQL) or one by one (SQLite).
    combines_writes: bool

    async def first(self, statement: Executable, values: Values) -> Sequence[Any] | None:
        """The first row the statement returns, or None."""
        ...

    async def execute(self, statement: Executable, values: Values | Sequence[Values]) -> None:
        """Run the statement for one row of values (or, on Core, for each of several)."""
        ...

    def events_written(self) -> None:
        """Outbox events are among the writes: the relay is woken once the unit of work commits."""
        ...


@dataclass(frozen=True)
class DriverStatement:
    """A statement as asyncpg takes it: SQL with $n placeholders, and the values' order and conversions."""

    sql: str
    names: tuple[str, ...]
    converters: tuple[Callable[[Any], Any] | None, ...]
    # Values written into the statement itself (`.values(x=1)`), used unless the caller gives its own.
    fixed: Mapping[str, Any]

    def arguments(self, values: Values) -> list[Any]:
        if self.fixed:
            values = {**self.fixed, **values}
        return [
            values[name] if convert is None else convert(values[name])
            for name, convert in zip(self.names, self.converters, strict=True)
        ]


@lru_cache(maxsize=_MOST_STATEMENTS)
def for_driver(statement: Executable) -> DriverStatement:
    """Compile once with SQLAlchemy's asyncpg dialect: its SQL, and each parameter's bind conversion
    (JSON to text, UTC checks), exactly as SQLAlchemy would apply them."""
    compiled = statement.compile(dialect=_DIALECT)  # type: ignore[attr-defined]
    names = tuple(compiled.positiontup or ())
    binds = [compiled.binds[name] for name in names]
    converters = tuple(bind.type.dialect_impl(_DIALECT).bind_processor(_DIALECT) for bind in binds)
    fixed = {name: bind.effective_value for name, bind in zip(names, binds, strict=True) if bind.value is not None}
    return DriverStatement(compiled.string, names, converters, fixed)


class DriverStatements:
    """Statements on asyncpg, inside the transaction `statements_in_transaction` opened."""

    dialect = "postgresql"
    combines_writes = True

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection
        self.wrote_events = False

    async def first(self, statement: Executable, values: Values) -> Sequence[Any] | None:
        prepared = for_driver(statement)
        return await self._connection.fetchrow(prepared.sql, *prepared.arguments(values))

    async def execute(self, statement: Executable, values: Values | Sequence[Values]) -> None:
        if not isinstance(values, Mapping):
            raise TypeError("One row per statement on the driver: combine rows into one statement first.")
        prepared = for_driver(statement)
        await self._connection.execute(prepared.sql, *prepared.arguments(values))

    def events_written(self) -> None:
        self.wrote_events = True


class CoreStatements:
    """Statements on the session's Core connection (SQLite: in-process, a statement costs no round trip)."""

    combines_writes = False

    def __init__(self, session: AsyncSession, connection: AsyncConnection) -> None:
        self._session = session
        self._connection = connection
        self.dialect = connection.dialect.name

    async def first(self, statement: Executable, values: Values) -> Sequence[Any] | None:
        return (await self._connection.execute(statement, dict(values))).first()

    async def execute(self, statement: Executable, values: Values | Sequence[Values]) -> None:
        await self._connection.execute(statement, values if isinstance(values, Mapping) else list(values))

    def events_written(self) -> None:
        self._session.info[OUTBOX_WRITTEN] = True  # the session's commit wakes the relay


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Statements]:
    """Statements in one transaction, committed when the block ends and rolled back when it raises; a
    commit that wrote outbox events wakes the relay. On PostgreSQL a driver transaction on a pooled
    connection of its own, elsewhere a session's transaction."""
    engine = bound_engine(sessions)
    if engine is None or engine.dialect.name != "postgresql":
        async with transaction(sessions) as session:
            yield CoreStatements(session, await session.connection())
        return
    async with engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        driver_transaction = driver.transaction()
        statements = DriverStatements(driver)
        try:
            await driver_transaction.start()
            yield statements
            await driver_transaction.commit()
        except BaseException as error:
            await _end_failed(driver_transaction, connection, driver)
            if isinstance(error, (asyncpg.PostgresError, *_CONNECTION_LOST)):
                lost = driver.is_closed() or isinstance(error, _CONNECTION_LOST)
                raise _as_sqlalchemy_error(error, lost=lost) from error
            raise
    if statements.wrote_events and (wake := events_committed_callback(sessions)) is not None:
        wake()


async def _end_failed(transaction: Any, connection: AsyncConnection, driver: asyncpg.Connection) -> None:
    """Roll back; a connection that cannot even do that (lost, or left mid-statement by a cancellation)
    is discarded, so no open transaction ever goes back to the pool."""
    clean = False
    try:
        if not driver.is_closed():
            if driver.is_in_transaction():  # not when BEGIN itself failed, or COMMIT ended it
                await transaction.rollback()
            clean = True
    except Exception:  # whatever stopped the rollback, the connection is discarded below
        pass
    finally:
        if not clean:
            await connection.invalidate()


def _as_sqlalchemy_error(error: BaseException, *, lost: bool) -> exc.DBAPIError:
    """The SQLAlchemy error class the Core path raises for the same failure."""
    kind: type[exc.DBAPIError]
    if lost:
        kind = exc.OperationalError
    elif isinstance(error, asyncpg.IntegrityConstraintViolationError):
        kind = exc.IntegrityError
    elif isinstance(error, asyncpg.DataError):
        kind = exc.DataError
    elif isinstance(error, asyncpg.QueryCanceledError):
        kind = exc.OperationalError
    else:
        kind = exc.DBAPIError
    # The statement is left out: with its parameters it would carry customers' data into the logs.
    return kind("(order statement on asyncpg)", None, error, hide_parameters=True, connection_invalidated=lost)  # type: ignore[arg-type]
