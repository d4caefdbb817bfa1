"""`inventory serve` refuses what it cannot serve correctly, before it starts."""

from __future__ import annotations

from pathlib import Path

from tests.support.commands import inventory


def test_several_workers_without_redis_are_refused_with_the_fix(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}"

    result = inventory("serve", "--workers", "2", "--port", "1", database_url=url)

    assert result.returncode == 2
    assert "REDIS_ENABLED=true" in result.stderr and "--workers 1" in result.stderr
    assert not (tmp_path / "serve.db").exists()  # refused before touching the database
