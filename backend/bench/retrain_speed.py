"""Retraining the 10 categories of the generated data set, next to one plain statsmodels fit measured in the same run.

A fresh SQLite database gets the generated 100k orders and a first training (cold: no stored
parameters); then the retrain (warm-started from the stored parameters, one worker process
per core, BLAS single-threaded) is timed --runs times. The whole job is timed — the seed
SARIMA, the automatic selection with its backtests, the diagnostics and the storage —
and, separately, the seed SARIMA alone across the 10 categories in the same pool.
Run: cd backend && python -m bench.retrain_speed [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from app.db.unit_of_work import UnitOfWork
from app.generator.demo_data import generate_demo_data, write_csv
from app.ml.forecasters.sarima import SeedSarima
from app.services.forecasting import training
from app.services.forecasting.series import category_weekly_series
from app.services.forecasting.workers import process_pool
from app.services.ingestion import ingest_orders_file
from bench.common import fresh_database, print_table


def plain_statsmodels_fit(y: np.ndarray) -> float:
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        SARIMAX(np.log1p(y), order=(1, 1, 1), seasonal_order=(1, 0, 1, 52)).fit(disp=False)
    return time.perf_counter() - started


def warm_seed_fit(arguments: tuple[np.ndarray, dict]) -> float:
    y, params = arguments
    started = time.perf_counter()
    SeedSarima(warm_start=params).fit(y)
    return time.perf_counter() - started


async def measure(runs: int) -> list[list[object]]:
    with tempfile.TemporaryDirectory(prefix="bench-retrain-") as folder:
        orders, stock = Path(folder) / "orders.csv", Path(folder) / "stock.csv"
        write_csv(generate_demo_data(n_orders=100_000), orders, stock)
        async with fresh_database("sqlite") as (_url, engine):
            work = UnitOfWork(engine)
            await ingest_orders_file(work, orders, stock_path=stock)
            with process_pool(2) as pool:
                timings = []
                for _ in range(runs + 1):  # the first run is the cold one
                    job_id = (await training.queue_job(work, categories=None)).id
                    started = time.perf_counter()
                    await training.run_job(work, job_id, pool=pool, horizon=13)
                    timings.append(time.perf_counter() - started)
                async with work.reader() as session:
                    series = await category_weekly_series(session)
                    stored = await training._stored_params(session, list(series))
                seed_walls = []
                for _ in range(runs):
                    started = time.perf_counter()
                    list(pool.map(warm_seed_fit, [(s.to_numpy(float), stored[name]) for name, s in series.items()]))
                    seed_walls.append(time.perf_counter() - started)
            plain = plain_statsmodels_fit(next(iter(series.values())).to_numpy(float))
    return [
        ["first training (cold), whole job", timings[0], timings[0] / plain],
        [
            f"retrain, whole job (median of {runs})",
            statistics.median(timings[1:]),
            statistics.median(timings[1:]) / plain,
        ],
        [
            f"retrain, seed SARIMA only, 10 categories (median of {runs})",
            statistics.median(seed_walls),
            statistics.median(seed_walls) / plain,
        ],
        ["one plain statsmodels SARIMAX fit (reference)", plain, 1.0],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print_table(
        "Retraining the 10 categories (100k generated orders), 2 worker processes",
        ["what", "seconds", "x one plain fit"],
        asyncio.run(measure(args.runs)),
    )


if __name__ == "__main__":
    main()
