"""The /forecast router: sales data upload (and, with the forecasting issue, forecasts)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from app.routes.deps import AppSettings, Session
from app.routes.uploads import saved_upload
from app.schemas.common import ErrorBody
from app.schemas.ingestion import IngestReport
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
