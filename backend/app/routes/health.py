"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.routes.deps import Services
from app.services.database import database_status

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


@router.get("/ready", response_model=Readiness, responses={503: {"model": Readiness}})
async def ready(services: Services) -> Readiness | JSONResponse:
    """Readiness: the database is reachable and at the latest migration (503 otherwise, with the reason)."""
    try:
        database = await database_status(services.engine)
    except Exception as exc:
        body = Readiness(status="unavailable", database={"reachable": False, "error": type(exc).__name__})
        return JSONResponse(body.model_dump(), status_code=503)
    if not database["migrated"]:
        body = Readiness(status="migrations_pending", database=database)
        return JSONResponse(body.model_dump(), status_code=503)
    return Readiness(status="ok", database=database)
