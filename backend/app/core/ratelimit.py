"""A token bucket per caller, in this process's memory.

With several replicas each process keeps its own buckets, so the effective limit is the
setting times the number of replicas; a shared limit would need Redis.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """`per_minute` requests per caller, in bursts of up to `per_minute`; 0 turns limiting off."""

    # Buckets of callers idle long enough to be full again are dropped, so memory stays bounded.
    _SWEEP_EVERY = 1024

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._takes = 0

    def take(self, caller: str) -> float:
        """Spend one token of `caller`; 0.0 when allowed, else the seconds until a token is back."""
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        bucket = self._buckets.get(caller)
        if bucket is None:
            bucket = self._buckets[caller] = _Bucket(tokens=float(self.per_minute), updated=now)
        bucket.tokens = min(self.per_minute, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        self._sweep(now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self._rate

    def retry_after_seconds(self, wait: float) -> int:
        """The Retry-After header's whole seconds for a wait (never 0, so clients do wait)."""
        return max(1, math.ceil(wait))

    def _sweep(self, now: float) -> None:
        self._takes += 1
        if self._takes % self._SWEEP_EVERY:
            return
        full_after = 60.0
        self._buckets = {name: b for name, b in self._buckets.items() if now - b.updated < full_after}
