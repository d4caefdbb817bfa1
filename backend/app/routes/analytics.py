"""The /analytics router: what sold, who buys, what to worry about in stock.

Every figure excludes Cancelled orders and counts Returned ones as refunds (negative
revenue, units given back). `as_of` ends the period and defaults to the latest order date.
Results are cached per data version, so repeated questions are answered from memory until
an order, a stock change or a load changes the data.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from app.core.errors import UnprocessableInput
from app.routes.deps import DAY_BOUNDS, GUARDED, READS, Analytics, Pagination
from app.schemas import analytics as schemas
from app.schemas.common import ErrorBody
from app.services.analytics import classes, customers, inventory, sales

router = APIRouter(prefix="/analytics", tags=["analytics"], dependencies=[READS], responses=GUARDED)
AsOf = Annotated[date | None, Query(description="End of the period (default: the latest order date).", **DAY_BOUNDS)]
FromDate = Annotated[date | None, Query(description="First day included.", **DAY_BOUNDS)]
ToDate = Annotated[date | None, Query(description="Last day included (default: the latest order date).", **DAY_BOUNDS)]
Weeks = Annotated[int, Query(ge=4, le=260, description="Weeks of demand the variability is measured over.")]
AShare = Annotated[float, Query(gt=0, lt=1, description="Share of revenue class A reaches (default 0.80).")]
BShare = Annotated[float, Query(ge=0, lt=1, description="Share of revenue class B adds (default 0.15).")]
XMax = Annotated[float, Query(gt=0, le=10, description="Highest coefficient of variation of class X.")]
YMax = Annotated[float, Query(gt=0, le=20, description="Highest coefficient of variation of class Y.")]
ERRORS = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}}


def _check_range(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise UnprocessableInput(
            "from_date is after to_date.", details=[{"field": "from_date", "reason": "after to_date"}]
        )


def _check_cutoffs(a_share: float, b_share: float) -> None:
    if a_share + b_share > 1:
        raise UnprocessableInput(
            "a_share + b_share must be at most 1.", details=[{"field": "b_share", "reason": "sum above 1"}]
        )


@router.get("/dashboard/summary", response_model=schemas.DashboardSummary, responses=ERRORS)
async def dashboard_summary(
    analytics: Analytics, as_of: AsOf = None, period_days: Annotated[int, Query(ge=1, le=3660)] = 30
) -> schemas.DashboardSummary:
    """KPI cards: revenue, orders, units, average order value and customers over the last `period_days`
    against the period before, with products on sale and low- and out-of-stock counts."""
    compute = partial(sales.dashboard_summary, as_of=as_of, period_days=period_days)
    return await analytics.answer(compute)


@router.get("/monthly-sales-trend", response_model=schemas.MonthlyTrend, responses=ERRORS)
async def monthly_sales_trend(
    analytics: Analytics, category: Annotated[str | None, Query(max_length=120)] = None, as_of: AsOf = None
) -> schemas.MonthlyTrend:
    """Revenue, units and orders per month (all history up to `as_of`), optionally for one category."""
    return await analytics.answer(partial(sales.monthly_trend, category=category, as_of=as_of))


@router.get("/monthly-report/{year}/{month}", response_model=schemas.MonthComparison, responses=ERRORS)
async def monthly_report(
    analytics: Analytics,
    year: Annotated[int, Path(ge=1970, le=2200)],
    month: Annotated[int, Path(ge=1, le=12, description="1 to 12.")],
) -> schemas.MonthComparison:
    """One month against the previous month and the same month a year before, with its top products and
    categories. 404 when the month has no orders."""
    return await analytics.answer(partial(sales.monthly_report, year=year, month=month))


@router.get("/product-performance", response_model=schemas.ProductPerformance, responses=ERRORS)
async def product_performance(
    analytics: Analytics,
    metric: Literal["revenue", "units"] = "revenue",
    n: Annotated[int, Query(ge=1, le=100, description="How many best and worst products.")] = 10,
    from_date: FromDate = None,
    to_date: ToDate = None,
    category: Annotated[str | None, Query(max_length=120)] = None,
    brand: Annotated[str | None, Query(max_length=120)] = None,
) -> schemas.ProductPerformance:
    """The best and worst `n` products by revenue or units (default: the year to the latest order)."""
    _check_range(from_date, to_date)
    compute = partial(
        sales.product_performance,
        metric=metric,
        n=n,
        start=from_date,
        end=to_date,
        category=category,
        brand=brand,
    )
    return await analytics.answer(compute)


@router.get("/category-performance", response_model=schemas.CategoryPerformance, responses=ERRORS)
async def category_performance(
    analytics: Analytics, from_date: FromDate = None, to_date: ToDate = None
) -> schemas.CategoryPerformance:
    """Revenue, units, orders, revenue share and average order value per category (default: the last year)."""
    _check_range(from_date, to_date)
    compute = partial(sales.category_performance, start=from_date, end=to_date)
    return await analytics.answer(compute)


@router.get("/abc-analysis", response_model=schemas.AbcAnalysis, responses=ERRORS)
async def abc_analysis(
    analytics: Analytics,
    a_share: AShare = 0.80,
    b_share: BShare = 0.15,
    from_date: FromDate = None,
    to_date: ToDate = None,
) -> schemas.AbcAnalysis:
    """Pareto classes by revenue: A is the smallest set of products reaching `a_share` of revenue, B the next
    `b_share`, C the rest; per class the products, their shares and the stock strategy."""
    _check_range(from_date, to_date)
    _check_cutoffs(a_share, b_share)
    compute = partial(classes.abc_analysis, a_share=a_share, b_share=b_share, start=from_date, end=to_date)
    return await analytics.answer(compute)


@router.get("/xyz-analysis", response_model=schemas.XyzAnalysis, responses=ERRORS)
async def xyz_analysis(
    analytics: Analytics, weeks: Weeks = 52, x_max: XMax = 0.5, y_max: YMax = 1.0, as_of: AsOf = None
) -> schemas.XyzAnalysis:
    """Demand variability classes by the coefficient of variation of weekly demand: X steady, Y fluctuating, Z erratic."""
    if x_max >= y_max:
        raise UnprocessableInput(
            "x_max must be below y_max.", details=[{"field": "x_max", "reason": "not below y_max"}]
        )
    compute = partial(classes.xyz_analysis, weeks=weeks, x_max=x_max, y_max=y_max, end=as_of)
    return await analytics.answer(compute)


@router.get("/abc-xyz-matrix", response_model=schemas.AbcXyzMatrix, responses=ERRORS)
async def abc_xyz_matrix(
    analytics: Analytics, weeks: Weeks = 52, a_share: AShare = 0.80, b_share: BShare = 0.15, x_max: XMax = 0.5,
    y_max: YMax = 1.0, as_of: AsOf = None,
) -> schemas.AbcXyzMatrix:  # fmt: skip
    """Products per ABC x XYZ cell over the last `weeks`: AX needs the least care per unit of revenue, CZ the most."""
    _check_cutoffs(a_share, b_share)
    if x_max >= y_max:
        raise UnprocessableInput(
            "x_max must be below y_max.", details=[{"field": "x_max", "reason": "not below y_max"}]
        )
    compute = partial(
        classes.abc_xyz_matrix,
        weeks=weeks,
        a_share=a_share,
        b_share=b_share,
        x_max=x_max,
        y_max=y_max,
        end=as_of,
    )
    return await analytics.answer(compute)


@router.get("/inventory/low-stock", response_model=schemas.LowStock, responses=ERRORS)
async def low_stock(
    analytics: Analytics,
    page: Pagination,
    as_of: AsOf = None,
    window_days: Annotated[int, Query(ge=1, le=365, description="Days of sales the demand rate is taken over.")] = 30,
    category: Annotated[str | None, Query(max_length=120)] = None,
) -> schemas.LowStock:
    """Products at or below their reorder point, fewest days of cover (stock / recent daily demand) first."""
    compute = partial(
        inventory.low_stock,
        as_of=as_of,
        window_days=window_days,
        category=category,
        limit=page.limit,
        offset=page.offset,
    )
    return await analytics.answer(compute)


@router.get("/inventory/dead-stock", response_model=schemas.DeadStock, responses=ERRORS)
async def dead_stock(
    analytics: Analytics,
    as_of: AsOf = None,
    days: Annotated[int, Query(ge=1, le=3650, description="Days without a sale that make stock dead.")] = 90,
    slow_units: Annotated[
        int, Query(ge=1, le=10_000, description="At most this many units in `days`: a slow mover.")
    ] = 2,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> schemas.DeadStock:
    """Stock on hand with no sale for `days` (largest capital tied up at unit cost first), and slow movers."""
    compute = partial(inventory.dead_stock, as_of=as_of, days=days, slow_units=slow_units, limit=limit)
    return await analytics.answer(compute)


@router.get("/inventory/status", response_model=schemas.InventoryStatus)
async def inventory_status(analytics: Analytics) -> schemas.InventoryStatus:
    """Stock value at cost and at price, and how many products are in stock, low or out."""
    return await analytics.answer(inventory.inventory_status)


@router.get("/customers/segments", response_model=schemas.CustomerSegments, responses=ERRORS)
async def customer_segments(analytics: Analytics, as_of: AsOf = None) -> schemas.CustomerSegments:
    """RFM segments with the rule behind each one, their customers and revenue."""
    return await analytics.answer(partial(customers.customer_segments, as_of=as_of))


@router.get("/sales-by-day-of-week", response_model=schemas.SalesByWeekday, responses=ERRORS)
async def sales_by_day_of_week(
    analytics: Analytics, from_date: FromDate = None, to_date: ToDate = None
) -> schemas.SalesByWeekday:
    """Revenue, orders and units per day of the week, Sunday first."""
    _check_range(from_date, to_date)
    return await analytics.answer(partial(sales.sales_by_weekday, start=from_date, end=to_date))


@router.get("/revenue-vs-profit-trend", response_model=schemas.RevenueVsProfit, responses=ERRORS)
async def revenue_vs_profit_trend(analytics: Analytics, as_of: AsOf = None) -> schemas.RevenueVsProfit:
    """Revenue, cost (net units x unit cost) and gross profit per month."""
    return await analytics.answer(partial(sales.revenue_vs_profit, as_of=as_of))


@router.get("/available-months", response_model=schemas.AvailableMonths)
async def available_months(analytics: Analytics) -> schemas.AvailableMonths:
    """Months (YYYY-MM) with orders, for month pickers and /analytics/monthly-report."""
    return await analytics.answer(sales.available_months)
