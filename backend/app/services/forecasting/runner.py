"""The process that runs training jobs in the background of a serving app."""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.services.forecasting.training import run_job
from app.services.forecasting.workers import process_pool

logger = logging.getLogger("app.training")


def fit_workers(settings: Settings) -> int:
    """FORECAST_WORKERS, or one per core when it is 0."""
    return settings.forecast_workers or os.cpu_count() or 1


class TrainingRunner:
    """Owns the worker processes and the running jobs; built once by the app's lifespan."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, workers: int, horizon: int) -> None:
        self._sessions = sessions
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

    def start_after_commit(self, session: AsyncSession, job_id: str) -> None:
        """Start the job once the transaction that created it has committed (so every reader can see it)."""
        loop = asyncio.get_running_loop()
        event.listen(
            session.sync_session, "after_commit", lambda _session: loop.call_soon(self.start, job_id), once=True
        )

    async def _run(self, job_id: str) -> None:
        try:
            await run_job(self._sessions, job_id, pool=self.pool(), horizon=self._horizon)
        except Exception:
            logger.warning("training job %s ended in failure", job_id)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
