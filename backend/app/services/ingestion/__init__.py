"""Ingestion: orders CSV (and stock CSV) -> validated rows -> database, with a row-level report."""

from app.services.ingestion.orders_validation import ORDER_COLUMNS
from app.services.ingestion.service import has_sales_history, ingest_orders_file
from app.services.ingestion.stock_file import STOCK_COLUMNS

__all__ = ["ORDER_COLUMNS", "STOCK_COLUMNS", "has_sales_history", "ingest_orders_file"]
