"""The stream benchmark's lean client (bench/ws_client.py) is a real WebSocket client of the real app."""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from bench import ws_client
from tests.support.databases import TestDatabase
from tests.support.servers import LiveServer


async def test_the_lean_client_reads_welcomes_small_and_long_events_from_the_app(
    server: LiveServer, db: TestDatabase
) -> None:
    url = server.url.replace("http://", "ws://") + "/stream/ws?channels=alerts"
    sockets = [await asyncio.to_thread(ws_client.EventSocket, url) for _ in range(3)]
    got: list[dict] = []

    def read(count: int) -> None:
        def keep(payload: bytes, _arrived_at: float) -> None:
            got.append(json.loads(payload))

        ws_client.read_until(sockets, keep, lambda: len(got) >= count, time.monotonic() + 20)

    try:
        await asyncio.to_thread(read, 3)
        assert [message["type"] for message in got] == ["welcome"] * 3
        async with httpx.AsyncClient(base_url=server.url) as api:
            for message in ("short", "long " * 400):  # a 7-bit length and a 16-bit one (RFC 6455 5.2)
                alert = {"title": "Bench", "message": message, "severity": "info"}
                assert (await api.post("/stream/broadcast/alert", json=alert)).status_code == 202
        got.clear()
        await asyncio.to_thread(read, 6)
        assert sorted(len(event["data"]["message"]) for event in got) == [5] * 3 + [2000] * 3
    finally:
        for event_socket in sockets:
            event_socket.close()
