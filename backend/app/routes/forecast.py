"""The /forecast router: sales data upload (and, with the forecasting issue, forecasts)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import date
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile

from app.routes.deps import AppSettings, Pagination, Session
from app.routes.uploads import saved_upload
from app.schemas.common import ErrorBody
from app.schemas.ingestion import IngestReport
from app.schemas.replenishment import CategoryRecommendations, ProductRecommendations
from app.services import replenishment
from app.services.analytics.cache import cached
from app.services.ingestion import ingest_orders_file

router = APIRouter(prefix="/forecast", tags=["forecast"])


@router.post(
    "/upload-data",
    response_model=IngestReport,
    responses={413: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
async def upload_data(
    session: Session,
    settings: AppSettings,
    file: Annotated[UploadFile, File(description="Orders CSV in the data contract's columns.")],
    stock_file: Annotated[
        UploadFile | None,
        File(description="Optional stock CSV: ProductID, StockOnHand, ReorderPoint, LeadTimeDays, UnitCost."),
    ] = None,
) -> IngestReport:
    """Load an orders CSV (and optionally a stock CSV) into the database.

    Good rows are written; each rejected row is listed with its line, column and reason.
    Loading the same file again changes nothing (orders are keyed by OrderID). A file that
    cannot be used as a whole (empty, binary, not UTF-8, missing columns, no usable row)
    gets a 422 naming the problem, and nothing of it is written.
    """
    limit = settings.max_upload_mb << 20
    async with AsyncExitStack() as stack:
        orders_path = await stack.enter_async_context(saved_upload(file, max_bytes=limit))
        stock_path = await stack.enter_async_context(saved_upload(stock_file, max_bytes=limit)) if stock_file else None
        return await ingest_orders_file(
            session,
            orders_path,
            stock_path=stock_path,
            file_name=file.filename or "upload.csv",
            default_lead_time_days=settings.default_lead_time_days,
            chunk_rows=settings.ingest_chunk_rows,
            max_rows=settings.max_upload_rows,
            today=date.today(),
        )


@router.get(
    "/inventory-recommendations",
    response_model=CategoryRecommendations | ProductRecommendations,
    responses={404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
async def inventory_recommendations(
    session: Session,
    settings: AppSettings,
    page: Pagination,
    level: Literal["category", "product"] = "category",
    category: Annotated[str | None, Query(max_length=120, description="Only this category (product level).")] = None,
    service_level: Annotated[float | None, Query(gt=0.5, lt=1, description="Default: SERVICE_LEVEL.")] = None,
    ordering_cost: Annotated[
        float | None, Query(ge=0, le=1e6, description="Cost per purchase order; default ORDERING_COST.")
    ] = None,
    holding_cost_rate: Annotated[
        float | None, Query(gt=0, le=5, description="Yearly holding cost / unit cost; default HOLDING_COST_RATE.")
    ] = None,
    as_of: Annotated[
        date | None, Query(description="Day the plan is made for (default: the latest order date).")
    ] = None,
) -> CategoryRecommendations | ProductRecommendations:
    """What to reorder and why. Per category (the seed's view) or per product (`level=product`, paginated,
    most urgent first): lead-time demand, safety stock = z(service level) x sigma x sqrt(lead time), reorder
    point, EOQ = sqrt(2DS/H), suggested order quantity, the date to order by and the stockout risk. Demand
    comes from the stored forecast when there is one and otherwise from the last 13 weeks of sales; each
    recommendation says which, and spells out its arithmetic in `explanation`."""
    policy = {
        "service_level": service_level or settings.service_level,
        "ordering_cost": settings.ordering_cost if ordering_cost is None else ordering_cost,
        "holding_cost_rate": holding_cost_rate or settings.holding_cost_rate,
    }
    if level == "category":
        compute = partial(replenishment.category_recommendations, session, as_of=as_of, **policy)
        return await cached(session, ("reco-category", as_of, *policy.values()), compute)
    compute = partial(
        replenishment.product_recommendations, session, as_of=as_of, category=category, limit=page.limit,
        offset=page.offset, **policy,
    )  # fmt: skip
    return await cached(session, ("reco-product", as_of, category, page.limit, page.offset, *policy.values()), compute)
