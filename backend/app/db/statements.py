"""The statements of one transaction, on either of its two implementations, and its outbox rows.

A use case runs its SQL through the `Statements` its unit of work (app.db.unit_of_work) handed it,
and records its events there too: `record_events` is the one way an outbox row is written. The rows
go out with the transaction's next `insert` (in the same statement on PostgreSQL) or just before the
commit, so an event commits or rolls back with the change it reports.

- `SessionTransaction`: the statements run on an ORM session's connection, and `.session` is that
  session for use cases that load and change ORM objects. Any database.
- `DriverTransaction`: PostgreSQL's implementation for the order path, with no session at all. The
  statements run through asyncpg, on a connection taken from the engine's pool, in a transaction
  asyncpg owns. SQLAlchemy compiles each statement once (the same SQL, casts and value conversions it
  would send itself); after that an order pays only for the driver, not for SQLAlchemy's per-statement
  and per-session work (what that saves: `bench.orders_instructions` in the README's benchmark table).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import asyncpg
from sqlalchemy.dialects.postgresql import asyncpg as postgresql_asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.expression import Executable

from app.db.outbox import KeyedEvent, outbox_rows
from app.db.writes import Write, combined_insert, writes_with_rows

Values = Mapping[str, Any]
_DIALECT = postgresql_asyncpg.dialect()
# Statements are module constants, plus the combined INSERTs of writes.py (bounded by its shapes).
_MOST_STATEMENTS = 512


class Statements(Protocol):
    """Runs statements in one transaction of the unit of work."""

    # The database's dialect name: some statements (upserts) are built per dialect.
    dialect: str

    async def first(self, statement: Executable, values: Values) -> Sequence[Any] | None:
        """The first row the statement returns, or None."""
        ...

    async def all(self, statement: Executable, values: Values) -> Sequence[Sequence[Any]]:
        """Every row the statement returns."""
        ...

    async def execute(self, statement: Executable, values: Values) -> None:
        """Run the statement for one row of values."""
        ...

    async def insert(self, *writes: Write) -> None:
        """Insert every write's rows (and the events recorded so far): one statement on PostgreSQL."""
        ...

    def record_events(self, events: Sequence[KeyedEvent]) -> None:
        """Add (event, partition key) pairs to the outbox: they commit or roll back with the change."""
        ...


class _Transaction:
    """What both implementations share: the outbox rows waiting to go out, and how INSERTs are sent."""

    dialect: str
    combines_writes: bool

    def __init__(self) -> None:
        self._events: list[KeyedEvent] = []
        self.wrote_events = False

    async def execute(self, statement: Executable, values: Values) -> None:
        raise NotImplementedError

    async def _execute_rows(self, statement: Executable, rows: Sequence[Values]) -> None:
        raise NotImplementedError

    def record_events(self, events: Sequence[KeyedEvent]) -> None:
        self._events.extend(events)

    async def insert(self, *writes: Write) -> None:
        if self._events:
            writes = (*writes, outbox_rows(self._events))
            self._events = []
            self.wrote_events = True
        kept = writes_with_rows(writes)
        if not kept:
            return
        if self.combines_writes:
            await self.execute(*combined_insert(kept))
            return
        for statement, rows in kept:
            await self._execute_rows(statement, rows)

    async def send_events(self) -> None:
        """Insert the events still waiting (the unit of work calls it just before committing)."""
        if self._events:
            await self.insert()


class SessionTransaction(_Transaction):
    """Statements on an ORM session's connection; `session` for the use cases that work with ORM objects.

    Core statements run on the session's connection (the ORM's execute adds nothing for them); the session
    does not autoflush, so a use case flushes its ORM changes before statements that must see them.
    """

    def __init__(self, session: AsyncSession) -> None:
        super().__init__()
        self.session = session
        self.dialect = session.bind.dialect.name
        self.combines_writes = self.dialect == "postgresql"
        self._connection: AsyncConnection | None = None

    async def _on_connection(self) -> AsyncConnection:
        if self._connection is None:
            self._connection = await self.session.connection()
        return self._connection

    async def first(self, statement: Executable, values: Values) -> Sequence[Any] | None:
        return (await (await self._on_connection()).execute(statement, dict(values))).first()

    async def all(self, statement: Executable, values: Values) -> Sequence[Sequence[Any]]:
        return (await (await self._on_connection()).execute(statement, dict(values))).all()

    async def execute(self, statement: Executable, values: Values) -> None:
        await (await self._on_connection()).execute(statement, dict(values))

    async def _execute_rows(self, statement: Executable, rows: Sequence[Values]) -> None:
        await (await self._on_connection()).execute(statement, [dict(row) for row in rows])


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
    if "POSTCOMPILE" in compiled.string:
        raise ValueError("An expanding IN list is rendered per call by SQLAlchemy: use = ANY(...) on the driver.")
    names = tuple(compiled.positiontup or ())
    binds = [compiled.binds[name] for name in names]
    converters = tuple(bind.type.dialect_impl(_DIALECT).bind_processor(_DIALECT) for bind in binds)
    fixed = {name: bind.effective_value for name, bind in zip(names, binds, strict=True) if bind.value is not None}
    return DriverStatement(compiled.string, names, converters, fixed)


class DriverTransaction(_Transaction):
    """Statements on asyncpg, inside the transaction the unit of work opened (PostgreSQL only)."""

    dialect = "postgresql"
    combines_writes = True

    def __init__(self, connection: asyncpg.Connection) -> None:
        super().__init__()
        self._connection = connection

    async def first(self, statement: Executable, values: Values) -> Sequence[Any] | None:
        prepared = for_driver(statement)
        return await self._connection.fetchrow(prepared.sql, *prepared.arguments(values))

    async def all(self, statement: Executable, values: Values) -> Sequence[Sequence[Any]]:
        prepared = for_driver(statement)
        return await self._connection.fetch(prepared.sql, *prepared.arguments(values))

    async def execute(self, statement: Executable, values: Values) -> None:
        prepared = for_driver(statement)
        await self._connection.execute(prepared.sql, *prepared.arguments(values))
