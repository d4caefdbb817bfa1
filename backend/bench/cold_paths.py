"""Cold paths: every GET endpoint's first answer on a fresh server, and how long /health waited meanwhile.

Per backend and data size: the generated data set (`inventory generate --orders N`, loaded with
`inventory ingest`, forecasts trained with `inventory train`) is prepared once and kept under
--data-dir. Then, for every GET endpoint, a fresh `inventory serve` process; its first request for
the endpoint (with a viewer key; /keys with an admin key) is timed while /health is polled every
10 ms, and the longest of those /health waits is reported next to /health alone (the same poll on the
idle server: the reference, measured in the same run). Then the endpoint's warm p50 over 20 requests.
Each figure is the median over --runs fresh servers.

/stream/events is left out: it is a stream that never ends, measured by bench.stream_latency.

Run: cd backend && python -m bench.cold_paths [--orders 100000] [--backends sqlite,postgresql] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from bench.common import POSTGRES_SERVER, console, new_key, print_table, served_app
from tests.support.databases import asyncpg_dsn

POLL_SECONDS = 0.01
WARM_REQUESTS = 20


def endpoints(sku: str, customer: str, seller: str, order: str) -> list[str]:
    """A concrete request for every GET route of the API (see the OpenAPI document)."""
    paths = [
        "/ready",
        "/forecast/inventory-recommendations",
        "/forecast/inventory-recommendations?level=product&limit=50",
        "/forecast/forecast/Electronics",
        "/forecast/forecasts/all",
        "/forecast/diagnostics/Electronics",
        "/forecast/backtest",
        "/forecast/forecast/Electronics/plot.png",
        "/forecast/forecast/Electronics/series",
        "/orders",
        f"/orders/{order}",
        "/products",
        f"/products/{sku}",
        f"/products/{sku}/movements",
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
        "/customers",
        f"/customers/{customer}",
        "/sellers",
        f"/sellers/{seller}",
        "/stream/status",
        "/keys",
    ]
    return paths


def _inventory(database_url: str, *arguments: str) -> None:
    environment = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "app.cli", *arguments], env=environment, check=True)


async def _postgres_database(name: str) -> tuple[str, bool]:
    """The URL of database `name` on the local server, and whether it already existed."""
    admin = await asyncpg.connect(asyncpg_dsn(POSTGRES_SERVER))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False), bool(exists)


def prepared_database(backend: str, orders: int, data_dir: Path) -> str:
    """A database holding the generated data set of `orders` orders with trained forecasts (made once)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    marker = data_dir / f"{backend}-{orders}.ready"
    if backend == "sqlite":
        url, existed = f"sqlite+aiosqlite:///{data_dir / f'cold-{orders}.db'}", marker.exists()
    else:
        url, existed = asyncio.run(_postgres_database(f"inventory_cold_{orders}"))
        existed = existed and marker.exists()
    if existed:
        return url
    orders_csv, stock_csv = data_dir / f"orders-{orders}.csv", data_dir / f"stock-{orders}.csv"
    if not orders_csv.exists():
        _inventory(url, "generate", "--orders", str(orders), "--out", str(orders_csv), "--stock-out", str(stock_csv))
    _inventory(url, "db", "upgrade")
    _inventory(url, "ingest", str(orders_csv), "--stock", str(stock_csv))
    _inventory(url, "train")
    marker.touch()
    return url


async def _health_waits(client: httpx.AsyncClient, stop: asyncio.Event) -> list[float]:
    waits = []
    while not stop.is_set():
        started = time.perf_counter()
        await client.get("/health")
        waits.append(time.perf_counter() - started)
        await asyncio.sleep(POLL_SECONDS)
    return waits


async def _cold_and_warm(url: str, path: str, key: str) -> tuple[float, float, float]:
    """(cold ms, longest /health wait meanwhile ms, warm p50 ms) of `path` on a server that has not served it."""
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        httpx.AsyncClient(base_url=url, timeout=300) as client,
        httpx.AsyncClient(base_url=url, timeout=300) as poller,
    ):
        stop = asyncio.Event()
        polling = asyncio.create_task(_health_waits(poller, stop))
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        response = await client.get(path, headers=headers)
        cold = time.perf_counter() - started
        stop.set()
        waits = await polling
        response.raise_for_status()
        warm = []
        for _ in range(WARM_REQUESTS):
            started = time.perf_counter()
            (await client.get(path, headers=headers)).raise_for_status()
            warm.append(time.perf_counter() - started)
    return cold * 1000, max(waits) * 1000, statistics.median(warm) * 1000


async def _idle_health(url: str) -> float:
    """The longest /health wait on an idle server over one second of polling (the reference)."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as poller:
        stop = asyncio.Event()
        polling = asyncio.create_task(_health_waits(poller, stop))
        await asyncio.sleep(1.0)
        stop.set()
        return max(await polling) * 1000


async def _references(url: str, key: str) -> tuple[str, str, str, str]:
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:

        async def first(path: str, field: str) -> str:
            return str((await client.get(path, params={"limit": 1})).json()["items"][0][field])

        return (
            await first("/products", "sku"),
            await first("/customers", "customer_id"),
            await first("/sellers", "seller_id"),
            await first("/orders", "order_id"),
        )


def measure(backend: str, orders: int, runs: int, data_dir: Path, only: str) -> list[list[object]]:
    database_url = prepared_database(backend, orders, data_dir)
    keys = {role: asyncio.run(new_key(database_url, role)) for role in ("viewer", "admin")}
    with served_app(database_url) as url:
        references = asyncio.run(_references(url, keys["viewer"]))
    figures: dict[str, list[tuple[float, float, float, float]]] = {}
    for _ in range(runs):
        for path in [path for path in endpoints(*references) if only in path]:
            key = keys["admin"] if path.startswith("/keys") else keys["viewer"]
            with served_app(database_url) as url:
                idle = asyncio.run(_idle_health(url))
                cold, wait, warm = asyncio.run(_cold_and_warm(url, path, key))
            figures.setdefault(path, []).append((cold, warm, wait, idle))
            console.print(f"{backend} {orders:,} {path}: cold {cold:.0f} ms, /health waited {wait:.0f} ms")
    rows = []
    for path, runs_of_path in figures.items():
        cold, warm, wait, idle = (statistics.median(column) for column in zip(*runs_of_path, strict=True))
        rows.append([path, cold, warm, wait, idle, wait / idle if idle else float("nan")])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "inventory-bench")
    parser.add_argument("--only", default="", help="Only endpoints whose path contains this text.")
    arguments = parser.parse_args()
    for backend in [name.strip() for name in arguments.backends.split(",") if name.strip()]:
        rows = measure(backend, arguments.orders, arguments.runs, arguments.data_dir, arguments.only)
        print_table(
            f"Cold GETs, {backend}, {arguments.orders:,} orders, viewer key, median of {arguments.runs} fresh servers (ms)",
            ["endpoint", "cold", "warm p50", "longest /health wait", "/health alone (max)", "wait / alone"],
            rows,
        )
        worst = max(rows, key=lambda row: row[3])
        slowest = max(rows, key=lambda row: row[1])
        console.print(
            f"Longest /health wait: {worst[3]:.0f} ms ({worst[0]}; target <= 50). "
            f"Slowest cold answer: {slowest[1]:.0f} ms ({slowest[0]}; target <= {1000 if backend == 'sqlite' else 500})."
        )


if __name__ == "__main__":
    main()
