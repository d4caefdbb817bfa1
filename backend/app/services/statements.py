"""How placing an order talks to the database: its few statements, run in the request's transaction.

On PostgreSQL they run on the session's own connection through asyncpg directly, in a transaction
asyncpg owns. SQLAlchemy compiles each statement once (the same SQL, casts and value conversions it
would send itself); after that an order pays only for the driver. Through the session and Core each
statement also paid SQLAlchemy's per-statement work, and the transaction the session's bookkeeping:
the whole server ran 4.21 M instructions per order that way and 3.69 M this way
(`python -m bench.orders_instructions`, 2026-12-02).

The connection is switched to AUTOCOMMIT first, so SQLAlchemy sends no BEGIN or COMMIT of its own.
Statements the session runs inside the block (idempotency keys, the reasons an order is refused)
go over the same connection and so belong to the same transaction, which commits when the block
ends. The request's closing `session.commit()` then has nothing left to do. A driver error comes out
as the SQLAlchemy error the Core path would raise (a lost connection is invalidated, never returned
to the pool), so one handler answers both.

On SQLite the statements run on the session's Core connection and the session commits as usual.
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
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.expression import Executable

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

    # Whether several INSERTs should be sent as one statement (PostgreSQL) or one by one (SQLite).
    combines_writes: bool

    async def first(self, statement: Executable, values: Values) -> Sequence[Any] | None:
        """The first row the statement returns, or None."""
        ...

    async def execute(self, statement: Executable, values: Values | Sequence[Values]) -> None:
        """Run the statement for one row of values (or, on Core, for each of several)."""
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

    combines_writes = True

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def first(self, statement: Executable, values: Values) -> Sequence[Any] | None:
        prepared = for_driver(statement)
        return await self._connection.fetchrow(prepared.sql, *prepared.arguments(values))

    async def execute(self, statement: Executable, values: Values | Sequence[Values]) -> None:
        if not isinstance(values, Mapping):
            raise TypeError("One row per statement on the driver: combine rows into one statement first.")
        prepared = for_driver(statement)
        await self._connection.execute(prepared.sql, *prepared.arguments(values))


class CoreStatements:
    """Statements on the session's Core connection (SQLite: in-process, a statement costs no round trip)."""

    combines_writes = False

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def first(self, statement: Executable, values: Values) -> Sequence[Any] | None:
        return (await self._connection.execute(statement, dict(values))).first()

    async def execute(self, statement: Executable, values: Values | Sequence[Values]) -> None:
        await self._connection.execute(statement, values if isinstance(values, Mapping) else list(values))


@asynccontextmanager
async def statements_in_transaction(session: AsyncSession) -> AsyncIterator[Statements]:
    """The request's statements: on PostgreSQL in a driver transaction that commits when the block ends
    (it must be the first use of the session); elsewhere in the session's own transaction."""
    if session.get_bind().dialect.name != "postgresql":
        yield CoreStatements(await session.connection())
        return
    connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    driver = (await connection.get_raw_connection()).driver_connection
    if driver is None or driver.is_in_transaction():
        raise RuntimeError("statements_in_transaction must be the first use of the request's session.")
    transaction = driver.transaction()
    try:
        await transaction.start()
        yield DriverStatements(driver)
        await transaction.commit()
    except BaseException as error:
        await _end_failed(transaction, connection, driver)
        if isinstance(error, (asyncpg.PostgresError, *_CONNECTION_LOST)):
            raise _as_sqlalchemy_error(error, lost=driver.is_closed() or isinstance(error, _CONNECTION_LOST)) from error
        raise


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
