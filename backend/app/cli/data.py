"""`inventory ingest`: load an orders CSV (and a stock CSV) with a progress bar."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from app.cli.runtime import console, load_settings, open_database, progress_bar, run
from app.core.config import Settings
from app.core.errors import UnusableFile
from app.db.unit_of_work import UnitOfWork
from app.schemas.ingestion import IngestReport
from app.services.ingestion import ingest_orders_file


async def load_files(
    work: UnitOfWork, settings: Settings, orders: Path, stock: Path | None, progress: Callable[[int, int], None]
) -> IngestReport:
    """ingest_orders_file with the settings' lead time and chunk size (`inventory ingest` and `inventory demo`)."""
    return await ingest_orders_file(
        work,
        orders,
        stock_path=stock,
        default_lead_time_days=settings.default_lead_time_days,
        chunk_rows=settings.ingest_chunk_rows,
        progress=progress,
    )


async def _ingest(orders: Path, stock: Path | None, *, show_progress: bool) -> IngestReport:
    settings = load_settings()
    async with open_database(settings) as work:
        with progress_bar() as bar:
            task = bar.add_task(f"Ingesting {orders.name}", total=None, visible=show_progress)
            return await load_files(
                work, settings, orders, stock, lambda done, total: bar.update(task, completed=done, total=total)
            )


def print_summary(report: IngestReport) -> None:
    """A few human lines about a load, on stderr."""
    console.print(
        f"[green]{report.rows_inserted:,} orders inserted[/green], {report.rows_already_present:,} already present, "
        f"{report.rows_rejected:,} rejected, of {report.rows_read:,} rows in {report.seconds:.1f} s."
    )
    for rejection in report.rejections[:10]:
        console.print(f"  line {rejection.line}: {rejection.column or 'row'}: {rejection.reason}")
    if report.rows_rejected > 10:
        console.print("  … (all of them with --json)")
    if report.product_conflicts:
        console.print(
            f"{len(report.product_conflicts):,} ProductIDs carried several names; the latest order's were kept."
        )
    if report.stock:
        console.print(
            f"Stock file: {report.stock.products_updated:,} products updated, "
            f"{report.stock.stock_movements:,} stock counts written to the ledger, "
            f"{report.stock.rows_rejected:,} rows rejected."
        )


def ingest(
    orders: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Orders CSV (data contract columns).")
    ],
    stock: Annotated[
        Path | None,
        typer.Option(
            "--stock",
            exists=True,
            dir_okay=False,
            help="Stock CSV: ProductID, StockOnHand, ReorderPoint, LeadTimeDays, UnitCost.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as one JSON object on stdout.")] = False,
) -> None:
    """Load an orders CSV into DATABASE_URL: good rows in, every rejected row reported with its line and reason."""
    try:
        report = run(_ingest(orders, stock, show_progress=not as_json))
    except UnusableFile as exc:
        if as_json:
            typer.echo(json.dumps(exc.to_body()))
        console.print(f"[red]Nothing was loaded:[/red] {exc.message}")
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(report.model_dump_json())
    else:
        print_summary(report)


def register(app: typer.Typer) -> None:
    app.command()(ingest)
