"""Responses of the /analytics, /customers and /sellers routers.

Conventions: revenue is the sum of order totals excluding Cancelled orders, with Returned
orders counted as refunds (their totals are negative); units are net of returned units;
"as_of" is the end of the period, by default the latest order date in the data.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Period(BaseModel):
    start: date
    end: date


class SalesFigures(BaseModel):
    revenue: float
    orders: int
    units: int
    average_order_value: float
    customers: int


class Change(BaseModel):
    """Relative change against the previous period (None when the previous value is 0)."""

    revenue: float | None
    orders: float | None
    units: float | None
    average_order_value: float | None
    customers: float | None


class Gap(BaseModel):
    """Consecutive days with no order at all, between the first and the last order."""

    start: date
    end: date
    days: int


class DataSpan(BaseModel):
    """What the sales data covers, so that an empty window reads as "no data", not as "sales fell to 0"."""

    first_order: date | None
    last_order: date | None
    days_with_orders: int
    gaps: list[Gap] = Field(
        description="Stretches of at least 14 days without an order, the longest first (at most 5)."
    )


class DashboardSummary(BaseModel):
    as_of: date
    period: Period
    previous_period: Period
    current: SalesFigures
    previous: SalesFigures
    change: Change
    products: int = Field(description="Products on sale (not archived).")
    low_stock_products: int = Field(description="Stock on hand above 0 and at or below the reorder point.")
    out_of_stock_products: int
    data: DataSpan


class MonthFigures(BaseModel):
    month: str = Field(description="YYYY-MM")
    revenue: float
    units: int
    orders: int


class MonthlyTrend(BaseModel):
    category: str | None
    months: list[MonthFigures]


class RankedItem(BaseModel):
    key: str
    name: str | None = None
    revenue: float
    units: int
    orders: int


class MonthComparison(BaseModel):
    month: str
    figures: SalesFigures
    previous_month: SalesFigures
    same_month_last_year: SalesFigures
    change_vs_previous_month: Change
    change_vs_last_year: Change
    top_products: list[RankedItem]
    top_categories: list[RankedItem]


class ProductPerformance(BaseModel):
    metric: str
    period: Period
    best: list[RankedItem]
    worst: list[RankedItem]


class CategoryFigures(BaseModel):
    category: str
    revenue: float
    units: int
    orders: int
    revenue_share: float
    average_order_value: float


class CategoryPerformance(BaseModel):
    period: Period
    categories: list[CategoryFigures]


class AbcClass(BaseModel):
    class_: str = Field(alias="class", serialization_alias="class")
    products: int
    product_share: float
    revenue: float
    revenue_share: float
    strategy: str
    top_products: list[RankedItem]

    model_config = {"populate_by_name": True}


class AbcAnalysis(BaseModel):
    period: Period
    cutoffs: dict[str, float]
    total_revenue: float
    classes: list[AbcClass]


class XyzClass(BaseModel):
    class_: str = Field(alias="class", serialization_alias="class")
    products: int
    product_share: float
    meaning: str

    model_config = {"populate_by_name": True}


class XyzAnalysis(BaseModel):
    weeks: int
    cutoffs: dict[str, float]
    classes: list[XyzClass]


class AbcXyzMatrix(BaseModel):
    """Product counts per ABC (rows) x XYZ (columns) cell."""

    weeks: int
    matrix: dict[str, dict[str, int]]
    products: int


class LowStockItem(BaseModel):
    sku: str
    name: str
    category: str
    stock_on_hand: int
    reorder_point: int
    daily_demand: float = Field(description="Net units per day over the demand window.")
    days_of_cover: float | None = Field(description="Stock on hand / daily demand; None when nothing sold.")


class LowStock(BaseModel):
    as_of: date
    demand_window_days: int
    total: int
    items: list[LowStockItem]


class DeadStockItem(BaseModel):
    sku: str
    name: str
    category: str
    stock_on_hand: int
    unit_cost: float | None
    capital_tied_up: float | None
    last_sale: date | None
    days_without_sale: int | None
    units_in_window: int


class DeadStock(BaseModel):
    as_of: date
    days: int
    dead_total: int
    dead_capital: float
    dead: list[DeadStockItem]
    slow_movers: list[DeadStockItem] = Field(description="Sold in the window, but at most `slow_units` units.")


class InventoryStatus(BaseModel):
    products: int
    stock_units: int
    stock_value_at_cost: float
    stock_value_at_price: float
    products_without_cost: int
    in_stock: int
    low: int
    out: int


class WeekdayFigures(BaseModel):
    weekday: str
    revenue: float
    orders: int
    units: int


class SalesByWeekday(BaseModel):
    period: Period | None
    days: list[WeekdayFigures]


class ProfitMonth(BaseModel):
    month: str
    revenue: float
    cost: float
    profit: float
    margin: float | None


class RevenueVsProfit(BaseModel):
    note: str
    months: list[ProfitMonth]


class AvailableMonths(BaseModel):
    months: list[str]


class Segment(BaseModel):
    segment: str
    rule: str
    customers: int
    customer_share: float
    revenue: float
    revenue_share: float


class CustomerSegments(BaseModel):
    as_of: date
    scoring: str
    segments: list[Segment]


class CustomerSummary(BaseModel):
    customer_id: str
    name: str | None
    city: str | None
    state: str | None
    orders: int
    revenue: float
    last_order: date | None


class CategoryShare(BaseModel):
    category: str
    orders: int
    revenue: float


class CustomerProfile(CustomerSummary):
    country: str | None
    first_order: date | None
    units: int
    favourite_categories: list[CategoryShare]


class SellerSummary(BaseModel):
    seller_id: str
    orders: int
    revenue: float
    products: int


class SellerProfile(SellerSummary):
    units: int
    first_order: date | None
    last_order: date | None
    top_products: list[RankedItem]
    categories: list[CategoryShare]
