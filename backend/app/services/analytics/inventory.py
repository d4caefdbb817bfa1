"""Inventory health: low stock with days of cover, dead stock and slow movers, stock value."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Product
from app.schemas.analytics import DeadStock, DeadStockItem, InventoryStatus, LowStock, LowStockItem
from app.services.analytics.sql import LINES, NET_UNITS, line_period, resolve_as_of

PRODUCTS = Product.__table__
ON_SALE = PRODUCTS.c.archived_at.is_(None)


def _recent_units(start: date, end: date):
    """Net units per SKU sold between two dates."""
    return (
        select(LINES.c.sku.label("sku"), func.sum(NET_UNITS).label("units"))
        .where(*line_period(start, end))
        .group_by(LINES.c.sku)
        .subquery()
    )


async def low_stock(
    session: AsyncSession, *, as_of: date | None, window_days: int, category: str | None, limit: int, offset: int
) -> LowStock:
    """Products at or below their reorder point, fewest days of cover first."""
    end = await resolve_as_of(session, as_of)
    recent = _recent_units(end - timedelta(days=window_days - 1), end)
    conditions = [ON_SALE, PRODUCTS.c.stock_on_hand <= PRODUCTS.c.reorder_point]
    if category:
        conditions.append(PRODUCTS.c.category == category)
    daily = func.coalesce(recent.c.units, 0) * 1.0 / window_days
    # Days of cover = stock / daily demand; products that did not sell sort last.
    cover = case((daily > 0, PRODUCTS.c.stock_on_hand / daily), else_=None)
    base = (
        select(PRODUCTS.c.sku)
        .select_from(PRODUCTS.outerjoin(recent, recent.c.sku == PRODUCTS.c.sku))
        .where(*conditions)
    )
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    rows = await session.execute(
        select(
            PRODUCTS.c.sku,
            PRODUCTS.c.name,
            PRODUCTS.c.category,
            PRODUCTS.c.stock_on_hand,
            PRODUCTS.c.reorder_point,
            daily,
            cover,
        )
        .select_from(PRODUCTS.outerjoin(recent, recent.c.sku == PRODUCTS.c.sku))
        .where(*conditions)
        .order_by(cover.is_(None), cover, PRODUCTS.c.sku)
        .limit(limit)
        .offset(offset)
    )
    items = [
        LowStockItem(
            sku=sku, name=name, category=category_, stock_on_hand=stock, reorder_point=point,
            daily_demand=round(float(rate or 0), 4), days_of_cover=round(float(days), 1) if days is not None else None,
        )
        for sku, name, category_, stock, point, rate, days in rows
    ]  # fmt: skip
    return LowStock(as_of=end, demand_window_days=window_days, total=int(total or 0), items=items)


def _last_sales(end: date):
    return (
        select(LINES.c.sku.label("sku"), func.max(LINES.c.order_date).label("last_sale"))
        .where(*line_period(None, end))
        .group_by(LINES.c.sku)
        .subquery()
    )


async def dead_stock(session: AsyncSession, *, as_of: date | None, days: int, slow_units: int, limit: int) -> DeadStock:
    """Stock without a sale for `days` (largest capital tied up at unit cost first), and slow movers that barely sold."""
    end = await resolve_as_of(session, as_of)
    last = _last_sales(end)
    recent = _recent_units(end - timedelta(days=days - 1), end)
    # One pass over the stocked products; the split and the ranking happen here, in memory.
    rows = await session.execute(
        select(
            PRODUCTS.c.sku,
            PRODUCTS.c.name,
            PRODUCTS.c.category,
            PRODUCTS.c.stock_on_hand,
            PRODUCTS.c.unit_cost,
            last.c.last_sale,
            func.coalesce(recent.c.units, 0),
        )
        .select_from(
            PRODUCTS.outerjoin(last, last.c.sku == PRODUCTS.c.sku).outerjoin(recent, recent.c.sku == PRODUCTS.c.sku)
        )
        .where(ON_SALE, PRODUCTS.c.stock_on_hand > 0)
    )
    items = [_dead_item(row, end) for row in rows]
    dead = [item for item in items if item.units_in_window <= 0]
    slow = [item for item in items if 0 < item.units_in_window <= slow_units]

    def by_capital(item: DeadStockItem) -> tuple[float, str]:
        return (-(item.capital_tied_up or 0.0), item.sku)

    return DeadStock(
        as_of=end, days=days, dead_total=len(dead),
        dead_capital=round(sum(item.capital_tied_up or 0.0 for item in dead), 2),
        dead=sorted(dead, key=by_capital)[:limit], slow_movers=sorted(slow, key=by_capital)[:limit],
    )  # fmt: skip


def _dead_item(row: tuple, end: date) -> DeadStockItem:
    sku, name, category, stock, cost, last_sale, units = row
    if isinstance(last_sale, str):  # SQLite returns MAX() of a date as text
        last_sale = date.fromisoformat(last_sale)
    return DeadStockItem(
        sku=sku, name=name, category=category, stock_on_hand=stock,
        unit_cost=float(cost) if cost is not None else None,
        capital_tied_up=round(float(cost) * stock, 2) if cost is not None else None,
        last_sale=last_sale, days_without_sale=(end - last_sale).days if last_sale else None, units_in_window=int(units),
    )  # fmt: skip


async def inventory_status(session: AsyncSession) -> InventoryStatus:
    """Stock value at cost and at price, and product counts by stock state (products on sale)."""
    stock, point = PRODUCTS.c.stock_on_hand, PRODUCTS.c.reorder_point
    row = (
        await session.execute(
            select(
                func.count(),
                func.sum(stock),
                func.sum(stock * func.coalesce(PRODUCTS.c.unit_cost, 0)),
                func.sum(stock * PRODUCTS.c.unit_price),
                func.sum(case((PRODUCTS.c.unit_cost.is_(None), 1), else_=0)),
                func.sum(case((stock > point, 1), else_=0)),
                func.sum(case((and_(stock > 0, stock <= point), 1), else_=0)),
                func.sum(case((stock <= 0, 1), else_=0)),
            ).where(ON_SALE)
        )
    ).one()
    return InventoryStatus(
        products=int(row[0] or 0), stock_units=int(row[1] or 0), stock_value_at_cost=round(float(row[2] or 0), 2),
        stock_value_at_price=round(float(row[3] or 0), 2), products_without_cost=int(row[4] or 0),
        in_stock=int(row[5] or 0), low=int(row[6] or 0), out=int(row[7] or 0),
    )  # fmt: skip
