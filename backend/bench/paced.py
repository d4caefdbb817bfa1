"""Open-loop load: requests sent at a fixed rate, latency counted from when each one was due.

wrk keeps every connection busy (closed loop): it measures how many requests a server can
finish, and at that point every request queues behind the others, so its latency is the
queue (Little's law: 16 connections at 300 requests/s wait 53 ms on average, however fast
one request is). A service level is a latency at a given load; this sends requests on a
fixed schedule over keep-alive connections, whether or not earlier answers came back, and
counts each latency from the moment the request was due, so a server that falls behind
shows its whole backlog instead of slowing the client down (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class PacedResult:
    offered_per_second: float
    completed: int
    errors: int
    seconds: float
    latencies: list[float]

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")

    def as_row(self) -> dict[str, float]:
        """The figures in wrk_load's shape (per_second, p50, p99 in ms, errors, requests)."""
        return {
            "per_second": self.completed / self.seconds, "p50": self.percentile(0.50), "p99": self.percentile(0.99),
            "errors": float(self.errors), "requests": float(self.completed),
        }  # fmt: skip


def http_request(
    url: str, method: str = "GET", body: bytes = b"", content_type: str = "application/json", key: str | None = None
) -> bytes:
    """One HTTP/1.1 request on a keep-alive connection, as bytes (with `Authorization: Bearer key`)."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    head = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: keep-alive"]
    if key:
        head.append(f"Authorization: Bearer {key}")
    if body:
        head += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = next((int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), 0)
    await reader.readexactly(length)
    return status


async def paced_load(
    url: str, request: Callable[[int], bytes], *, rate: float, seconds: float, connections: int
) -> PacedResult:
    """Send `request(n)` for n = 0, 1, ... at `rate` per second for `seconds` over `connections` keep-alive
    connections; a request waits for a free connection if all are busy, and that wait counts."""
    parts = urlsplit(url)
    streams = [await asyncio.open_connection(parts.hostname, parts.port) for _ in range(connections)]
    due: asyncio.Queue[tuple[float, int] | None] = asyncio.Queue()
    latencies: list[float] = []
    errors = 0

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal errors
        while (item := await due.get()) is not None:
            at, number = item
            writer.write(request(number))
            status = await _read_response(reader)
            latencies.append(time.monotonic() - at)
            errors += not 200 <= status < 300

    workers = [asyncio.create_task(connection(*stream)) for stream in streams]
    total = int(rate * seconds)
    started = time.monotonic() + 0.05
    for number in range(total):
        at = started + number / rate
        if (wait := at - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        due.put_nowait((at, number))
    for _ in workers:
        due.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.monotonic() - started
    for _reader, writer in streams:
        writer.close()
    return PacedResult(
        offered_per_second=rate, completed=len(latencies), errors=errors, seconds=elapsed, latencies=latencies
    )
