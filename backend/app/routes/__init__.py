"""HTTP and WebSocket adapters, one module per router."""

from app.routes import analytics, customers, forecast, health, orders, products

ROUTERS = [
    health.router,
    products.router,
    orders.router,
    analytics.router,
    customers.customers_router,
    customers.sellers_router,
    forecast.router,
]

__all__ = ["ROUTERS"]
