"""Idempotency-Key handling: the first answer to a request is kept and replayed for repeats.

The key is reserved inside the request's own transaction. A concurrent request with the
same key blocks on the reservation (PostgreSQL's unique index; SQLite's single writer)
until the first one commits, then finds the stored answer and replays it; if the first one
rolled back, the reservation went with it and the second one does the work instead.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.core.errors import UnprocessableInput
from app.db.statements import Statements
from app.models import IdempotencyRecord
from app.models.base import utcnow


class IdempotencyKeyReused(UnprocessableInput):
    """The key was used before for a different request body."""

    code = "idempotency_key_reused"


_RECORDS = IdempotencyRecord.__table__
_THIS_KEY = (_RECORDS.c.key == bindparam("b_key"), _RECORDS.c.scope == bindparam("b_scope"))
_STORED = select(_RECORDS.c.request_hash, _RECORDS.c.response_body).where(*_THIS_KEY)
# Reserve: the row with an empty answer, or nothing when the key is there already (RETURNING tells).
_RESERVE_VALUES = {
    "key": bindparam("b_key"), "scope": bindparam("b_scope"), "request_hash": bindparam("b_hash"), "status_code": 0,
    "response_body": {}, "created_at": bindparam("b_now"),
}  # fmt: skip
_RESERVE = {
    name: dialect.insert(_RECORDS).values(_RESERVE_VALUES).on_conflict_do_nothing().returning(_RECORDS.c.key)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_REMEMBER = (
    update(_RECORDS).where(*_THIS_KEY).values(status_code=bindparam("b_status"), response_body=bindparam("b_body"))
)


def request_fingerprint(body: dict[str, Any]) -> str:
    """A hash of the request body that ignores key order and spacing."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(request_hash: str, response_body: dict[str, Any], fingerprint: str) -> dict[str, Any]:
    if request_hash != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request body; use a new key for a new request.",
            details=[{"field": "Idempotency-Key", "reason": "reused with another body"}],
        )
    return response_body


async def replay_or_reserve(statements: Statements, *, key: str, scope: str, fingerprint: str) -> dict[str, Any] | None:
    """The stored answer for this key, or None after reserving the key for this request."""
    this_key = {"b_key": key, "b_scope": scope}
    stored = await statements.first(_STORED, this_key)
    if stored is not None:
        return _replay(*stored, fingerprint)
    reservation = {**this_key, "b_hash": fingerprint, "b_now": utcnow()}
    if await statements.first(_RESERVE[statements.dialect], reservation) is not None:
        return None
    stored = await statements.first(_STORED, this_key)
    assert stored is not None, "a conflicting reservation must be visible once it committed"
    return _replay(*stored, fingerprint)


async def remember(statements: Statements, *, key: str, scope: str, status_code: int, body: dict[str, Any]) -> None:
    """Store the answer under the reserved key (same transaction as the work it describes)."""
    await statements.execute(_REMEMBER, {"b_key": key, "b_scope": scope, "b_status": status_code, "b_body": body})
