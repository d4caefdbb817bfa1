"""The INSERTs of one unit of work, sent to the database together where it allows it.

On PostgreSQL they become one statement of data-modifying CTEs: one round trip instead of one
per table. Foreign keys are checked at the end of a statement, so a child row may go in beside
its parent, and the statement is atomic on its own. SQLite has no data-modifying CTEs; there the
inserts run one after another (in-process, a statement costs no network round trip).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, TextClause, bindparam, text
from sqlalchemy.dialects.postgresql import psycopg2
from sqlalchemy.ext.asyncio import AsyncSession

# A prepared INSERT (ON CONFLICT and all) and its rows, every row with the same columns.
Write = tuple[Insert, Sequence[Mapping[str, Any]]]
# Combined statements by shape (which INSERTs, how many rows, which columns): built and compiled once,
# then only their parameters change. Orders have few shapes; the bound keeps odd ones from piling up.
_COMBINED: dict[tuple[Any, ...], TextClause] = {}
_MOST_SHAPES = 256
# Renders :name placeholders without casts, which text() reads back as parameters (only the SQL is used:
# the statement runs on the engine's own driver, which adds its casts).
_NAMED_PARAMETERS = psycopg2.dialect(paramstyle="named")


async def insert_together(session: AsyncSession, writes: Sequence[Write]) -> None:
    """Insert every write's rows in the session's transaction: one round trip on PostgreSQL."""
    writes = [(statement, rows) for statement, rows in writes if rows]
    for statement, rows in writes:
        _require_defaulted_columns(statement, tuple(rows[0]))
    connection = await session.connection()  # Core: these rows need none of the ORM's bookkeeping
    if connection.dialect.name != "postgresql" or len(writes) < 2:
        for statement, rows in writes:
            await connection.execute(statement, list(rows))
        return
    shape = tuple((statement, len(rows), tuple(rows[0])) for statement, rows in writes)
    combined = _COMBINED.get(shape)
    if combined is None:
        if len(_COMBINED) >= _MOST_SHAPES:
            _COMBINED.clear()
        combined = _COMBINED[shape] = _combine(shape)
    parameters = {
        _name(number, index, column): value
        for number, (_statement, rows) in enumerate(writes)
        for index, row in enumerate(rows)
        for column, value in row.items()
    }
    await connection.execute(combined, parameters)


@lru_cache(maxsize=_MOST_SHAPES)
def _require_defaulted_columns(statement: Insert, columns: tuple[str, ...]) -> None:
    # Python-side defaults would be named after their columns in every CTE and collide; required on
    # every database so that rows good on SQLite are good on PostgreSQL.
    defaulted = [column.key for column in statement.table.c if column.default is not None and column.key not in columns]
    if defaulted:
        raise ValueError(f"Rows for {statement.table.name} must give {', '.join(defaulted)} to be inserted together.")


def _name(number: int, index: int, column: str) -> str:
    # Every parameter named by its write and row: the INSERTs share column names (order_id, ...).
    return f"w{number}_{index}_{column}"


def _combine(shape: tuple[tuple[Insert, int, tuple[str, ...]], ...]) -> TextClause:
    def with_parameters(number: int, statement: Insert, count: int, columns: tuple[str, ...]) -> Insert:
        table = statement.table
        return statement.values(
            [
                {column: bindparam(_name(number, index, column), type_=table.c[column].type) for column in columns}
                for index in range(count)
            ]
        )

    *leading, last = [with_parameters(number, *write) for number, write in enumerate(shape)]
    combined = last.add_cte(*(statement.cte(f"write_{number}") for number, statement in enumerate(leading)))
    # SQLAlchemy does not cache the compilation of a multi-row VALUES: compiled once here and kept as
    # text (with each parameter's type, so JSON and dates are still converted), it is not recompiled
    # on every order.
    compiled = combined.compile(dialect=_NAMED_PARAMETERS)
    # ":payload::JSON" would hide the parameter from text(); a space before the cast keeps both.
    sql = re.sub(r"(:\w+)::", r"\1 ::", compiled.string)
    return text(sql).bindparams(*(bindparam(name, type_=bind.type) for name, bind in compiled.binds.items()))
