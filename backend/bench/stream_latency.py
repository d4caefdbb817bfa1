"""Live-event latency: 1,000 WebSocket clients on one app process, from `POST /orders` returning to every
client having its order.created event; p50 and p99, events lost, next to `GET /health` in the same run.

Two modes: embedded (SQLite, in-process bus, the laptop default) and Kafka+Redis (PostgreSQL,
librdkafka's mock Kafka cluster, Redis on 127.0.0.1). The app runs as `inventory serve` in its
own process; the clients are spread over several client processes (one Python process cannot
read 1,000 sockets fast enough to measure the server rather than itself), and each stamps the
arrival with the machine's monotonic clock, which all processes share.

The clients are real WebSocket clients over TCP that parse every event's JSON: by default the
lean bench.ws_client (about 20 µs of client CPU an event, against about 36 µs with the
`websockets` package, `--client websockets`). The client processes share the machine's cores with
the server, so what they spend is what the server does not get: the table shows it per event,
with the load average, since other work on the machine moves these figures more than anything.

For each order: latency = (last client's arrival) - (moment POST /orders returned). Orders are
placed one at a time, 200 ms apart, so each measures one event's fan-out. Lost = deliveries
expected (orders x clients) - deliveries seen. Medians of --runs runs.
Run: cd backend && python -m bench.stream_latency [--clients 1000] [--orders 100] [--runs 3] [--client lean]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import statistics
import time
import uuid

import httpx
import websockets

from bench import ws_client
from bench.common import console, fresh_database, print_table, served_app
from tests.support.brokers import MockKafka

CLIENT_PROCESSES = 4


def _listen_lean(url: str, clients: int, expected: int, ready: multiprocessing.Event, out) -> None:
    """`clients` sockets on channel orders; report ({order_id: [arrival, ...]}, CPU seconds) once all arrived
    or it went quiet. The CPU seconds are this process's while it waited for events."""
    sockets = [ws_client.EventSocket(f"{url}/stream/ws?channels=orders") for _ in range(clients)]
    welcomed = 0

    def welcome(_payload: bytes, _arrived_at: float) -> None:
        nonlocal welcomed
        welcomed += 1

    ws_client.read_until(sockets, welcome, lambda: welcomed == clients, time.monotonic() + 60)
    ready.set()
    arrivals: dict[str, list[float]] = {}
    seen = 0

    def record(payload: bytes, arrived_at: float) -> None:
        nonlocal seen
        seen += _record(arrivals, payload, arrived_at)

    cpu_started = time.process_time()
    # Whatever has not arrived within 30 s of the last order is counted as lost.
    ws_client.read_until(sockets, record, lambda: seen == expected * clients, time.monotonic() + 30 + expected * 0.2)
    cpu_seconds = time.process_time() - cpu_started
    for socket in sockets:
        socket.close()
    out.send((arrivals, cpu_seconds))


async def _listen_websockets(url: str, clients: int, expected: int, ready: multiprocessing.Event, out) -> None:
    """The same with the `websockets` package's clients."""
    arrivals: dict[str, list[float]] = {}
    connected = await _connect_websockets(f"{url}/stream/ws?channels=orders", clients)
    ready.set()
    cpu_started = time.process_time()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(30 + expected * 0.2):
            await connected.receive(expected, arrivals)
    cpu_seconds = time.process_time() - cpu_started
    await connected.close()
    out.send((arrivals, cpu_seconds))


def _record(arrivals: dict[str, list[float]], message: str | bytes, arrived_at: float) -> bool:
    event = json.loads(message)
    if event.get("event_type") != "order.created":
        return False
    arrivals.setdefault(event["data"]["order_id"], []).append(arrived_at)
    return True


class _WebsocketsClients:
    """The `websockets` package's clients: a reader task per socket awaiting `recv()`."""

    def __init__(self, sockets: list[websockets.ClientConnection]) -> None:
        self.sockets = sockets

    async def receive(self, expected: int, arrivals: dict[str, list[float]]) -> None:
        async def read(socket: websockets.ClientConnection) -> None:
            seen = 0
            while seen < expected:
                message = await socket.recv()
                seen += _record(arrivals, message, time.monotonic())

        readers = [asyncio.create_task(read(socket)) for socket in self.sockets]
        try:
            await asyncio.gather(*readers)
        finally:
            for task in readers:
                task.cancel()

    async def close(self) -> None:
        for socket in self.sockets:
            await socket.close()


async def _connect_websockets(url: str, clients: int) -> _WebsocketsClients:
    sockets = [await websockets.connect(url, max_queue=None, ping_interval=None) for _ in range(clients)]
    for socket in sockets:
        await socket.recv()  # welcome
    return _WebsocketsClients(sockets)


def _client_process(url: str, clients: int, expected: int, ready, out, lean: bool) -> None:
    if lean:
        _listen_lean(url, clients, expected, ready, out)
    else:
        asyncio.run(_listen_websockets(url, clients, expected, ready, out))


async def _place_orders(url: str, orders: int) -> dict[str, float]:
    returned: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=url, timeout=30) as api:
        body = {"sku": "LIVE", "name": "Live product", "category": "Bench", "unit_price": "5.00",
                "stock_on_hand": 1_000_000, "reorder_point": 0}  # fmt: skip
        (await api.post("/products", json=body)).raise_for_status()
        await asyncio.sleep(1.0)  # the product's stock event has gone by
        for _ in range(orders):
            response = await api.post("/orders", json={"customer_id": "C1", "items": [{"sku": "LIVE", "quantity": 1}]})
            response.raise_for_status()
            returned[response.json()["order_id"]] = time.monotonic()
            await asyncio.sleep(0.2)  # one event fans out at a time: this measures latency, not backlog
    return returned


async def _health_p50(url: str, requests: int = 200) -> float:
    latencies = []
    async with httpx.AsyncClient(base_url=url) as api:
        for _ in range(requests):
            started = time.perf_counter()
            (await api.get("/health")).raise_for_status()
            latencies.append(time.perf_counter() - started)
    return statistics.median(latencies) * 1000


def _measure(url: str, clients: int, orders: int, lean: bool) -> dict[str, float]:
    ws_url = url.replace("http://", "ws://")
    context = multiprocessing.get_context("spawn")
    shares = [clients // CLIENT_PROCESSES + (n < clients % CLIENT_PROCESSES) for n in range(CLIENT_PROCESSES)]
    pipes, processes, flags = [], [], []
    for share in shares:
        receive, send = context.Pipe(duplex=False)
        ready = context.Event()
        process = context.Process(target=_client_process, args=(ws_url, share, orders, ready, send, lean), daemon=True)
        process.start()
        pipes.append(receive)
        processes.append(process)
        flags.append(ready)
    deadline = time.monotonic() + 120
    for ready, process in zip(flags, processes, strict=True):
        while not ready.wait(0.5):
            if not process.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the WebSocket clients did not connect (see the client process's error above)")
    health = asyncio.run(_health_p50(url))
    returned = asyncio.run(_place_orders(url, orders))
    arrivals: dict[str, list[float]] = {}
    client_cpu = 0.0
    for receive in pipes:
        got, cpu_seconds = receive.recv()
        client_cpu += cpu_seconds
        for order_id, times in got.items():
            arrivals.setdefault(order_id, []).extend(times)
    for process in processes:
        process.join(timeout=30)
    delivered = sum(len(arrivals.get(order_id, [])) for order_id in returned)
    complete = [max(arrivals[o]) - t for o, t in returned.items() if len(arrivals.get(o, [])) == clients]
    every = sorted(a - t for o, t in returned.items() for a in arrivals.get(o, []))
    ordered = sorted(complete) or [float("nan")]
    return {
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000,
        "delivery_p50": statistics.median(every) * 1000 if every else float("nan"),
        "lost": orders * clients - delivered,
        "health_p50": health,
        "client_cpu_us": client_cpu / max(delivered, 1) * 1e6,
        "load": os.getloadavg()[0],
    }


async def _run_mode(mode: str, clients: int, orders: int, lean: bool) -> dict[str, float]:
    backend = "sqlite" if mode == "embedded" else "postgresql"
    environment = {"AUTH_ENABLED": "false", "ENVIRONMENT": "test", "STREAM_CLIENT_QUEUE": "10000"}
    kafka = None
    if mode == "kafka+redis":
        kafka = MockKafka()
        prefix = f"bench{uuid.uuid4().hex[:8]}"
        environment |= {
            "KAFKA_ENABLED": "true", "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap, "KAFKA_TOPIC_PREFIX": prefix,
            "KAFKA_CONSUMER_GROUP": f"{prefix}-fanout", "REDIS_ENABLED": "true",
            "REDIS_URL": "redis://127.0.0.1:6379/0", "REDIS_CHANNEL_PREFIX": prefix,
        }  # fmt: skip
    try:
        async with fresh_database(backend) as (database_url, _engine):
            with served_app(database_url, **environment) as url:
                if kafka is not None:
                    await asyncio.sleep(3)  # the consumer group has formed
                return await asyncio.to_thread(_measure, url, clients, orders, lean)
    finally:
        if kafka is not None:
            kafka.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modes", default="embedded,kafka+redis")
    parser.add_argument(
        "--client", choices=["lean", "websockets"], default="lean",
        help="lean: bench.ws_client (the default: it leaves the CPU to the server); websockets: the websockets package",
    )  # fmt: skip
    args = parser.parse_args()
    rows = []
    for mode in args.modes.split(","):
        results = [
            asyncio.run(_run_mode(mode, args.clients, args.orders, args.client == "lean")) for _ in range(args.runs)
        ]
        console.print(f"{mode}: p99 per run {[round(result['p99'], 1) for result in results]} ms")

        def median(key: str, results: list[dict[str, float]] = results) -> float:
            return statistics.median(result[key] for result in results)

        rows.append(
            [
                mode, median("p50"), median("p99"), median("delivery_p50"), int(sum(r["lost"] for r in results)),
                median("health_p50"), median("p99") / median("health_p50"), median("client_cpu_us"), median("load"),
            ]
        )  # fmt: skip
    print_table(
        f"{args.clients} WebSocket clients ({args.client} client), {args.orders} orders a run, median of {args.runs} runs",
        ["mode", "all clients p50 ms", "all clients p99 ms", "one delivery p50 ms", "lost", "health p50 ms",
         "p99 / health p50", "client CPU µs/event", "load avg (1 min)"],
        rows,
    )  # fmt: skip


if __name__ == "__main__":
    main()
