"""The /forecast router: sales upload, forecasts per category, training jobs, reorder recommendations."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import date
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Body, File, Path, Query, Response, UploadFile

from app.routes.deps import (
    DAY_BOUNDS,
    GUARDED,
    READS,
    Admin,
    Analytics,
    AppSettings,
    Pagination,
    Services,
    Session,
    Work,
)
from app.routes.uploads import saved_upload
from app.schemas.common import ErrorBody
from app.schemas.forecast_evidence import BacktestsOut, DiagnosticsOut
from app.schemas.forecasting import (
    AllForecasts,
    ForecastOut,
    ForecastSeriesOut,
    JobAccepted,
    ModelChoice,
    RetrainRequest,
    TrainingJobOut,
)
from app.schemas.ingestion import IngestReport
from app.schemas.replenishment import CategoryRecommendations, ProductRecommendations
from app.services import replenishment
from app.services.forecasting import serving, training
from app.services.forecasting.plot import chart_data, forecast_plot
from app.services.ingestion import ingest_orders_file

router = APIRouter(prefix="/forecast", tags=["forecast"], dependencies=[READS], responses=GUARDED)


@router.post(
    "/upload-data",
    response_model=IngestReport,
    responses={413: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
async def upload_data(
    work: Work,
    settings: AppSettings,
    _caller: Admin,
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
            work,
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
    analytics: Analytics,
    settings: AppSettings,
    page: Pagination,
    level: Literal["category", "product"] = "category",
    category: Annotated[str | None, Query(max_length=120, description="Only this category (product level).")] = None,
    service_level: Annotated[float | None, Query(gt=0.5, lt=1, description="Default: SERVICE_LEVEL.")] = None,
    ordering_cost: Annotated[
        float | None, Query(ge=0, le=1e6, description="Cost per purchase order; default ORDERING_COST.")
    ] = None,
    holding_cost_rate: Annotated[
        float | None, Query(ge=1e-4, le=5, description="Yearly holding cost / unit cost; default HOLDING_COST_RATE.")
    ] = None,
    as_of: Annotated[
        date | None, Query(description="Day the plan is made for (default: the latest order date).", **DAY_BOUNDS)
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
        compute = partial(replenishment.category_recommendations, as_of=as_of, **policy)
        return await analytics.answer(compute)
    compute = partial(
        replenishment.product_recommendations, as_of=as_of, category=category, limit=page.limit,
        offset=page.offset, **policy,
    )  # fmt: skip
    return await analytics.answer(compute)


CategoryPath = Annotated[str, Path(min_length=1, max_length=120, description="A category of the sales data.")]
Model = Annotated[
    ModelChoice, Query(description="auto: the backtest's winner (default); sarima: the seed model exactly.")
]
FORECAST_ERRORS = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}}


@router.get("/forecast/{category}", response_model=ForecastOut, responses=FORECAST_ERRORS)
async def category_forecast(services: Services, category: CategoryPath, model: Model = "auto") -> Response:
    """The stored 13-week forecast of a category: 30/60/90-day totals with 95% bounds, weekly points and
    `model_info` (which model won the rolling-origin backtest and how each candidate scored). `model=sarima`
    returns the seed's SARIMA(1,1,1)(1,0,1,52) on log1p exactly. 404 lists the known categories.
    A new forecast is served by every replica within two seconds of being stored."""
    # No request session: most reads are answered from memory and never touch the database. The bytes
    # are ForecastOut's own serialisation (made once per refresh), so they are the declared model.
    body = await serving.category_forecast_json(
        services.unit_of_work.reader, services.forecast_bodies, category, model=model
    )
    return Response(content=body, media_type="application/json")


@router.get("/forecasts/all", response_model=AllForecasts)
async def all_forecasts(analytics: Analytics, model: Model = "auto") -> AllForecasts:
    """Every category's stored forecast."""
    forecasts = await analytics.answer(partial(serving.all_forecasts, model=model))
    return AllForecasts(model=model, forecasts=forecasts)


@router.get("/diagnostics/{category}", response_model=DiagnosticsOut, responses=FORECAST_ERRORS)
async def diagnostics(analytics: Analytics, category: CategoryPath) -> DiagnosticsOut:
    """Residual diagnostics of the seed SARIMA (ADF, Ljung-Box, mean, std, skewness, kurtosis) and the tests that
    show why a linear regression fails on these sales (Durbin-Watson, Breusch-Pagan, VIF)."""
    return await analytics.answer(partial(serving.category_diagnostics, category=category))


@router.get("/backtest", response_model=BacktestsOut)
async def backtest(analytics: Analytics) -> BacktestsOut:
    """Per category and model: rolling-origin sMAPE, MASE and 95% coverage, and the winner; per category's
    products, every product-level method's WAPE and the method used."""
    return BacktestsOut(categories=await analytics.answer(serving.backtests))


@router.get(
    "/forecast/{category}/plot.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **FORECAST_ERRORS},
)
async def forecast_plot_png(analytics: Analytics, category: CategoryPath) -> Response:
    """A chart of the category: weekly history, the backtest forecast of its last weeks, and the forecast with its 95% band."""
    chart = await analytics.answer(partial(forecast_plot, category=category))
    return Response(content=chart, media_type="image/png")


@router.get("/forecast/{category}/series", response_model=ForecastSeriesOut, responses=FORECAST_ERRORS)
async def forecast_series_data(analytics: Analytics, category: CategoryPath) -> ForecastSeriesOut:
    """The data of plot.png, for interactive charts: units sold per complete week, the backtest's predictions
    of the last weeks (with what actually sold and their 95% bounds) and the stored forecast's weekly points
    with 95% bounds, plus `model_info` (the winning model and its backtest sMAPE/MASE)."""
    return await analytics.answer(partial(chart_data, category=category))


@router.post("/retrain-models", response_model=JobAccepted, status_code=202, responses=FORECAST_ERRORS)
async def retrain_models(
    services: Services, _caller: Admin, body: Annotated[RetrainRequest | None, Body()] = None
) -> JobAccepted:
    """Start retraining (all categories, or those listed) in the background and return the job id at once.
    Fitting runs in worker processes; requests keep being served; each category's new forecast replaces
    the old one when ready, with a forecast.generated event. Follow progress at GET /forecast/jobs/{id}."""
    job = await services.trainer.request(categories=body.categories if body else None)
    return JobAccepted(job_id=job.id, status=job.status, status_url=f"/forecast/jobs/{job.id}")


@router.get("/jobs/{job_id}", response_model=TrainingJobOut, responses=FORECAST_ERRORS)
async def training_job(session: Session, job_id: Annotated[str, Path(min_length=1, max_length=36)]) -> TrainingJobOut:
    """A training job's status (queued, running, succeeded, failed) and progress (categories done of total)."""
    return TrainingJobOut.model_validate(await training.get_job(session, job_id))
