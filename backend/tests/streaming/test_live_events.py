"""Live events end to end: real app (uvicorn on a free port), real WebSocket and SSE clients,
real PostgreSQL/SQLite, Redis on 127.0.0.1 and librdkafka's mock Kafka cluster.

A WebSocket client's events reach it one of two ways (app.streaming.wire): written straight to its
transport ("direct": what `inventory serve`, which offers no compression, gives every client), or
through ASGI ("asgi": here, a client that negotiated the permessage-deflate the test server offers).
Tests of what a socket sees run on both.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import websockets

from tests.support.brokers import MockKafka, unique_prefix
from tests.support.databases import TestDatabase, fresh_test_database
from tests.support.environment import POSTGRES_URL, free_port
from tests.support.proxy import CuttableProxy
from tests.support.servers import LiveServer


def kafka_redis(bootstrap: str, redis: str, prefix: str) -> dict[str, object]:
    return {
        "kafka_enabled": True, "kafka_bootstrap_servers": bootstrap, "kafka_topic_prefix": prefix,
        "kafka_consumer_group": f"{prefix}-fanout", "redis_enabled": True, "redis_url": redis, "redis_channel_prefix": prefix,
    }  # fmt: skip


@asynccontextmanager
async def fresh_app(backend: str, workdir: Path, **settings: object) -> AsyncIterator[tuple[LiveServer, TestDatabase]]:
    """The app on a database of its own (no other app's relay may take its events)."""
    async with fresh_test_database(backend, workdir=workdir, postgres_url=POSTGRES_URL) as database:
        server = LiveServer(database.settings(**settings)).start()
        try:
            yield server, database
        finally:
            server.stop()


def ws_url(server_url: str, query: str) -> str:
    return server_url.replace("http://", "ws://") + f"/stream/ws?{query}"


PATHS = ["direct", "asgi"]


def connect(url: str, path: str = "direct", **options: object) -> websockets.connect:
    """A client whose events take `path`: with compression offered the server must go through ASGI."""
    return websockets.connect(url, compression=None if path == "direct" else "deflate", **options)


async def status(api: httpx.AsyncClient) -> dict:
    response = await api.get("/stream/status")
    assert response.status_code == 200
    return response.json()


async def events(socket: websockets.ClientConnection, count: int, *, within: float = 20.0) -> list[dict]:
    """The next `count` event envelopes (control messages skipped)."""
    got: list[dict] = []
    deadline = time.monotonic() + within
    while len(got) < count:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=max(deadline - time.monotonic(), 0.01)))
        if "event_id" in message:
            got.append(message)
    return got


async def quiet(socket: websockets.ClientConnection, seconds: float) -> list[dict]:
    """Event envelopes that arrive within `seconds` (expected: none)."""
    got = []
    with pytest.raises(TimeoutError):
        while True:
            message = json.loads(await asyncio.wait_for(socket.recv(), timeout=seconds))
            if "event_id" in message:
                got.append(message)
    return got


async def stock_product(api: httpx.AsyncClient, sku: str, units: int = 10_000) -> None:
    body = {
        "sku": sku,
        "name": f"Product {sku}",
        "category": "Toys",
        "unit_price": "5.00",
        "stock_on_hand": units,
        "reorder_point": 0,
    }
    assert (await api.post("/products", json=body)).status_code == 201


async def order(api: httpx.AsyncClient, sku: str) -> str:
    response = await api.post("/orders", json={"customer_id": "C1", "items": [{"sku": sku, "quantity": 1}]})
    assert response.status_code == 201, response.text
    return response.json()["order_id"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("mode", ["embedded", "kafka_redis"])
async def test_an_order_reaches_orders_subscribers_only(
    backend: str, workdir: Path, mode: str, path: str, kafka_bootstrap: str, redis_url: str
) -> None:
    settings = kafka_redis(kafka_bootstrap, redis_url, unique_prefix()) if mode == "kafka_redis" else {}
    async with fresh_app(backend, workdir, **settings) as (server, _db), httpx.AsyncClient(base_url=server.url) as api:
        await stock_product(api, "LIVE-1")
        async with (
            connect(ws_url(server.url, "channels=orders"), path) as orders_ws,
            connect(ws_url(server.url, "channels=forecasts"), path) as forecasts_ws,
        ):
            assert json.loads(await orders_ws.recv())["type"] == "welcome"
            assert json.loads(await forecasts_ws.recv())["type"] == "welcome"
            assert (await status(api))["connections_written_directly"] == (2 if path == "direct" else 0)
            order_id = await order(api, "LIVE-1")
            [event] = await events(orders_ws, 1)
            assert event["event_type"] == "order.created" and event["data"]["order_id"] == order_id
            assert {"event_id", "occurred_at", "version"} <= set(event)
            assert await quiet(forecasts_ws, 1.0) == []


async def test_an_order_on_one_app_process_reaches_a_client_of_another(
    backend: str, workdir: Path, kafka_bootstrap: str, redis_url: str
) -> None:
    settings = kafka_redis(kafka_bootstrap, redis_url, unique_prefix())
    async with (
        fresh_app(backend, workdir, **settings) as (first, database),
        httpx.AsyncClient(base_url=first.url) as api,
    ):
        port = free_port()
        env = {**os.environ, **{k.upper(): str(v).lower() if isinstance(v, bool) else str(v) for k, v in settings.items()},
               "DATABASE_URL": database.url, "AUTH_ENABLED": "false", "ENVIRONMENT": "test"}  # fmt: skip
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app.cli", "serve", "--port", str(port), env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            second_url = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=second_url, timeout=1) as probe:
                for _ in range(300):
                    try:
                        if (await probe.get("/health")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        await asyncio.sleep(0.1)
            await stock_product(api, "TWO-1")
            async with connect(ws_url(second_url, "channels=orders")) as other:
                await other.recv()  # welcome
                order_id = await order(api, "TWO-1")
                [event] = await events(other, 1)
                assert event["data"]["order_id"] == order_id
                assert await quiet(other, 1.0) == []  # once, though both processes consume and relay
        finally:
            second.terminate()
            await asyncio.wait_for(second.wait(), timeout=20)


async def assert_all_arrive_in_order(socket: websockets.ClientConnection, placed: dict[str, list[str]]) -> None:
    expected = sum(len(ids) for ids in placed.values())
    got = await events(socket, expected, within=90)
    received = defaultdict(list)
    for event in got:
        assert event["event_type"] == "order.created"
        received[event["data"]["items"][0]["sku"]].append(event["data"]["order_id"])
    assert len({event["event_id"] for event in got}) == expected  # none twice
    assert dict(received) == placed  # every one, in order per product
    assert await quiet(socket, 1.0) == []


async def orders_during_an_outage(
    backend: str, workdir: Path, settings: dict[str, object], *, cut, restore, outage_seen
) -> None:
    """500 orders over 5 products placed while `cut()` holds; after `restore()` every event arrives once, in order.

    Before restoring, the app must have noticed the outage (`outage_seen(status)` on /stream/status)
    and no event may have reached the client: the retry path ran, nothing slipped through around it.
    """
    async with (
        fresh_app(backend, workdir, **settings) as (server, _db),
        httpx.AsyncClient(base_url=server.url, timeout=30) as api,
    ):
        skus = [f"OUT-{n}" for n in range(5)]
        for sku in skus:
            await stock_product(api, sku)
        async with connect(ws_url(server.url, "channels=orders"), max_queue=None) as client:
            await client.recv()
            await asyncio.sleep(1.0)  # the stock events of the set-up have gone through
            cut()
            placed: dict[str, list[str]] = defaultdict(list)
            for n in range(500):
                sku = skus[n % 5]
                placed[sku].append(await order(api, sku))  # every request answered meanwhile
            for _ in range(300):
                if outage_seen(await status(api)):
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"the app never noticed the outage: {await status(api)}")
            assert await quiet(client, 0.5) == []
            restore()
            await assert_all_arrive_in_order(client, dict(placed))


async def test_500_orders_while_kafka_is_unreachable_all_arrive_once_in_order(
    backend: str, workdir: Path, redis_url: str
) -> None:
    kafka = MockKafka()
    settings = kafka_redis(kafka.bootstrap, redis_url, unique_prefix())
    try:
        await orders_during_an_outage(
            backend, workdir, settings, cut=kafka.freeze, restore=kafka.thaw,
            # A frozen broker answers nothing: the relay's publish times out and is retried with backoff.
            outage_seen=lambda status: status["relay"]["failures"] > 0,
        )  # fmt: skip
    finally:
        kafka.stop()


async def test_500_orders_while_redis_is_unreachable_all_arrive_once_in_order(
    backend: str, workdir: Path, kafka_bootstrap: str
) -> None:
    proxy = CuttableProxy("127.0.0.1", 6379).start()
    settings = kafka_redis(kafka_bootstrap, f"redis://{proxy.address}/0", unique_prefix())
    try:
        await orders_during_an_outage(
            backend, workdir, settings, cut=proxy.cut, restore=proxy.restore,
            outage_seen=lambda status: not status["backends"]["fanout"]["healthy"],
        )  # fmt: skip
    finally:
        proxy.stop()


@pytest.mark.parametrize("path", PATHS)
async def test_a_client_resumes_after_event_10_and_gets_11_on_exactly_once(
    server: LiveServer, db: TestDatabase, path: str
) -> None:
    async with httpx.AsyncClient(base_url=server.url) as api:
        await stock_product(api, "RES-1")
        async with connect(ws_url(server.url, "channels=orders"), path) as first:
            await first.recv()
            ids = [await order(api, "RES-1") for _ in range(10)]
            seen = await events(first, 10)
        assert [e["data"]["order_id"] for e in seen] == ids
        later = [await order(api, "RES-1") for _ in range(5)]  # while disconnected
        async with connect(ws_url(server.url, f"channels=orders&last_event_id={seen[-1]['event_id']}"), path) as again:
            await again.recv()
            missed = await events(again, 5)
            resumed = json.loads(await again.recv())
            assert resumed == {"type": "resumed", "count": 5, "complete": True}
            newer = await order(api, "RES-1")
            [live] = await events(again, 1)
            assert [e["data"]["order_id"] for e in missed] == later and live["data"]["order_id"] == newer
            assert await quiet(again, 0.5) == []


async def test_sse_streams_with_ids_and_resumes_from_last_event_id(server: LiveServer, db: TestDatabase) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as api:
        await stock_product(api, "SSE-1")
        first_order = await order(api, "SSE-1")
        first_event = (await db.events("order.created"))[-1]
        second_order = await order(api, "SSE-1")
        async with api.stream(
            "GET", "/stream/events", params={"channels": "orders"}, headers={"Last-Event-ID": first_event["event_id"]}
        ) as stream:
            lines: list[str] = []
            async for line in stream.aiter_lines():
                lines.append(line)
                if line.startswith("data:") and second_order in line:
                    break
        assert first_order not in "\n".join(lines)
        assert any(line.startswith("id: ") for line in lines) and "event: order.created" in lines


def small_receive_buffer(port: int) -> socket.socket:
    """A client socket whose kernel takes little: a client that stops reading backs up to the server fast."""
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", port))
    raw.setblocking(False)
    return raw


@pytest.mark.parametrize("path", PATHS)
async def test_a_client_that_stops_reading_is_told_and_closed_and_never_delays_the_others(
    backend: str, workdir: Path, path: str
) -> None:
    async with (
        fresh_app(backend, workdir, stream_client_queue=10) as (server, _db),
        httpx.AsyncClient(base_url=server.url, timeout=30) as api,
    ):
        url = ws_url(server.url, "channels=alerts")
        async with (
            connect(url, path, max_queue=1, sock=small_receive_buffer(server.port)) as stuck,
            connect(url, path) as reader,
        ):
            await stuck.recv()
            await reader.recv()
            sent: list[str] = []
            # Alerts of 2,000 random characters (deflate cannot shrink them much) until the server has given
            # up on `stuck`: its kernel buffers, then 10 events more.
            while len(sent) < 400 and not (len(sent) % 10 == 0 and (await status(api))["slow_clients_dropped"]):
                alert = {"title": f"Alert {len(sent)}", "message": secrets.token_urlsafe(1500), "severity": "info"}
                sent.append((await api.post("/stream/broadcast/alert", json=alert)).json()["event_id"])
                [event] = await events(reader, 1)
                assert event["event_id"] == sent[-1]  # the reader has each one at once
            assert (await status(api))["slow_clients_dropped"] == 1
            # Reading again, `stuck` gets what was waiting for it, in order, then the error, then the close.
            got = []
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    got.append(json.loads(await asyncio.wait_for(stuck.recv(), timeout=10)))
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
            assert got[-1]["type"] == "error" and got[-1]["code"] == "slow_consumer"
            received = [message["event_id"] for message in got[:-1]]
            assert received == sent[: len(received)] and len(received) < len(sent)
            assert reader.state is websockets.State.OPEN


async def test_broadcast_alerts_carry_the_dashboard_fields(server: LiveServer, db: TestDatabase) -> None:
    async with (
        httpx.AsyncClient(base_url=server.url) as api,
        connect(ws_url(server.url, "channels=alerts")) as client,
    ):
        await client.recv()
        response = await api.post(
            "/stream/broadcast/alert",
            json={"title": "Stocktake", "message": "Counting at 18:00", "severity": "warning"},
        )
        assert response.status_code == 202
        [event] = await events(client, 1)
        assert event["event_type"] == "alert.broadcast"
        assert event["data"] == {
            "type": "alert",
            "title": "Stocktake",
            "message": "Counting at 18:00",
            "severity": "warning",
        }
        bad = await api.post("/stream/broadcast/alert", json={"title": "", "message": "x", "severity": "meh"})
        assert bad.status_code == 422


async def alert(api: httpx.AsyncClient, title: str) -> str:
    response = await api.post("/stream/broadcast/alert", json={"title": title, "message": "m", "severity": "info"})
    assert response.status_code == 202
    return response.json()["event_id"]


@pytest.mark.parametrize("path", PATHS)
async def test_websocket_messages_subscribe_unsubscribe_and_ping(
    server: LiveServer, db: TestDatabase, path: str
) -> None:
    async with (
        httpx.AsyncClient(base_url=server.url) as api,
        connect(ws_url(server.url, "channels=orders"), path) as client,
    ):
        await client.recv()
        await client.send(json.dumps({"action": "ping"}))
        assert json.loads(await client.recv()) == {"type": "pong"}
        await client.send(json.dumps({"action": "subscribe", "channels": ["alerts"]}))
        assert json.loads(await client.recv()) == {"type": "subscribed", "channels": ["alerts", "orders"]}
        await alert(api, "now on alerts")
        [event] = await events(client, 1)
        assert event["data"]["title"] == "now on alerts"
        await client.send(json.dumps({"action": "unsubscribe", "channels": ["alerts"]}))
        assert json.loads(await client.recv()) == {"type": "subscribed", "channels": ["orders"]}
        await alert(api, "off alerts again")
        assert await quiet(client, 0.5) == []
        await client.send(json.dumps({"action": "subscribe", "channels": ["nope"]}))
        assert json.loads(await client.recv())["code"] == "unprocessable"
        await client.send("not json")
        assert json.loads(await client.recv())["code"] == "bad_message"
    async with connect(ws_url(server.url, "channels=bogus"), path) as refused:
        assert json.loads(await refused.recv())["type"] == "error"


@pytest.mark.parametrize("path", PATHS)
async def test_a_quiet_socket_gets_a_ping_every_heartbeat(backend: str, workdir: Path, path: str) -> None:
    async with (
        fresh_app(backend, workdir, stream_heartbeat_seconds=0.3) as (server, _db),
        connect(ws_url(server.url, "channels=forecasts"), path) as client,
    ):
        assert json.loads(await client.recv())["heartbeat_seconds"] == 0.3
        started = time.monotonic()
        for _ in range(3):
            assert json.loads(await asyncio.wait_for(client.recv(), timeout=5)) == {"type": "ping"}
        assert time.monotonic() - started < 3
