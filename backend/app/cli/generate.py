"""`inventory generate`: write the realistic demo data set as CSV files."""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from app.cli.runtime import console, progress_bar
from app.generator.demo_data import five_years_to, generate_demo_data, write_csv

# The last day of the generated history. Today by default: live orders placed after loading it then
# continue the series instead of landing years past its end.
EndDate = Annotated[
    datetime | None,
    typer.Option("--end-date", formats=["%Y-%m-%d"], help="Last day of the history, YYYY-MM-DD (default: today)."),
]


def generate(
    orders: Annotated[int, typer.Option("--orders", min=1, max=20_000_000, help="Number of orders.")] = 100_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same files.")] = 42,
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="Orders CSV to write.")] = Path("orders.csv"),
    stock_out: Annotated[
        Path | None, typer.Option("--stock-out", dir_okay=False, help="Also write the stock CSV here.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a summary as one JSON object on stdout.")] = False,
    end_date: EndDate = None,
) -> None:
    """Generate five years of orders ending today or --end-date (10 categories, seasonality, holiday peaks,
    Pareto popularity). The same seed and end date give the same files."""
    started = time.perf_counter()
    start, end = five_years_to(end_date.date() if end_date else date.today())
    with progress_bar() as bar:
        task = bar.add_task("Generating orders", total=orders, visible=not as_json)
        data = generate_demo_data(
            n_orders=orders, seed=seed, start=start, end=end, progress=lambda done: bar.update(task, completed=done)
        )
        write_csv(data, out, stock_out)
    summary = {
        "orders_file": str(out),
        "stock_file": str(stock_out) if stock_out else None,
        "rows": len(data.orders),
        "products": int(data.orders["ProductID"].nunique()),
        "customers": int(data.orders["CustomerID"].nunique()),
        "first_date": data.orders["OrderDate"].min(),
        "last_date": data.orders["OrderDate"].max(),
        "seconds": round(time.perf_counter() - started, 3),
    }
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        console.print(
            f"Wrote {summary['rows']:,} orders ({summary['products']:,} products, {summary['customers']:,} customers) "
            f"to {out}" + (f" and the stock file to {stock_out}" if stock_out else "") + "."
        )


def register(app: typer.Typer) -> None:
    app.command()(generate)
