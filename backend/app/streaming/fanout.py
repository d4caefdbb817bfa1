"""Fan-out to every replica's sockets: in-process, or through one Redis pub/sub channel.

With Redis each process publishes an event once to `<prefix>:events` and every process
subscribes once, handing what arrives to its own hub; without Redis the event goes straight
to this process's hub.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Protocol

from app.streaming.backoff import Backoff
from app.streaming.hub import Hub


class Fanout(Protocol):
    name: str

    async def publish(self, envelope: dict[str, Any]) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def healthy(self) -> bool: ...


class LocalFanout:
    """Hands events to this process's sockets only (one process, no Redis)."""

    name = "in-process"

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def publish(self, envelope: dict[str, Any]) -> None:
        self.hub.dispatch(envelope)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def healthy(self) -> bool:
        return True


class RedisFanout:
    """Publishes to a Redis channel; one subscription per process feeds the local hub."""

    name = "redis"

    def __init__(self, hub: Hub, url: str, prefix: str) -> None:
        self.hub = hub
        self.url = url
        self.channel = f"{prefix}:events"
        self._client: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._connected = False

    async def start(self) -> None:
        from redis.asyncio import Redis

        self._client = Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=10)
        self._listener = asyncio.create_task(self._listen(), name="redis-fanout")

    async def publish(self, envelope: dict[str, Any]) -> None:
        # Raises when Redis is down, or when no process is subscribed yet (pub/sub keeps
        # nothing for later): the caller keeps the event and tries again.
        receivers = await self._client.publish(self.channel, json.dumps(envelope, separators=(",", ":")))
        if receivers == 0:
            raise ConnectionError("no process is subscribed to the event channel yet")

    async def _listen(self) -> None:
        backoff = Backoff(first=0.2, cap=5.0)
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._connected = True
                    backoff.reset()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self.hub.dispatch(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._connected = False
                await backoff.wait("redis subscription lost", exc)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def healthy(self) -> bool:
        return self._connected
