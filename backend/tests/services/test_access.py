"""API keys in the database, on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from app.core.errors import Conflict, NotFound
from app.models import ApiKey
from app.services import access
from tests.support.databases import TestDatabase


async def test_a_key_is_found_until_it_is_revoked(db: TestDatabase) -> None:
    row, key = await access.create_key(db.work, role="operator", name="till")
    async with db.sessions() as session:
        caller = await access.find_caller(session, key)
        assert caller == access.Caller(key_id=row.id, name="till", role="operator", prefix=key[:12])
        await session.commit()
        assert await db.scalar("SELECT last_used_at FROM api_keys WHERE id = :id", id=row.id) is not None
        assert await access.find_caller(session, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
        assert await access.find_caller(session, "not-a-key") is None
    await access.revoke_key(db.work, str(row.id))
    async with db.sessions() as session:
        assert await access.find_caller(session, key) is None
    stored = await db.scalar("SELECT key_hash FROM api_keys WHERE id = :id", id=row.id)
    assert stored != key and key not in str(await db.snapshot())


async def test_revoke_by_prefix_is_idempotent_and_refuses_ambiguity(db: TestDatabase) -> None:
    first, _ = await access.create_key(db.work, role="viewer", name="a")
    second, _ = await access.create_key(db.work, role="viewer", name="b")
    async with db.sessions() as session:  # two live keys whose prefixes collide
        await session.execute(update(ApiKey).where(ApiKey.id == second.id).values(prefix=first.prefix))
        await session.commit()
    with pytest.raises(Conflict) as ambiguous:
        await access.revoke_key(db.work, first.prefix)
    assert ambiguous.value.details[0]["ids"] == [first.id, second.id]
    revoked = await access.revoke_key(db.work, str(first.id))
    again = await access.revoke_key(db.work, str(first.id))
    assert again.revoked_at == revoked.revoked_at
    assert (await access.revoke_key(db.work, first.prefix)).id == second.id  # the one live key left
    with pytest.raises(NotFound):
        await access.revoke_key(db.work, "sim_nothing")
    listed = await _list(db)
    assert [(key.name, key.revoked_at is not None) for key in listed] == [("a", True), ("b", True)]


async def _list(db: TestDatabase) -> list[ApiKey]:
    async with db.sessions() as session:
        return list(await access.list_keys(session))
