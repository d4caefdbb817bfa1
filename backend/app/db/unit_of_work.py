"""The unit of work: the one place a change commits, writes its outbox rows and wakes the relay.

Built once per process (the lifespan, the command line) with the engine and what to do after a
commit that wrote events, both given explicitly. Every write use case opens its transaction here:

- `begin()`: statements and an ORM session in one transaction (any database);
- `statements()`: statements only, for the order path. On PostgreSQL that is asyncpg's own
  transaction on a pooled connection (`DriverTransaction`), chosen once when the unit of work is
  built; elsewhere it is `begin()`.

Either commits when its block ends and rolls back when it raises. A driver error comes out as the
SQLAlchemy error the session path would raise (a lost connection is invalidated, never returned to
the pool), so one error handler answers both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.core.db import create_sessionmaker
from app.db.statements import DriverTransaction, SessionTransaction, Statements

# What hands out read sessions (`UnitOfWork.reader`): `async with reader() as session`.
Reader = Callable[[], AsyncSession]
# The connection is gone, or in a state the driver cannot go on from (the server hung up between two
# statements, say). Answered with a 503, as the session path answers them.
_CONNECTION_LOST = (
    OSError, asyncpg.InterfaceError, asyncpg.InternalClientError, asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
)  # fmt: skip


class UnitOfWork:
    """Transactions on one engine. `on_events_committed` runs after every commit that wrote outbox
    events (the lifespan passes the relay's wake-up: live events do not wait for its next poll)."""

    def __init__(self, engine: AsyncEngine, *, on_events_committed: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._sessions = create_sessionmaker(engine)
        self._on_events_committed = on_events_committed
        self._statements: Callable[[], AbstractAsyncContextManager[Statements]] = (
            self._driver_transaction if self.dialect == "postgresql" else self.begin
        )

    def reader(self) -> AsyncSession:
        """A session for reads (`async with work.reader() as session`): it never commits."""
        return self._sessions()

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[SessionTransaction]:
        """One transaction with an ORM session: committed when the block ends, rolled back when it raises."""
        async with self._sessions() as session:
            transaction = SessionTransaction(session)
            try:
                yield transaction
                await transaction.send_events()
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        self._committed(transaction.wrote_events)

    def statements(self) -> AbstractAsyncContextManager[Statements]:
        """One transaction of statements only (no ORM): the cheapest this database offers."""
        return self._statements()

    @asynccontextmanager
    async def _driver_transaction(self) -> AsyncIterator[DriverTransaction]:
        async with self.engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            driver_transaction = driver.transaction()
            transaction = DriverTransaction(driver)
            try:
                await driver_transaction.start()
                yield transaction
                await transaction.send_events()
                await driver_transaction.commit()
            except BaseException as error:
                await _end_failed(driver_transaction, connection, driver)
                if isinstance(error, (asyncpg.PostgresError, *_CONNECTION_LOST)):
                    lost = driver.is_closed() or isinstance(error, _CONNECTION_LOST)
                    raise _as_sqlalchemy_error(error, lost=lost) from error
                raise
        self._committed(transaction.wrote_events)

    def _committed(self, wrote_events: bool) -> None:
        if wrote_events and self._on_events_committed is not None:
            self._on_events_committed()


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
    """The SQLAlchemy error class the session path raises for the same failure."""
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
    return kind("(statement on asyncpg)", None, error, hide_parameters=True, connection_invalidated=lost)  # type: ignore[arg-type]
