"""The application: `create_app()` and the one lifespan that builds every long-lived client."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException

from app.core import metrics
from app.core.config import Settings, get_settings
from app.core.db import create_engine
from app.core.logging import configure_logging
from app.core.ratelimit import TokenBuckets
from app.core.reads import ReadWorker
from app.db.unit_of_work import UnitOfWork
from app.routes import ROUTERS, UPLOAD_PATHS
from app.routes.deps import AppServices, CleanInput
from app.routes.errors import install_error_handlers
from app.routes.middleware import REQUEST_ID, BodyLimit, RequestLog
from app.services.access import VerifiedKeys
from app.services.analytics.cache import AnalyticsCache
from app.services.forecasting.runner import TrainingRunner, fit_workers
from app.services.forecasting.serving import RecentBodies
from app.streaming.runtime import Streaming
from app.streaming.wire import SocketAccess

YOUNG_COLLECTION_EVERY = 20_000  # allocations


async def _build_routes(app: FastAPI) -> None:
    """Have FastAPI build every route before the first request does.

    FastAPI builds the routes of an included router (a pydantic adapter for every parameter and
    response) when the first request reaches them: for this app, 0.1 s of the event loop in front of
    whichever request came first after a start. A request that matches no route reaches them all.
    """
    scope = {"type": "http", "method": "GET", "path": "/\u2060build-routes", "raw_path": b"/", "query_string": b"",
             "headers": [], "root_path": "", "app": app, "state": {}}  # fmt: skip

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: dict) -> None:
        return None

    with contextlib.suppress(HTTPException):  # the 404 it is
        await app.router(scope, receive, send)


def _lifespan(settings: Settings):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, AppServices]]:
        engine = create_engine(settings)
        streaming = Streaming(settings)
        # A commit that wrote events wakes the relay: live events do not wait for its next poll.
        work = UnitOfWork(engine, on_events_committed=streaming.wake_relay)
        trainer = TrainingRunner(work, workers=fit_workers(settings), horizon=settings.forecast_horizon_weeks)
        await streaming.start(work)
        reads = ReadWorker(settings)
        services = AppServices(
            settings=settings, engine=engine, unit_of_work=work, trainer=trainer, streaming=streaming,
            # Per app, not per module: two apps in one process (tests, embedding) may read different databases.
            forecast_bodies=RecentBodies(ttl=2.0), analytics=AnalyticsCache(work.reader, reads),
            keys=VerifiedKeys(work, seconds=settings.api_key_cache_seconds),
            write_limits=TokenBuckets(settings.write_rate_limit_per_minute),
        )  # fmt: skip
        # What start-up built (pandas, statsmodels, the ORM...) lives as long as the process: moved out of
        # the collector's sight, a full collection never walks it, so no collection pauses the sockets'
        # events for as long as walking all of it takes.
        await _build_routes(app)
        lag_watch = asyncio.create_task(metrics.watch_loop_lag(), name="event-loop-lag")
        gc.collect()
        gc.freeze()
        # A young-generation collection every 20,000 allocations instead of 700 (the default): reference
        # counting frees nearly all of the server's garbage, so only cycles wait longer, and an order pays
        # for fewer collections (bench.orders_instructions; bench.soak bounds the memory growth).
        gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
        try:
            yield {"services": services}
        finally:
            lag_watch.cancel()
            metrics.forget_process(os.getpid())
            await trainer.close()
            await reads.close()
            await streaming.stop()
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
        dependencies=[CleanInput],
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    _install_hardening(app, settings)
    return app


def _install_hardening(app: FastAPI, settings: Settings) -> None:
    """Logs with request ids, body limits, CORS for the dashboard's origins."""
    configure_logging(settings.log_level)
    # Added last = outermost: the body limit answers before CORS and the app see a byte, and the
    # request log sees every answer, the limit's included.
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID", REQUEST_ID],
            expose_headers=[REQUEST_ID, "Retry-After", "Idempotent-Replayed"],
            max_age=600,
        )
    app.add_middleware(
        BodyLimit,
        body_bytes=settings.max_request_body_kb << 10,
        upload_bytes=settings.max_upload_mb << 20,
        upload_paths=UPLOAD_PATHS,
    )
    app.add_middleware(RequestLog)
    # Outermost of ours: live events are written to each WebSocket's transport, found behind the server's send.
    app.add_middleware(SocketAccess)
