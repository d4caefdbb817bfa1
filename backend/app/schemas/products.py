"""Products and their stock, as the /products router takes and gives them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.limits import MAX_STOCK_UNITS
from app.schemas.common import RequestBody
from app.schemas.money import Amount, MoneyOut

# No "/": a SKU is a path segment of /products/{sku} (an encoded %2F is decoded before routing).
Sku = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
StockState = Literal["in_stock", "low", "out"]
ProductSort = Literal[
    "sku", "-sku", "name", "-name", "stock_on_hand", "-stock_on_hand", "unit_price", "-unit_price",
    "updated_at", "-updated_at",
]  # fmt: skip


class ProductCreate(RequestBody):
    """A new product; its opening stock is written to the stock ledger as a count."""

    sku: str = Sku
    name: str = Field(min_length=1, max_length=300)
    category: str = Field(min_length=1, max_length=120)
    brand: str | None = Field(None, max_length=120)
    unit_price: Amount
    unit_cost: Amount | None = None
    stock_on_hand: int = Field(0, ge=0, le=MAX_STOCK_UNITS)
    reorder_point: int = Field(0, ge=0, le=MAX_STOCK_UNITS)
    lead_time_days: int = Field(14, ge=0, le=3650)


class ProductUpdate(RequestBody):
    """Fields to change; stock changes go through POST /products/{sku}/stock instead."""

    name: str | None = Field(None, min_length=1, max_length=300)
    category: str | None = Field(None, min_length=1, max_length=120)
    brand: str | None = Field(None, max_length=120)
    unit_price: Amount | None = None
    unit_cost: Amount | None = None
    reorder_point: int | None = Field(None, ge=0, le=MAX_STOCK_UNITS)
    lead_time_days: int | None = Field(None, ge=0, le=3650)

    @field_validator("name", "category", "unit_price", "reorder_point", "lead_time_days")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only on fields that were sent: leaving one out keeps it, sending null cannot clear it.
        if value is None:
            raise ValueError("may be left out to keep it, but not set to null")
        return value


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sku: str
    name: str
    category: str
    brand: str | None
    unit_price: MoneyOut
    unit_cost: MoneyOut | None
    stock_on_hand: int
    reorder_point: int
    lead_time_days: int
    stock_state: StockState
    archived: bool
    created_at: datetime
    updated_at: datetime


class ProductRemoved(BaseModel):
    """What DELETE did: a product with orders is archived (kept for history), otherwise erased."""

    sku: str
    outcome: Literal["archived", "erased"]


class StockChange(RequestBody):
    """A receipt from a supplier (positive) or an adjustment (either sign), with its reason."""

    kind: Literal["receipt", "adjustment"]
    quantity: int = Field(ge=-MAX_STOCK_UNITS, le=MAX_STOCK_UNITS)
    note: str = Field(min_length=1, max_length=500, description="Why: supplier delivery, damage, recount, …")


class MovementOut(BaseModel):
    """One row of the stock ledger."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    sku: str
    quantity_change: int
    stock_after: int
    reason: str
    order_id: str | None
    note: str | None
    created_at: datetime


class StockChangeOut(BaseModel):
    movement: MovementOut
    product: ProductOut
