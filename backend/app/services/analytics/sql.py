"""SQL building blocks shared by the analytics queries, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from sqlalchemy import Date, Integer, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.core.errors import NotFound
from app.models import Order, OrderLine

ORDERS = Order.__table__
LINES = OrderLine.__table__
# Cancelled orders never happened; Returned ones stay in, as refunds (negative totals).
LIVE = ORDERS.c.status != "Cancelled"
LIVE_LINE = LINES.c.status != "Cancelled"
# Units net of returns, to match revenue net of refunds.
NET_UNITS = case((LINES.c.status == "Returned", -LINES.c.quantity), else_=LINES.c.quantity)
# For questions about who bought (customers, sellers): lines with their orders.
SALES_JOIN = LINES.join(ORDERS, LINES.c.order_id == ORDERS.c.order_id)
MONDAY_1970 = date(1970, 1, 5)


def order_period(start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    """Orders that were not cancelled, between two dates (inclusive, either may be open)."""
    conditions = [LIVE]
    if start is not None:
        conditions.append(ORDERS.c.order_date >= start)
    if end is not None:
        conditions.append(ORDERS.c.order_date <= end)
    return conditions


def line_period(start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    """Order lines of orders that were not cancelled, between two dates (lines carry their order's date and status)."""
    conditions = [LIVE_LINE]
    if start is not None:
        conditions.append(LINES.c.order_date >= start)
    if end is not None:
        conditions.append(LINES.c.order_date <= end)
    return conditions


def plain_rows(result: Iterable[Sequence[object]]) -> list[tuple[object, ...]]:
    """Result rows as plain tuples: pandas probes each row's attributes, which SQLAlchemy rows answer slowly."""
    return [tuple(row) for row in result]


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def month_of(column: ColumnElement[date], dialect: str) -> ColumnElement[str]:
    """'YYYY-MM' of a date column."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def weekday_of(column: ColumnElement[date], dialect: str) -> ColumnElement[int]:
    """0 = Sunday .. 6 = Saturday on both dialects."""
    if dialect == "postgresql":
        return cast(func.extract("dow", column), Integer)
    return cast(func.strftime("%w", column), Integer)


def week_of(column: ColumnElement[date], dialect: str) -> ColumnElement[int]:
    """Weeks (Monday to Sunday) since Monday 1970-01-05: a number that orders and buckets weeks."""
    if dialect == "postgresql":
        return (column - cast(MONDAY_1970, Date)) / 7
    return cast((func.julianday(column) - func.julianday(MONDAY_1970.isoformat())) / 7, Integer)


def week_start(week: int) -> date:
    return MONDAY_1970 + timedelta(weeks=week)


async def latest_order_date(session: AsyncSession) -> date | None:
    return await session.scalar(select(func.max(ORDERS.c.order_date)))


async def resolve_as_of(session: AsyncSession, as_of: date | None) -> date:
    """The caller's `as_of`, or the latest order date ("now" for analytics); 404 on an empty database."""
    if as_of is not None:
        return as_of
    latest = await latest_order_date(session)
    if latest is None:
        raise NotFound("There are no orders yet: load sales history first (POST /forecast/upload-data).")
    return latest
