"""Exponential backoff for the loops that keep a connection or a delivery going (relay, Kafka, Redis)."""

from __future__ import annotations

import asyncio
import logging

logger = logging.getLogger("app.streaming")


class Backoff:
    """Waits `first` seconds after a failure, doubling up to `cap`; `reset()` once things work again."""

    def __init__(self, *, first: float, cap: float) -> None:
        self.first, self.cap = first, cap
        self.delay = first

    def reset(self) -> None:
        self.delay = self.first

    async def wait(self, what: str, exc: BaseException | str) -> None:
        """Log why (`what`: what failed), sleep the current delay, and lengthen the next one."""
        logger.warning("%s (%s); retrying in %.1f s", what, exc, self.delay)
        await asyncio.sleep(self.delay)
        self.delay = min(self.delay * 2, self.cap)
