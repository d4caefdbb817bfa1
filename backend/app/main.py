"""The application: `create_app()` and the one lifespan that builds every long-lived client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.core.config import Settings, get_settings
from app.core.db import create_engine, create_sessionmaker
from app.routes import ROUTERS
from app.routes.deps import AppServices
from app.routes.errors import install_error_handlers
from app.services.forecasting.runner import TrainingRunner, fit_workers


def _lifespan(settings: Settings):
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[dict[str, AppServices]]:
        engine = create_engine(settings)
        sessions = create_sessionmaker(engine)
        trainer = TrainingRunner(sessions, workers=fit_workers(settings), horizon=settings.forecast_horizon_weeks)
        services = AppServices(settings=settings, engine=engine, sessions=sessions, trainer=trainer)
        try:
            yield {"services": services}
        finally:
            await trainer.close()
            await engine.dispose()

    return lifespan


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI application for `settings` (default: the environment's)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Smart Inventory Manager",
        summary="Sales history in; demand forecasts, reorder advice, a stock ledger and live events out.",
        version="0.1.0",
        lifespan=_lifespan(settings),
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    return app
