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

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import UnprocessableInput
from app.models import IdempotencyRecord
from app.services.bulk import dialect_insert


class IdempotencyKeyReused(UnprocessableInput):
    """The key was used before for a different request body."""

    code = "idempotency_key_reused"


def request_fingerprint(body: dict[str, Any]) -> str:
    """A hash of the request body that ignores key order and spacing."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _stored(session: AsyncSession, key: str, scope: str) -> IdempotencyRecord | None:
    statement = select(IdempotencyRecord).where(IdempotencyRecord.key == key, IdempotencyRecord.scope == scope)
    return (await session.scalars(statement.execution_options(populate_existing=True))).first()


def _replay(record: IdempotencyRecord, fingerprint: str) -> dict[str, Any]:
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request body; use a new key for a new request.",
            details=[{"field": "Idempotency-Key", "reason": "reused with another body"}],
        )
    return record.response_body


async def replay_or_reserve(session: AsyncSession, *, key: str, scope: str, fingerprint: str) -> dict[str, Any] | None:
    """The stored answer for this key, or None after reserving the key for this request."""
    record = await _stored(session, key, scope)
    if record is not None:
        return _replay(record, fingerprint)
    reserve = dialect_insert(session, IdempotencyRecord.__table__).values(
        key=key, scope=scope, request_hash=fingerprint, status_code=0, response_body={}
    )
    reserved = await session.execute(reserve.on_conflict_do_nothing().returning(IdempotencyRecord.key))
    if reserved.first() is not None:
        return None
    record = await _stored(session, key, scope)
    assert record is not None, "a conflicting reservation must be visible once it committed"
    return _replay(record, fingerprint)


async def remember(session: AsyncSession, *, key: str, scope: str, status_code: int, body: dict[str, Any]) -> None:
    """Store the answer under the reserved key (same transaction as the work it describes)."""
    await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.key == key, IdempotencyRecord.scope == scope)
        .values(status_code=status_code, response_body=body)
        .execution_options(synchronize_session=False)
    )
