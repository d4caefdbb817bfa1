"""Orders and their lines, as the data contract describes them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Money, utcnow

ORDER_STATUSES = ("Processing", "Shipped", "Delivered", "Cancelled", "Returned")


class Order(Base):
    """An order: who, when, how it was paid, its status and its amounts.

    `total_amount` follows the data contract: quantity x unit price - discount + tax +
    shipping for live orders, 0 for Cancelled ones (as recorded) and the negative of the
    formula for Returned ones (a refund).
    """

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('Processing', 'Shipped', 'Delivered', 'Cancelled', 'Returned')",
            name="status_known",
        ),
        Index("ix_orders_order_date_status", "order_date", "status"),
    )

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_date: Mapped[date] = mapped_column(Date)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    seller_id: Mapped[str | None] = mapped_column(ForeignKey("sellers.seller_id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    payment_method: Mapped[str | None] = mapped_column(String(32))
    discount: Mapped[Money]
    tax: Mapped[Money]
    shipping_cost: Mapped[Money]
    total_amount: Mapped[Money]
    city: Mapped[str | None] = mapped_column(String(120))
    state: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(64))
    # "import" for rows from a CSV load, "api" for orders placed through POST /orders.
    source: Mapped[str] = mapped_column(String(16), default="api", server_default="api")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now(), onupdate=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.line_number", lazy="raise"
    )


class OrderLine(Base):
    """One product line of an order, with the product's name and category at the time of sale.

    The line repeats its order's date and status: nearly every sales question (by product,
    by category, by month) filters on them, and reading them here spares a join with
    orders on every such query. The order service changes both statuses in one transaction.
    """

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint(
            "status IN ('Processing', 'Shipped', 'Delivered', 'Cancelled', 'Returned')", name="status_known"
        ),
        Index("ix_order_lines_sku_order_date", "sku", "order_date"),
        Index("ix_order_lines_order_date_category", "order_date", "category"),
    )

    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id", ondelete="CASCADE"), primary_key=True)
    line_number: Mapped[int] = mapped_column(primary_key=True)
    order_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    product_name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(120))
    brand: Mapped[str | None] = mapped_column(String(120))
    quantity: Mapped[int]
    unit_price: Mapped[Money]
    # The line's share of the order's total_amount (signed like it): revenue by product or
    # category sums this, so discounts, tax and refunds land where they belong.
    line_total: Mapped[Money]

    order: Mapped[Order] = relationship(back_populates="lines", lazy="raise")
