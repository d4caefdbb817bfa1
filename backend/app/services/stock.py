"""The stock ledger: every change of stock on hand is a movement, written with its events.

`stock_on_hand` on a product is the running sum of its movements, updated in the same
statement batch as the movement row; the CHECK constraint (>= 0) is the last line of
defence, the conditional UPDATE the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import AppError, InsufficientStock, NotFound, UnprocessableInput
from app.core.limits import MAX_STOCK_UNITS
from app.db.outbox import KeyedEvent
from app.db.statements import Statements
from app.db.unit_of_work import UnitOfWork
from app.db.writes import Write
from app.models import InventoryMovement, Product
from app.models.base import utcnow
from app.schemas.events import StockAlertData, StockUpdatedData, envelope

StockState = Literal["in_stock", "low", "out"]


def stock_state(stock_on_hand: int, reorder_point: int) -> StockState:
    """out at 0, low at or below the reorder point, in stock above it."""
    if stock_on_hand <= 0:
        return "out"
    return "low" if stock_on_hand <= reorder_point else "in_stock"


@dataclass(frozen=True)
class StockMovement:
    """One product's stock moving by `change` (negative takes units out): one row of the stock ledger to write."""

    sku: str
    change: int
    reason: str
    order_id: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class AppliedChange:
    change: StockMovement
    before: int
    after: int


@dataclass
class LockedProduct:
    """The columns a stock change needs, read under the row lock (lighter than an ORM object)."""

    sku: str
    name: str
    category: str
    brand: str | None
    unit_price: Decimal
    stock_on_hand: int
    reorder_point: int
    archived: bool


def stock_events(product: LockedProduct, applied: AppliedChange) -> list[KeyedEvent]:
    """stock.updated always; stock.low when it falls to or below the reorder point; stock.out at 0."""
    change = applied.change
    events = [
        (
            envelope(
                "stock.updated",
                StockUpdatedData(
                    sku=change.sku, stock_on_hand=applied.after, change=change.change, reason=change.reason,
                    order_id=change.order_id,
                ),
            ),
            change.sku,
        )
    ]  # fmt: skip
    was, now = stock_state(applied.before, product.reorder_point), stock_state(applied.after, product.reorder_point)
    if now == "out" and was != "out":
        alert = StockAlertData(
            title=f"Out of stock: {product.name}",
            message=f"{product.sku} has no units left; reorder point is {product.reorder_point}.",
            severity="critical", sku=product.sku, product_name=product.name, stock_on_hand=applied.after,
            reorder_point=product.reorder_point,
        )  # fmt: skip
        events.append((envelope("stock.out", alert), change.sku))
    elif now == "low" and was == "in_stock":
        alert = StockAlertData(
            title=f"Low stock: {product.name}",
            message=(
                f"{product.sku} is down to {applied.after} units, at or below its reorder point of "
                f"{product.reorder_point}."
            ),
            severity="warning", sku=product.sku, product_name=product.name, stock_on_hand=applied.after,
            reorder_point=product.reorder_point,
        )  # fmt: skip
        events.append((envelope("stock.low", alert), change.sku))
    return events


# Statements on the order path are built once, on the tables' own columns, and run without the ORM
# (see app.db.statements): building, keying and routing a statement through the ORM per request
# costs more Python time than the database spends running it.
_PRODUCTS = Product.__table__
_LOCK_COLUMNS = (
    _PRODUCTS.c.sku, _PRODUCTS.c.name, _PRODUCTS.c.category, _PRODUCTS.c.brand, _PRODUCTS.c.unit_price,
    _PRODUCTS.c.stock_on_hand, _PRODUCTS.c.reorder_point, _PRODUCTS.c.archived_at.is_not(None),
)  # fmt: skip
_LOCK = (
    select(*_LOCK_COLUMNS)
    .where(_PRODUCTS.c.sku.in_(bindparam("skus", expanding=True)))
    .order_by(_PRODUCTS.c.sku)
    .with_for_update()
)
_TAKE = (
    update(_PRODUCTS)
    .where(_PRODUCTS.c.sku == bindparam("b_sku"), _PRODUCTS.c.stock_on_hand + bindparam("change") >= 0)
    .values(stock_on_hand=_PRODUCTS.c.stock_on_hand + bindparam("change"), updated_at=bindparam("now"))
    .returning(_PRODUCTS.c.stock_on_hand)
)
_RECORD_MOVEMENTS = InventoryMovement.__table__.insert()
_STOCK_OF = select(_PRODUCTS.c.stock_on_hand).where(_PRODUCTS.c.sku == bindparam("b_sku"))
_PRODUCT_TO_SELL = select(*_LOCK_COLUMNS).where(_PRODUCTS.c.sku == bindparam("b_sku"))
# A sale takes the units and reads what the order needs in the same statement: no separate
# lock round trip. Sorted SKUs keep concurrent multi-line orders from deadlocking.
_SELL = (
    update(_PRODUCTS)
    .where(
        _PRODUCTS.c.sku == bindparam("b_sku"),
        _PRODUCTS.c.archived_at.is_(None),
        _PRODUCTS.c.stock_on_hand >= bindparam("quantity"),
    )
    .values(stock_on_hand=_PRODUCTS.c.stock_on_hand - bindparam("quantity"), updated_at=bindparam("now"))
    .returning(*_LOCK_COLUMNS)
)


async def lock_products(statements: Statements, skus: Sequence[str]) -> dict[str, LockedProduct]:
    """The products, locked for this transaction in SKU order (a fixed order cannot deadlock)."""
    return {row[0]: LockedProduct(*row) for row in await statements.all(_LOCK, {"skus": sorted(set(skus))})}


async def move_stock(
    statements: Statements, products: dict[str, LockedProduct], changes: Sequence[StockMovement]
) -> tuple[list[AppliedChange], list[KeyedEvent]]:
    """Move stock for locked products: conditional UPDATE and ledger rows, in the caller's transaction.

    Returns what changed and the stock events, for the use case to record after its own (as `sell`
    does). Raises InsufficientStock (the rollback writes nothing) when a change would take a product
    below zero.
    """
    applied: list[AppliedChange] = []
    events: list[KeyedEvent] = []
    for change in sorted(changes, key=lambda item: item.sku):
        product = products[change.sku]
        # The WHERE makes the decrement atomic even without the row lock (SQLite).
        row = await statements.first(_TAKE, {"b_sku": change.sku, "change": change.change, "now": utcnow()})
        if row is None:
            available = await statements.first(_STOCK_OF, {"b_sku": change.sku})
            units = available[0] if available else None
            raise InsufficientStock(
                f"Not enough stock of {change.sku}: {-change.change} requested, {units} available.",
                details=[{"field": "quantity", "sku": change.sku, "requested": -change.change, "available": units}],
            )
        after = row[0]
        done = AppliedChange(change=change, before=after - change.change, after=after)
        product.stock_on_hand = after
        applied.append(done)
        events.extend(stock_events(product, done))
    await statements.insert(movement_rows(applied))
    return applied, events


async def _why_not_sellable(statements: Statements, lines: Sequence[tuple[str, int]]) -> AppError:
    """Every line's problem, named by its place in the order (items.N.sku / items.N.quantity)."""
    found: dict[str, LockedProduct] = {}
    for sku in sorted({sku for sku, _ in lines}):  # one read per SKU: only a refused order comes here
        row = await statements.first(_PRODUCT_TO_SELL, {"b_sku": sku})
        if row is not None:
            found[sku] = LockedProduct(*row)
    unsellable = [
        {"field": f"items.{index}.sku", "sku": sku,
         "reason": "no such product" if sku not in found else "archived: it can no longer be sold"}
        for index, (sku, _) in enumerate(lines)
        if sku not in found or found[sku].archived
    ]  # fmt: skip
    if unsellable:
        return UnprocessableInput("Some order lines name products that cannot be sold.", details=unsellable)
    short = [
        {"field": f"items.{index}.quantity", "sku": sku, "requested": quantity, "available": found[sku].stock_on_hand}
        for index, (sku, quantity) in enumerate(lines)
        if quantity > found[sku].stock_on_hand
    ]
    summary = "; ".join(
        f"{line['sku']}: {line['requested']} requested, {line['available']} available" for line in short
    )
    return InsufficientStock(f"Not enough stock: {summary}. Nothing was ordered.", details=short)


async def sell(
    statements: Statements, lines: Sequence[tuple[str, int]], *, order_id: str
) -> tuple[dict[str, LockedProduct], list[AppliedChange], list[KeyedEvent]]:
    """Take every line's units or none: one conditional UPDATE per SKU, in SKU order.

    Returns the products as sold (name, price, …), the changes (for `movement_rows` once
    the order row exists) and the stock events. When a line cannot be served, raises with
    every line's problem; the caller's rollback undoes the lines already taken.
    """
    now = utcnow()
    sold: dict[str, LockedProduct] = {}
    for sku, quantity in sorted(lines):
        row = await statements.first(_SELL, {"b_sku": sku, "quantity": quantity, "now": now})
        if row is None:
            raise await _why_not_sellable(statements, lines)
        sold[sku] = LockedProduct(*row)
    applied, events = [], []
    for sku, quantity in lines:
        change = StockMovement(sku=sku, change=-quantity, reason="sale", order_id=order_id)
        done = AppliedChange(change=change, before=sold[sku].stock_on_hand + quantity, after=sold[sku].stock_on_hand)
        applied.append(done)
        events.extend(stock_events(sold[sku], done))
    return sold, applied, events


def movement_rows(applied: Sequence[AppliedChange]) -> Write:
    """The ledger rows of applied changes, for the caller to insert in its transaction."""
    now = utcnow()
    rows = [
        {
            "sku": done.change.sku, "quantity_change": done.change.change, "stock_after": done.after,
            "reason": done.change.reason, "order_id": done.change.order_id, "note": done.change.note, "created_at": now,
        }
        for done in applied
    ]  # fmt: skip
    return _RECORD_MOVEMENTS, rows


async def record_stock_change(
    work: UnitOfWork, *, sku: str, kind: Literal["receipt", "adjustment"], quantity: int, note: str
) -> tuple[InventoryMovement, Product]:
    """A receipt (must add units) or an adjustment (either way, never below zero)."""
    if kind == "receipt" and quantity <= 0:
        raise UnprocessableInput(
            "A receipt adds units: quantity must be greater than 0 (use an adjustment to remove units).",
            details=[{"field": "quantity", "reason": "must be > 0 for a receipt"}],
        )
    if quantity == 0:
        raise UnprocessableInput(
            "An adjustment of 0 changes nothing.", details=[{"field": "quantity", "reason": "must not be 0"}]
        )
    async with work.begin() as transaction:
        products = await lock_products(transaction, [sku])
        if sku not in products:
            raise NotFound(f"No product with SKU {sku!r}.")
        if products[sku].stock_on_hand + quantity > MAX_STOCK_UNITS:
            raise UnprocessableInput(
                f"{sku} holds {products[sku].stock_on_hand:,} units: {quantity:,} more would pass the most a product "
                f"can hold ({MAX_STOCK_UNITS:,}).",
                details=[
                    {"field": "quantity", "reason": f"stock would pass {MAX_STOCK_UNITS}", "maximum": MAX_STOCK_UNITS}
                ],
            )
        _, events = await move_stock(
            transaction, products, [StockMovement(sku=sku, change=quantity, reason=kind, note=note)]
        )
        transaction.record_events(events)
        session = transaction.session
        newest = (
            select(InventoryMovement).where(InventoryMovement.sku == sku).order_by(InventoryMovement.id.desc()).limit(1)
        )
        movement = await session.scalar(newest)
        product = await session.get(Product, sku, populate_existing=True)
        assert movement is not None and product is not None
        return movement, product


async def list_movements(
    session: AsyncSession, *, sku: str, limit: int, offset: int
) -> tuple[list[InventoryMovement], int]:
    """The product's ledger, newest first, and how many movements it has."""
    if await session.get(Product, sku) is None:
        raise NotFound(f"No product with SKU {sku!r}.")
    total = await session.scalar(
        select(func.count()).select_from(InventoryMovement).where(InventoryMovement.sku == sku)
    )
    rows = await session.scalars(
        select(InventoryMovement)
        .where(InventoryMovement.sku == sku)
        .order_by(InventoryMovement.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)
