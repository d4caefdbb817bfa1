"""Order creation under load: orders/s, p50 and p99 at concurrency 16, next to GET /health in the same run.

Each run serves the app in its own process (`inventory serve`) on a fresh database, creates
products with plenty of stock, warms up, then loads POST /orders (one line each, spread
over the products and customers) and GET /health with wrk, 16 connections each.
wrk (Debian package `wrk`) is the load generator because a Python client tops out below
what the server does; without wrk the script says so and stops. Medians over --runs.
Run: cd backend && python -m bench.orders_throughput [--seconds 10] [--runs 3] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys

import httpx

from bench.common import console, fresh_database, print_table, served_app, wrk_available, wrk_load

PRODUCTS = 200
ORDER_SCRIPT = f"""
counter = 0
request = function()
  counter = counter + 1
  local line = '{{"sku":"BENCH-' .. (counter % {PRODUCTS}) .. '","quantity":1}}'
  local body = '{{"customer_id":"C' .. (counter % 500) .. '","items":[' .. line .. ']}}'
  return wrk.format("POST", "/orders", {{["Content-Type"]="application/json"}}, body)
end
"""


async def _seed(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for number in range(PRODUCTS):
            body = {
                "sku": f"BENCH-{number}", "name": f"Bench product {number}", "category": "Bench",
                "unit_price": "9.99", "stock_on_hand": 10_000_000, "reorder_point": 10, "lead_time_days": 7,
            }  # fmt: skip
            (await client.post("/products", json=body)).raise_for_status()


async def _one_run(backend: str, seconds: int, connections: int, workers: int) -> tuple[dict, dict]:
    async with fresh_database(backend) as (database_url, _engine):
        with served_app(database_url, AUTH_ENABLED="false", WORKERS=str(workers)) as url:
            await _seed(url)
            wrk_load(f"{url}/orders", seconds=2, connections=connections, script=ORDER_SCRIPT)  # warm-up
            orders = wrk_load(f"{url}/orders", seconds=seconds, connections=connections, script=ORDER_SCRIPT)
            health = wrk_load(f"{url}/health", seconds=seconds, connections=connections)
            return orders, health


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    if not wrk_available():
        sys.exit("This benchmark needs wrk (apt-get install wrk): a Python load generator would measure itself.")
    rows = []
    for backend in args.backends.split(","):
        results = [
            asyncio.run(_one_run(backend, args.seconds, args.connections, args.workers)) for _ in range(args.runs)
        ]
        console.print(f"{backend}: orders/s per run {[round(orders['per_second']) for orders, _ in results]}")
        health_rate = statistics.median(health["per_second"] for _, health in results)
        for name, index in (("POST /orders", 0), ("GET /health", 1)):
            runs = [result[index] for result in results]
            rate = statistics.median(run["per_second"] for run in runs)
            rows.append(
                [
                    f"{backend} {name}", rate, statistics.median(run["p50"] for run in runs),
                    statistics.median(run["p99"] for run in runs), int(sum(run["errors"] for run in runs)),
                    rate / health_rate,
                ]
            )  # fmt: skip
    print_table(
        f"{args.connections} connections, {args.seconds} s each, {args.workers} worker(s), median of {args.runs} runs",
        ["what", "requests/s", "p50 ms", "p99 ms", "errors", "x health"],
        rows,
    )


if __name__ == "__main__":
    main()
