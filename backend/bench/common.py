"""Shared by the benchmarks: fresh databases, timing, tables."""

from __future__ import annotations

import asyncio
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import Settings
from app.core.db import create_engine
from app.db.migrations import upgrade_database
from app.services.access import create_key
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.servers import served_command

POSTGRES_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
console = Console()


@asynccontextmanager
async def fresh_database(backend: str, server_url: str = POSTGRES_SERVER) -> AsyncIterator[tuple[str, AsyncEngine]]:
    """A new, migrated, empty database (SQLite file or PostgreSQL database), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        else:
            url = await create_postgres_database(server_url)
        engine = create_engine(Settings(_env_file=None, database_url=url))
        try:
            await upgrade_database(engine)
            yield url, engine
        finally:
            await engine.dispose()
            if backend == "postgresql":
                await drop_postgres_database(server_url, url)


async def new_key(database_url: str, role: str = "viewer") -> str:
    """A fresh API key of `role` on the database: the load benchmarks send one, as production clients do."""
    engine = create_engine(Settings(_env_file=None, database_url=database_url))
    try:
        async with engine.begin() as connection:
            session = AsyncSession(bind=connection)
            _row, key = await create_key(session, role=role, name=f"bench-{role}")
            await session.flush()
    finally:
        await engine.dispose()
    return key


def _lag_buckets(metrics_text: str) -> dict[float, float]:
    return {
        float(sample.labels["le"]): sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        if sample.name == "inventory_event_loop_lag_seconds_bucket"
    }


def loop_lag_quantile(before: str, after: str, share: float = 0.99) -> tuple[float, int]:
    """The event-loop lag (ms) that `share` of the monitor's wake-ups between two /metrics scrapes stayed
    under, as the upper edge of its histogram bucket, and how many wake-ups that was."""
    start, end = _lag_buckets(before), _lag_buckets(after)
    counts = {edge: end[edge] - start.get(edge, 0.0) for edge in sorted(end)}
    total = counts[float("inf")]
    for edge, count in counts.items():
        if count >= share * total:
            return edge * 1000, int(total)
    return float("inf"), int(total)


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    return statistics.median(values)


def print_table(title: str, columns: list[str], rows: list[list[object]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="right" if column != columns[0] else "left")
    for row in rows:
        table.add_row(*(f"{value:,.3f}" if isinstance(value, float) else str(value) for value in row))
    console.print(table)


@contextmanager
def served_app(database_url: str, **environment: str) -> Iterator[str]:
    """`inventory serve` in its own process on a free port; yields the base URL."""
    with served_process(database_url, **environment) as (url, _pid):
        yield url


@contextmanager
def served_process(database_url: str, **environment: str) -> Iterator[tuple[str, int]]:
    """`inventory serve` in its own process on a free port (WORKERS=n for n workers); yields the base URL
    and the process id."""
    workers = int(environment.pop("WORKERS", "1"))
    with served_command({"DATABASE_URL": database_url, **environment}, workers=workers) as served:
        yield served


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


async def run_load(
    send: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
    *,
    url: str,
    requests: int,
    concurrency: int,
    ok: Callable[[httpx.Response], bool] = lambda response: response.is_success,
) -> LoadResult:
    """`requests` calls of `send`, `concurrency` at a time; latency of each, errors counted."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for number in counter:
            started = time.perf_counter()
            response = await send(client, number)
            latencies.append(time.perf_counter() - started)
            errors += not ok(response)

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return LoadResult(requests=requests, errors=errors, seconds=seconds, latencies=latencies)


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_load(
    url: str, *, seconds: int, connections: int, script: str | None = None, key: str | None = None
) -> dict[str, float]:
    """Load `url` with wrk (a C load generator: the client must not be the bottleneck).

    Returns requests/s, p50 and p99 in ms, and the count of non-2xx/3xx answers and socket errors.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script or "")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", handle.name, url]
    if key:
        command[1:1] = ["-H", f"Authorization: Bearer {key}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(handle.name).unlink()

    def number(pattern: str) -> float:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else 0.0

    def millis(label: str) -> float:
        match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output)
        if not match:
            return 0.0
        return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]

    return {
        "per_second": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": number(r"(\d+) requests in"),
        "p50": millis("50%"),
        "p99": millis("99%"),
        "errors": number(r"Non-2xx or 3xx responses:\s+(\d+)") + number(r"Socket errors:.*?timeout (\d+)"),
    }
