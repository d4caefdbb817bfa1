"""Liveness and readiness probes, and the Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.core.errors import error_body
from app.core.metrics import CONTENT_TYPE
from app.db.migrations import database_status
from app.routes.deps import GUARDED, Services, Session, may_read_metrics
from app.schemas.common import ErrorBody
from app.services.monitoring import metrics_text

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: dict[str, object]


@router.get("/health", response_model=Health)
async def health() -> Health:
    """Liveness: the process answers. Touches nothing else, so load balancers can poll it cheaply."""
    return Health(status="ok")


@router.get("/ready", response_model=Readiness, responses={503: {"model": ErrorBody}})
async def ready(services: Services) -> Readiness | JSONResponse:
    """Readiness: the database is reachable and at the latest migration; otherwise a 503 in the API's error shape
    (`service_unavailable` or `migrations_pending`) that says what to do."""
    try:
        database = await database_status(services.engine)
    except Exception as exc:
        body = error_body(
            "service_unavailable", "The database is not reachable; check DATABASE_URL and that the server is up.",
            [{"field": "database", "reason": "unreachable", "error": type(exc).__name__}],
        )  # fmt: skip
        return JSONResponse(body, status_code=503)
    if not database["migrated"]:
        body = error_body(
            "migrations_pending", f"The database is at revision {database['revision']}, not {database['head']}: "
            "run `inventory db upgrade`.", [{"field": "database", "reason": "migrations pending", **database}],
        )  # fmt: skip
        return JSONResponse(body, status_code=503)
    return Readiness(status="ok", database=database)


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Depends(may_read_metrics)],
    responses={200: {"content": {CONTENT_TYPE: {}}}, 401: GUARDED[401], 403: GUARDED[403]},
)
async def prometheus_metrics(session: Session) -> Response:
    """Prometheus metrics in the text format: requests and latency by route template, event-loop lag, the
    outbox backlog and its oldest event's age, relay batches and failures, Kafka consumer lag, live-event
    clients and drops, training jobs, ingested rows. With several workers, every worker's counts. Who may
    read it: METRICS_ACCESS."""
    return Response(content=await metrics_text(session), media_type=CONTENT_TYPE)
