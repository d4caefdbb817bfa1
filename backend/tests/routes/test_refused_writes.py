"""Generated bad values in every write's fields and paths (hypothesis): always an answer, never a 5xx; a
refusal is a 4xx with the error body and a request id, and leaves the database exactly as it was.

The bad values are the kinds that found 5xx answers before: integers past the columns' types, NUL and
other control characters, Unicode digits, very long text, nulls, wrong types and nesting. Each example
replaces one field of a valid body (or one path segment) of one write; the database's snapshot (row
counts, stock totals, revocations) is taken before and after each refused request.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.core.config import Settings
from app.core.db import create_engine
from tests.support.databases import TestDatabase
from tests.support.servers import LiveServer

SNAPSHOT = text(
    "SELECT (SELECT COUNT(*) FROM products), (SELECT COALESCE(SUM(stock_on_hand), 0) FROM products),"
    " (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM order_lines),"
    " (SELECT COUNT(*) FROM inventory_movements), (SELECT COUNT(*) FROM outbox),"
    " (SELECT COUNT(*) FROM api_keys), (SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NOT NULL),"
    " (SELECT COUNT(*) FROM orders WHERE status <> 'Pending')"
)

BAD_VALUES = st.one_of(
    st.integers(min_value=2**31 - 10, max_value=2**70),
    st.integers(min_value=-(2**70), max_value=-(2**31) + 10),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.sampled_from(["\x00", "\x01", "\x7f", "a", "/", "..", "\u2028"]), min_size=1, max_size=8).map("".join),
    st.sampled_from(["²", "٣", "１２", "1e309", "-0", "NaN", "", " ", "a" * 5000]),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.recursive(st.integers(), lambda inner: st.lists(inner, max_size=2), max_leaves=6),
)
BAD_SEGMENTS = st.sampled_from(
    ["99999999999999999999", "%C2%B2", "%00", "a%2Fb", "..%2F..", "-1", "1e9", "x" * 300, "%E2%80%A8", "%F0%9F%92%A9"]
)


def product() -> dict[str, Any]:
    return {"sku": "PROP-NEW", "name": "n", "category": "c", "unit_price": "1.00", "stock_on_hand": 1,
            "reorder_point": 0, "lead_time_days": 7}  # fmt: skip


# (method, path with {segment} where one goes, a valid body)
WRITES: list[tuple[str, str, Callable[[], dict[str, Any]] | None]] = [
    ("POST", "/products", product),
    ("PATCH", "/products/{segment}", lambda: {"name": "renamed", "reorder_point": 3}),
    ("DELETE", "/products/{segment}", None),
    ("POST", "/products/{segment}/stock", lambda: {"kind": "receipt", "quantity": 5, "note": "in"}),
    ("POST", "/orders", lambda: {"customer_id": "C-1", "items": [{"sku": "PROP-1", "quantity": 1}]}),
    ("POST", "/orders/{segment}/status", lambda: {"status": "Shipped"}),
    ("POST", "/stream/broadcast/alert", lambda: {"title": "t", "message": "m", "severity": "info"}),
    ("POST", "/keys", lambda: {"role": "viewer", "name": "n"}),
    ("DELETE", "/keys/{segment}", None),
]


class Snapshots:
    """The database's snapshot, read on an event loop of its own (hypothesis drives a plain function)."""

    def __init__(self, url: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._engine = create_engine(Settings(_env_file=None, database_url=url), read_only=True)

    def _run(self, coroutine: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout=60)

    def take(self) -> tuple[Any, ...]:
        async def read() -> tuple[Any, ...]:
            async with self._engine.connect() as connection:
                return tuple((await connection.execute(SNAPSHOT)).one())

        return self._run(read())

    def close(self) -> None:
        self._run(self._engine.dispose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture(scope="module")
def writable(database: TestDatabase) -> Iterator[tuple[httpx.Client, Snapshots]]:
    """A server of its own (keys off: every write allowed) on the session's database, with one product."""
    live = LiveServer(database.settings(write_rate_limit_per_minute=0)).start()
    snapshots = Snapshots(database.url)
    try:
        with httpx.Client(base_url=live.url, timeout=60) as client:
            seeded = client.post("/products", json={**product(), "sku": "PROP-1", "stock_on_hand": 50})
            assert seeded.status_code in (201, 409), seeded.text
            yield client, snapshots
    finally:
        snapshots.close()
        live.stop()


def _request(write: tuple[str, str, Any], field: str | None, value: Any, segment: str) -> tuple[str, str, Any]:
    method, path, body = write
    payload = body() if body else None
    if payload is not None and field is not None:
        if field == "items.0.sku" or field == "items.0.quantity":
            payload["items"][0][field.rsplit(".", 1)[1]] = value
        else:
            payload[field] = value
    return method, path.replace("{segment}", segment), payload


@settings(
    max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "12")) * 12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_refused_write_answers_with_the_error_body_and_changes_nothing(
    writable: tuple[httpx.Client, Snapshots], data: st.DataObject
) -> None:
    client, snapshots = writable
    write = data.draw(st.sampled_from(WRITES), label="write")
    fields = (
        list(write[2]()) + (["items.0.sku", "items.0.quantity"] if write[1] == "/orders" else []) if write[2] else []
    )
    field = data.draw(st.sampled_from(fields), label="field") if fields else None
    value = data.draw(BAD_VALUES, label="value")
    segment = data.draw(BAD_SEGMENTS, label="segment") if "{segment}" in write[1] else ""
    method, path, payload = _request(write, field, value, segment)

    before = snapshots.take()
    try:
        # json.dumps writes NaN and Infinity as JavaScript does: not JSON, and the server must say so.
        body = None if payload is None else json.dumps(payload).encode()
        response = client.request(method, path, content=body, headers={"Content-Type": "application/json"})
    except httpx.TransportError as error:  # a dropped connection is the one answer never allowed
        pytest.fail(f"{method} {path} {payload!r:.200}: no answer ({error!r})")
    assert response.status_code < 500, f"{method} {path} {payload!r:.200}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == {"code", "message", "details"} and response.headers.get("x-request-id")
        assert snapshots.take() == before, f"{method} {path} {payload!r:.200} was refused but changed the database"
