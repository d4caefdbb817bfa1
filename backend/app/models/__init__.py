"""ORM models. Importing this package registers every table on `Base.metadata`."""

from app.models.access import ApiKey, IdempotencyRecord
from app.models.base import Base
from app.models.catalog import Customer, Product, Seller
from app.models.forecasting import ForecastModel, TrainingJob
from app.models.ingestion import IngestionRun
from app.models.ledger import MOVEMENT_REASONS, InventoryMovement
from app.models.orders import ORDER_STATUSES, Order, OrderLine
from app.models.outbox import OutboxEvent

__all__ = [
    "MOVEMENT_REASONS",
    "ORDER_STATUSES",
    "ApiKey",
    "Base",
    "Customer",
    "ForecastModel",
    "IdempotencyRecord",
    "IngestionRun",
    "InventoryMovement",
    "Order",
    "OrderLine",
    "OutboxEvent",
    "Product",
    "Seller",
    "TrainingJob",
]
