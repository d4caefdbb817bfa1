"""The sockets of one process: who listens to which channels, each with a bounded queue.

Dispatch never waits on a client: an event is put on every matching client's queue
without blocking; a client whose queue is full is marked slow and disconnected by its own
sender, so one stalled browser cannot hold back the others.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any

from app.schemas.events import ROUTES

CHANNELS = frozenset(channel for _topic, channels in ROUTES.values() for channel in channels)


def channels_of(event_type: str) -> tuple[str, ...]:
    return ROUTES.get(event_type, ("", ()))[1]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """An event as a client receives it, serialised once however many sockets it goes to."""

    event_id: str
    event_type: str
    text: str

    @classmethod
    def of(cls, envelope: dict[str, Any]) -> Outgoing:
        return cls(envelope["event_id"], envelope["event_type"], json.dumps(envelope, separators=(",", ":")))


@dataclass(eq=False)
class Subscriber:
    """One connected client: its channels and the events waiting to be sent to it."""

    channels: set[str]
    queue: asyncio.Queue[Outgoing]
    id: int = field(default_factory=itertools.count(1).__next__)
    slow: bool = False


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

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def dispatch(self, envelope: dict[str, Any]) -> None:
        """Queue the event for every client listening on one of its channels; never blocks."""
        event_id = envelope.get("event_id", "")
        if event_id in self._recent:
            self.duplicates_dropped += 1
            return
        self._recent[event_id] = None
        if len(self._recent) > self._remembered:
            self._recent.popitem(last=False)
        targets = set(channels_of(envelope.get("event_type", "")))
        outgoing: Outgoing | None = None
        for subscriber in list(self._subscribers):
            if subscriber.slow or not (subscriber.channels & targets):
                continue
            outgoing = outgoing or Outgoing.of(envelope)
            try:
                subscriber.queue.put_nowait(outgoing)
                self.delivered += 1
            except asyncio.QueueFull:
                subscriber.slow = True
                self.dropped_slow_clients += 1

    def connections_per_channel(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for subscriber in self._subscribers:
            counts.update(subscriber.channels)
        return {channel: counts.get(channel, 0) for channel in sorted(CHANNELS)}

    @property
    def connections(self) -> int:
        return len(self._subscribers)
