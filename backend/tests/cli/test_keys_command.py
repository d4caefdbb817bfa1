"""`inventory keys` as an operator runs it, against the served app on the same database."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from app.core.config import Settings
from tests.support.commands import inventory
from tests.support.servers import LiveServer


def test_create_list_revoke_and_the_key_works_over_http_until_revoked(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
    created = inventory("keys", "create", "--role", "operator", "--name", "till 1", "--json", database_url=url)
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)
    assert key["role"] == "operator" and key["key"].startswith(key["prefix"])

    live = LiveServer(Settings(_env_file=None, database_url=url, environment="test")).start()
    try:
        headers = {"Authorization": f"Bearer {key['key']}"}
        before = httpx.post(f"{live.url}/orders/NONE/status", json={"status": "Shipped"}, headers=headers)
        listed = inventory("keys", "list", "--json", database_url=url)
        revoked = inventory("keys", "revoke", key["prefix"], database_url=url)
        after = httpx.post(f"{live.url}/orders/NONE/status", json={"status": "Shipped"}, headers=headers)
    finally:
        live.stop()

    assert before.status_code == 404  # authorised, then no such order
    assert listed.returncode == 0
    rows = json.loads(listed.stdout)["keys"]
    assert [(row["name"], row["role"]) for row in rows] == [("till 1", "operator")]
    assert key["key"] not in listed.stdout
    assert revoked.returncode == 0 and "revoked" in revoked.stderr
    assert after.status_code == 401


def test_an_unknown_role_or_key_is_refused(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
    bad_role = inventory("keys", "create", "--role", "root", database_url=url)
    unknown = inventory("keys", "revoke", "424242", database_url=url)

    assert bad_role.returncode == 2 and "viewer, operator, admin" in bad_role.stderr
    assert unknown.returncode == 1 and "424242" in unknown.stderr
