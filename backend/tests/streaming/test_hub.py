"""The hub's promises: dispatch never blocks, a full queue marks its client slow, nobody gets an event twice."""

from __future__ import annotations

from app.streaming.hub import Hub


def envelope(number: int, event_type: str = "order.created") -> dict[str, object]:
    return {"event_id": f"e{number}", "event_type": event_type, "data": {}}


async def test_a_full_queue_marks_only_its_client_slow() -> None:
    hub = Hub(queue_size=3)
    stuck, reader = hub.subscribe({"orders"}), hub.subscribe({"orders"})
    for number in range(10):
        hub.dispatch(envelope(number))
        if not reader.queue.empty():
            reader.queue.get_nowait()  # this client keeps up
    assert stuck.slow and not reader.slow
    assert hub.dropped_slow_clients == 1
    assert stuck.queue.qsize() == 3


async def test_channels_route_events_and_duplicates_are_dropped() -> None:
    hub = Hub()
    orders, alerts = hub.subscribe({"orders"}), hub.subscribe({"alerts"})
    hub.dispatch(envelope(1))
    hub.dispatch(envelope(1))  # a Kafka re-delivery after a rebalance
    hub.dispatch(envelope(2, "stock.low"))  # stock and alerts channels
    assert orders.queue.qsize() == 1 and alerts.queue.qsize() == 1
    assert hub.duplicates_dropped == 1
    assert hub.connections_per_channel()["orders"] == 1
    hub.unsubscribe(orders)
    assert hub.connections == 1
