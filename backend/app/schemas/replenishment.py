"""Reorder recommendations, with the arithmetic behind each number."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

DemandSource = Literal["forecast", "history"]


class Policy(BaseModel):
    service_level: float
    z: float
    ordering_cost: float
    holding_cost_rate: float


class ProductRecommendation(BaseModel):
    sku: str
    name: str
    category: str
    stock_on_hand: int
    lead_time_days: int
    unit_cost: float | None
    demand_source: DemandSource
    demand_source_detail: str
    daily_demand: float
    daily_sigma: float
    lead_time_demand: float
    safety_stock: float
    reorder_point: float
    eoq: float | None
    should_reorder: bool
    suggested_order_quantity: int
    order_by: date | None = Field(
        description="The day stock is expected to reach the reorder point (today when already there); null when "
        "nothing sells or no order is due within ten years."
    )
    stockout_risk: float = Field(description="Probability that demand over the next lead time exceeds stock on hand.")
    explanation: str


class CategoryRecommendation(BaseModel):
    category: str
    products: int
    stock_on_hand: int
    demand_source: DemandSource
    demand_source_detail: str
    forecast_90_days: float
    daily_demand: float
    daily_sigma: float
    average_lead_time_days: float
    safety_stock: float
    reorder_point: float
    stockout_risk: float
    should_reorder: bool
    explanation: str


class ProductRecommendations(BaseModel):
    level: Literal["product"] = "product"
    as_of: date
    policy: Policy
    total: int
    items: list[ProductRecommendation]


class CategoryRecommendations(BaseModel):
    level: Literal["category"] = "category"
    as_of: date
    policy: Policy
    items: list[CategoryRecommendation]
