"""Orders: place one without ever overselling, find them, move them through their life."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.core.errors import IllegalTransition, NotFound, UnprocessableInput
from app.db.outbox import KeyedEvent
from app.db.statements import SessionTransaction, Statements
from app.db.unit_of_work import UnitOfWork
from app.db.writes import Write
from app.models import Customer, InventoryMovement, Order, OrderLine, Seller
from app.models.base import utcnow
from app.schemas.events import OrderCreatedData, OrderLineData, OrderUpdatedData, envelope
from app.schemas.money import MAX_AMOUNT
from app.schemas.orders import OrderCreate, OrderOut, OrderSort, OrderStatus
from app.services.idempotency import remember, replay_or_reserve, request_fingerprint
from app.services.stock import StockMovement, lock_products, move_stock, movement_rows, sell

CENT = Decimal("0.01")
# The state machine of an order's status; anything else is refused with what is allowed.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "Processing": ("Shipped", "Cancelled"),
    "Shipped": ("Delivered",),
    "Delivered": ("Returned",),
    "Cancelled": (),
    "Returned": (),
}
RESTOCK_REASON = {"Cancelled": "cancellation", "Returned": "return"}
ORDER_SCOPE = "POST /orders"


def order_key(skus: Iterable[str]) -> str:
    """The bus key of an order's events: its first SKU. An order's events then stay in order, and so do
    a product's orders (Kafka keeps order within a key)."""
    return min(skus)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def split_total(total: Decimal, amounts: list[Decimal]) -> list[Decimal]:
    """Share `total` among lines in proportion to their amounts, to the cent; the shares add up exactly."""
    gross = sum(amounts, Decimal(0))
    if gross == 0:
        shares = [Decimal(0)] * (len(amounts) - 1)
    else:
        shares = [cents(total * amount / gross) for amount in amounts[:-1]]
    return [*shares, total - sum(shares, Decimal(0))]


@dataclass(frozen=True)
class OrderFilters:
    from_date: date | None = None
    to_date: date | None = None
    status: OrderStatus | None = None
    category: str | None = None
    customer_id: str | None = None


def _party_statements(dialect: str) -> tuple[Any, Any, Any]:
    """Customer upserts (with and without contact details) and the seller insert, built once per dialect."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Customer.__table__
    customer = insert(table)
    with_details = customer.on_conflict_do_update(
        index_elements=["customer_id"],
        set_={
            "name": func.coalesce(customer.excluded.name, table.c.name),
            "city": func.coalesce(customer.excluded.city, table.c.city),
        },
    )
    seller = insert(Seller.__table__).on_conflict_do_nothing(index_elements=["seller_id"])
    return with_details, customer.on_conflict_do_nothing(index_elements=["customer_id"]), seller


_PARTIES = {dialect: _party_statements(dialect) for dialect in ("postgresql", "sqlite")}
_INSERT_ORDER = Order.__table__.insert()
_INSERT_LINES = OrderLine.__table__.insert()


def _party_rows(dialect: str, data: OrderCreate, now: datetime) -> list[Write]:
    """The customer (created, or its contact details updated) and the seller (created) of an order."""
    with_details, without_details, seller = _PARTIES[dialect]
    customer = {
        "customer_id": data.customer_id, "name": data.customer_name, "city": data.city, "state": data.state,
        "country": data.country, "created_at": now,
    }  # fmt: skip
    writes: list[Write] = [(with_details if data.customer_name or data.city else without_details, [customer])]
    if data.seller_id:
        writes.append((seller, [{"seller_id": data.seller_id, "created_at": now}]))
    return writes


async def place_order(statements: Statements, data: OrderCreate, *, tax_rate: Decimal, today: date) -> OrderOut:
    """Take the stock of every line or nothing, then write the order, its lines, the ledger and the events."""
    order_id = f"ORD-{uuid.uuid4().hex[:16].upper()}"
    lines = [(item.sku, item.quantity) for item in data.items]
    products, taken, events = await sell(statements, lines, order_id=order_id)
    amounts = [cents(products[item.sku].unit_price * item.quantity) for item in data.items]
    gross = sum(amounts, Decimal(0))
    if data.discount > gross:
        raise UnprocessableInput(
            f"The discount ({data.discount}) is larger than the goods ({gross}).",
            details=[{"field": "discount", "reason": "larger than quantity x unit price over all lines"}],
        )
    tax = cents((gross - data.discount) * tax_rate)
    total = gross - data.discount + tax + data.shipping_cost
    if total > MAX_AMOUNT:
        raise UnprocessableInput(
            f"The order's total ({total}) is more than an order can hold ({MAX_AMOUNT}); split it into several.",
            details=[{"field": "total_amount", "reason": f"over {MAX_AMOUNT}"}],
        )
    now = utcnow()
    order_row = {
        "order_id": order_id, "order_date": today, "customer_id": data.customer_id, "seller_id": data.seller_id,
        "status": "Processing", "payment_method": data.payment_method, "discount": data.discount, "tax": tax,
        "shipping_cost": data.shipping_cost, "total_amount": total, "city": data.city, "state": data.state,
        "country": data.country, "source": "api", "created_at": now, "updated_at": now,
    }  # fmt: skip
    line_rows = [
        {
            "order_id": order_id, "line_number": number, "order_date": today, "status": "Processing",
            "sku": item.sku, "product_name": products[item.sku].name,
            "category": products[item.sku].category, "brand": products[item.sku].brand, "quantity": item.quantity,
            "unit_price": products[item.sku].unit_price, "line_total": share,
        }
        for number, (item, share) in enumerate(zip(data.items, split_total(total, amounts), strict=True), start=1)
    ]  # fmt: skip
    items = [
        OrderLineData(sku=i.sku, quantity=i.quantity, unit_price=float(products[i.sku].unit_price)) for i in data.items
    ]
    created = OrderCreatedData(
        order_id=order_id, status="Processing", customer_id=data.customer_id, order_date=today.isoformat(),
        total_amount=float(total), items=items,
    )  # fmt: skip
    events = [(envelope("order.created", created), order_key(item.sku for item in data.items)), *events]
    statements.record_events(events)
    # One round trip on PostgreSQL for all of it (the events too), after the one that took the stock.
    await statements.insert(
        *_party_rows(statements.dialect, data, now), (_INSERT_ORDER, [order_row]), (_INSERT_LINES, line_rows),
        movement_rows(taken),
    )  # fmt: skip
    return OrderOut.model_validate({**order_row, "items": line_rows})


async def place_order_once(
    work: UnitOfWork,
    data: OrderCreate,
    *,
    idempotency_key: str | None,
    tax_rate: Decimal,
    today: date,
) -> tuple[OrderOut, bool]:
    """place_order, or with an Idempotency-Key the first result for that key; True when replayed.

    Committed before this returns; the key's reservation and answer are in the order's transaction
    (statements only: on PostgreSQL asyncpg's own transaction, see app.db.unit_of_work).
    """
    async with work.statements() as statements:
        if idempotency_key is None:
            return await place_order(statements, data, tax_rate=tax_rate, today=today), False
        fingerprint = request_fingerprint(data.model_dump(mode="json"))
        stored = await replay_or_reserve(statements, key=idempotency_key, scope=ORDER_SCOPE, fingerprint=fingerprint)
        if stored is not None:
            return OrderOut.model_validate(stored), True
        order = await place_order(statements, data, tax_rate=tax_rate, today=today)
        body = order.model_dump(mode="json")
        await remember(statements, key=idempotency_key, scope=ORDER_SCOPE, status_code=201, body=body)
        return order, False


async def _load_order(session: AsyncSession, order_id: str, *, lock: bool = False) -> Order:
    statement = select(Order).where(Order.order_id == order_id).options(selectinload(Order.lines))
    order = (await session.scalars(statement.with_for_update() if lock else statement)).first()
    if order is None:
        raise NotFound(f"No order {order_id!r}.", details=[{"field": "order_id", "reason": "unknown"}])
    return order


async def get_order(session: AsyncSession, order_id: str) -> OrderOut:
    return OrderOut.model_validate(_as_dict(await _load_order(session, order_id)))


def _as_dict(order: Order) -> dict[str, object]:
    columns = {column.key: getattr(order, column.key) for column in Order.__table__.columns}
    return {**columns, "items": order.lines}


async def _units_sold_from_stock(session: AsyncSession, order_id: str) -> dict[str, int]:
    """Units this order took out of stock, per SKU (imported history took none)."""
    rows = await session.execute(
        select(InventoryMovement.sku, func.sum(InventoryMovement.quantity_change))
        .where(InventoryMovement.order_id == order_id, InventoryMovement.reason == "sale")
        .group_by(InventoryMovement.sku)
    )
    return {sku: -int(taken) for sku, taken in rows if taken}


async def change_status(work: UnitOfWork, order_id: str, status: OrderStatus) -> OrderOut:
    """Move an order along its state machine; cancelling or returning puts its stock back through the ledger."""
    async with work.begin() as transaction:
        session = transaction.session
        order = await _load_order(session, order_id, lock=True)
        previous = order.status
        allowed = TRANSITIONS[previous]
        if status not in allowed:
            options = ", ".join(allowed) if allowed else "none (it is final)"
            raise IllegalTransition(
                f"An order in {previous} cannot become {status}. Allowed next: {options}.",
                details=[{"field": "status", "current": previous, "requested": status, "allowed": list(allowed)}],
            )
        stock_events = []
        if status in RESTOCK_REASON:
            stock_events = await _put_back_stock(transaction, order_id, RESTOCK_REASON[status])
            # The data contract's amounts: 0 for a cancelled order, the negated total for a refund.
            sign = Decimal(0) if status == "Cancelled" else Decimal(-1)
            order.total_amount = order.total_amount * sign
            for line in order.lines:
                line.line_total = line.line_total * sign
        order.status = status
        for line in order.lines:
            line.status = status
        await session.flush()
        updated = OrderUpdatedData(
            order_id=order_id, status=status, previous_status=previous, total_amount=float(order.total_amount)
        )
        key = order_key(line.sku for line in order.lines)
        transaction.record_events([(envelope("order.updated", updated), key), *stock_events])
        return OrderOut.model_validate(_as_dict(order))


async def _put_back_stock(transaction: SessionTransaction, order_id: str, reason: str) -> list[KeyedEvent]:
    """The units the order took out of stock, back in through the ledger; the stock events."""
    taken = await _units_sold_from_stock(transaction.session, order_id)
    if not taken:
        return []
    products = await lock_products(transaction, list(taken))
    back = [StockMovement(sku=sku, change=units, reason=reason, order_id=order_id) for sku, units in taken.items()]
    _, events = await move_stock(transaction, products, back)
    return events


async def list_orders(
    session: AsyncSession, filters: OrderFilters, *, sort: OrderSort, limit: int, offset: int
) -> tuple[list[Order], int]:
    """A page of orders matching the filters, and how many match in all."""
    conditions = []
    if filters.from_date:
        conditions.append(Order.order_date >= filters.from_date)
    if filters.to_date:
        conditions.append(Order.order_date <= filters.to_date)
    if filters.status:
        conditions.append(Order.status == filters.status)
    if filters.customer_id:
        conditions.append(Order.customer_id == filters.customer_id)
    if filters.category:
        conditions.append(exists().where(OrderLine.order_id == Order.order_id, OrderLine.category == filters.category))
    total = await session.scalar(select(func.count()).select_from(Order).where(*conditions))
    column = getattr(Order, sort.lstrip("-"))
    order_by = column.desc() if sort.startswith("-") else column.asc()
    rows = await session.scalars(
        select(Order).where(*conditions).order_by(order_by, Order.order_id).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)
