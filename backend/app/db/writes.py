"""The INSERTs of one transaction, sent to the database together where it allows it.

On PostgreSQL they become one statement of data-modifying CTEs: one round trip instead of one
per table. Foreign keys are checked at the end of a statement, so a child row may go in beside
its parent, and the statement is atomic on its own. SQLite has no data-modifying CTEs; there the
inserts run one after another (in-process, a statement costs no network round trip).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, bindparam

# A prepared INSERT (ON CONFLICT and all) and its rows, every row with the same columns.
Write = tuple[Insert, Sequence[Mapping[str, Any]]]
# Combined statements by shape (which INSERTs, how many rows, which columns): built once, then only
# their values change. Orders have few shapes; the bound keeps odd ones from piling up.
_MOST_SHAPES = 256


def writes_with_rows(writes: Sequence[Write]) -> list[Write]:
    """The writes that have rows, each checked to give every column with a Python-side default."""
    kept = [(statement, rows) for statement, rows in writes if rows]
    for statement, rows in kept:
        _require_defaulted_columns(statement, tuple(rows[0]))
    return kept


def combined_insert(writes: Sequence[Write]) -> tuple[Insert, dict[str, Any]]:
    """One statement (and its values) that inserts every write's rows: the last INSERT with the ones
    before it as CTEs, one multi-row VALUES each."""
    shape = tuple((statement, len(rows), tuple(rows[0])) for statement, rows in writes)
    values = {
        _name(number, index, column): value
        for number, (_statement, rows) in enumerate(writes)
        for index, row in enumerate(rows)
        for column, value in row.items()
    }
    return _combined(shape), values


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


@lru_cache(maxsize=_MOST_SHAPES)
def _combined(shape: tuple[tuple[Insert, int, tuple[str, ...]], ...]) -> Insert:
    def with_parameters(number: int, statement: Insert, count: int, columns: tuple[str, ...]) -> Insert:
        table = statement.table
        return statement.values(
            [
                {column: bindparam(_name(number, index, column), type_=table.c[column].type) for column in columns}
                for index in range(count)
            ]
        )

    *leading, last = [with_parameters(number, *write) for number, write in enumerate(shape)]
    return last.add_cte(*(statement.cte(f"write_{number}") for number, statement in enumerate(leading)))
