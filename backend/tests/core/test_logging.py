"""No API key reaches the log: everything `inventory serve` prints, uvicorn's own lines included, after keys
were used every way a client can send one (header, ?token= on HTTP, SSE and WebSocket, the WebSocket's
first message) and one was made over the API."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import websockets

from app.services import access
from tests.support.databases import TestDatabase
from tests.support.servers import served_command


async def test_no_key_used_over_http_sse_or_websocket_is_in_the_servers_output(
    database: TestDatabase, tmp_path: Path
) -> None:
    _row, viewer = await access.create_key(database.work, role="viewer", name="log-viewer")
    _row, admin = await access.create_key(database.work, role="admin", name="log-admin")
    unknown = "sim_" + "U" * 43
    log_path = tmp_path / "serve.log"
    environment = {
        "DATABASE_URL": database.url, "AUTH_ENABLED": "true", "AUTH_REQUIRE_FOR_READS": "true", "LOG_LEVEL": "INFO",
    }  # fmt: skip
    with served_command(environment, log_path=log_path) as (url, _pid):
        ws_url = url.replace("http://", "ws://") + "/stream/ws"
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            assert (await client.get("/products", headers={"Authorization": f"Bearer {viewer}"})).status_code == 200
            assert (await client.get("/products", params={"token": viewer})).status_code == 200
            assert (await client.get("/products", params={"token": unknown})).status_code == 401
            async with client.stream("GET", "/stream/events", params={"token": viewer}) as events:
                assert events.status_code == 200
                await anext(events.aiter_bytes())
            made = await client.post(
                "/keys", json={"role": "viewer", "name": "made"}, headers={"Authorization": f"Bearer {admin}"}
            )
            assert made.status_code == 201
            created = made.json()["key"]
        async with websockets.connect(f"{ws_url}?token={viewer}") as socket:
            assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "welcome"
        async with websockets.connect(ws_url) as socket:
            await socket.send(json.dumps({"action": "auth", "token": created}))
            assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "welcome"
        await asyncio.sleep(0.5)  # the last lines are written
    output = log_path.read_text(errors="replace")

    assert "WebSocket /stream/ws" in output, "uvicorn's own request lines are part of what is checked"
    assert "token=***" in output
    for key in (viewer, admin, unknown, created):
        assert key not in output and key[:20] not in output, f"a key ({key[:8]}...) reached the log"
