"""Order creation under load: orders/s, p50 and p99 at concurrency 16, next to GET /health in the same run.

Each run serves the app in its own process (`inventory serve`) on a fresh database, creates
products with plenty of stock, warms up, then loads POST /orders (one line each, spread
over the products and customers) two ways, 16 connections each:
- closed loop (wrk, every connection always busy): how many orders/s the server finishes;
  the latency there is mostly the queue of 16 (Little's law);
- open loop at --rate orders/s (bench.paced): requests sent on a fixed schedule, latency
  counted from when each was due: the latency a till sees at that load.
Every order carries an operator key, as a till's would. GET /health under wrk is the reference
measured in the same run. With one worker it also
prints the server's CPU time per request in each phase (from /proc), which the machine's load
moves far less than it moves latency. An order costs more CPU at a paced 300/s than in the
closed loop: fewer requests share each turn of the event loop and each batch of the relay.
With --workers above 1 the events fan out through Redis on 127.0.0.1:6379, as `serve`
requires. wrk (Debian package `wrk`) is the closed-loop load generator because a Python client
tops out below what the server does; without wrk the script says so and stops. Medians over --runs.
Run: cd backend && python -m bench.orders_throughput [--seconds 10] [--runs 3] [--workers 1] [--rate 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.common import console, fresh_database, new_key, print_table, served_process, wrk_available, wrk_load
from bench.paced import http_request, paced_load

PRODUCTS = 200


def order_script(key: str) -> str:
    """wrk's Lua: one order per request, with the operator key (a header table given to wrk.format
    replaces wrk's own, so the key goes in it)."""
    return f"""
counter = 0
request = function()
  counter = counter + 1
  local line = '{{"sku":"BENCH-' .. (counter % {PRODUCTS}) .. '","quantity":1}}'
  local body = '{{"customer_id":"C' .. (counter % 500) .. '","items":[' .. line .. ']}}'
  return wrk.format("POST", "/orders", {{["Content-Type"]="application/json", ["Authorization"]="Bearer {key}"}}, body)
end
"""


async def _seed(url: str, key: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60, headers={"Authorization": f"Bearer {key}"}) as client:
        for number in range(PRODUCTS):
            body = {
                "sku": f"BENCH-{number}", "name": f"Bench product {number}", "category": "Bench",
                "unit_price": "9.99", "stock_on_hand": 10_000_000, "reorder_point": 10, "lead_time_days": 7,
            }  # fmt: skip
            (await client.post("/products", json=body)).raise_for_status()


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _with_cpu_since(pid: int, before: float, result: dict[str, float]) -> dict[str, float]:
    """A phase's figures plus the server's CPU milliseconds per request since `before` (its CPU seconds
    then): a figure the machine's other work moves far less than latency does (it still moves with the
    CPU's clock)."""
    return {**result, "cpu_ms": (_cpu_seconds(pid) - before) * 1000 / max(result["requests"], 1)}


def _with_cpu(pid: int, load: Callable[[], dict[str, float]]) -> dict[str, float]:
    """Run `load` (a wrk phase) and add the server's CPU milliseconds per request."""
    before = _cpu_seconds(pid)
    return _with_cpu_since(pid, before, load())


def _order_request(url: str, key: str):
    def request(number: int) -> bytes:
        body = f'{{"customer_id":"C{number % 500}","items":[{{"sku":"BENCH-{number % PRODUCTS}","quantity":1}}]}}'
        return http_request(url, "POST", body.encode(), key=key)

    return request


async def _one_run(backend: str, seconds: int, connections: int, workers: int, rate: float) -> dict[str, dict]:
    async with fresh_database(backend) as (database_url, _engine):
        # Several workers fan events out through Redis (serve refuses them without it).
        fanout = (
            {"REDIS_ENABLED": "true", "REDIS_CHANNEL_PREFIX": f"bench-{uuid.uuid4().hex[:8]}"} if workers > 1 else {}
        )
        key = await new_key(database_url, "operator")
        script = order_script(key)
        # Keys on (as in production), the write limit off: one key places every order.
        limits = {"AUTH_ENABLED": "true", "WRITE_RATE_LIMIT_PER_MINUTE": "0"}
        with served_process(database_url, **limits, WORKERS=str(workers), **fanout) as (url, pid):
            await _seed(url, key)
            wrk_load(f"{url}/orders", seconds=2, connections=connections, script=script)  # warm-up
            closed = _with_cpu(
                pid, lambda: wrk_load(f"{url}/orders", seconds=seconds, connections=connections, script=script)
            )
            before = _cpu_seconds(pid)
            paced = await paced_load(
                url, _order_request(f"{url}/orders", key), rate=rate, seconds=seconds, connections=connections
            )
            paced_row = _with_cpu_since(pid, before, paced.as_row())
            health = _with_cpu(pid, lambda: wrk_load(f"{url}/health", seconds=seconds, connections=connections))
            return {"closed": closed, "paced": paced_row, "health": health}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rate", type=float, default=300.0, help="orders/s offered in the open-loop phase")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    if not wrk_available():
        sys.exit("This benchmark needs wrk (apt-get install wrk): a Python load generator would measure itself.")
    rows = []
    labels = {
        "closed": "POST /orders, closed loop", "paced": f"POST /orders at {args.rate:g}/s offered",
        "health": "GET /health, closed loop",
    }  # fmt: skip
    for backend in args.backends.split(","):
        results = [
            asyncio.run(_one_run(backend, args.seconds, args.connections, args.workers, args.rate))
            for _ in range(args.runs)
        ]
        console.print(
            f"{backend}: closed-loop orders/s per run {[round(result['closed']['per_second']) for result in results]}, "
            f"open-loop p99 ms per run {[round(result['paced']['p99'], 1) for result in results]}"
        )
        if args.workers == 1:  # with more, the requests are served by child processes
            cpu = {phase: statistics.median(result[phase]["cpu_ms"] for result in results) for phase in labels}
            console.print(
                f"{backend}: server CPU per request (median): POST /orders {cpu['closed']:.3f} ms closed loop, "
                f"{cpu['paced']:.3f} ms at {args.rate:g}/s; GET /health {cpu['health']:.3f} ms; "
                f"ratios {cpu['closed'] / cpu['health']:.1f} and {cpu['paced'] / cpu['health']:.1f}"
            )
        health_rate = statistics.median(result["health"]["per_second"] for result in results)
        for phase, label in labels.items():
            runs = [result[phase] for result in results]
            rate = statistics.median(run["per_second"] for run in runs)
            rows.append(
                [
                    f"{backend} {label}", rate, statistics.median(run["p50"] for run in runs),
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
