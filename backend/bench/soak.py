"""A mixed soak against one app process on PostgreSQL: forecast and analytics reads, order creation and
200 WebSocket clients connected throughout, next to GET /health measured in the same run.

The data go in through the real paths: `inventory generate` writes a small data set, the
upload route ingests it, the retrain route fits every category's forecast, `inventory keys
create` makes the keys. Soak products with plenty of stock take the orders, so no order is
refused for lack of stock. After a warm-up, the resident memory of the app process is read
at the start and every few seconds; at the end the stock on hand of every product must
equal the sum of its ledger. Reads send a viewer key and orders an operator key, as production
clients do. The event-loop lag comes from the app's own monitor (/metrics): its p99 over the soak
against its p99 while /health alone was loaded. Prints requests/s, errors, p50/p99 per kind and in
total, RSS at start and end, and the checks; exits 1 when a check fails.
Run: cd backend && python -m bench.soak [--seconds 60] [--sockets 200] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import websockets
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import console, fresh_database, loop_lag_quantile, print_table, served_process

SOAK_PRODUCTS = 50
# Memory may grow by this much between the end of the warm-up and the end of the soak (caches filling,
# allocator slack); steady growth past it over a minute is a leak.
RSS_BOUND_MB = 64.0
READS = [
    "/analytics/dashboard/summary",
    "/analytics/category-performance",
    "/analytics/inventory/low-stock?limit=20",
    "/analytics/abc-analysis",
    "/analytics/monthly-sales-trend",
    "/forecast/inventory-recommendations",
]


def inventory(*args: str, database_url: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "app.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True, timeout=600).stdout


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: list[str] = field(default_factory=list)
    orders_placed: int = 0

    def record(self, kind: str, started: float, ok: bool, problem: str = "") -> None:
        self.latencies[kind].append(time.perf_counter() - started)
        if not ok:
            self.errors[kind] += 1
            if len(self.examples) < 5:
                self.examples.append(f"{kind}: {problem}")


async def seed(url: str, database_url: str, folder: Path) -> tuple[str, list[str]]:
    """Data through the real paths; returns the operator key and the forecast categories."""

    def new_key(role: str) -> str:
        created = inventory("keys", "create", "--role", role, "--name", "soak", "--json", database_url=database_url)
        return json.loads(created)["key"]

    admin, operator, viewer = new_key("admin"), new_key("operator"), new_key("viewer")
    orders, stock = folder / "orders.csv", folder / "stock.csv"
    generate = ["generate", "--orders", "20000", "--seed", "11", "--out", str(orders), "--stock-out", str(stock)]
    inventory(*generate, database_url=database_url)
    headers = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=600) as client:
        files = {"file": ("orders.csv", orders.read_bytes()), "stock_file": ("stock.csv", stock.read_bytes())}
        (await client.post("/forecast/upload-data", files=files)).raise_for_status()
        job = (await client.post("/forecast/retrain-models")).json()
        with console.status("Training the forecasts"):
            # Polling over HTTP: the job runs in another process, there is no event to wait on.
            while (status := (await client.get(job["status_url"])).json())["status"] in ("queued", "running"):  # noqa: ASYNC110
                await asyncio.sleep(1)
        if status["status"] != "succeeded":
            raise RuntimeError(f"training failed: {status}")
        for number in range(SOAK_PRODUCTS):
            body = {"sku": f"SOAK-{number}", "name": f"Soak product {number}", "category": "Soak", "unit_price": "4.99",
                    "stock_on_hand": 10_000_000, "reorder_point": 5, "lead_time_days": 7}  # fmt: skip
            (await client.post("/products", json=body)).raise_for_status()
        categories = [row["category"] for row in (await client.get("/forecast/forecasts/all")).json()["forecasts"]]
    return operator, viewer, categories


async def reader(client: httpx.AsyncClient, tally: Tally, until: float, categories: list[str], key: str) -> None:
    headers = {"Authorization": f"Bearer {key}"}  # a viewer key, as production dashboards send
    while time.perf_counter() < until:
        forecast = random.random() < 0.5
        path = f"/forecast/forecast/{random.choice(categories)}" if forecast else random.choice(READS)
        kind = "GET forecast" if forecast else "GET analytics"
        started = time.perf_counter()
        try:
            response = await client.get(path, headers=headers)
            tally.record(kind, started, response.status_code == 200, f"{response.status_code} {path}")
        except httpx.HTTPError as error:
            tally.record(kind, started, False, repr(error))


async def orderer(client: httpx.AsyncClient, tally: Tally, until: float, key: str, counter) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    while time.perf_counter() < until:
        number = next(counter)
        lines = [{"sku": f"SOAK-{(number + step) % SOAK_PRODUCTS}", "quantity": 1 + step} for step in range(2)]
        body = {"customer_id": f"SOAK-C{number % 300}", "items": lines}
        started = time.perf_counter()
        try:
            response = await client.post("/orders", json=body, headers=headers)
            problem = f"{response.status_code} {response.text[:120]}"
            tally.record("POST /orders", started, response.status_code == 201, problem)
            tally.orders_placed += response.status_code == 201
        except httpx.HTTPError as error:
            tally.record("POST /orders", started, False, repr(error))


async def health(client: httpx.AsyncClient, tally: Tally, until: float) -> None:
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            tally.record("GET /health", started, (await client.get("/health")).status_code == 200)
        except httpx.HTTPError as error:
            tally.record("GET /health", started, False, repr(error))


@dataclass
class Sockets:
    connected: int = 0
    events: int = 0
    dropped: int = 0
    problems: list[str] = field(default_factory=list)


async def socket_client(url: str, key: str, sockets: Sockets, stop: asyncio.Event) -> None:
    address = url.replace("http://", "ws://") + f"/stream/ws?channels=orders,alerts&token={key}"
    try:
        async with websockets.connect(address, open_timeout=60, max_queue=None) as socket:
            sockets.connected += 1
            while not stop.is_set():
                try:
                    message = json.loads(await asyncio.wait_for(socket.recv(), 1.0))
                except TimeoutError:
                    continue
                if message.get("type") == "error":
                    raise RuntimeError(message)
                sockets.events += "event_id" in message
    except Exception as error:  # any socket lost before the end is an error of the soak
        sockets.dropped += 1
        if len(sockets.problems) < 3:
            sockets.problems.append(repr(error)[:200])


async def phase(url: str, seconds: float, workers, concurrency: int) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(work(client, until) for work in workers))
        return time.perf_counter() - started


async def ledger_mismatches(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return (
            await connection.execute(
                text(
                    "SELECT COUNT(*) FROM products p WHERE p.stock_on_hand <> "
                    "COALESCE((SELECT SUM(m.quantity_change) FROM inventory_movements m WHERE m.sku = p.sku), 0)"
                )
            )
        ).scalar_one()


async def soak(seconds: int, socket_count: int, concurrency: int) -> int:
    async with fresh_database("postgresql") as (database_url, engine):
        # No write limit: one operator key places every order (the limit is tested, not soaked).
        app = served_process(database_url, WRITE_RATE_LIMIT_PER_MINUTE="0")
        with app as (url, pid), tempfile.TemporaryDirectory() as folder:
            key, viewer, categories = await seed(url, database_url, Path(folder))
            readers = max(1, concurrency * 3 // 4)
            counter = itertools.count()

            def mix(tally: Tally) -> list:
                return [
                    *(lambda c, u: reader(c, tally, u, categories, viewer) for _ in range(readers)),
                    *(lambda c, u: orderer(c, tally, u, key, counter) for _ in range(concurrency - readers)),
                ]

            reference = Tally()
            idle_metrics = await scrape(url, viewer)
            health_seconds = await phase(url, 10, [lambda c, u: health(c, reference, u)] * concurrency, concurrency)
            after_health = await scrape(url, viewer)
            sockets, stop = Sockets(), asyncio.Event()
            clients = [asyncio.create_task(socket_client(url, key, sockets, stop)) for _ in range(socket_count)]
            while sockets.connected + sockets.dropped < socket_count:  # noqa: ASYNC110 - counters, not an event
                await asyncio.sleep(0.1)
            warm_up = Tally()
            await phase(url, 10, mix(warm_up), concurrency)  # warm-up: caches, pools, forecast memory
            rss_start, samples = rss_mb(pid), []
            tally = Tally()

            async def sample_memory() -> None:
                while not stop.is_set():
                    samples.append(rss_mb(pid))
                    await asyncio.sleep(5)

            sampler = asyncio.create_task(sample_memory())
            before_soak = await scrape(url, viewer)
            soak_seconds = await phase(url, seconds, mix(tally), concurrency)
            after_soak = await scrape(url, viewer)
            rss_end = rss_mb(pid)
            await asyncio.sleep(2)  # the last events reach the sockets
            stop.set()
            await asyncio.gather(*clients, sampler)
            mismatches = await ledger_mismatches(engine)
            placed = await _scalar(engine, "SELECT COUNT(*) FROM orders WHERE customer_id LIKE 'SOAK-C%'")
    return report(
        tally, reference, soak_seconds, health_seconds, sockets, socket_count, rss_start, rss_end, samples,
        mismatches, placed - warm_up.orders_placed, loop_lag_quantile(before_soak, after_soak),
        loop_lag_quantile(idle_metrics, after_health),
    )  # fmt: skip


async def _scalar(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(text(sql))).scalar_one()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


async def scrape(url: str, key: str) -> str:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        response = await client.get("/metrics", headers={"Authorization": f"Bearer {key}"})
        response.raise_for_status()
        return response.text


def report(tally, reference, seconds, health_seconds, sockets, socket_count, rss_start, rss_end, samples,
           mismatches, placed, soak_lag, before_soak_lag) -> int:  # fmt: skip
    health_rate = len(reference.latencies["GET /health"]) / health_seconds
    everything = [value for values in tally.latencies.values() for value in values]
    rows = [
        [kind, len(values) / seconds, tally.errors[kind], _percentile(values, 0.5), _percentile(values, 0.99),
         len(values) / seconds / health_rate]
        for kind, values in sorted(tally.latencies.items())
    ]  # fmt: skip
    rate = len(everything) / seconds
    rows.append(["all soak requests", rate, sum(tally.errors.values()), _percentile(everything, 0.5),
                 _percentile(everything, 0.99), rate / health_rate])  # fmt: skip
    health = reference.latencies["GET /health"]
    rows.append(["GET /health (reference, alone)", health_rate, sum(reference.errors.values()),
                 _percentile(health, 0.5), _percentile(health, 0.99), 1.0])  # fmt: skip
    print_table(
        f"Soak: {seconds:.0f} s, one app process on PostgreSQL, {socket_count} WebSocket clients",
        ["what", "requests/s", "errors", "p50 ms", "p99 ms", "x health"],
        rows,
    )
    growth = rss_end - rss_start
    checks = [
        ["HTTP errors", sum(tally.errors.values()), "0", sum(tally.errors.values()) == 0],
        ["sockets connected / dropped", f"{sockets.connected} / {sockets.dropped}", f"{socket_count} / 0",
         sockets.connected == socket_count and sockets.dropped == 0],
        ["events received by the sockets", sockets.events, "> 0", sockets.events > 0],
        ["RSS after warm-up -> end (MB)", f"{rss_start:.1f} -> {rss_end:.1f} ({growth:+.1f})",
         f"growth <= {RSS_BOUND_MB:.0f}", growth <= RSS_BOUND_MB],
        ["RSS samples (MB)", " ".join(f"{value:.0f}" for value in samples), "", True],
        ["orders answered 201 / new in the database", f"{tally.orders_placed} / {placed}", "equal",
         tally.orders_placed == placed],
        ["products whose stock differs from the ledger", mismatches, "0", mismatches == 0],
        ["event-loop lag p99 during the soak (ms, bucket edge; wake-ups)", f"<= {soak_lag[0]:g} ({soak_lag[1]:,})",
         "<= 5", soak_lag[0] <= 5],
        ["event-loop lag p99 under /health alone (reference, ms)", f"<= {before_soak_lag[0]:g} "
         f"({before_soak_lag[1]:,})", "reference", True],
    ]  # fmt: skip
    verdicts = [[*row[:3], "yes" if row[3] else "NO"] for row in checks]
    print_table("Checks", ["check", "measured", "bound", "ok"], verdicts)
    for problem in [*tally.examples, *sockets.problems]:
        console.print(f"[red]{problem}[/red]")
    return 0 if all(row[3] for row in checks) else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8, help="HTTP requests in flight (3/4 reads, 1/4 orders).")
    args = parser.parse_args()
    sys.exit(asyncio.run(soak(args.seconds, args.sockets, args.concurrency)))


if __name__ == "__main__":
    main()
