"""`inventory demo`: the main job on the embedded default — data, then the API."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from app.cli.data import load_files, print_summary
from app.cli.forecasting import train_categories
from app.cli.generate import EndDate
from app.cli.keys import new_key
from app.cli.runtime import console, load_settings, open_database, progress_bar, run
from app.cli.server import serve
from app.generator.demo_data import Progress, five_years_to, generate_demo_data, write_csv
from app.services.ingestion import has_sales_history


async def _load_demo_data(orders: int, seed: int, folder: Path, end_date: date) -> None:
    settings = load_settings()
    orders_path, stock_path = folder / "orders.csv", folder / "stock.csv"
    async with open_database(settings) as work:
        async with work.reader() as session:
            if await has_sales_history(session):
                console.print("The database already holds sales history: serving it as it is.")
                return
        with progress_bar() as bar:
            generating = bar.add_task("Generating demo orders", total=orders)
            _write_demo_files(
                orders, seed, end_date, orders_path, stock_path, lambda n: bar.update(generating, completed=n)
            )
            loading = bar.add_task("Loading them", total=orders)
            report = await load_files(
                work,
                settings,
                orders_path,
                stock_path,
                lambda done, total: bar.update(loading, completed=done, total=total),
            )
        print_summary(report)
    summary = await train_categories(settings, None, show_progress=True)
    console.print(f"Forecasts trained for {len(summary['categories'])} categories in {summary['seconds']:.1f} s.")


def _write_demo_files(
    orders: int, seed: int, end_date: date, orders_path: Path, stock_path: Path, progress: Progress
) -> None:
    orders_path.parent.mkdir(parents=True, exist_ok=True)
    start, end = five_years_to(end_date)
    data = generate_demo_data(n_orders=orders, seed=seed, start=start, end=end, progress=progress)
    write_csv(data, orders_path, stock_path)


def demo(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    orders: Annotated[int, typer.Option(min=100, help="Orders to generate on an empty database.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Seed of the generated data.")] = 42,
    data_dir: Annotated[Path, typer.Option(file_okay=False, help="Where the generated CSV files go.")] = Path("data"),
    end_date: EndDate = None,
) -> None:
    """On an empty database: generate five years of demo sales ending today (or --end-date) and load them.
    Then serve the API and the dashboard."""
    run(_load_demo_data(orders, seed, data_dir, end_date.date() if end_date else date.today()))
    _print_admin_key()
    console.print(f"Dashboard: [bold]http://{host}:{port}/[/bold] (open it in a browser)")
    serve(host=host, port=port)


def _print_admin_key() -> None:
    # A fresh key per run: keys are stored as hashes, so an earlier run's key cannot be shown again.
    created = run(new_key("admin", "demo"))
    console.print(
        f"Admin API key (made for this demo, shown once; `inventory keys revoke {created.prefix}` ends it):\n"
        f"  [bold]{created.key}[/bold]\n  e.g. curl -H 'Authorization: Bearer {created.key}' ..."
    )


def register(app: typer.Typer) -> None:
    app.command()(demo)
