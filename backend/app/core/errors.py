"""The error class tree: each class carries its HTTP status and a stable code.

Services raise these; one handler in `app.main` turns any of them into the JSON body
`{"error": {"code", "message", "details"}}`. Every error a client sees, over HTTP, WebSocket
or SSE, from a route, the middleware or a probe, is built by `error_body` or `error_frame`.
"""

from __future__ import annotations

from typing import Any


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The API's one JSON error shape: `{"error": {"code", "message", "details"}}`."""
    return {"error": {"code": code, "message": message, "details": details or []}}


def error_frame(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The same error as a live-event message (WebSocket frame or SSE event): `{"type": "error", ...}`."""
    return {"type": "error", **error_body(code, message, details)["error"]}


class AppError(Exception):
    """Base of every error a client can see."""

    status_code = 500
    code = "internal_error"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    @property
    def headers(self) -> dict[str, str]:
        """Response headers the status needs (WWW-Authenticate on a 401, Retry-After on a 429)."""
        return {}

    def to_body(self) -> dict[str, Any]:
        """The JSON error body of the API."""
        return error_body(self.code, self.message, self.details)

    def to_frame(self) -> dict[str, Any]:
        """The error as a live-event message."""
        return error_frame(self.code, self.message, self.details)


class BadRequest(AppError):
    """The request is malformed in a way validation could not describe per field."""

    status_code = 400
    code = "bad_request"


class Unauthorized(AppError):
    """No API key, or one that is unknown or revoked."""

    status_code = 401
    code = "unauthorized"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    """The API key is valid but its role may not do this."""

    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    """The addressed resource does not exist."""

    status_code = 404
    code = "not_found"


class Conflict(AppError):
    """The request is valid but the current state forbids it."""

    status_code = 409
    code = "conflict"


class InsufficientStock(Conflict):
    """An order line asks for more units than are on hand."""

    code = "insufficient_stock"


class IllegalTransition(Conflict):
    """An order status change the state machine does not allow."""

    code = "illegal_status_change"


class PayloadTooLarge(AppError):
    """An upload or body over the configured limit."""

    status_code = 413
    code = "payload_too_large"


class UnprocessableInput(AppError):
    """Well-formed input whose content cannot be used (bad file, bad field values)."""

    status_code = 422
    code = "unprocessable"


class UnusableFile(UnprocessableInput):
    """An uploaded file that cannot be ingested as a whole (not a CSV, wrong columns, empty)."""

    code = "unusable_file"


class RateLimited(AppError):
    """Too many writes from one key; `retry_after` seconds tells when to try again."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        details = [{"field": "Authorization", "reason": "write rate limit reached", "retry_after": retry_after}]
        super().__init__(message, details=details)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ServiceUnavailable(AppError):
    """A dependency (database, bus) is not reachable right now."""

    status_code = 503
    code = "service_unavailable"
