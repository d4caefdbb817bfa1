"""ASGI middleware: request ids and one JSON log line per request; request body limits.

Both are plain ASGI (not BaseHTTPMiddleware), so they stream: a body is counted as it
arrives and never gathered to be measured.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import metrics
from app.core.errors import error_body

logger = logging.getLogger("app.requests")
UNMATCHED = "unmatched"  # the route label of a request no route matched (a 404 for any path)
REQUEST_ID = "X-Request-ID"
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class RequestLog:
    """Gives every request an id (the client's X-Request-ID if it is sane, else a new one), echoes it
    in the response, logs {method, path, status, duration_ms, request_id} and counts it in the request
    metrics by route template (`/products/{sku}`, not each SKU: one series per route, not per URL).
    The query string is never logged: it may hold `token=<key>`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        offered = Headers(scope=scope).get(REQUEST_ID, "")
        request_id = offered if _CLIENT_ID.match(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] in ("http.response.start", "websocket.http.response.start"):
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID] = request_id
            elif message["type"] == "websocket.accept":
                status = 101
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method = scope.get("method", "WEBSOCKET")
            fields = {
                "request_id": request_id,
                "method": method,
                "path": scope["path"],
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            }
            logger.info("request", extra={"fields": fields})
            route = getattr(scope.get("route"), "path", UNMATCHED)
            metrics.REQUESTS.labels(method, route, str(status)).inc()
            if method != "WEBSOCKET":  # a socket's duration is how long it stayed connected
                metrics.REQUEST_SECONDS.labels(method, route).observe(seconds)


class BodyTooLarge(HTTPException):
    """Raised from `receive` once a body passes its limit. An HTTPException, so FastAPI's body parsing
    lets it through to the one error handler instead of calling it a parse error; it carries the same
    details and `Connection: close` as the answer to a declared Content-Length over the limit."""

    def __init__(self, limit: int, setting: str, *, whole_body_read: bool) -> None:
        headers = None if whole_body_read else {"Connection": "close"}
        super().__init__(status_code=413, detail=_too_large_message(limit, setting), headers=headers)
        self.details = _too_large_details(limit)


def _too_large_message(limit: int, setting: str) -> str:
    size = f"{limit >> 20} MB" if setting == "MAX_UPLOAD_MB" else f"{limit >> 10} KB"
    return f"The request body is larger than the {size} limit ({setting})."


def _too_large_details(limit: int) -> list[dict]:
    return [{"field": "body", "reason": "too large", "limit_bytes": limit}]


class BodyLimit:
    """Refuses a request body over its limit: at once by Content-Length, otherwise as soon as the bytes
    received pass it, so an oversized upload is never read whole. Upload paths get `upload_bytes`;
    every other request `body_bytes`."""

    # Room for the multipart boundaries and part headers around the files themselves.
    MULTIPART_OVERHEAD = 64 << 10

    def __init__(self, app: ASGIApp, *, body_bytes: int, upload_bytes: int, upload_paths: frozenset[str]) -> None:
        self.app = app
        self.body_bytes = body_bytes
        self.upload_bytes = upload_bytes + self.MULTIPART_OVERHEAD
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["path"] in self.upload_paths
        limit = self.upload_bytes if upload else self.body_bytes
        setting = "MAX_UPLOAD_MB" if upload else "MAX_REQUEST_BODY_KB"
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            whole = int(declared) <= limit + DRAIN_BYTES and await _drain(receive)
            await _refuse(scope, receive, send, limit, setting, whole_body_read=whole)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    whole = not message.get("more_body", False) or await _drain(receive)
                    raise BodyTooLarge(limit, setting, whole_body_read=whole)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as refused:
            if started:
                raise
            whole = refused.headers is None
            await _refuse(scope, receive, send, limit, setting, whole_body_read=whole)


# A client that sends its whole body before reading the answer (most do, without Expect: 100-continue)
# loses the answer if the server closes with bytes still unread: the kernel resets the connection. Up
# to this much more than the limit is read and thrown away first, so the 413 arrives; past it, the
# connection is closed (a client streaming gigabytes is not waited for).
DRAIN_BYTES = 4 << 20


async def _drain(receive: Receive) -> bool:
    """Read and discard the rest of the body, up to DRAIN_BYTES; whether all of it was read."""
    drained = 0
    while drained <= DRAIN_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return False
        drained += len(message.get("body", b""))
        if not message.get("more_body", False):
            return True
    return False


async def _refuse(
    scope: Scope, receive: Receive, send: Send, limit: int, setting: str, *, whole_body_read: bool
) -> None:
    body = error_body("payload_too_large", _too_large_message(limit, setting), _too_large_details(limit))
    # Connection: close when the body was not read to its end: the connection cannot carry another request.
    headers = None if whole_body_read else {"Connection": "close"}
    await JSONResponse(body, status_code=413, headers=headers)(scope, receive, send)
