"""The process that runs training jobs in the background of a serving app."""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ProcessPoolExecutor

from app.core.config import Settings
from app.db.unit_of_work import UnitOfWork
from app.models import TrainingJob
from app.services.forecasting.training import queue_job, run_job
from app.services.forecasting.workers import process_pool

logger = logging.getLogger("app.training")


def fit_workers(settings: Settings) -> int:
    """FORECAST_WORKERS, or one per core when it is 0."""
    return settings.forecast_workers or os.cpu_count() or 1


class TrainingRunner:
    """Owns the worker processes and the running jobs; built once by the app's lifespan."""

    def __init__(self, work: UnitOfWork, *, workers: int, horizon: int) -> None:
        self._work = work
        self._workers = workers
        self._horizon = horizon
        self._pool: ProcessPoolExecutor | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = process_pool(self._workers)
        return self._pool

    def start(self, job_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run(job_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def request(self, *, categories: list[str] | None) -> TrainingJob:
        """Queue a job for the categories (all when None) and start it once the job is committed, so that
        every replica can already answer for it."""
        job = await queue_job(self._work, categories=categories)
        self.start(job.id)
        return job

    async def _run(self, job_id: str) -> None:
        try:
            await run_job(self._work, job_id, pool=self.pool(), horizon=self._horizon)
        except Exception:
            logger.warning("training job %s ended in failure", job_id)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
