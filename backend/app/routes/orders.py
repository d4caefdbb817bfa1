"""The /orders router: placing orders against stock, finding them, changing their status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from app.routes.deps import DAY_BOUNDS, GUARDED, READS, Operator, Pagination, Services, Session, Work
from app.schemas.common import ErrorBody, Page
from app.schemas.orders import OrderCreate, OrderOut, OrderSort, OrderStatus, OrderSummary, StatusChange
from app.services import orders as service
from app.services.orders import OrderFilters

router = APIRouter(prefix="/orders", tags=["orders"], dependencies=[READS], responses=GUARDED)
OrderIdPath = Annotated[str, Path(min_length=1, max_length=64)]
ERRORS = {404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}}


@router.post("", response_model=OrderOut, status_code=201, responses=ERRORS)
async def create_order(
    services: Services,
    _caller: Operator,
    response: Response,
    body: OrderCreate,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=200,
            description="Send the same key again to get the first answer, not a second order.",
        ),
    ] = None,
) -> OrderOut:
    """Place an order. Every line's stock is taken atomically or nothing is: when one is short the answer is
    409 naming the products and the units available. Unit prices come from the products, tax from
    SALES_TAX_RATE; total = quantity x unit price − discount + tax + shipping. With an `Idempotency-Key`,
    a repeat returns the first result (header `Idempotent-Replayed: true`); the same key with another body
    is a 422."""
    # The unit of work through Services rather than `Work`: one dependency fewer on the hottest path
    # (bench.orders_instructions).
    order, replayed = await service.place_order_once(
        services.unit_of_work,
        body,
        idempotency_key=idempotency_key,
        tax_rate=Decimal(str(services.settings.sales_tax_rate)),
        today=date.today(),
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return order


@router.get("", response_model=Page[OrderSummary])
async def list_orders(
    session: Session,
    page: Pagination,
    from_date: Annotated[date | None, Query(description="First order date included.", **DAY_BOUNDS)] = None,
    to_date: Annotated[date | None, Query(description="Last order date included.", **DAY_BOUNDS)] = None,
    status: OrderStatus | None = None,
    category: Annotated[str | None, Query(max_length=120, description="Orders with a line in this category.")] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    sort: OrderSort = "-order_date",
) -> Page[OrderSummary]:
    """Orders matching the filters, newest first by default, a page at a time (with the total)."""
    filters = OrderFilters(
        from_date=from_date, to_date=to_date, status=status, category=category, customer_id=customer_id
    )
    rows, total = await service.list_orders(session, filters, sort=sort, limit=page.limit, offset=page.offset)
    return Page(
        items=[OrderSummary.model_validate(row) for row in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/{order_id}", response_model=OrderOut, responses=ERRORS)
async def get_order(session: Session, order_id: OrderIdPath) -> OrderOut:
    """One order with its lines."""
    return await service.get_order(session, order_id)


@router.post("/{order_id}/status", response_model=OrderOut, responses=ERRORS)
async def change_status(work: Work, _caller: Operator, order_id: OrderIdPath, body: StatusChange) -> OrderOut:
    """Move an order along Processing → Shipped → Delivered, Processing → Cancelled, Delivered → Returned.
    Cancelling or returning puts the units back in stock through the ledger. Any other change is a 409
    listing the allowed ones."""
    return await service.change_status(work, order_id, body.status)
