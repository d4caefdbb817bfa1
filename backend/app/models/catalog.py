"""Who buys, who sells and what is sold: customers, sellers, products."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, Index, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, utcnow


class Customer(Base):
    """A customer, keyed by the CustomerID of the orders data."""

    __tablename__ = "customers"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(120))
    state: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(64))
    # Date of the order the name and address were taken from: a later order wins.
    profile_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class Seller(Base):
    """A seller (marketplace vendor), keyed by SellerID."""

    __tablename__ = "sellers"

    seller_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class Product(Base):
    """A stock-keeping unit with its stock position and replenishment settings.

    `stock_on_hand` is the running balance of the stock ledger (inventory_movements),
    updated in the same transaction as every ledger row; it never goes below zero.
    """

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("stock_on_hand >= 0", name="stock_on_hand_not_negative"),
        CheckConstraint("reorder_point >= 0", name="reorder_point_not_negative"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_days_not_negative"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        Index("ix_products_category_brand", "category", "brand"),
    )

    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(120), index=True)
    brand: Mapped[str | None] = mapped_column(String(120))
    unit_price: Mapped[Money]
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    stock_on_hand: Mapped[int] = mapped_column(default=0, server_default="0")
    reorder_point: Mapped[int] = mapped_column(default=0, server_default="0")
    lead_time_days: Mapped[int] = mapped_column(default=14, server_default="14")
    # Date of the order row the name/category/brand/price were taken from (ingestion keeps
    # the latest); NULL for products created through the API.
    catalog_date: Mapped[date | None] = mapped_column(Date)
    archived_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now(), onupdate=utcnow)

    def __repr__(self) -> str:
        return f"Product(sku={self.sku!r}, stock_on_hand={self.stock_on_hand})"
