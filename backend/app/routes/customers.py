"""The /customers and /sellers routers (read-only)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.routes.deps import GUARDED, READS, Analytics, Pagination, Session
from app.schemas.analytics import CustomerProfile, CustomerSummary, SellerProfile, SellerSummary
from app.schemas.common import ErrorBody, Page
from app.services.analytics import customers as service

customers_router = APIRouter(prefix="/customers", tags=["customers"], dependencies=[READS], responses=GUARDED)
sellers_router = APIRouter(prefix="/sellers", tags=["sellers"], dependencies=[READS], responses=GUARDED)
ERRORS = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}}


@customers_router.get("", response_model=Page[CustomerSummary], responses=ERRORS)
async def list_customers(
    analytics: Analytics, page: Pagination, q: Annotated[str | None, Query(min_length=1, max_length=100)] = None
) -> Page[CustomerSummary]:
    """Customers, most valuable first, with orders, revenue and last order; `q` searches id and name."""
    compute = partial(service.list_customers, search=q, limit=page.limit, offset=page.offset)
    items, total = await analytics.answer(compute)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@customers_router.get("/{customer_id}", response_model=CustomerProfile, responses=ERRORS)
async def customer_profile(
    session: Session, customer_id: Annotated[str, Path(min_length=1, max_length=64)]
) -> CustomerProfile:
    """A customer's profile: orders, revenue, units, first and last order, favourite categories."""
    return await service.customer_profile(session, customer_id)


@sellers_router.get("", response_model=Page[SellerSummary], responses=ERRORS)
async def list_sellers(analytics: Analytics, page: Pagination) -> Page[SellerSummary]:
    """Sellers by revenue, with orders and the number of products they sold."""
    compute = partial(service.list_sellers, limit=page.limit, offset=page.offset)
    items, total = await analytics.answer(compute)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@sellers_router.get("/{seller_id}", response_model=SellerProfile, responses=ERRORS)
async def seller_profile(
    session: Session, seller_id: Annotated[str, Path(min_length=1, max_length=64)]
) -> SellerProfile:
    """A seller's sales: orders, revenue, units, first and last sale, top products and categories."""
    return await service.seller_profile(session, seller_id)
