"""`inventory generate`, then `inventory ingest --stock`, as the README's first steps run them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.test_ingest_command import inventory
from tests.support.databases import LEDGER_MISMATCHES


def test_generated_files_are_reproducible_and_load_with_their_stock(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    paths = {name: tmp_path / f"{name}.csv" for name in ("orders", "stock", "orders_again", "stock_again")}

    first = inventory("generate", "--orders", "3000", "--seed", "7", "--out", str(paths["orders"]),
                      "--stock-out", str(paths["stock"]), "--json", database_url=url)  # fmt: skip
    again = inventory("generate", "--orders", "3000", "--seed", "7", "--out", str(paths["orders_again"]),
                      "--stock-out", str(paths["stock_again"]), database_url=url)  # fmt: skip

    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    summary = json.loads(first.stdout)
    assert summary["rows"] == 3000 and summary["stock_file"] == str(paths["stock"])
    assert paths["orders"].read_bytes() == paths["orders_again"].read_bytes()
    assert paths["stock"].read_bytes() == paths["stock_again"].read_bytes()

    loaded = inventory("ingest", str(paths["orders"]), "--stock", str(paths["stock"]), "--json", database_url=url)

    assert loaded.returncode == 0, loaded.stderr
    report = json.loads(loaded.stdout)
    assert (report["rows_read"], report["rows_rejected"]) == (3000, 0)
    with sqlite3.connect(tmp_path / "cli.db") as database:
        products, with_stock_rules, in_stock = database.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE reorder_point IS NOT NULL AND lead_time_days > 0), "
            "COUNT(*) FILTER (WHERE stock_on_hand > 0) FROM products"
        ).fetchone()
        mismatches = database.execute(LEDGER_MISMATCHES).fetchone()[0]
    # Every product got the stock file's stock on hand, reorder point and lead time, through the ledger.
    assert products == summary["products"] == with_stock_rules
    assert in_stock > products / 2 and mismatches == 0
