"""Orders as the /orders router takes and gives them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.schemas.common import RequestBody
from app.schemas.money import Amount, MoneyOut

OrderStatus = Literal["Processing", "Shipped", "Delivered", "Cancelled", "Returned"]
OrderSort = Literal["order_date", "-order_date", "total_amount", "-total_amount", "created_at", "-created_at"]


class OrderItemIn(RequestBody):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=100_000)


class OrderCreate(RequestBody):
    """A new order. Unit prices come from the products, tax from SALES_TAX_RATE."""

    customer_id: str = Field(min_length=1, max_length=64)
    items: list[OrderItemIn] = Field(min_length=1, max_length=200)
    payment_method: str | None = Field(None, max_length=32)
    discount: Amount = Decimal("0")
    shipping_cost: Amount = Decimal("0")
    seller_id: str | None = Field(None, min_length=1, max_length=64)
    customer_name: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=120)
    state: str | None = Field(None, max_length=64)
    country: str | None = Field(None, max_length=64)

    @field_validator("items")
    @classmethod
    def _one_line_per_sku(cls, items: list[OrderItemIn]) -> list[OrderItemIn]:
        seen: set[str] = set()
        for item in items:
            if item.sku in seen:
                raise ValueError(f"sku {item.sku!r} appears on two lines; put its whole quantity on one")
            seen.add(item.sku)
        return items


class OrderLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line_number: int
    sku: str
    product_name: str
    category: str
    quantity: int
    unit_price: MoneyOut
    line_total: MoneyOut


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    order_id: str
    order_date: date
    status: OrderStatus
    customer_id: str
    seller_id: str | None
    payment_method: str | None
    discount: MoneyOut
    tax: MoneyOut
    shipping_cost: MoneyOut
    total_amount: MoneyOut
    source: str
    items: list[OrderLineOut]
    created_at: datetime
    updated_at: datetime


class OrderSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    order_id: str
    order_date: date
    status: OrderStatus
    customer_id: str
    total_amount: MoneyOut
    source: str


class StatusChange(RequestBody):
    status: OrderStatus
