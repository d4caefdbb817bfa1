"""HTTP and WebSocket adapters, one module per router."""

from app.routes import forecast, health

ROUTERS = [health.router, forecast.router]

__all__ = ["ROUTERS"]
