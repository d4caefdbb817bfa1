"""`inventory ingest` as a user runs it: a subprocess with DATABASE_URL in its environment."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.commands import inventory
from tests.support.files import order_row, write_rows


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


def test_a_stock_file_longer_than_a_chunk_loads_whole(tmp_path: Path) -> None:
    # A later chunk's rows are indexed from where they are in the file: its checks crashed on that
    # (IndexingError) and the command wrote and reported nothing.
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    orders = write_rows(tmp_path / "orders.csv", [order_row(f"ORD-{n}", ProductID=f"P-{n}") for n in range(250)])
    stock = tmp_path / "stock.csv"
    lines = ["ProductID,StockOnHand,ReorderPoint,LeadTimeDays,UnitCost"]
    lines += [f"P-{n},{n},5,7,1.50" for n in range(250)] + ["P-BAD,-1,5,7,1.50"]
    stock.write_text("\n".join(lines) + "\n")

    result = inventory(
        "ingest", str(orders), "--stock", str(stock), "--json", database_url=url, INGEST_CHUNK_ROWS="100"
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)["stock"]
    assert (report["products_updated"], report["rows_rejected"]) == (250, 1), report
    assert report["rejections"][0]["line"] == 252 and report["rejections"][0]["column"] == "StockOnHand"
