"""HTTP and WebSocket adapters, one module per router."""

from app.routes import analytics, customers, dashboard, forecast, health, keys, orders, products, stream

# Requests are matched against the routers in this order: the busiest paths first (load balancers
# poll /health; dashboards and replenishment read /forecast; tills post /orders).
ROUTERS = [
    health.router,
    forecast.router,
    orders.router,
    products.router,
    analytics.router,
    customers.customers_router,
    customers.sellers_router,
    stream.router,
    keys.router,
    dashboard.router,
]
# Routes that take file uploads: their bodies may reach MAX_UPLOAD_MB, not MAX_REQUEST_BODY_KB.
UPLOAD_PATHS = frozenset({"/forecast/upload-data"})

__all__ = ["ROUTERS", "UPLOAD_PATHS"]
