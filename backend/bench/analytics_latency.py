"""Analytics latency on the generated 100,000-order data set, with a viewer key: warm p50/p99 and cold, next to GET /health.

Per backend: a fresh database loaded with the generated data (100k orders and stock), the
app served in its own process, then for every analytics endpoint 100 sequential requests
after a warm-up (p50, p99), and the cold latency: the first request after a write (a stock
receipt, which invalidates the cache), median of 5. GET /health is measured the same way.
Run: cd backend && python -m bench.analytics_latency [--orders 100000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from app.db.unit_of_work import UnitOfWork
from app.generator.demo_data import generate_demo_data, write_csv
from app.services.ingestion import ingest_orders_file
from bench.common import console, fresh_database, new_key, print_table, served_app

ENDPOINTS = [
    "/health",
    "/analytics/dashboard/summary",
    "/analytics/monthly-sales-trend",
    "/analytics/monthly-report/2024/11",
    "/analytics/product-performance",
    "/analytics/category-performance",
    "/analytics/abc-analysis",
    "/analytics/xyz-analysis",
    "/analytics/abc-xyz-matrix",
    "/analytics/inventory/low-stock",
    "/analytics/inventory/dead-stock",
    "/analytics/inventory/status",
    "/analytics/customers/segments",
    "/analytics/sales-by-day-of-week",
    "/analytics/revenue-vs-profit-trend",
    "/analytics/available-months",
    "/forecast/inventory-recommendations",
    "/forecast/inventory-recommendations?level=product",
]


async def _timed(client: httpx.AsyncClient, path: str) -> float:
    started = time.perf_counter()
    response = await client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


async def _measure(url: str, requests: int, keys: dict[str, str]) -> list[list[object]]:
    rows = []
    # Reads with a viewer key, as production dashboards send; the stock receipts with an operator key.
    operator = {"Authorization": f"Bearer {keys['operator']}"}
    async with httpx.AsyncClient(
        base_url=url, timeout=120, headers={"Authorization": f"Bearer {keys['viewer']}"}
    ) as client:
        sku = (await client.get("/products", params={"limit": 1})).json()["items"][0]["sku"]
        for path in ENDPOINTS:
            colds = []
            for _ in range(5):
                # A write moves the data version: the next read recomputes.
                receipt = {"kind": "receipt", "quantity": 1, "note": "bench"}
                (await client.post(f"/products/{sku}/stock", json=receipt, headers=operator)).raise_for_status()
                colds.append(await _timed(client, path))
            for _ in range(10):
                await _timed(client, path)
            warm = sorted([await _timed(client, path) for _ in range(requests)])
            rows.append(
                [path, warm[len(warm) // 2], warm[min(len(warm) - 1, int(len(warm) * 0.99))], statistics.median(colds)]
            )
    return rows


async def _run(backend: str, orders: Path, stock: Path, requests: int) -> list[list[object]]:
    async with fresh_database(backend) as (url, engine):
        await ingest_orders_file(UnitOfWork(engine), orders, stock_path=stock)
        keys = {"viewer": await new_key(url, "viewer"), "operator": await new_key(url, "operator")}
        with served_app(url, AUTH_ENABLED="true") as base:
            return await _measure(base, requests, keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-analytics-") as folder:
        orders, stock = Path(folder) / "orders.csv", Path(folder) / "stock.csv"
        console.print(f"Generating {args.orders:,} orders …")
        write_csv(generate_demo_data(n_orders=args.orders), orders, stock)
        for backend in args.backends.split(","):
            rows = asyncio.run(_run(backend, orders, stock, args.requests))
            print_table(
                f"{backend}: {args.requests} warm requests per endpoint (p50, p99) and cold (first after a write, median of 5), ms",
                ["endpoint", "warm p50", "warm p99", "cold"],
                rows,
            )


if __name__ == "__main__":
    main()
