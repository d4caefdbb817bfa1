"""The stock ledger: every change to a product's stock, with its reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, utcnow

MOVEMENT_REASONS = (
    "stock_count",  # a counted quantity (stock file, opening balance): sets stock to the count
    "receipt",  # goods received from a supplier
    "adjustment",  # manual correction: damage, loss, found stock
    "sale",  # an order took the units
    "cancellation",  # a cancelled order put them back
    "return",  # a returned order put them back
)


class InventoryMovement(Base):
    """One signed change of stock on hand. The sum per product is its stock on hand."""

    __tablename__ = "inventory_movements"
    __table_args__ = (
        CheckConstraint(
            "reason IN ('stock_count', 'receipt', 'adjustment', 'sale', 'cancellation', 'return')",
            name="reason_known",
        ),
        CheckConstraint("stock_after >= 0", name="stock_after_not_negative"),
        Index("ix_inventory_movements_sku_id", "sku", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    quantity_change: Mapped[int]
    # Balance right after this movement, so the ledger reads like a bank statement.
    stock_after: Mapped[int]
    reason: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.order_id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
