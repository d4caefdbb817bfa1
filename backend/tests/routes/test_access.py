"""Who may call what: every route, called over real HTTP with no key and with each role's key.

The app runs with AUTH_ENABLED and AUTH_REQUIRE_FOR_READS, so reads need a viewer key too;
the default (reads open) is checked separately. Keys are made through the access service on
the same database the server uses.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import websockets
from fastapi.routing import APIRoute, APIWebSocketRoute

from app.core.security import ROLES
from app.routes import ROUTERS
from app.services import access
from tests.support.databases import TestDatabase
from tests.support.files import order_row, write_rows
from tests.support.servers import LiveServer, served_settings

CALLERS = ("none", *ROLES)
SKU = "ACC-1"
_unique = itertools.count(1)


def fresh(prefix: str) -> str:
    return f"{prefix}-{next(_unique)}"


@dataclass(frozen=True)
class Call:
    """One operation, the least role it needs, and what an allowed caller gets."""

    method: str
    path: str
    role: str | None  # None: open to everyone, always
    allowed: int
    json: Callable[[], Any] | None = None
    files: Callable[[Any], dict] | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


def product_body() -> dict:
    return {"sku": fresh("ACCP"), "name": "Access test", "category": "Access", "unit_price": "5.00",
            "stock_on_hand": 10, "reorder_point": 1, "lead_time_days": 3}  # fmt: skip


def orders_csv(tmp: Any) -> dict:
    path = write_rows(tmp / f"{fresh('upload')}.csv", [order_row(fresh("ACC-ORD"), ProductID="ACC-UP")])
    return {"file": (path.name, path.read_bytes(), "text/csv")}


CALLS = [
    Call("GET", "/", None, 200),
    Call("GET", "/health", None, 200),
    Call("GET", "/ready", None, 200),
    Call("GET", "/metrics", "viewer", 200),  # METRICS_ACCESS=viewer (the default), and reads need a key here
    Call("GET", "/products", "viewer", 200),
    Call("POST", "/products", "operator", 201, json=product_body),
    Call("GET", "/products/{sku}", "viewer", 200),
    Call("PATCH", "/products/{sku}", "operator", 200, json=lambda: {"name": fresh("renamed")}),
    Call("DELETE", "/products/{sku}", "operator", 404, params={"sku": "NO-SUCH-SKU"}),
    Call("POST", "/products/{sku}/stock", "operator", 201, json=lambda: {"kind": "receipt", "quantity": 5, "note": "in"}),
    Call("GET", "/products/{sku}/movements", "viewer", 200),
    Call("GET", "/orders", "viewer", 200),
    Call("POST", "/orders", "operator", 201, json=lambda: {"customer_id": "C-ACC", "items": [{"sku": SKU, "quantity": 1}]}),
    Call("GET", "/orders/{order_id}", "viewer", 200),
    Call("POST", "/orders/{order_id}/status", "operator", 404, json=lambda: {"status": "Shipped"},
         params={"order_id": "NO-SUCH-ORDER"}),
    Call("GET", "/analytics/dashboard/summary", "viewer", 200),
    Call("GET", "/analytics/monthly-sales-trend", "viewer", 200),
    Call("GET", "/analytics/monthly-report/{year}/{month}", "viewer", 200, params={"year": "2024", "month": "3"}),
    Call("GET", "/analytics/product-performance", "viewer", 200),
    Call("GET", "/analytics/category-performance", "viewer", 200),
    Call("GET", "/analytics/abc-analysis", "viewer", 200),
    Call("GET", "/analytics/xyz-analysis", "viewer", 200),
    Call("GET", "/analytics/abc-xyz-matrix", "viewer", 200),
    Call("GET", "/analytics/inventory/low-stock", "viewer", 200),
    Call("GET", "/analytics/inventory/dead-stock", "viewer", 200),
    Call("GET", "/analytics/inventory/status", "viewer", 200),
    Call("GET", "/analytics/customers/segments", "viewer", 200),
    Call("GET", "/analytics/sales-by-day-of-week", "viewer", 200),
    Call("GET", "/analytics/revenue-vs-profit-trend", "viewer", 200),
    Call("GET", "/analytics/available-months", "viewer", 200),
    Call("GET", "/customers", "viewer", 200),
    Call("GET", "/customers/{customer_id}", "viewer", 200, params={"customer_id": "CUST-00001"}),
    Call("GET", "/sellers", "viewer", 200),
    Call("GET", "/sellers/{seller_id}", "viewer", 200, params={"seller_id": "SELL-001"}),
    Call("POST", "/forecast/upload-data", "admin", 200, files=orders_csv),
    Call("GET", "/forecast/inventory-recommendations", "viewer", 200),
    Call("GET", "/forecast/forecast/{category}", "viewer", 404, params={"category": "Electronics"}),
    Call("GET", "/forecast/forecasts/all", "viewer", 200),
    Call("GET", "/forecast/diagnostics/{category}", "viewer", 404, params={"category": "Electronics"}),
    Call("GET", "/forecast/backtest", "viewer", 200),
    Call("GET", "/forecast/forecast/{category}/plot.png", "viewer", 404, params={"category": "Electronics"}),
    Call("GET", "/forecast/forecast/{category}/series", "viewer", 404, params={"category": "Electronics"}),
    Call("POST", "/forecast/retrain-models", "admin", 422, json=lambda: {"categories": ["No such category"]}),
    Call("GET", "/forecast/jobs/{job_id}", "viewer", 404, params={"job_id": "no-such-job"}),
    Call("GET", "/stream/events", "viewer", 200),
    Call("GET", "/stream/status", "viewer", 200),
    Call("POST", "/stream/broadcast/alert", "admin", 202, json=lambda: {"title": "Access", "message": "test"}),
    Call("POST", "/keys", "admin", 201, json=lambda: {"role": "viewer", "name": fresh("made-over-http")}),
    Call("GET", "/keys", "admin", 200),
    Call("DELETE", "/keys/{key}", "admin", 404, params={"key": "999999"}),
]  # fmt: skip


def expected(call: Call) -> dict[str, int]:
    """401 without a key, 403 below the role, the route's own answer from the role up."""
    if call.role is None:
        return dict.fromkeys(CALLERS, call.allowed)
    rank = ROLES.index(call.role)
    return {"none": 401} | {role: call.allowed if ROLES.index(role) >= rank else 403 for role in ROLES}


@dataclass
class World:
    """A server that needs keys for everything, the keys of each role, and ids the calls point at."""

    server: LiveServer
    keys: dict[str, str]
    ids: dict[str, str]

    def headers(self, caller: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[caller]}"} if caller != "none" else {}


async def make_keys(database: TestDatabase) -> dict[str, str]:
    keys = {}
    for role in ROLES:
        _row, keys[role] = await access.create_key(database.work, role=role, name=f"{role} of the access tests")
    return keys


@pytest.fixture(scope="module")
def strict_server(database: TestDatabase) -> Iterator[LiveServer]:
    settings = database.settings(auth_enabled=True, auth_require_for_reads=True, write_rate_limit_per_minute=0)
    live = LiveServer(settings).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
async def world(database: TestDatabase, strict_server: LiveServer, tmp_path_factory) -> AsyncIterator[World]:
    await database.empty()
    keys = await make_keys(database)
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    async with httpx.AsyncClient(base_url=strict_server.url, headers=admin, timeout=60) as client:
        seed = write_rows(tmp_path_factory.mktemp("access") / "seed.csv", [order_row("ACC-SEED-1")])
        (await client.post("/forecast/upload-data", files={"file": ("seed.csv", seed.read_bytes())})).raise_for_status()
        body = {"sku": SKU, "name": "Access", "category": "Access", "unit_price": "5.00", "stock_on_hand": 1000,
                "reorder_point": 1, "lead_time_days": 3}  # fmt: skip
        (await client.post("/products", json=body)).raise_for_status()
        order = await client.post("/orders", json={"customer_id": "C-ACC", "items": [{"sku": SKU, "quantity": 1}]})
        order.raise_for_status()
    yield World(server=strict_server, keys=keys, ids={"sku": SKU, "order_id": order.json()["order_id"]})


async def send(client: httpx.AsyncClient, call: Call, world: World, caller: str, tmp: Any) -> int:
    path = call.path.format(**{**world.ids, **call.params})
    headers = world.headers(caller)
    if call.path == "/stream/events":  # a stream: the status line is the answer
        async with client.stream("GET", path, headers=headers) as response:
            return response.status_code
    json = call.json() if call.json else None
    files = call.files(tmp) if call.files else None
    return (await client.request(call.method, path, headers=headers, json=json, files=files)).status_code


@pytest.mark.parametrize("call", CALLS, ids=lambda call: call.route)
async def test_who_may_call_each_route(call: Call, world: World, tmp_path) -> None:
    async with httpx.AsyncClient(base_url=world.server.url, timeout=60) as client:
        got = {caller: await send(client, call, world, caller, tmp_path) for caller in CALLERS}

    assert got == expected(call)


def test_the_table_covers_every_route() -> None:
    served = [route for router in ROUTERS for route in router.routes]
    routes = {f"{method} {route.path}" for route in served if isinstance(route, APIRoute) for method in route.methods}
    tabled = {call.route for call in CALLS}
    assert routes - tabled == set(), "routes without an access rule in CALLS"
    assert tabled - routes == set(), "CALLS lists routes the app does not have"
    sockets = {route.path for route in served if isinstance(route, APIWebSocketRoute)}
    assert sockets == {"/stream/ws"}, "every WebSocket route needs a test in test_socket_access"


async def test_errors_have_the_json_body_and_name_the_header(world: World) -> None:
    async with httpx.AsyncClient(base_url=world.server.url, timeout=60) as client:
        missing = await client.post("/orders", json={})
        malformed = await client.get("/products", headers={"Authorization": "Basic dXNlcjpwYXNz"})
        unknown = await client.get("/products", headers={"Authorization": "Bearer sim_not-a-real-key-at-all"})
        viewer = await client.post("/orders", json={}, headers=world.headers("viewer"))

    for response, reason in (
        (missing, "missing"),
        (malformed, "not a bearer key"),
        (unknown, "unknown or revoked key"),
    ):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        error = response.json()["error"]
        assert error["code"] == "unauthorized"
        assert error["details"] == [{"field": "Authorization", "reason": reason}]
    assert viewer.status_code == 403
    error = viewer.json()["error"]
    assert error["code"] == "forbidden" and error["details"][0]["required_role"] == "operator"
    assert world.keys["viewer"] not in viewer.text


async def test_key_works_as_a_token_query_parameter(world: World) -> None:
    async with httpx.AsyncClient(base_url=world.server.url, timeout=60) as client:
        with_token = await client.get("/products", params={"token": world.keys["viewer"]})
        revoked_shape = await client.get("/products", params={"token": "sim_wrong-but-long-enough"})
        # EventSource cannot set headers: the query parameter is how a browser's SSE client authenticates.
        async with client.stream("GET", "/stream/events", params={"token": world.keys["viewer"]}) as events:
            sse_status = events.status_code
        async with client.stream("GET", "/stream/events") as anonymous:
            sse_anonymous = anonymous.status_code

    assert with_token.status_code == 200
    assert revoked_shape.status_code == 401
    assert (sse_status, sse_anonymous) == (200, 401)


# --- revocation, sockets, rate limits, the default mode ----------------------------------


@pytest.fixture(scope="module")
def second_replica(database: TestDatabase) -> Iterator[str]:
    """`inventory serve` in a process of its own on the same database: another replica's caches and keys."""
    settings = database.settings(auth_enabled=True, auth_require_for_reads=True, write_rate_limit_per_minute=0)
    with served_settings(settings) as url:
        yield url


async def test_a_revoked_key_fails_on_every_replica_within_a_second(
    world: World, database: TestDatabase, second_replica: str
) -> None:
    row, key = await access.create_key(database.work, role="operator", name="to be revoked")
    replicas = [world.server.url, second_replica]
    headers = {"Authorization": f"Bearer {key}"}

    async def answers() -> list[int]:
        statuses = []
        for url in replicas:
            async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
                statuses.append((await client.get("/products")).status_code)
                statuses.append((await client.post("/orders/NO-SUCH/status", json={"status": "Shipped"})).status_code)
        return statuses

    assert await answers() == [200, 404, 200, 404]  # warm: both replicas have verified (and cached) the key
    async with httpx.AsyncClient(base_url=world.server.url, headers=world.headers("admin"), timeout=60) as client:
        revoked = await client.delete(f"/keys/{row.id}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    revoked_at = time.monotonic()

    # The stated bound is API_KEY_CACHE_SECONDS (1 s); the half second more is for the polling itself.
    statuses = await answers()
    while statuses != [401] * 4 and time.monotonic() - revoked_at < 1.5:
        await asyncio.sleep(0.05)
        statuses = await answers()
    assert statuses == [401, 401, 401, 401], f"still accepted {time.monotonic() - revoked_at:.2f} s after revocation"


def ws_url(http_url: str, query: str = "") -> str:
    return http_url.replace("http://", "ws://") + "/stream/ws" + (f"?{query}" if query else "")


async def first_message(socket: websockets.ClientConnection) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), 10))


async def test_socket_access(world: World) -> None:
    url = world.server.url
    async with websockets.connect(ws_url(url, f"channels=alerts&token={world.keys['viewer']}")) as socket:
        assert (await first_message(socket))["type"] == "welcome"

    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(ws_url(url, "token=sim_no-such-key-anywhere")):
            pass
    assert refused.value.response.status_code == 401
    assert json.loads(refused.value.response.body)["error"]["code"] == "unauthorized"

    # No key in the handshake: the first message carries it.
    async with websockets.connect(ws_url(url, "channels=alerts")) as socket:
        await socket.send(json.dumps({"action": "auth", "token": world.keys["operator"]}))
        assert (await first_message(socket))["type"] == "welcome"
    async with websockets.connect(ws_url(url)) as socket:
        await socket.send(json.dumps({"action": "subscribe", "channels": ["orders"]}))
        error = await first_message(socket)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()
    assert error["type"] == "error" and error["code"] == "unauthorized"
    assert closed.value.rcvd.code == 4401


async def test_writes_past_the_rate_limit_get_429_with_retry_after(database: TestDatabase) -> None:
    settings = database.settings(auth_enabled=True, write_rate_limit_per_minute=3)
    keys = await make_keys(database)
    live = LiveServer(settings).start()
    try:
        async with httpx.AsyncClient(base_url=live.url, timeout=60) as client:
            operator = {"Authorization": f"Bearer {keys['operator']}"}
            writes = [
                (await client.post("/orders/NO-SUCH/status", json={"status": "Shipped"}, headers=operator)).status_code
                for _ in range(3)
            ]
            limited = await client.post("/orders/NO-SUCH/status", json={"status": "Shipped"}, headers=operator)
            read = await client.get("/products", headers=operator)
            other_key = await client.post(
                "/orders/NO-SUCH/status",
                json={"status": "Shipped"},
                headers={"Authorization": f"Bearer {keys['admin']}"},
            )
    finally:
        live.stop()

    assert writes == [404, 404, 404]
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 20  # one token back at 3 a minute
    assert limited.json()["error"]["code"] == "rate_limited"
    assert read.status_code == 200  # reads are not limited
    assert other_key.status_code == 404  # the limit is per key


async def test_by_default_reads_are_open_and_writes_need_a_key(database: TestDatabase) -> None:
    live = LiveServer(database.settings(auth_enabled=True)).start()
    try:
        async with httpx.AsyncClient(base_url=live.url, timeout=60) as client:
            read = await client.get("/products")
            write = await client.post("/products", json=product_body())
            revoked_read = await client.get("/products", headers={"Authorization": "Bearer sim_no-such-key-at-all"})
        async with websockets.connect(ws_url(live.url, "channels=alerts")) as socket:
            welcome = await first_message(socket)
    finally:
        live.stop()

    assert read.status_code == 200
    assert write.status_code == 401
    assert revoked_read.status_code == 401  # a bad key is refused even where none is needed
    assert welcome["type"] == "welcome"
