"""Customers and sellers: pages of them, one profile, and RFM segments."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.ml.customers import SEGMENT_RULES, rfm_scores, rfm_segment
from app.models import Customer
from app.schemas.analytics import (
    CategoryShare,
    CustomerProfile,
    CustomerSegments,
    CustomerSummary,
    RankedItem,
    Segment,
    SellerProfile,
    SellerSummary,
)
from app.services.analytics.sql import LINES, LIVE, NET_UNITS, ORDERS, SALES_JOIN, plain_rows, resolve_as_of

CUSTOMERS = Customer.__table__


def _as_date(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _customer_orders():
    return (
        select(
            ORDERS.c.customer_id.label("customer_id"),
            func.count().label("orders"),
            func.sum(ORDERS.c.total_amount).label("revenue"),
            func.max(ORDERS.c.order_date).label("last_order"),
            func.min(ORDERS.c.order_date).label("first_order"),
        )
        .where(LIVE)
        .group_by(ORDERS.c.customer_id)
        .subquery()
    )


async def list_customers(
    session: AsyncSession, *, search: str | None, limit: int, offset: int
) -> tuple[list[CustomerSummary], int]:
    """Customers with their order count, revenue and last order, most valuable first."""
    totals = _customer_orders()
    conditions = []
    if search:
        pattern = f"%{search.lower()}%"
        conditions.append(
            or_(func.lower(CUSTOMERS.c.customer_id).like(pattern), func.lower(CUSTOMERS.c.name).like(pattern))
        )
    source = CUSTOMERS.outerjoin(totals, totals.c.customer_id == CUSTOMERS.c.customer_id)
    total = await session.scalar(select(func.count()).select_from(CUSTOMERS).where(*conditions))
    revenue = func.coalesce(totals.c.revenue, 0)
    rows = await session.execute(
        select(
            CUSTOMERS.c.customer_id,
            CUSTOMERS.c.name,
            CUSTOMERS.c.city,
            CUSTOMERS.c.state,
            totals.c.orders,
            revenue,
            totals.c.last_order,
        )
        .select_from(source)
        .where(*conditions)
        .order_by(revenue.desc(), CUSTOMERS.c.customer_id)
        .limit(limit)
        .offset(offset)
    )
    items = [
        CustomerSummary(
            customer_id=row[0], name=row[1], city=row[2], state=row[3], orders=int(row[4] or 0),
            revenue=round(float(row[5] or 0), 2), last_order=_as_date(row[6]),
        )
        for row in rows
    ]  # fmt: skip
    return items, int(total or 0)


async def customer_profile(session: AsyncSession, customer_id: str) -> CustomerProfile:
    """A customer's orders, revenue, first and last order, units and favourite categories."""
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"No customer {customer_id!r}.", details=[{"field": "customer_id", "reason": "unknown"}])
    mine = ORDERS.c.customer_id == customer_id
    orders, revenue, first, last = (
        await session.execute(
            select(
                func.count(),
                func.sum(ORDERS.c.total_amount),
                func.min(ORDERS.c.order_date),
                func.max(ORDERS.c.order_date),
            ).where(LIVE, mine)
        )
    ).one()
    units = await session.scalar(select(func.sum(NET_UNITS)).select_from(SALES_JOIN).where(LIVE, mine))
    categories = await session.execute(
        select(LINES.c.category, func.count(distinct(ORDERS.c.order_id)), func.sum(LINES.c.line_total))
        .select_from(SALES_JOIN)
        .where(LIVE, mine)
        .group_by(LINES.c.category)
        # Favourite: where they order most often, then where they spend most.
        .order_by(func.count(distinct(ORDERS.c.order_id)).desc(), func.sum(LINES.c.line_total).desc(), LINES.c.category)
        .limit(3)
    )
    return CustomerProfile(
        customer_id=customer.customer_id, name=customer.name, city=customer.city, state=customer.state,
        country=customer.country, orders=int(orders or 0), revenue=round(float(revenue or 0), 2),
        first_order=_as_date(first), last_order=_as_date(last), units=int(units or 0),
        favourite_categories=[CategoryShare(category=c, orders=int(n), revenue=round(float(r or 0), 2)) for c, n, r in categories],
    )  # fmt: skip


async def customer_segments(session: AsyncSession, *, as_of: date | None) -> CustomerSegments:
    """RFM segments: recency, frequency and monetary quintile scores (5 best), named by SEGMENT_RULES."""
    end = await resolve_as_of(session, as_of)
    totals = _customer_orders()
    rows = (
        await session.execute(select(totals.c.customer_id, totals.c.orders, totals.c.revenue, totals.c.last_order))
    ).all()
    frame = pd.DataFrame(plain_rows(rows), columns=["customer_id", "orders", "revenue", "last_order"])
    frame["revenue"] = frame["revenue"].astype(float)
    frame["recency"] = [(end - _as_date(value)).days for value in frame["last_order"]]
    scores = rfm_scores(frame["recency"], frame["orders"], frame["revenue"])
    frame["segment"] = [
        rfm_segment(r, f, m, o)
        for r, f, m, o in zip(scores["R"], scores["F"], scores["M"], frame["orders"], strict=True)
    ]
    customers, revenue = len(frame), float(frame["revenue"].clip(lower=0).sum())
    segments = []
    for name, rule in SEGMENT_RULES:
        members = frame[frame["segment"] == name]
        segment_revenue = float(members["revenue"].sum())
        segments.append(
            Segment(
                segment=name, rule=rule, customers=len(members),
                customer_share=round(len(members) / customers, 4) if customers else 0.0,
                revenue=round(segment_revenue, 2), revenue_share=round(segment_revenue / revenue, 4) if revenue else 0.0,
            )
        )  # fmt: skip
    scoring = (
        "Each customer with an order gets R (days since the last order), F (orders) and M (revenue) scores from 1 "
        "to 5 by quintile of rank among all customers, 5 being the most recent, frequent or valuable."
    )
    return CustomerSegments(as_of=end, scoring=scoring, segments=segments)


async def list_sellers(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[SellerSummary], int]:
    """Sellers by revenue, with their orders and distinct products sold."""
    total = await session.scalar(
        select(func.count(distinct(ORDERS.c.seller_id))).where(ORDERS.c.seller_id.is_not(None))
    )
    revenue = func.sum(LINES.c.line_total)
    rows = await session.execute(
        select(ORDERS.c.seller_id, func.count(distinct(ORDERS.c.order_id)), revenue, func.count(distinct(LINES.c.sku)))
        .select_from(SALES_JOIN)
        .where(LIVE, ORDERS.c.seller_id.is_not(None))
        .group_by(ORDERS.c.seller_id)
        .order_by(revenue.desc(), ORDERS.c.seller_id)
        .limit(limit)
        .offset(offset)
    )
    items = [
        SellerSummary(seller_id=s, orders=int(o), revenue=round(float(r or 0), 2), products=int(p))
        for s, o, r, p in rows
    ]
    return items, int(total or 0)


async def seller_profile(session: AsyncSession, seller_id: str) -> SellerProfile:
    """A seller's sales: orders, revenue, units, dates, top products and categories."""
    mine = ORDERS.c.seller_id == seller_id
    orders, revenue, units, products, first, last = (
        await session.execute(
            select(
                func.count(distinct(ORDERS.c.order_id)), func.sum(LINES.c.line_total), func.sum(NET_UNITS),
                func.count(distinct(LINES.c.sku)), func.min(ORDERS.c.order_date), func.max(ORDERS.c.order_date),
            ).select_from(SALES_JOIN).where(LIVE, mine)
        )
    ).one()  # fmt: skip
    if not orders:
        raise NotFound(
            f"No sales for seller {seller_id!r}.", details=[{"field": "seller_id", "reason": "unknown or no sales"}]
        )
    top = await session.execute(
        select(
            LINES.c.sku, func.max(LINES.c.product_name), func.sum(LINES.c.line_total), func.sum(NET_UNITS), func.count()
        )
        .select_from(SALES_JOIN)
        .where(LIVE, mine)
        .group_by(LINES.c.sku)
        .order_by(func.sum(LINES.c.line_total).desc(), LINES.c.sku)
        .limit(10)
    )
    categories = await session.execute(
        select(LINES.c.category, func.count(distinct(ORDERS.c.order_id)), func.sum(LINES.c.line_total))
        .select_from(SALES_JOIN)
        .where(LIVE, mine)
        .group_by(LINES.c.category)
        .order_by(func.sum(LINES.c.line_total).desc())
    )
    return SellerProfile(
        seller_id=seller_id, orders=int(orders), revenue=round(float(revenue or 0), 2), products=int(products),
        units=int(units or 0), first_order=_as_date(first), last_order=_as_date(last),
        top_products=[RankedItem(key=k, name=n, revenue=round(float(r or 0), 2), units=int(u or 0), orders=int(o)) for k, n, r, u, o in top],
        categories=[CategoryShare(category=c, orders=int(n), revenue=round(float(r or 0), 2)) for c, n, r in categories],
    )  # fmt: skip
