"""Ingestion speed: the generated 100,000-order CSV into an empty database, SQLite and PostgreSQL.

Prints seconds (median of --runs), rows/s, and the ratio to `pandas.read_csv` of the same
file measured in the same run — the floor no ingestion can beat, since it must at least read
the file. Run: python -m bench.ingest_speed [--orders 100000] [--runs 3] [--file orders.csv]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import pandas as pd

from app.db.unit_of_work import UnitOfWork
from app.generator.demo_data import generate_demo_data, write_csv
from app.services.ingestion import ingest_orders_file
from bench.common import console, fresh_database, median, print_table, timed


async def _ingest_once(backend: str, orders: Path) -> tuple[float, int]:
    async with fresh_database(backend) as (_url, engine):
        started = time.perf_counter()
        report = await ingest_orders_file(UnitOfWork(engine), orders)
        return time.perf_counter() - started, report.rows_inserted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--file", type=Path, help="Use this orders CSV instead of generating one.")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        orders = args.file
        if orders is None:
            orders = Path(folder) / "orders.csv"
            console.print(f"Generating {args.orders:,} orders (seed {args.seed}) …")
            write_csv(generate_demo_data(n_orders=args.orders, seed=args.seed), orders)
        floor = median([timed(lambda: pd.read_csv(orders)) for _ in range(args.runs)])
        rows = [["pandas.read_csv (floor)", floor, f"{args.orders / floor:,.0f}", 1.0]]
        for backend in args.backends.split(","):
            seconds, inserted = [], 0
            for _ in range(args.runs):
                elapsed, inserted = asyncio.run(_ingest_once(backend, orders))
                seconds.append(elapsed)
            typical = median(seconds)
            rows.append([f"ingest on {backend}", typical, f"{inserted / typical:,.0f}", typical / floor])
            console.print(f"{backend}: runs {', '.join(f'{value:.2f}' for value in seconds)} s")
    print_table(
        f"Ingesting {orders.name}: median of {args.runs} runs",
        ["what", "seconds", "rows/s", "x read_csv"],
        rows,
    )


if __name__ == "__main__":
    main()
