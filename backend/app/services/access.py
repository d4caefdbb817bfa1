"""API keys in the database: make, list, revoke, and find the caller of a request."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, NotFound
from app.core.limits import MAX_ROW_ID
from app.core.security import Role, generate_key, hash_key, key_prefix, looks_like_key
from app.db.unit_of_work import UnitOfWork
from app.models import ApiKey
from app.models.base import utcnow

# last_used_at is written at most once a minute per key and process: a write per request
# would turn every read into a write and serialise a busy key's requests on its row.
LAST_USED_RESOLUTION_SECONDS = 60.0
_last_recorded: dict[str, float] = {}  # by key hash: ids repeat across databases, hashes do not


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the key's id, name, role and prefix (never the key)."""

    key_id: int
    name: str
    role: Role
    prefix: str


async def create_key(work: UnitOfWork, *, role: Role, name: str) -> tuple[ApiKey, str]:
    """A new key of `role`; returns the stored row and the key, which exists nowhere else after this."""
    key = generate_key()
    row = ApiKey(name=name, role=role, prefix=key_prefix(key), key_hash=hash_key(key))
    async with work.begin() as transaction:
        transaction.session.add(row)
    return row, key


async def list_keys(session: AsyncSession, *, include_revoked: bool = True) -> Sequence[ApiKey]:
    """Every key, oldest first."""
    statement = select(ApiKey).order_by(ApiKey.id)
    if not include_revoked:
        statement = statement.where(ApiKey.revoked_at.is_(None))
    return (await session.scalars(statement)).all()


async def revoke_key(work: UnitOfWork, reference: str) -> ApiKey:
    """Revoke the key with this id or prefix; it stops working on the next request, on every replica.

    Revoking a revoked key changes nothing. A prefix shared by several live keys is refused
    (409), so one command never revokes more than the key its author meant.
    """
    reference = reference.strip()
    # ASCII digits only: "²" is a digit to str.isdigit() but not to int(); and no id passes a bigint.
    is_id = reference.isascii() and reference.isdigit()
    if is_id and int(reference) > MAX_ROW_ID:
        raise NotFound(f"No API key has the id '{reference}'.", details=[{"field": "key", "reason": "unknown"}])
    column = ApiKey.id if is_id else ApiKey.prefix
    value: int | str = int(reference) if is_id else reference
    async with work.begin() as transaction:
        statement = select(ApiKey).where(column == value).order_by(ApiKey.id)
        rows = (await transaction.session.scalars(statement)).all()
        if not rows:
            raise NotFound(
                f"No API key has the id or prefix '{reference}'.", details=[{"field": "key", "reason": "unknown"}]
            )
        live = [row for row in rows if row.revoked_at is None]
        if len(live) > 1:
            raise Conflict(
                f"{len(live)} live keys share the prefix '{reference}': revoke them by id.",
                details=[{"field": "key", "reason": "ambiguous", "ids": [row.id for row in live]}],
            )
        row = live[0] if live else rows[0]
        if row.revoked_at is None:
            row.revoked_at = utcnow()
    return row


async def find_caller(session: AsyncSession, key: str) -> Caller | None:
    """The live key matching `key`, or None, read from the database (VerifiedKeys caches the answer).

    The unique index on key_hash makes this one index lookup.
    """
    if not looks_like_key(key):
        return None
    key_hash = hash_key(key)
    row = (
        await session.execute(
            select(ApiKey.id, ApiKey.name, ApiKey.role, ApiKey.prefix).where(
                ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None)
            )
        )
    ).one_or_none()
    if row is None:
        return None
    await _record_use(session, row.id, key_hash)
    return Caller(key_id=row.id, name=row.name, role=row.role, prefix=row.prefix)


async def _record_use(session: AsyncSession, key_id: int, key_hash: str) -> None:
    now = time.monotonic()
    if now - _last_recorded.get(key_hash, -LAST_USED_RESOLUTION_SECONDS) < LAST_USED_RESOLUTION_SECONDS:
        return
    _last_recorded[key_hash] = now
    await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow()))


class VerifiedKeys:
    """The callers of keys verified against the database in the last `seconds`, per process, by key hash.

    A read with a key cost a database lookup (its own session and transaction) on every request: with a
    viewer key a stored forecast was served at an eighth of the anonymous rate. A verified key is now
    trusted for `seconds` (at most 1 s, API_KEY_CACHE_SECONDS), after which the next request looks it up
    again: a key revoked anywhere (the API on another replica, `inventory keys revoke`) fails on every
    replica within that bound. Unknown keys are never kept, so guessing cannot fill the cache; concurrent
    requests with the same expired key share one lookup.
    """

    def __init__(self, work: UnitOfWork, *, seconds: float, max_keys: int = 4096) -> None:
        self._work = work
        self.seconds = seconds
        self._max_keys = max_keys
        self._verified: OrderedDict[str, tuple[Caller, float]] = OrderedDict()
        self._lookups: dict[str, asyncio.Future[Caller | None]] = {}

    async def caller(self, key: str) -> Caller | None:
        """The caller of `key` (None when unknown or revoked), from memory while its check is fresh."""
        if not looks_like_key(key):
            return None
        key_hash = hash_key(key)
        verified = self._verified.get(key_hash)
        if verified is not None and time.monotonic() - verified[1] < self.seconds:
            return verified[0]
        lookup = self._lookups.get(key_hash)
        if lookup is None:
            lookup = asyncio.ensure_future(self._look_up(key, key_hash))
            self._lookups[key_hash] = lookup
        return await asyncio.shield(lookup)

    async def _look_up(self, key: str, key_hash: str) -> Caller | None:
        checked_at = time.monotonic()  # before the read: the bound counts from what the database said
        try:
            # Its own short session: the lookup must not hold the request's transaction (or SQLite's one
            # connection) open.
            async with self._work.begin() as transaction:
                caller = await find_caller(transaction.session, key)
        finally:
            self._lookups.pop(key_hash, None)
        self._verified.pop(key_hash, None)
        if caller is not None and self.seconds > 0:
            self._verified[key_hash] = (caller, checked_at)
            while len(self._verified) > self._max_keys:
                self._verified.popitem(last=False)
        return caller
