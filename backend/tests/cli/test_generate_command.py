"""`inventory generate`, then `inventory ingest --stock`, as the README's first steps run them."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from tests.support.commands import inventory
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


def test_history_ends_today_unless_an_end_date_is_given(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    def generated(*options: str) -> dict:
        out = tmp_path / f"orders-{len(list(tmp_path.iterdir()))}.csv"
        result = inventory("generate", "--orders", "20000", "--out", str(out), "--json", *options, database_url=url)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    today = generated()  # 20,000 orders: some on every day, the last one included
    fixed, fixed_again = generated("--end-date", "2024-12-31"), generated("--end-date", "2024-12-31")

    # Live orders placed after loading it continue the series: its last day is the day it was made.
    assert today["last_date"] == date.today().isoformat()
    assert today["first_date"] >= (date.today() - timedelta(days=5 * 366)).isoformat()
    assert fixed["last_date"] == "2024-12-31" and "2020-01-01" <= fixed["first_date"] < "2020-01-15"
    assert Path(fixed["orders_file"]).read_bytes() == Path(fixed_again["orders_file"]).read_bytes()
    bad = inventory("generate", "--end-date", "31/12/2024", "--out", str(tmp_path / "x.csv"), database_url=url)
    assert bad.returncode == 2 and "--end-date" in bad.stderr
