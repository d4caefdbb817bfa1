"""A socket client's subscription: channels, the backlog it missed, then live events without duplicates."""

from __future__ import annotations

import asyncio

from app.core import metrics
from app.core.errors import UnprocessableInput
from app.db.unit_of_work import Reader
from app.streaming.history import events_after
from app.streaming.hub import CHANNELS, Hub, Outgoing, Subscriber
from app.streaming.wire import SocketWriter


def parse_channels(raw: object) -> set[str]:
    """Channel names from "orders,alerts" or a list of names; 422 for anything else or an unknown name.

    `raw` comes from a client's JSON as well as from a query string: numbers, nulls and nested lists
    are refused with a reason, not left to fail further on.
    """
    parts = raw.split(",") if isinstance(raw, str) else raw or []
    if not isinstance(parts, list | tuple) or not all(isinstance(part, str) for part in parts):
        raise UnprocessableInput(
            'channels must be a list of channel names, e.g. ["orders", "alerts"].',
            details=[{"field": "channels", "reason": "not a list of strings"}],
        )
    names = [part.strip() for part in parts if part.strip()]
    unknown = sorted(set(names) - CHANNELS)
    if unknown:
        raise UnprocessableInput(
            f"Unknown channel(s): {', '.join(unknown)}. Channels: {', '.join(sorted(CHANNELS))}.",
            details=[{"field": "channels", "reason": f"unknown channel {name!r}"} for name in unknown],
        )
    return set(names) or set(CHANNELS)


class ClientStream:
    """One client's view of the event stream (WebSocket or SSE).

    Events queue up until the handler has sent the backlog; then either its sender drains the
    queue (`next_event`), or, for a WebSocket we may write to, `send_directly` has the hub write
    each event to the socket as it is dispatched.
    """

    def __init__(self, hub: Hub, channels: set[str], *, transport: str) -> None:
        self.hub = hub
        self.subscriber: Subscriber = hub.subscribe(channels)
        self._connected = metrics.SOCKET_CLIENTS.labels(transport)
        self._connected.inc()
        self._already_sent: set[str] = set()
        self._writer: SocketWriter | None = None
        self._attention = asyncio.Event()

    @property
    def channels(self) -> set[str]:
        return self.subscriber.channels

    async def backlog(self, reader: Reader, last_event_id: str | None) -> tuple[list[Outgoing], bool]:
        """Events after `last_event_id` (the client is already subscribed, so nothing falls between)."""
        if not last_event_id:
            return [], True
        async with reader() as session:
            missed, complete = await events_after(session, last_event_id, self.channels)
        self._already_sent.update(event["event_id"] for event in missed)
        return [Outgoing.of(event) for event in missed], complete

    async def next_event(self, wait: float) -> Outgoing | None:
        """The next live event not already sent from the backlog; None after `wait` seconds of quiet."""
        try:
            # asyncio.timeout, not wait_for: no task per call, which counts with a thousand sockets.
            async with asyncio.timeout(wait):
                while True:
                    event = await self.subscriber.queue.get()
                    if event.event_id not in self._already_sent:
                        return event
                    self._already_sent.discard(event.event_id)
        except TimeoutError:
            return None

    def send_directly(self, writer: SocketWriter) -> None:
        """From now on the hub writes each event to the socket as it dispatches it: no queue, no task wake-up.

        What queued up while the backlog went out is written first, in order. All of it happens between
        two awaits, so no event can slip in between the queue and the direct writes.
        """
        self._writer = writer
        queue = self.subscriber.queue
        while not queue.empty():
            if not self._send_now(queue.get_nowait()):
                self.hub.mark_slow(self.subscriber)
                return
        self.subscriber.send_now = self._send_now

    def _send_now(self, event: Outgoing) -> bool:
        if event.event_id in self._already_sent:  # the backlog had it
            self._already_sent.discard(event.event_id)
            return True
        assert self._writer is not None
        if self._writer.write(event.frame):
            return True
        self._attention.set()  # too slow: its handler must tell it and close
        return False

    def wake(self) -> None:
        """Ends the current `rest`: the client left, or something needs its handler."""
        self._attention.set()

    async def rest(self) -> None:
        """While events (and the hub's heartbeats) go out directly: sleep until `wake()` or too slow."""
        await self._attention.wait()
        self._attention.clear()

    @property
    def too_slow(self) -> bool:
        return self.subscriber.slow

    def change(self, *, add: set[str] = frozenset(), remove: set[str] = frozenset()) -> None:
        self.subscriber.channels |= add
        self.subscriber.channels -= remove

    def close(self) -> None:
        if self.subscriber in self.hub:
            self._connected.dec()
        self.hub.unsubscribe(self.subscriber)
