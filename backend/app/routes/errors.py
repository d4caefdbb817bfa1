"""The one place that turns exceptions into the API's JSON error body."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sqlalchemy_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.errors import AppError, error_body

logger = logging.getLogger("app.errors")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
    return JSONResponse(exc.to_body(), status_code=exc.status_code, headers=exc.headers or None)


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    details = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())),
            "reason": error.get("msg", "invalid"),
            "type": error.get("type"),
        }
        for error in exc.errors()
    ]
    fields = ", ".join(detail["field"] for detail in details[:5])
    return JSONResponse(
        error_body("validation_error", f"The request has invalid fields: {fields}.", details), status_code=422
    )


# FastAPI's answer to a body it cannot even decode (bytes that are not UTF-8, say); JSON that does not
# parse is a 422 with the position instead.
_UNPARSABLE_BODY = "There was an error parsing the body"


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "HTTP error"
    details = list(getattr(exc, "details", []))  # what an HTTPException of ours says about itself
    if exc.status_code == 400 and message == _UNPARSABLE_BODY:
        message = "The request body could not be read: send JSON in UTF-8 (or multipart for uploads)."
        details = [{"field": "body", "reason": "not decodable"}]
    return JSONResponse(error_body(code, message, details), status_code=exc.status_code, headers=exc.headers)


# The database (or the network to it) failing is not the client's fault and not a bug: 503 says try again.
_UNAVAILABLE = (OSError, sqlalchemy_exc.OperationalError, sqlalchemy_exc.InterfaceError, sqlalchemy_exc.TimeoutError)


def _database_unavailable(exc: Exception) -> bool:
    if isinstance(exc, _UNAVAILABLE):
        return True
    # No statement: it failed while connecting (refused, unknown database, bad credentials).
    return isinstance(exc, sqlalchemy_exc.DBAPIError) and (exc.connection_invalidated or exc.statement is None)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, sqlalchemy_exc.DataError):
        # A value the database refuses to store or compare (PostgreSQL: a NUL character in text, a number
        # out of its column's range) came from the request; validation should have caught it first.
        logger.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc.orig)
        details = [{"field": "body", "reason": "a value the database refuses"}]
        return JSONResponse(
            error_body("unprocessable", "A value in the request cannot be stored.", details), status_code=422
        )
    if _database_unavailable(exc):
        logger.error("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return JSONResponse(
            error_body("service_unavailable", "The database is not reachable right now; try again shortly."),
            status_code=503,
            headers={"Retry-After": "5"},
        )
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        error_body("internal_error", "Something went wrong on our side; the error has been logged. Try again."),
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the same JSON body."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
