"""HTTP and WebSocket adapters, one module per router."""

from app.routes import forecast, health, orders, products

ROUTERS = [health.router, products.router, orders.router, forecast.router]

__all__ = ["ROUTERS"]
