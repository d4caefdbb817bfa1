"""The weekly series the models learn from, read from the database (the seed's recipe)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.ml.series import complete_weeks
from app.models import Order, OrderLine
from app.services.analytics.sql import plain_rows

LINES = OrderLine.__table__


async def category_weekly_series(session: AsyncSession, categories: list[str] | None = None) -> dict[str, pd.Series]:
    """Units sold per complete week and category: Cancelled orders and refunds (total <= 0) left out.

    Every category shares the calendar of the whole sales history, so a category that sold
    nothing in a week shows a 0 there.
    """
    first, last = (await session.execute(select(func.min(Order.order_date), func.max(Order.order_date)))).one()
    if first is None:
        return {}
    statement = (
        select(LINES.c.category, LINES.c.order_date, func.sum(LINES.c.quantity))
        .where(LINES.c.status != "Cancelled", LINES.c.line_total > 0)
        .group_by(LINES.c.category, LINES.c.order_date)
    )
    if categories:
        statement = statement.where(LINES.c.category.in_(categories))
    frame = pd.DataFrame(plain_rows(await session.execute(statement)), columns=["category", "day", "units"])
    frame["day"] = pd.to_datetime(frame["day"])
    return {
        category: complete_weeks(group.set_index("day")["units"], start=pd.Timestamp(first), end=pd.Timestamp(last))
        for category, group in frame.groupby("category")
    }


async def known_categories(session: AsyncSession) -> list[str]:
    """Categories that appear in the sales history."""
    rows = await session.execute(select(LINES.c.category).distinct().order_by(LINES.c.category))
    return [row[0] for row in rows]
