"""CPU instructions the server spends per order, next to per GET /health request (valgrind's callgrind).

Wall-clock figures on a shared machine move with its load and its clock (the same order's CPU time
doubled within minutes there); an instruction count does not. This serves the app (`inventory serve`,
one worker, on a fresh PostgreSQL database) under callgrind with counting off, creates the products,
warms up, then counts only while --orders orders are placed at concurrency 16 (the outbox relay
publishing their events included) and while as many `GET /health` requests are answered. The same
code gives the same count to within a fraction of a percent, so a change to the order path shows up
here when it drowns in the noise of bench.orders_throughput. The kernel's work (sockets) is not
counted. Needs valgrind (Debian package `valgrind`).
Run: cd backend && python -m bench.orders_instructions [--orders 300] [--runs 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench.common import console, fresh_database, print_table, run_load
from bench.orders_throughput import PRODUCTS, _seed
from tests.support.environment import free_port

CONCURRENCY = 16


def _order(client: httpx.AsyncClient, number: int):
    body = {"customer_id": f"C{number % 500}", "items": [{"sku": f"BENCH-{number % PRODUCTS}", "quantity": 1}]}
    return client.post("/orders", json=body)


def _health(client: httpx.AsyncClient, _number: int):
    return client.get("/health")


def _counting(pid: int, on: bool) -> None:
    subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(pid)], check=True, capture_output=True)


def _instructions(pid: int, dump: Path) -> int:
    """Instructions counted since the last zeroing; zeroes the counter."""
    subprocess.run(["callgrind_control", "--dump", str(pid)], check=True, capture_output=True)
    dumps = sorted(dump.parent.glob(f"{dump.name}.*"), key=lambda path: path.stat().st_mtime)
    totals = re.search(r"^totals: (\d+)", dumps[-1].read_text(), re.MULTILINE)
    assert totals is not None, f"no totals line in {dumps[-1]}"
    return int(totals.group(1))


def _serve_under_callgrind(port: int, dump: Path, environment: dict[str, str]) -> subprocess.Popen:
    command = [
        "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={dump}",
        sys.executable, "-m", "app.cli", "serve", "--port", str(port),
    ]  # fmt: skip
    return subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        for _ in range(300):  # the app starts some 50 times slower under callgrind
            if process.poll() is not None:
                raise RuntimeError("the server under callgrind exited before it answered")
            try:
                if (await client.get(f"{url}/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(1)
    raise RuntimeError("the server under callgrind did not answer within 300 s")


async def _one_run(orders: int) -> dict[str, float]:
    async with fresh_database("postgresql") as (database_url, _engine):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        environment = {**os.environ, "DATABASE_URL": database_url, "AUTH_ENABLED": "false", "LOG_LEVEL": "WARNING"}
        with tempfile.TemporaryDirectory(prefix="callgrind-") as folder:
            dump = Path(folder) / "callgrind.out"
            process = _serve_under_callgrind(port, dump, environment)
            try:
                await _wait_until_up(url, process)
                await _seed(url, key="unused")  # keys are off here (AUTH_ENABLED=false)
                await run_load(_order, url=url, requests=300, concurrency=CONCURRENCY)  # warm-up
                await asyncio.sleep(2)  # the relay has published the warm-up's events
                counted = {}
                for name, send in (("order", _order), ("health", _health)):
                    _instructions(process.pid, dump)  # zero the counter
                    _counting(process.pid, True)
                    result = await run_load(send, url=url, requests=orders, concurrency=CONCURRENCY)
                    if name == "order":
                        await asyncio.sleep(2)  # their events are published, counted with them
                    _counting(process.pid, False)
                    if result.errors:
                        raise RuntimeError(f"{result.errors} of the {name} requests failed")
                    counted[name] = _instructions(process.pid, dump) / orders
                return counted
            finally:
                process.terminate()
                process.wait(timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("This benchmark needs valgrind (apt-get install valgrind).")
    results = [asyncio.run(_one_run(args.orders)) for _ in range(args.runs)]
    console.print(f"instructions per order, per run: {[round(result['order']) for result in results]}")
    order = statistics.median(result["order"] for result in results)
    health = statistics.median(result["health"] for result in results)
    print_table(
        f"Instructions per request, {args.orders} requests at concurrency {CONCURRENCY}, median of {args.runs} runs",
        ["what", "M instructions", "x health"],
        [["POST /orders (PostgreSQL)", order / 1e6, order / health], ["GET /health", health / 1e6, 1.0]],
    )


if __name__ == "__main__":
    main()
