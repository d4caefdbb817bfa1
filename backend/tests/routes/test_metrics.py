"""GET /metrics: Prometheus text that prometheus-client's own parser reads, counting exactly what was asked,
from one worker or from all of them."""

from __future__ import annotations

import asyncio

import httpx
import websockets
from prometheus_client.parser import text_string_to_metric_families

from app.services import access
from tests.support.brokers import unique_prefix
from tests.support.databases import TestDatabase
from tests.support.servers import LiveServer, served_command


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the exposition, by name and labels (the parser raises on anything malformed)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def requests_of(text: str, route: str, status: str, method: str = "GET") -> float:
    labels = frozenset({("method", method), ("route", route), ("status", status)})
    return samples(text).get(("inventory_http_requests_total", labels), 0.0)


def names(text: str) -> set[str]:
    return {name for name, _labels in samples(text)}


async def test_metrics_count_exactly_the_requests_made_by_route_template(api: httpx.AsyncClient) -> None:
    before = (await api.get("/metrics")).text
    for _ in range(7):
        assert (await api.get("/products")).status_code == 200
    for sku in ("NOPE-1", "NOPE-2", "NOPE-3"):
        assert (await api.get(f"/products/{sku}")).status_code == 404
    response = await api.get("/metrics")
    after = response.text

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert requests_of(after, "/products", "200") - requests_of(before, "/products", "200") == 7
    # One series for the route, not one per SKU asked for.
    assert requests_of(after, "/products/{sku}", "404") - requests_of(before, "/products/{sku}", "404") == 3
    assert not any(("NOPE" in value) for _name, labels in samples(after) for _key, value in labels)
    series = names(after)
    for expected in (
        "inventory_http_request_duration_seconds_bucket",
        "inventory_event_loop_lag_seconds_bucket",
        "inventory_outbox_backlog_events",
        "inventory_outbox_oldest_unpublished_age_seconds",
        "inventory_relay_batches_total",
        "inventory_relay_failures_total",
        "inventory_stream_clients",
        "inventory_stream_clients_dropped_total",
        "inventory_training_jobs_total",
        "inventory_ingested_rows_total",
    ):
        assert expected in series, expected
    lag = samples(after)[("inventory_event_loop_lag_seconds_count", frozenset())]
    assert lag > 0  # the monitor has been measuring since start-up


async def test_metrics_follow_metrics_access(database: TestDatabase) -> None:
    _row, viewer = await access.create_key(database.work, role="viewer", name="scraper")
    guarded = LiveServer(database.settings(auth_enabled=True, metrics_access="operator")).start()
    open_to_all = LiveServer(database.settings(auth_enabled=True, auth_require_for_reads=True, metrics_access="open"))
    open_to_all.start()
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            anonymous = await client.get(f"{guarded.url}/metrics")
            as_viewer = await client.get(f"{guarded.url}/metrics", headers={"Authorization": f"Bearer {viewer}"})
            opened = await client.get(f"{open_to_all.url}/metrics")
    finally:
        guarded.stop()
        open_to_all.stop()
    assert (anonymous.status_code, as_viewer.status_code, opened.status_code) == (401, 403, 200)
    assert as_viewer.json()["error"]["details"][0]["required_role"] == "operator"


async def test_two_workers_are_counted_together(database: TestDatabase, redis_url: str) -> None:
    environment = {
        "DATABASE_URL": database.url, "AUTH_ENABLED": "false", "REDIS_ENABLED": "true", "REDIS_URL": redis_url,
        "REDIS_CHANNEL_PREFIX": unique_prefix(),
    }  # fmt: skip
    with served_command(environment, workers=2) as (url, _pid):
        # A socket held open on one worker tells the workers apart: /stream/status counts this worker's own.
        async with websockets.connect(url.replace("http://", "ws://") + "/stream/ws") as socket:
            await asyncio.wait_for(socket.recv(), 10)  # its welcome: the socket is registered
            answered_by: set[int] = set()
            asked = 0
            while answered_by != {0, 1} and asked < 200:
                async with httpx.AsyncClient(base_url=url, timeout=30) as fresh_connection:
                    answered_by.add((await fresh_connection.get("/stream/status")).json()["connections"])
                asked += 1
            assert answered_by == {0, 1}, "every request reached the same worker"
            for _ in range(4):  # whichever worker answers the scrape, it counts both workers' requests
                async with httpx.AsyncClient(base_url=url, timeout=30) as fresh_connection:
                    text = (await fresh_connection.get("/metrics")).text
                assert requests_of(text, "/stream/status", "200") == asked
                clients = samples(text)[("inventory_stream_clients", frozenset({("transport", "websocket")}))]
                assert clients == 1
