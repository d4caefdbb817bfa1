"""The stock ledger: every change of stock on hand is a movement, written with its events.

`stock_on_hand` on a product is the running sum of its movements, updated in the same
statement batch as the movement row; the CHECK constraint (>= 0) is the last line of
defence, the conditional UPDATE the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from app.core.errors import InsufficientStock, NotFound, UnprocessableInput
from app.models import InventoryMovement, Product
from app.models.base import utcnow
from app.schemas.events import EventEnvelope, StockAlertData, StockUpdatedData
from app.services.events import envelope, record_events

StockState = Literal["in_stock", "low", "out"]


def stock_state(stock_on_hand: int, reorder_point: int) -> StockState:
    """out at 0, low at or below the reorder point, in stock above it."""
    if stock_on_hand <= 0:
        return "out"
    return "low" if stock_on_hand <= reorder_point else "in_stock"


@dataclass(frozen=True)
class StockChange:
    """One product's stock moving by `change` (negative takes units out)."""

    sku: str
    change: int
    reason: str
    order_id: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class AppliedChange:
    change: StockChange
    before: int
    after: int
    movement_id: int


def stock_events(product: Product, applied: AppliedChange) -> list[tuple[EventEnvelope, str | None]]:
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


async def lock_products(session: AsyncSession, skus: Sequence[str]) -> dict[str, Product]:
    """The products, locked for this transaction in SKU order (a fixed order cannot deadlock)."""
    statement = select(Product).where(Product.sku.in_(sorted(set(skus)))).order_by(Product.sku).with_for_update()
    return {product.sku: product for product in (await session.scalars(statement))}


async def apply_stock_changes(
    session: AsyncSession, products: dict[str, Product], changes: Sequence[StockChange]
) -> list[AppliedChange]:
    """Move stock for locked products: conditional UPDATE, ledger row and events, all in the caller's transaction.

    Raises InsufficientStock (nothing written by the caller's rollback) when a change
    would take a product below zero.
    """
    applied: list[AppliedChange] = []
    events: list[tuple[EventEnvelope, str | None]] = []
    for change in sorted(changes, key=lambda item: item.sku):
        product = products[change.sku]
        # The WHERE makes the decrement atomic even without the row lock (SQLite).
        result = await session.execute(
            update(Product)
            .where(Product.sku == change.sku, Product.stock_on_hand + change.change >= 0)
            .values(stock_on_hand=Product.stock_on_hand + change.change, updated_at=utcnow())
            .returning(Product.stock_on_hand)
            .execution_options(synchronize_session=False)
        )
        after = result.scalar_one_or_none()
        if after is None:
            available = await session.scalar(select(Product.stock_on_hand).where(Product.sku == change.sku))
            raise InsufficientStock(
                f"Not enough stock of {change.sku}: {-change.change} requested, {available} available.",
                details=[{"field": "quantity", "sku": change.sku, "requested": -change.change, "available": available}],
            )
        movement_id = await session.scalar(
            InventoryMovement.__table__.insert()
            .values(
                sku=change.sku, quantity_change=change.change, stock_after=after, reason=change.reason,
                order_id=change.order_id, note=change.note,
            )
            .returning(InventoryMovement.id)
        )  # fmt: skip
        done = AppliedChange(change=change, before=after - change.change, after=after, movement_id=movement_id)
        # The row already holds the new value: record it without making the object dirty.
        set_committed_value(product, "stock_on_hand", after)
        applied.append(done)
        events.extend(stock_events(product, done))
    await record_events(session, events)
    return applied


async def record_stock_change(
    session: AsyncSession, *, sku: str, kind: Literal["receipt", "adjustment"], quantity: int, note: str
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
    products = await lock_products(session, [sku])
    product = products.get(sku)
    if product is None:
        raise NotFound(f"No product with SKU {sku!r}.")
    [applied] = await apply_stock_changes(
        session, products, [StockChange(sku=sku, change=quantity, reason=kind, note=note)]
    )
    movement = await session.get(InventoryMovement, applied.movement_id)
    assert movement is not None
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
