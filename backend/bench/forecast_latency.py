"""GET /forecast/forecast/{category} under load, with a viewer key and without: p50/p99 and throughput at
16 connections, next to GET /health.

The app serves a trained database (generated 20k orders, 3 categories trained) in its own process,
keys on and reads open; wrk loads each URL for --seconds, the forecast with a viewer key (as production
clients send one) and anonymously. Needs wrk (apt-get install wrk).
Run: cd backend && python -m bench.forecast_latency [--seconds 10] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

from app.db.unit_of_work import UnitOfWork
from app.generator.demo_data import generate_demo_data, write_csv
from app.services.forecasting import training
from app.services.forecasting.workers import process_pool
from app.services.ingestion import ingest_orders_file
from bench.common import fresh_database, new_key, print_table, served_app, wrk_available, wrk_load


async def prepare(url_folder: Path, engine) -> None:
    orders = url_folder / "orders.csv"
    write_csv(generate_demo_data(n_orders=20_000), orders)
    work = UnitOfWork(engine)
    await ingest_orders_file(work, orders)
    job = await training.queue_job(work, categories=["Electronics", "Toys & Games", "Books & Media"])
    with process_pool(2) as pool:
        await training.run_job(work, job.id, pool=pool, horizon=13)


async def run(seconds: int, runs: int, backend: str) -> list[list[object]]:
    with tempfile.TemporaryDirectory(prefix="bench-forecast-") as folder:
        async with fresh_database(backend) as (url, engine):
            await prepare(Path(folder), engine)
            key = await new_key(url, "viewer")
            with served_app(url, AUTH_ENABLED="true") as base:
                forecast = f"{base}/forecast/forecast/Electronics"
                results: dict[str, list[dict[str, float]]] = {"viewer key": [], "anonymous": [], "health": []}
                wrk_load(forecast, seconds=2, connections=16, key=key)
                for _ in range(runs):
                    results["viewer key"].append(wrk_load(forecast, seconds=seconds, connections=16, key=key))
                    results["anonymous"].append(wrk_load(forecast, seconds=seconds, connections=16))
                    results["health"].append(wrk_load(f"{base}/health", seconds=seconds, connections=16))
    rates = {name: statistics.median(r["per_second"] for r in rows) for name, rows in results.items()}
    return [
        [f"{backend} GET /health" if name == "health" else f"{backend} GET /forecast/forecast/Electronics, {name}",
         rates[name], statistics.median(r["p50"] for r in rows), statistics.median(r["p99"] for r in rows),
         int(sum(r["errors"] for r in rows)), rates[name] / rates["health"], rates[name] / rates["anonymous"]]
        for name, rows in results.items()
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    if not wrk_available():
        sys.exit("This benchmark needs wrk (apt-get install wrk).")
    rows = [row for backend in args.backends.split(",") for row in asyncio.run(run(args.seconds, args.runs, backend))]
    print_table(
        f"16 connections, {args.seconds} s, median of {args.runs}",
        ["what", "requests/s", "p50 ms", "p99 ms", "errors", "x health", "x anonymous"],
        rows,
    )


if __name__ == "__main__":
    main()
