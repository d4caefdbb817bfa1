"""The sockets of one process: who listens to which channels, and how each gets its events.

Dispatch never waits on a client. A live WebSocket that the server lets us write to gets the
event's frame written to its transport at once (`app.streaming.wire`); every other client (SSE,
a socket still sending its backlog, a socket behind another server) gets it on a bounded queue
that its own sender drains. A client whose queue or transport buffer is full is marked slow and
disconnected by its handler, so one stalled browser cannot hold back the others.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.core import metrics
from app.schemas.events import ROUTES
from app.streaming.wire import text_frame

CHANNELS = frozenset(channel for _topic, channels in ROUTES.values() for channel in channels)


def channels_of(event_type: str) -> tuple[str, ...]:
    return ROUTES.get(event_type, ("", ()))[1]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """An event as a client receives it, serialised once however many sockets it goes to:
    `text` for ASGI and SSE, `frame` (the whole WebSocket frame) for direct writes."""

    event_id: str
    event_type: str
    text: str
    frame: bytes

    @classmethod
    def of(cls, envelope: dict[str, Any]) -> Outgoing:
        text = json.dumps(envelope, separators=(",", ":"))
        return cls(envelope["event_id"], envelope["event_type"], text, text_frame(text.encode()))


# The heartbeat, as the sockets written to directly get it (the others' senders send the same JSON).
PING = Outgoing("", "ping", '{"type":"ping"}', text_frame(b'{"type":"ping"}'))


@dataclass(eq=False)
class Subscriber:
    """One connected client: its channels, and either the events waiting to be sent to it or,
    once `send_now` is set, the function that writes an event to its socket (False: too slow)."""

    channels: set[str]
    queue: asyncio.Queue[Outgoing]
    id: int = field(default_factory=itertools.count(1).__next__)
    slow: bool = False
    send_now: Callable[[Outgoing], bool] | None = None


class Hub:
    """Registers clients and hands them the events of their channels."""

    def __init__(self, *, queue_size: int = 1000, remembered_ids: int = 20_000) -> None:
        self.queue_size = queue_size
        self._subscribers: set[Subscriber] = set()
        # Kafka delivers at least once (a rebalance re-delivers to another replica): the last
        # ids dispatched here are remembered so a socket never gets an event twice.
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._remembered = remembered_ids
        self.duplicates_dropped = 0
        self.delivered = 0
        self.dropped_slow_clients = 0

    def subscribe(self, channels: set[str]) -> Subscriber:
        subscriber = Subscriber(channels=set(channels), queue=asyncio.Queue(self.queue_size))
        self._subscribers.add(subscriber)
        return subscriber

    def __contains__(self, subscriber: Subscriber) -> bool:
        return subscriber in self._subscribers

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def dispatch(self, envelope: dict[str, Any]) -> None:
        """Write or queue the event for every client listening on one of its channels; never blocks."""
        event_id = envelope.get("event_id", "")
        if event_id in self._recent:
            self.duplicates_dropped += 1
            return
        self._recent[event_id] = None
        if len(self._recent) > self._remembered:
            self._recent.popitem(last=False)
        targets = channels_of(envelope.get("event_type", ""))
        outgoing: Outgoing | None = None
        for subscriber in list(self._subscribers):
            if subscriber.slow or subscriber.channels.isdisjoint(targets):
                continue
            outgoing = outgoing or Outgoing.of(envelope)
            if subscriber.send_now is not None:
                if subscriber.send_now(outgoing):
                    self.delivered += 1
                else:
                    self.mark_slow(subscriber)
                continue
            try:
                subscriber.queue.put_nowait(outgoing)
                self.delivered += 1
            except asyncio.QueueFull:
                self.mark_slow(subscriber)

    def ping(self) -> None:
        """The heartbeat of every socket written to directly, in one pass: one timer for all of them rather
        than one per socket, whose handles lived long enough to reach the oldest GC generation."""
        for subscriber in list(self._subscribers):
            if subscriber.send_now is not None and not subscriber.slow and not subscriber.send_now(PING):
                self.mark_slow(subscriber)

    def mark_slow(self, subscriber: Subscriber) -> None:
        """It gets nothing more; its handler tells it and closes."""
        subscriber.slow = True
        self.dropped_slow_clients += 1
        metrics.SOCKET_DROPS.inc()

    def connections_per_channel(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for subscriber in self._subscribers:
            counts.update(subscriber.channels)
        return {channel: counts.get(channel, 0) for channel in sorted(CHANNELS)}

    @property
    def connections(self) -> int:
        return len(self._subscribers)

    @property
    def written_directly(self) -> int:
        """Connections whose events are written straight to their transport (the rest go through ASGI)."""
        return sum(subscriber.send_now is not None for subscriber in self._subscribers)
