"""Sales figures: the dashboard summary, trends, monthly reports, rankings, weekdays, profit."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.core.errors import NotFound
from app.models import Product
from app.schemas.analytics import (
    AvailableMonths,
    CategoryFigures,
    CategoryPerformance,
    Change,
    DashboardSummary,
    DataSpan,
    Gap,
    MonthComparison,
    MonthFigures,
    MonthlyTrend,
    Period,
    ProductPerformance,
    ProfitMonth,
    RankedItem,
    RevenueVsProfit,
    SalesByWeekday,
    SalesFigures,
    WeekdayFigures,
)
from app.services.analytics.sql import (
    LINES,
    LIVE,
    NET_UNITS,
    ORDERS,
    dialect_of,
    line_period,
    month_of,
    order_period,
    resolve_as_of,
    weekday_of,
)

WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
PRODUCTS = Product.__table__


def _figures(revenue: float | None, orders: int | None, units: int | None, customers: int | None) -> SalesFigures:
    revenue, orders = float(revenue or 0), int(orders or 0)
    return SalesFigures(
        revenue=round(revenue, 2),
        orders=orders,
        units=int(units or 0),
        average_order_value=round(revenue / orders, 2) if orders else 0.0,
        customers=int(customers or 0),
    )


async def sales_figures(session: AsyncSession, start: date | None, end: date | None) -> SalesFigures:
    """Revenue, orders, units, average order value and customers between two dates (inclusive)."""
    conditions = order_period(start, end)
    orders_row = (
        await session.execute(
            select(func.sum(ORDERS.c.total_amount), func.count(), func.count(distinct(ORDERS.c.customer_id))).where(
                *conditions
            )
        )
    ).one()
    units = await session.scalar(select(func.sum(NET_UNITS)).where(*line_period(start, end)))
    return _figures(orders_row[0], orders_row[1], units, orders_row[2])


def _relative(now: float, before: float) -> float | None:
    return round((now - before) / abs(before), 4) if before else None


def change_between(now: SalesFigures, before: SalesFigures) -> Change:
    return Change(**{field: _relative(getattr(now, field), getattr(before, field)) for field in Change.model_fields})


GAP_DAYS = 14  # a fortnight without a single order is a hole in the data, not a slow week
SHOWN_GAPS = 5


async def data_span(session: AsyncSession) -> DataSpan:
    """First and last order, days with orders, and the longest stretches without any (one pass over the days)."""
    days = pd.to_datetime(
        pd.Series((await session.scalars(select(ORDERS.c.order_date).distinct().order_by(ORDERS.c.order_date))).all())
    )
    if days.empty:
        return DataSpan(first_order=None, last_order=None, days_with_orders=0, gaps=[])
    between = days.diff().dt.days.fillna(1).astype(int) - 1  # days without an order before each day with one
    holes = between[between >= GAP_DAYS].sort_values(ascending=False, kind="stable").head(SHOWN_GAPS)
    gaps = [
        Gap(start=(days[i] - pd.Timedelta(days=int(length))).date(), end=(days[i] - pd.Timedelta(days=1)).date(),
            days=int(length))
        for i, length in holes.items()
    ]  # fmt: skip
    return DataSpan(
        first_order=days.iloc[0].date(), last_order=days.iloc[-1].date(), days_with_orders=len(days), gaps=gaps
    )


async def dashboard_summary(session: AsyncSession, *, as_of: date | None, period_days: int) -> DashboardSummary:
    """The KPI cards: this period against the one before, and the catalogue's stock health."""
    end = await resolve_as_of(session, as_of)
    start = end - timedelta(days=period_days - 1)
    previous_end = start - timedelta(days=1)
    previous_start = previous_end - timedelta(days=period_days - 1)
    current = await sales_figures(session, start, end)
    previous = await sales_figures(session, previous_start, previous_end)
    on_sale = PRODUCTS.c.archived_at.is_(None)
    stock = (
        await session.execute(
            select(
                func.count(),
                func.sum(
                    case(
                        (and_(PRODUCTS.c.stock_on_hand > 0, PRODUCTS.c.stock_on_hand <= PRODUCTS.c.reorder_point), 1),
                        else_=0,
                    )
                ),
                func.sum(case((PRODUCTS.c.stock_on_hand <= 0, 1), else_=0)),
            ).where(on_sale)
        )
    ).one()
    return DashboardSummary(
        as_of=end,
        period=Period(start=start, end=end),
        previous_period=Period(start=previous_start, end=previous_end),
        current=current,
        previous=previous,
        change=change_between(current, previous),
        products=int(stock[0] or 0),
        low_stock_products=int(stock[1] or 0),
        out_of_stock_products=int(stock[2] or 0),
        data=await data_span(session),
    )


async def _monthly(session: AsyncSession, *, category: str | None, end: date | None) -> list[MonthFigures]:
    dialect = dialect_of(session)
    if category is None:
        month = month_of(ORDERS.c.order_date, dialect).label("month")
        totals = (
            select(month, func.sum(ORDERS.c.total_amount), func.count()).where(*order_period(None, end)).group_by(month)
        )
    else:
        month = month_of(LINES.c.order_date, dialect).label("month")
        totals = (
            select(month, func.sum(LINES.c.line_total), func.count(distinct(LINES.c.order_id)))
            .where(*line_period(None, end), LINES.c.category == category)
            .group_by(month)
        )
    line_month = month_of(LINES.c.order_date, dialect).label("month")
    units = select(line_month, func.sum(NET_UNITS)).where(*line_period(None, end)).group_by(line_month)
    if category is not None:
        units = units.where(LINES.c.category == category)
    units_by_month = {row[0]: int(row[1] or 0) for row in await session.execute(units)}
    return [
        MonthFigures(
            month=row[0], revenue=round(float(row[1] or 0), 2), orders=int(row[2]), units=units_by_month.get(row[0], 0)
        )
        for row in sorted(await session.execute(totals))
    ]


async def monthly_trend(session: AsyncSession, *, category: str | None, as_of: date | None) -> MonthlyTrend:
    """Revenue, units and orders per month up to `as_of` (all of it by default), optionally for one category."""
    return MonthlyTrend(category=category, months=await _monthly(session, category=category, end=as_of))


async def _ranked(
    session: AsyncSession, key: ColumnElement[str], *, start: date | None, end: date | None, limit: int | None = None,
    order_by: str = "revenue", descending: bool = True, extra: list[ColumnElement[bool]] | None = None,
    name: ColumnElement[str] | None = None,
) -> list[RankedItem]:  # fmt: skip
    revenue = func.sum(LINES.c.line_total).label("revenue")
    units = func.sum(NET_UNITS).label("units")
    orders = func.count(distinct(LINES.c.order_id)).label("orders")
    label = (func.max(name) if name is not None else func.max(key)).label("name")
    metric = revenue if order_by == "revenue" else units
    statement = (
        select(key.label("key"), label, revenue, units, orders)
        .where(*line_period(start, end), *(extra or []))
        .group_by(key)
        .order_by(metric.desc() if descending else metric.asc(), key)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [
        RankedItem(
            key=row.key,
            name=row.name,
            revenue=round(float(row.revenue or 0), 2),
            units=int(row.units or 0),
            orders=int(row.orders),
        )
        for row in await session.execute(statement)
    ]


async def monthly_report(session: AsyncSession, *, year: int, month: int) -> MonthComparison:
    """A month against the month before and the same month a year earlier, with its top products and categories."""
    start = date(year, month, 1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    figures = await sales_figures(session, start, end)
    if figures.orders == 0:
        raise NotFound(
            f"No orders in {year:04d}-{month:02d}. GET /analytics/available-months lists the months with data.",
            details=[{"field": "month", "reason": "no data"}],
        )
    previous_end = start - timedelta(days=1)
    previous = await sales_figures(session, previous_end.replace(day=1), previous_end)
    last_year_start = start.replace(year=year - 1)
    last_year_end = (last_year_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    last_year = await sales_figures(session, last_year_start, last_year_end)
    return MonthComparison(
        month=f"{year:04d}-{month:02d}",
        figures=figures,
        previous_month=previous,
        same_month_last_year=last_year,
        change_vs_previous_month=change_between(figures, previous),
        change_vs_last_year=change_between(figures, last_year),
        top_products=await _ranked(session, LINES.c.sku, start=start, end=end, limit=10, name=LINES.c.product_name),
        top_categories=await _ranked(session, LINES.c.category, start=start, end=end, limit=10),
    )


async def product_performance(
    session: AsyncSession, *, metric: str, n: int, start: date | None, end: date | None,
    category: str | None, brand: str | None,
) -> ProductPerformance:  # fmt: skip
    """The best and the worst `n` products by revenue or units over a period, optionally within a category or brand."""
    end = await resolve_as_of(session, end)
    start = start or end - timedelta(days=364)
    extra = []
    if category:
        extra.append(LINES.c.category == category)
    if brand:
        extra.append(LINES.c.brand == brand)
    common = {"start": start, "end": end, "limit": n, "order_by": metric, "extra": extra, "name": LINES.c.product_name}
    return ProductPerformance(
        metric=metric,
        period=Period(start=start, end=end),
        best=await _ranked(session, LINES.c.sku, descending=True, **common),
        worst=await _ranked(session, LINES.c.sku, descending=False, **common),
    )


async def category_performance(session: AsyncSession, *, start: date | None, end: date | None) -> CategoryPerformance:
    """Revenue, units, orders, share of revenue and average order value per category over a period."""
    end = await resolve_as_of(session, end)
    start = start or end - timedelta(days=364)
    ranked = await _ranked(session, LINES.c.category, start=start, end=end)
    total = sum(item.revenue for item in ranked)
    return CategoryPerformance(
        period=Period(start=start, end=end),
        categories=[
            CategoryFigures(
                category=item.key,
                revenue=item.revenue,
                units=item.units,
                orders=item.orders,
                revenue_share=round(item.revenue / total, 4) if total else 0.0,
                average_order_value=round(item.revenue / item.orders, 2) if item.orders else 0.0,
            )
            for item in ranked
        ],
    )


async def sales_by_weekday(session: AsyncSession, *, start: date | None, end: date | None) -> SalesByWeekday:
    """Revenue, orders and units per day of the week (Sunday first)."""
    dialect = dialect_of(session)
    weekday = weekday_of(ORDERS.c.order_date, dialect).label("weekday")
    totals = {
        row[0]: row
        for row in await session.execute(
            select(weekday, func.sum(ORDERS.c.total_amount), func.count())
            .where(*order_period(start, end))
            .group_by(weekday)
        )
    }
    line_weekday = weekday_of(LINES.c.order_date, dialect).label("weekday")
    units = {
        row[0]: row[1]
        for row in await session.execute(
            select(line_weekday, func.sum(NET_UNITS)).where(*line_period(start, end)).group_by(line_weekday)
        )
    }
    days = [
        WeekdayFigures(
            weekday=name,
            revenue=round(float(totals[number][1] or 0), 2) if number in totals else 0.0,
            orders=int(totals[number][2]) if number in totals else 0,
            units=int(units.get(number) or 0),
        )
        for number, name in enumerate(WEEKDAYS)
    ]
    period = Period(start=start, end=end) if start and end else None
    return SalesByWeekday(period=period, days=days)


async def revenue_vs_profit(session: AsyncSession, *, as_of: date | None) -> RevenueVsProfit:
    """Revenue and gross profit per month; cost is net units x the product's unit cost."""
    month = month_of(LINES.c.order_date, dialect_of(session)).label("month")
    cost = func.sum(NET_UNITS * func.coalesce(PRODUCTS.c.unit_cost, 0))
    statement = (
        select(month, func.sum(LINES.c.line_total), cost)
        .select_from(LINES.join(PRODUCTS, PRODUCTS.c.sku == LINES.c.sku))
        .where(*line_period(None, as_of))
        .group_by(month)
        .order_by(month)
    )
    months = []
    for name, revenue, spent in await session.execute(statement):
        revenue, spent = float(revenue or 0), float(spent or 0)
        months.append(
            ProfitMonth(
                month=name, revenue=round(revenue, 2), cost=round(spent, 2), profit=round(revenue - spent, 2),
                margin=round((revenue - spent) / revenue, 4) if revenue else None,
            )
        )  # fmt: skip
    note = (
        "Revenue is the order lines' share of their orders' totals (tax and shipping included); cost is net units x "
        "the product's current unit cost; products without a unit cost count as costing nothing."
    )
    return RevenueVsProfit(note=note, months=months)


async def available_months(session: AsyncSession) -> AvailableMonths:
    """Months (YYYY-MM) that have at least one order that was not cancelled."""
    month = month_of(ORDERS.c.order_date, dialect_of(session)).label("month")
    rows = await session.execute(select(month).where(LIVE).group_by(month).order_by(month))
    return AvailableMonths(months=[row[0] for row in rows])
