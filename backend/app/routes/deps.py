"""Dependencies, each declared once as an Annotated alias for route signatures."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Query, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.requests import HTTPConnection

from app.core.config import Settings
from app.core.errors import AppError, Forbidden, RateLimited, Unauthorized, UnprocessableInput, error_frame
from app.core.ratelimit import TokenBuckets
from app.core.security import Role, role_allows
from app.db.unit_of_work import UnitOfWork
from app.schemas.common import ErrorBody
from app.services.access import Caller, VerifiedKeys
from app.services.analytics.cache import AnalyticsCache
from app.services.forecasting.runner import TrainingRunner
from app.services.forecasting.serving import RecentBodies
from app.streaming.runtime import Streaming


@dataclass(frozen=True)
class AppServices:
    """Everything the lifespan built (see `app.main`), handed to requests by `get_services`."""

    settings: Settings
    engine: AsyncEngine
    unit_of_work: UnitOfWork
    trainer: TrainingRunner
    streaming: Streaming
    forecast_bodies: RecentBodies
    analytics: AnalyticsCache
    keys: VerifiedKeys
    write_limits: TokenBuckets


async def get_services(connection: HTTPConnection) -> AppServices:
    """The clients the lifespan built (for HTTP requests and WebSockets alike).

    The trivial dependencies here are `async def` on purpose: FastAPI runs a plain `def` dependency in
    its thread pool, a hand-off that cost more than the rest of an order request's Python work.
    """
    return connection.state.services


Services = Annotated[AppServices, Depends(get_services)]


async def app_settings(services: Services) -> Settings:
    return services.settings


AppSettings = Annotated[Settings, Depends(app_settings)]


async def get_analytics(services: Services) -> AnalyticsCache:
    return services.analytics


Analytics = Annotated[AnalyticsCache, Depends(get_analytics)]


async def get_unit_of_work(services: Services) -> UnitOfWork:
    """Where a write use case opens its transaction: it commits there, before the route answers."""
    return services.unit_of_work


Work = Annotated[UnitOfWork, Depends(get_unit_of_work)]


async def get_session(services: Services) -> AsyncIterator[AsyncSession]:
    """A read session per request. It never commits: writes go through the unit of work (`Work`).

    Scope "function" closes it when the route returns, before the response is sent.
    """
    async with services.unit_of_work.reader() as session:
        yield session


Session = Annotated[AsyncSession, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int


async def get_page(
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page (at most 500).")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Pagination = Annotated[PageParams, Depends(get_page)]


async def refuse_nul_characters(connection: HTTPConnection) -> None:
    """422 for a NUL character in a path or query parameter: PostgreSQL cannot store or compare text with
    one, and no SKU, name or search term has it."""
    parameters = [("path", name, value) for name, value in connection.path_params.items()]
    parameters += [("query", name, value) for name, value in connection.query_params.multi_items()]
    bad = [f"{where}.{name}" for where, name, value in parameters if "\x00" in str(value) or "\x00" in name]
    if bad:
        raise UnprocessableInput(
            f"NUL characters are not allowed: {', '.join(bad)}.",
            details=[{"field": field, "reason": "contains a NUL character"} for field in bad],
        )


CleanInput = Depends(refuse_nul_characters)  # app-wide, see app.main


# Days a query may name: date arithmetic near year 1 or 9999 overflows, and no sales are that old or new.
DAY_BOUNDS = {"ge": date(1900, 1, 1), "le": date(2199, 12, 31)}


# --- API keys and roles -------------------------------------------------------------------

_KEY_FIELD = "Authorization"


def presented_key(connection: HTTPConnection) -> str | None:
    """The key a client sent: `Authorization: Bearer <key>`, or `?token=<key>` where a client cannot set
    headers (browsers' WebSocket and EventSource). None when no key was sent, "" for an Authorization
    header that is not a bearer key."""
    header = connection.headers.get("authorization")
    if header is not None:
        scheme, _, credentials = header.partition(" ")
        return credentials.strip() if scheme.lower() == "bearer" else ""
    return connection.query_params.get("token")


async def _caller_of_key(services: AppServices, key: str) -> Caller:
    if not key:
        raise Unauthorized(
            "The Authorization header must be 'Bearer <key>'.",
            details=[{"field": _KEY_FIELD, "reason": "not a bearer key"}],
        )
    caller = await services.keys.caller(key)
    if caller is None:
        raise Unauthorized(
            "The API key is unknown or revoked.", details=[{"field": _KEY_FIELD, "reason": "unknown or revoked key"}]
        )
    return caller


_CALLER = "app.caller"  # where a request keeps its caller once looked up (a route may check two roles)


async def _caller(connection: HTTPConnection, services: AppServices) -> Caller | None:
    """The key's owner, or None when keys are off or none was sent. A bad key is a 401 even where none
    is needed: a revoked key must stop working, not quietly become anonymous."""
    if _CALLER in connection.scope:
        return connection.scope[_CALLER]
    key = presented_key(connection) if services.settings.auth_enabled else None
    caller = None if key is None else await _caller_of_key(services, key)
    connection.scope[_CALLER] = caller
    return caller


def _check_role(caller: Caller | None, role: Role) -> None:
    if caller is None:
        raise Unauthorized(
            f"This needs an API key with the {role} role: send Authorization: Bearer <key>.",
            details=[{"field": _KEY_FIELD, "reason": "missing"}],
        )
    if not role_allows(caller.role, role):
        raise Forbidden(
            f"This needs the {role} role; key {caller.prefix}... ('{caller.name}') is a {caller.role} key.",
            details=[{"field": _KEY_FIELD, "reason": f"role {caller.role} below {role}", "required_role": role}],
        )


def _check_write_rate(connection: HTTPConnection, caller: Caller) -> None:
    limits = connection.state.services.write_limits
    wait = limits.take(f"key:{caller.key_id}")
    if wait:
        raise RateLimited(
            f"More than {limits.per_minute} writes a minute with key {caller.prefix}... (WRITE_RATE_LIMIT_PER_MINUTE).",
            retry_after=limits.retry_after_seconds(wait),
        )


class RoleRequired(HTTPBearer):
    """A dependency that lets `role` and the roles above it through (viewer < operator < admin), and
    returns the caller (None when keys are off or none was needed and none was sent).

    Viewer routes are open unless AUTH_REQUIRE_FOR_READS; everything is open when AUTH_ENABLED is
    false. Writes (operator and admin) count against the key's rate limit. It is itself the bearer
    scheme of the OpenAPI document, so a request resolves one dependency for its access check, not a
    chain of four: that chain was a fifth of the time of a forecast read.
    """

    def __init__(self, role: Role) -> None:
        super().__init__(
            scheme_name="ApiKey",
            auto_error=False,
            description="An API key: `inventory keys create --role viewer|operator|admin`.",
        )
        self.role = role

    async def __call__(self, connection: HTTPConnection) -> Caller | None:  # type: ignore[override]
        services = await get_services(connection)
        caller = await _caller(connection, services)
        settings = services.settings
        if settings.auth_enabled and (self.role != "viewer" or settings.auth_require_for_reads):
            _check_role(caller, self.role)
        if self.role != "viewer" and caller is not None:
            _check_write_rate(connection, caller)
        return caller


async def may_read_metrics(connection: HTTPConnection) -> None:
    """METRICS_ACCESS: `open`, or the least role that may scrape /metrics (`viewer`, the default, is open
    while reads are). Not a write, whatever the role: a scrape never counts against the write limit."""
    services = await get_services(connection)
    settings = services.settings
    role = settings.metrics_access
    if role == "open" or not settings.auth_enabled:
        return
    caller = await _caller(connection, services)
    if role != "viewer" or settings.auth_require_for_reads:
        _check_role(caller, role)


Viewer = Annotated[Caller | None, Depends(RoleRequired("viewer"))]
Operator = Annotated[Caller | None, Depends(RoleRequired("operator"))]
Admin = Annotated[Caller | None, Depends(RoleRequired("admin"))]
READS = Depends(RoleRequired("viewer"))  # router-wide: every route of a router at least a viewer's
# What any guarded route may answer besides its own outcomes, for the OpenAPI document.
GUARDED = {
    400: {"model": ErrorBody, "description": "The body could not be decoded at all."},
    401: {"model": ErrorBody, "description": "No API key, or an unknown or revoked one."},
    403: {"model": ErrorBody, "description": "The key's role may not do this."},
    413: {"model": ErrorBody, "description": "The request body is over its limit."},
    429: {"model": ErrorBody, "description": "Too many writes with this key; see Retry-After."},
    503: {"model": ErrorBody, "description": "The database is not reachable right now."},
}


async def admit_socket(websocket: WebSocket, services: AppServices) -> bool:
    """Accept a WebSocket if its client may read; False when it was refused (and closed).

    The key comes with the handshake (`?token=` or the Authorization header): a bad one is refused
    before the upgrade with the JSON error body and its HTTP status. Without a key, where reads
    need one, the first message must be {"action": "auth", "token": "<key>"}.
    """
    settings = services.settings
    key = presented_key(websocket) if settings.auth_enabled else None
    try:
        if key is not None:
            _check_role(await _caller_of_key(services, key), "viewer")
    except AppError as error:
        await _deny(websocket, error)
        return False
    await websocket.accept()
    if key is not None or not (settings.auth_enabled and settings.auth_require_for_reads):
        return True
    return await _first_message_auth(websocket, services)


SOCKET_AUTH_SECONDS = 10.0


async def _first_message_auth(websocket: WebSocket, services: AppServices) -> bool:
    close_code = 4401  # 4401 / 4403 mirror the HTTP statuses in the private close-code range
    try:
        message = json.loads(await asyncio.wait_for(websocket.receive_text(), SOCKET_AUTH_SECONDS))
        token = message.get("token") if isinstance(message, dict) and message.get("action") == "auth" else None
        if not isinstance(token, str):
            raise Unauthorized(
                'Send {"action": "auth", "token": "<key>"} first, or connect with ?token=<key>.',
                details=[{"field": "token", "reason": "missing"}],
            )
        _check_role(await _caller_of_key(services, token), "viewer")
        return True
    except AppError as error:
        close_code = 4403 if error.status_code == 403 else 4401
        await websocket.send_json(error.to_frame())
    except WebSocketDisconnect:
        return False
    except (TimeoutError, ValueError):
        await websocket.send_json(error_frame("unauthorized", "No auth message in time."))
    await websocket.close(code=close_code)
    return False


async def _deny(websocket: WebSocket, error: AppError) -> None:
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(
            JSONResponse(error.to_body(), status_code=error.status_code, headers=error.headers or None)
        )
    else:  # a server without denial responses: close before the upgrade (clients see HTTP 403)
        await websocket.close(code=4401 if error.status_code == 401 else 4403)
