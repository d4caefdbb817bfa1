"""HTTP and WebSocket adapters, one module per router."""

from app.routes import analytics, customers, dashboard, forecast, health, keys, orders, products, stream

ROUTERS = [
    health.router,
    products.router,
    orders.router,
    analytics.router,
    customers.customers_router,
    customers.sellers_router,
    forecast.router,
    stream.router,
    dashboard.router,
    keys.router,
]
# Routes that take file uploads: their bodies may reach MAX_UPLOAD_MB, not MAX_REQUEST_BODY_KB.
UPLOAD_PATHS = frozenset({"/forecast/upload-data"})

__all__ = ["ROUTERS", "UPLOAD_PATHS"]
