"""The service's Prometheus metrics (prometheus-client), and the event-loop lag monitor.

Every process records into the default registry. With several worker processes
(`inventory serve --workers N`) PROMETHEUS_MULTIPROC_DIR names a directory where each process
keeps its values in a file of its own (prometheus-client's multiprocess mode), and a scrape of
any worker adds up all of them; the serve command sets it.
"""

from __future__ import annotations

import asyncio
import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# From a quarter of a millisecond (a stored forecast from memory) to ten seconds (a cold report).
LATENCY_BUCKETS = (0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Fine below 10 ms: a loop that is late by more than a few milliseconds is already a problem.
LAG_BUCKETS = (
    0.0005,
    0.001,
    0.002,
    0.003,
    0.005,
    0.0075,
    0.01,
    0.015,
    0.02,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
)

REQUESTS = Counter(
    "inventory_http_requests_total", "HTTP requests answered, by route template, method and status.",
    ["method", "route", "status"],
)  # fmt: skip
REQUEST_SECONDS = Histogram(
    "inventory_http_request_duration_seconds", "Time from a request's arrival to its last byte, by route template.",
    ["method", "route"], buckets=LATENCY_BUCKETS,
)  # fmt: skip
LOOP_LAG_SECONDS = Histogram(
    "inventory_event_loop_lag_seconds", "How late the event loop woke a timer: time the loop was held by other work.",
    buckets=LAG_BUCKETS,
)  # fmt: skip
OUTBOX_BACKLOG = Gauge(
    "inventory_outbox_backlog_events", "Outbox events not yet published (read at scrape time).",
    multiprocess_mode="mostrecent",
)  # fmt: skip
OUTBOX_OLDEST_AGE = Gauge(
    "inventory_outbox_oldest_unpublished_age_seconds", "Age of the oldest unpublished outbox event; 0 when none waits.",
    multiprocess_mode="mostrecent",
)  # fmt: skip
RELAY_BATCHES = Counter("inventory_relay_batches_total", "Batches of outbox events the relay published.")
RELAY_FAILURES = Counter("inventory_relay_failures_total", "Relay attempts that failed (and were retried).")
KAFKA_CONSUMER_LAG = Gauge(
    "inventory_kafka_consumer_lag_messages", "Messages on this process's partitions not yet consumed (Kafka only).",
    multiprocess_mode="livesum",
)  # fmt: skip
SOCKET_CLIENTS = Gauge(
    "inventory_stream_clients", "Connected live-event clients, by transport.", ["transport"],
    multiprocess_mode="livesum",
)  # fmt: skip
SOCKET_DROPS = Counter(
    "inventory_stream_clients_dropped_total", "Clients disconnected for being too slow to take their events.",
)  # fmt: skip
TRAINING_JOBS = Counter("inventory_training_jobs_total", "Training jobs finished, by outcome.", ["outcome"])
TRAINING_SECONDS = Histogram(
    "inventory_training_job_duration_seconds", "Wall time of a training job.",
    buckets=(1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)  # fmt: skip
TRAINING_LAST_SUCCESS = Gauge(
    "inventory_training_last_success_timestamp_seconds", "Unix time of the last training job that succeeded.",
    multiprocess_mode="max",
)  # fmt: skip
INGESTED_ROWS = Counter("inventory_ingested_rows_total", "Order rows loaded from files, by outcome.", ["outcome"])


# Every labelled series exists from the start, at zero: a dashboard can tell "none" from "not reported".
for _transport in ("websocket", "sse"):
    SOCKET_CLIENTS.labels(_transport)
for _outcome in ("succeeded", "failed"):
    TRAINING_JOBS.labels(_outcome)
for _outcome in ("inserted", "already_present", "rejected"):
    INGESTED_ROWS.labels(_outcome)


def render() -> bytes:
    """The metrics in the Prometheus text format: this process's, or all workers' in multiprocess mode."""
    if os.environ.get(MULTIPROCESS_DIRECTORY):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


def forget_process(pid: int) -> None:
    """Drop a finished worker's live gauges (multiprocess mode only)."""
    if os.environ.get(MULTIPROCESS_DIRECTORY):
        multiprocess.mark_process_dead(pid)


async def watch_loop_lag(interval: float = 0.05) -> None:
    """Forever: sleep `interval`, and record how much later than asked the loop woke this task up.

    A timer that fires late means the loop was busy with something else all that time: every
    request waiting for it was held as long.
    """
    clock = time.perf_counter
    while True:
        asked = clock()
        await asyncio.sleep(interval)
        LOOP_LAG_SECONDS.observe(max(clock() - asked - interval, 0.0))
