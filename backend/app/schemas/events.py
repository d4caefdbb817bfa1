"""The event contract of DESIGN.md: one envelope, a payload model per event type.

Events are written to the outbox in the transaction of the change they describe; the
streaming layer publishes them to Kafka topics and socket channels by type.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

EVENT_VERSION = 1

# event type -> (Kafka topic suffix, socket channels). Alerts are shown by dashboards.
ROUTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "order.created": ("orders", ("orders",)),
    "order.updated": ("orders", ("orders",)),
    "stock.updated": ("stock", ("stock",)),
    "stock.low": ("stock", ("stock", "alerts")),
    "stock.out": ("stock", ("stock", "alerts")),
    "alert.dead_stock": ("alerts", ("alerts",)),
    "alert.broadcast": ("alerts", ("alerts",)),
    "forecast.generated": ("forecasts", ("forecasts",)),
}
EventType = Literal[
    "order.created",
    "order.updated",
    "stock.updated",
    "stock.low",
    "stock.out",
    "alert.dead_stock",
    "alert.broadcast",
    "forecast.generated",
]
Severity = Literal["info", "warning", "critical"]


class EventEnvelope(BaseModel):
    """What travels on the bus and reaches sockets."""

    event_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    event_type: EventType
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    version: int = EVENT_VERSION
    data: dict[str, Any]


def envelope(event_type: EventType, data: BaseModel | dict[str, object]) -> EventEnvelope:
    """A new event of `event_type` carrying `data`."""
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    return EventEnvelope(event_type=event_type, data=payload)


class OrderLineData(BaseModel):
    sku: str
    quantity: int
    unit_price: float


class OrderCreatedData(BaseModel):
    order_id: str
    status: str
    customer_id: str
    order_date: str
    total_amount: float
    items: list[OrderLineData]


class OrderUpdatedData(BaseModel):
    order_id: str
    status: str
    previous_status: str
    total_amount: float


class StockUpdatedData(BaseModel):
    sku: str
    stock_on_hand: int
    change: int
    reason: str
    order_id: str | None = None


class AlertData(BaseModel):
    """What a dashboard shows for an alert (DESIGN.md: "type": "alert", title, message, severity)."""

    type: Literal["alert"] = "alert"
    title: str
    message: str
    severity: Severity


class StockAlertData(AlertData):
    sku: str
    product_name: str
    stock_on_hand: int
    reorder_point: int
