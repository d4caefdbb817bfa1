"""ABC, XYZ and the ABC x XYZ matrix: revenue and weekly demand from the database, classes from app.ml."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.ml.classification import ABC_STRATEGIES, XYZ_MEANINGS, abc_classes, demand_variability, xyz_classes
from app.schemas.analytics import AbcAnalysis, AbcClass, AbcXyzMatrix, Period, RankedItem, XyzAnalysis, XyzClass
from app.services.analytics.sql import (
    LINES,
    NET_UNITS,
    ORDERS,
    dialect_of,
    line_period,
    plain_rows,
    resolve_as_of,
    week_of,
)


async def product_revenue(session: AsyncSession, start: date | None, end: date | None) -> pd.DataFrame:
    """Revenue, net units and the latest name per product over the period."""
    rows = await session.execute(
        select(LINES.c.sku, func.max(LINES.c.product_name), func.sum(LINES.c.line_total), func.sum(NET_UNITS))
        .where(*line_period(start, end))
        .group_by(LINES.c.sku)
    )
    frame = pd.DataFrame(plain_rows(rows), columns=["sku", "name", "revenue", "units"])
    frame["revenue"] = frame["revenue"].astype(float)
    return frame.set_index("sku")


async def abc_analysis(
    session: AsyncSession, *, a_share: float, b_share: float, start: date | None, end: date | None
) -> AbcAnalysis:
    """Pareto classes by revenue: A reaches `a_share` of revenue with the fewest products, B the next `b_share`."""
    end = await resolve_as_of(session, end)
    start = start or await session.scalar(select(func.min(ORDERS.c.order_date))) or end
    products = await product_revenue(session, start, end)
    products["class"] = abc_classes(products["revenue"], a_share=a_share, b_share=b_share)
    total = float(products["revenue"].clip(lower=0).sum())
    classes = []
    for name in ("A", "B", "C"):
        members = products[products["class"] == name].sort_values("revenue", ascending=False)
        revenue = float(members["revenue"].sum())
        top = [
            RankedItem(key=sku, name=row.name, revenue=round(row.revenue, 2), units=int(row.units), orders=0)
            for sku, row in members.head(10).iterrows()
        ]
        classes.append(
            AbcClass(
                class_=name, products=len(members), product_share=round(len(members) / len(products), 4) if len(products) else 0.0,
                revenue=round(revenue, 2), revenue_share=round(revenue / total, 4) if total else 0.0,
                strategy=ABC_STRATEGIES[name], top_products=top,
            )
        )  # fmt: skip
    return AbcAnalysis(
        period=Period(start=start, end=end),
        cutoffs={"A": a_share, "B": b_share, "C": round(1 - a_share - b_share, 4)},
        total_revenue=round(total, 2),
        classes=classes,
    )


async def weekly_units(session: AsyncSession, *, end: date, weeks: int) -> pd.DataFrame:
    """Net units per product (columns) and week (rows) over the last `weeks` whole weeks to `end`; 0 where none sold."""
    dialect = dialect_of(session)
    week = week_of(LINES.c.order_date, dialect).label("week")
    last_week = (end - date(1970, 1, 5)).days // 7
    first_day = date(1970, 1, 5) + timedelta(weeks=last_week - weeks + 1)
    rows = await session.execute(
        select(LINES.c.sku, week, func.sum(NET_UNITS)).where(*line_period(first_day, end)).group_by(LINES.c.sku, week)
    )
    long = pd.DataFrame(plain_rows(rows), columns=["sku", "week", "units"])
    # A dense weeks x products grid filled with numpy: pivot_table is far slower for thousands of columns.
    codes, skus = pd.factorize(long["sku"])
    grid = np.zeros((weeks, len(skus)))
    rows_at = long["week"].to_numpy(dtype=np.int64) - (last_week - weeks + 1)
    np.add.at(grid, (rows_at, codes), long["units"].to_numpy(dtype=float))
    return pd.DataFrame(grid, index=range(last_week - weeks + 1, last_week + 1), columns=skus)


async def product_variability(session: AsyncSession, *, end: date | None, weeks: int) -> tuple[date, pd.Series]:
    end = await resolve_as_of(session, end)
    return end, demand_variability(await weekly_units(session, end=end, weeks=weeks))


async def xyz_analysis(
    session: AsyncSession, *, weeks: int, x_max: float, y_max: float, end: date | None
) -> XyzAnalysis:
    """Demand variability classes by the coefficient of variation of weekly demand of the products sold."""
    _, variability = await product_variability(session, end=end, weeks=weeks)
    classes = xyz_classes(variability, x_max=x_max, y_max=y_max)
    total = len(classes)
    return XyzAnalysis(
        weeks=weeks,
        cutoffs={"X": x_max, "Y": y_max},
        classes=[
            XyzClass(
                class_=name,
                products=int((classes == name).sum()),
                product_share=round(float((classes == name).mean()), 4) if total else 0.0,
                meaning=XYZ_MEANINGS[name],
            )
            for name in ("X", "Y", "Z")
        ],
    )


async def abc_xyz_matrix(
    session: AsyncSession, *, weeks: int, a_share: float, b_share: float, x_max: float, y_max: float, end: date | None
) -> AbcXyzMatrix:
    """How many products fall in each ABC (revenue, over the same weeks) x XYZ (variability) cell."""
    end, variability = await product_variability(session, end=end, weeks=weeks)
    revenue = await product_revenue(session, end - timedelta(weeks=weeks) + timedelta(days=1), end)
    both = pd.DataFrame(
        {
            "abc": abc_classes(revenue["revenue"], a_share=a_share, b_share=b_share),
            "xyz": xyz_classes(variability, x_max=x_max, y_max=y_max),
        }
    ).dropna()
    counts = both.groupby(["abc", "xyz"]).size()
    matrix = {a: {x: int(counts.get((a, x), 0)) for x in ("X", "Y", "Z")} for a in ("A", "B", "C")}
    return AbcXyzMatrix(weeks=weeks, matrix=matrix, products=len(both))
