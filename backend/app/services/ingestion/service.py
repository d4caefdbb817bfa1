"""Loading an orders file (and optionally a stock file) into the database, in one transaction.

The caller owns the transaction: on any exception nothing of the load is committed, so a
file that turns out to be unusable halfway leaves the database as it was.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack, suppress
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import metrics
from app.core.errors import UnusableFile
from app.db.bulk import without_secondary_indexes
from app.db.unit_of_work import UnitOfWork
from app.models import IngestionRun, Order, OrderLine, Product
from app.schemas.ingestion import DateRange, IngestReport, RowRejection
from app.services.ingestion.catalog_tracker import CatalogTracker
from app.services.ingestion.csv_source import Chunk, CsvSource, count_data_lines
from app.services.ingestion.orders_validation import ORDER_COLUMNS, validate_orders
from app.services.ingestion.stock_file import STOCK_COLUMNS, apply_stock_file
from app.services.ingestion.writer import batched, existing_order_ids, write_new_orders

MAX_LISTED_REJECTIONS = 1_000
HISTORY_TABLES = (Order.__table__, OrderLine.__table__)
Progress = Callable[[int, int], None]


class _Load:
    """The running state of one load: the report being filled and what the file said so far."""

    def __init__(self, file_name: str) -> None:
        self.report = IngestReport(file=file_name)
        self.first_line_of: dict[str, int] = {}
        self.catalog = CatalogTracker()
        self.into_empty_tables = False

    def reject(self, problems: list[dict[str, object]], lines: int) -> None:
        self.report.rows_rejected += lines
        for problem in problems:
            column = problem.get("column") or "(row)"
            self.report.rejected_by_column[column] = self.report.rejected_by_column.get(column, 0) + 1
            if len(self.report.rejections) < MAX_LISTED_REJECTIONS:
                self.report.rejections.append(RowRejection(**problem))
            else:
                self.report.rejections_truncated = True

    def accept(self, chunk: Chunk, today: date) -> pd.DataFrame:
        """Validate one chunk and return its usable rows (CPU work: runs in a worker thread)."""
        validated = validate_orders(chunk, today=today)
        self.report.rows_read += len(chunk) + len(chunk.misshapen)
        self.reject(validated.problems, len(validated.rejected_lines))
        rows = self._drop_repeated_order_ids(validated.rows)
        self.catalog.observe(rows)
        return rows

    def _drop_repeated_order_ids(self, rows: pd.DataFrame) -> pd.DataFrame:
        # first_line_of holds every OrderID seen so far in the file with its first line; one
        # setdefault per row finds repeats within the chunk and across chunks alike.
        first_line_of = self.first_line_of
        firsts = [
            first_line_of.setdefault(order_id, line)
            for order_id, line in zip(rows["order_id"].tolist(), rows["line"].tolist(), strict=True)
        ]
        repeat = rows["line"].to_numpy() != np.asarray(firsts, dtype=np.int64)
        problems = [
            {
                "line": int(line),
                "column": "OrderID",
                "value": order_id,
                "reason": f"OrderID already appears on line {first}",
            }
            for line, order_id, first in zip(
                rows["line"][repeat], rows["order_id"][repeat], np.asarray(firsts)[repeat], strict=True
            )
        ]
        self.reject(problems, len(problems))
        return rows[~repeat]


def _next_accepted(load: _Load, chunks: Iterator[Chunk], today: date) -> pd.DataFrame | None:
    chunk = next(chunks, None)
    return None if chunk is None else load.accept(chunk, today)


async def _write(session: AsyncSession, rows: pd.DataFrame, *, fresh: bool, default_lead_time_days: int) -> int:
    new = rows
    if not fresh:
        present = await existing_order_ids(session, rows["order_id"].tolist())
        new = rows[~rows["order_id"].isin(present)]
    if not new.empty:
        await write_new_orders(session, new, fresh=fresh, default_lead_time_days=default_lead_time_days)
    return len(new)


async def has_sales_history(session: AsyncSession) -> bool:
    """Whether any order is in the database."""
    return (await session.execute(select(Order.order_id).limit(1))).first() is not None


async def _kept_catalog(session: AsyncSession, skus: list[str]) -> dict[str, tuple[str, str, str | None]]:
    kept: dict[str, tuple[str, str, str | None]] = {}
    for batch in batched(skus):
        statement = select(Product.sku, Product.name, Product.category, Product.brand).where(Product.sku.in_(batch))
        for sku, name, category, brand in await session.execute(statement):
            kept[sku] = (name, category, brand)
    return kept


async def ingest_orders_file(
    work: UnitOfWork,
    path: Path,
    *,
    stock_path: Path | None = None,
    file_name: str | None = None,
    default_lead_time_days: int = 14,
    chunk_rows: int = 50_000,
    max_rows: int | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Validate and write an orders CSV (and a stock CSV); return what happened, row by row.

    One transaction: a file that cannot be used as a whole raises UnusableFile and writes nothing.
    """
    async with work.begin() as transaction:
        return await _ingest(
            transaction.session, path, stock_path=stock_path, file_name=file_name,
            default_lead_time_days=default_lead_time_days, chunk_rows=chunk_rows, max_rows=max_rows, today=today,
            progress=progress,
        )  # fmt: skip


async def _ingest(
    session: AsyncSession,
    path: Path,
    *,
    stock_path: Path | None,
    file_name: str | None,
    default_lead_time_days: int,
    chunk_rows: int,
    max_rows: int | None,
    today: date | None,
    progress: Progress | None,
) -> IngestReport:
    started = time.perf_counter()
    today = today or date.today()
    total = count_data_lines(path)
    if max_rows is not None and total > max_rows:
        raise UnusableFile(
            f"The orders file has {total:,} rows; the limit is {max_rows:,} (MAX_UPLOAD_ROWS). "
            "Split it into smaller files."
        )
    load = _Load(file_name or path.name)
    source = CsvSource(path, ORDER_COLUMNS, label="orders file")
    # Both headers are checked before anything is written.
    stock_source = CsvSource(stock_path, STOCK_COLUMNS, label="stock file") if stock_path else None
    load.report.ignored_columns = source.ignored_columns
    async with AsyncExitStack() as stack:
        # Into empty history tables (locked for the load) nothing can already be present.
        load.into_empty_tables = not await has_sales_history(session)
        if load.into_empty_tables:
            await stack.enter_async_context(without_secondary_indexes(session, HISTORY_TABLES))
        await _load_chunks(session, load, source.chunks(chunk_rows), today, default_lead_time_days, progress, total)
    _finish_report(load)
    _refuse_if_nothing_usable(load.report)
    conflicted = load.catalog.conflicted_skus()
    load.report.product_conflicts = load.catalog.product_conflicts(await _kept_catalog(session, conflicted))
    if stock_source is not None:
        load.report.stock = await apply_stock_file(stock_source, session, chunk_rows=chunk_rows)
    if load.report.rows_inserted or (load.report.stock and load.report.stock.products_updated):
        # Only loads that changed data are recorded: loading a file again changes nothing.
        session.add(_run_record(load.report))
        await session.flush()
    load.report.seconds = round(time.perf_counter() - started, 3)
    metrics.INGESTED_ROWS.labels("inserted").inc(load.report.rows_inserted)
    metrics.INGESTED_ROWS.labels("already_present").inc(load.report.rows_already_present)
    metrics.INGESTED_ROWS.labels("rejected").inc(load.report.rows_rejected)
    return load.report


async def _load_chunks(
    session: AsyncSession,
    load: _Load,
    chunks: Iterator[Chunk],
    today: date,
    default_lead_time_days: int,
    progress: Progress | None,
    total: int,
) -> None:
    # Parsing and validating the next chunk (a worker thread) overlaps writing this one.
    upcoming = asyncio.create_task(asyncio.to_thread(_next_accepted, load, chunks, today))
    try:
        while (rows := await upcoming) is not None:
            upcoming = asyncio.create_task(asyncio.to_thread(_next_accepted, load, chunks, today))
            inserted = await _write(
                session, rows, fresh=load.into_empty_tables, default_lead_time_days=default_lead_time_days
            )
            load.report.rows_inserted += inserted
            load.report.rows_already_present += len(rows) - inserted
            if progress:
                progress(load.report.rows_read, max(total, load.report.rows_read))
    finally:
        # A failed write must not leave the reader running against a closed load.
        with suppress(Exception):
            await upcoming


def _run_record(report: IngestReport) -> IngestionRun:
    summary = report.model_dump(mode="json", exclude={"rejections", "product_conflicts"})
    summary["product_conflicts"] = len(report.product_conflicts)
    return IngestionRun(
        file_name=report.file[:300],
        rows_read=report.rows_read,
        rows_inserted=report.rows_inserted,
        rows_rejected=report.rows_rejected,
        summary=summary,
    )


def _refuse_if_nothing_usable(report: IngestReport) -> None:
    if report.rows_read == 0:
        raise UnusableFile("The orders file has a header but no data rows.")
    if report.rows_inserted + report.rows_already_present == 0:
        raise UnusableFile(
            f"None of the {report.rows_read:,} rows of the orders file could be used; "
            "the first problems are listed in details.",
            details=[rejection.model_dump() for rejection in report.rejections[:20]],
        )


def _finish_report(load: _Load) -> None:
    catalog, report = load.catalog, load.report
    report.rejections.sort(key=lambda rejection: rejection.line)
    report.customers = catalog.count_customers()
    report.products = catalog.count_products()
    report.sellers = catalog.count_sellers()
    report.customers_with_several_names = catalog.customers_with_several_names()
    report.categories = dict(sorted(catalog.category_rows.items()))
    if catalog.first_date is not None and catalog.last_date is not None:
        report.date_range = DateRange(first=catalog.first_date.date(), last=catalog.last_date.date())
