"""`inventory ingest` as a user runs it: a subprocess with DATABASE_URL in its environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.files import order_row, write_rows


def inventory(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_ingest_json_prints_one_object_and_migrates_sqlite_itself(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    orders = write_rows(tmp_path / "orders.csv", [order_row("ORD-1"), order_row("ORD-2", Quantity="-1")])

    result = inventory("ingest", str(orders), "--json", database_url=url)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["rows_inserted"], report["rows_rejected"]) == (1, 1)
    assert report["rejections"][0]["line"] == 3


def test_unusable_file_exits_non_zero_with_the_reason(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"\x00\x01\x02binary")

    result = inventory("ingest", str(broken), "--json", database_url=url)

    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["code"] == "unusable_file"
    assert "binary" in result.stderr
