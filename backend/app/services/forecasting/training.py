"""Training jobs: fit every category in worker processes, store the results and a forecast.generated event each.

The job row carries status and progress, so every replica can answer GET /forecast/jobs/{id}.
Fits run in a process pool: the event loop keeps serving while categories are fitted in
parallel, and each category's forecast (with its event) is stored in a short transaction
as soon as it is ready.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Executor

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import metrics
from app.core.errors import NotFound, UnprocessableInput
from app.db.bulk import dialect_insert
from app.db.statements import SessionTransaction
from app.db.unit_of_work import UnitOfWork
from app.ml.evidence import ProductBacktest
from app.ml.forecast import SeriesForecast
from app.ml.pipeline import forecast_category
from app.ml.product_demand import ProductForecasts
from app.models import ForecastModel, TrainingJob
from app.models.base import utcnow
from app.schemas.events import envelope
from app.services.forecasting.products import fit_products, product_weekly_history, store_product_forecasts
from app.services.forecasting.series import category_weekly_series, known_categories
from app.services.forecasting.stored import category_row

logger = logging.getLogger("app.training")
Progress = Callable[[int, int, str], None]


async def create_job(session: AsyncSession, *, categories: list[str] | None) -> TrainingJob:
    """A queued training job for the given categories (all when None); 422 for a category without sales."""
    known = await known_categories(session)
    if not known:
        raise UnprocessableInput(
            "There is no sales history to train on: load orders first (POST /forecast/upload-data)."
        )
    unknown = sorted(set(categories or []) - set(known))
    if unknown:
        raise UnprocessableInput(
            f"No sales in {', '.join(unknown)}. Known categories: {', '.join(known)}.",
            details=[{"field": "categories", "reason": f"unknown category {name!r}"} for name in unknown],
        )
    chosen = categories or known
    job = TrainingJob(
        id=str(uuid.uuid4()), status="queued", total=len(chosen), done=0, requested={"categories": chosen}
    )
    session.add(job)
    await session.flush()
    return job


async def queue_job(work: UnitOfWork, *, categories: list[str] | None) -> TrainingJob:
    """create_job, committed: from then on every replica can answer for the job."""
    async with work.begin() as transaction:
        return await create_job(transaction.session, categories=categories)


async def get_job(session: AsyncSession, job_id: str) -> TrainingJob:
    job = await session.get(TrainingJob, job_id)
    if job is None:
        raise NotFound(f"No training job {job_id!r}.", details=[{"field": "job_id", "reason": "unknown"}])
    return job


async def _stored_params(session: AsyncSession, categories: list[str]) -> dict[str, dict]:
    rows = await session.execute(
        select(ForecastModel.series_key, ForecastModel.params).where(
            ForecastModel.level == "category", ForecastModel.series_key.in_(categories)
        )
    )
    return {key: (params or {}).get("sarima") for key, params in rows}


async def _store(
    transaction: SessionTransaction,
    job_id: str,
    category: str,
    result: SeriesForecast,
    products: ProductForecasts,
) -> None:
    product_backtest = ProductBacktest(
        method=products.method, candidates=products.backtest, products=len(products.forecasts),
        metric="WAPE of each product's horizon total, last horizon weeks held out",
    )  # fmt: skip
    row = {**category_row(result, products=product_backtest, job_id=job_id), "trained_at": utcnow()}
    session = transaction.session
    statement = dialect_insert(session, ForecastModel.__table__).values(**row)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["level", "series_key"],
            set_={k: v for k, v in row.items() if k not in ("level", "series_key")},
        )
    )
    data = {
        "category": category, "model": result.auto.model, "total_90_day": round(result.auto.horizon(90).total, 2),
        "train_end": result.train_end.isoformat(), "job_id": job_id,
    }  # fmt: skip
    transaction.record_events([(envelope("forecast.generated", data), category)])


async def _set_job(work: UnitOfWork, job_id: str, **values: object) -> None:
    async with work.begin() as transaction:
        await transaction.session.execute(update(TrainingJob).where(TrainingJob.id == job_id).values(**values))


async def run_job(
    work: UnitOfWork,
    job_id: str,
    *,
    pool: Executor,
    horizon: int,
    progress: Progress | None = None,
) -> None:
    """Fit every requested category in `pool`, store each result as it arrives, and mark the job done or failed."""
    async with work.reader() as session:
        job = await get_job(session, job_id)
        categories: list[str] = job.requested["categories"]
        series = await category_weekly_series(session, categories)
        warm = await _stored_params(session, categories)
    await _set_job(work, job_id, status="running", started_at=utcnow())
    loop = asyncio.get_running_loop()
    started = loop.time()
    pending: dict[asyncio.Future[tuple[str, SeriesForecast]], str] = {}
    try:
        pending = {
            loop.run_in_executor(pool, _fit, category, series[category], horizon, warm.get(category)): category
            for category in categories
            if category in series
        }
        done = 0
        for finished in asyncio.as_completed(pending):
            category, result = await finished
            products = await _forecast_products(work, pool, category, series[category], result, horizon)
            async with work.begin() as transaction:
                await _store(transaction, job_id, category, result, products)
                await store_product_forecasts(
                    transaction.session, category=category, result=products,
                    weeks=pd.DatetimeIndex(series[category].index), job_id=job_id,
                )  # fmt: skip
                done += 1
                await transaction.session.execute(update(TrainingJob).where(TrainingJob.id == job_id).values(done=done))
            if progress:
                progress(done, len(pending), category)
        await _set_job(work, job_id, status="succeeded", finished_at=utcnow())
        metrics.TRAINING_JOBS.labels("succeeded").inc()
        metrics.TRAINING_SECONDS.observe(loop.time() - started)
        metrics.TRAINING_LAST_SUCCESS.set_to_current_time()
    except BaseException as exc:
        for future in pending:
            future.cancel()
        await asyncio.gather(*pending, return_exceptions=True)  # collect what the failure left behind
        logger.exception("training job %s failed", job_id)
        metrics.TRAINING_JOBS.labels("failed").inc()
        metrics.TRAINING_SECONDS.observe(loop.time() - started)
        await _set_job(work, job_id, status="failed", finished_at=utcnow(), error=f"{type(exc).__name__}: {exc}")
        raise


async def _forecast_products(
    work: UnitOfWork,
    pool: Executor,
    category: str,
    weekly: pd.Series,
    result: SeriesForecast,
    horizon: int,
) -> ProductForecasts:
    """The category's products, forecast in the pool by the method that backtests best against the category's."""
    async with work.reader() as session:
        history = await product_weekly_history(session, category, pd.DatetimeIndex(weekly.index))
    _category, products = await asyncio.get_running_loop().run_in_executor(
        pool, fit_products, category, history, result.backtest.holdout, result.auto, horizon
    )
    return products


def _fit(category: str, weekly: pd.Series, horizon: int, warm_start: dict | None) -> tuple[str, SeriesForecast]:
    # Runs in a worker process: everything in and out is picklable (the forecast is a frozen pydantic model).
    return category, forecast_category(category, weekly, horizon=horizon, warm_start=warm_start)
