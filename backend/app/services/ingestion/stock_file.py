"""The stock file: a counted quantity and replenishment settings per product.

Columns: ProductID, StockOnHand, ReorderPoint, LeadTimeDays, UnitCost (UnitCost may be
empty). A count that differs from stock on hand is written to the ledger as a
`stock_count` movement, so stock on hand stays the sum of the ledger; loading the same file
again writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.limits import MAX_STOCK_UNITS, NUL, unaddressable_sku
from app.db.bulk import BulkWriter
from app.models import InventoryMovement, Product
from app.schemas.ingestion import RowRejection, StockReport
from app.services.ingestion.csv_source import Chunk, CsvSource
from app.services.ingestion.writer import batched

STOCK_COLUMNS = ("ProductID", "StockOnHand", "ReorderPoint", "LeadTimeDays", "UnitCost")
MAX_STOCK = MAX_STOCK_UNITS
MAX_LEAD_TIME_DAYS = 3_650


@dataclass
class ValidatedStock:
    rows: pd.DataFrame
    problems: list[RowRejection] = field(default_factory=list)


def _whole_number(raw: pd.Series, column: str, upper: int, problems: list[RowRejection], lines: pd.Series) -> pd.Series:
    value = pd.to_numeric(raw.str.strip(), errors="coerce").astype("float64")
    bad = value.isna() | (value != value.round()) | (value < 0) | (value > upper)
    for line, text in zip(lines[bad], raw[bad], strict=True):
        problems.append(
            RowRejection(
                line=int(line),
                column=column,
                value=text[:100],
                reason=f"{column} must be a whole number from 0 to {upper:,}",
            )
        )
    return value


def validate_stock(chunk: Chunk) -> ValidatedStock:
    """Check each stock row: a ProductID and non-negative whole quantities; UnitCost empty or >= 0."""
    # Positional, like `lines`: a later chunk's frame is indexed from where the file's rows are, and a mask
    # built on one index cannot select rows of the other (the crash of stock files longer than a chunk).
    frame = chunk.frame.reset_index(drop=True)
    lines = pd.Series(chunk.lines)
    problems: list[RowRejection] = [
        RowRejection(line=line, reason=f"row has {width} fields, the header has {chunk.width}")
        for line, width in chunk.misshapen
    ]
    for column in STOCK_COLUMNS:
        has_nul = frame[column].str.contains(NUL, regex=False).to_numpy()
        for line in lines[has_nul]:
            problems.append(RowRejection(line=int(line), column=column, reason=f"{column} contains a NUL character"))
    sku = frame["ProductID"].str.strip()
    for line in lines[sku == ""]:
        problems.append(RowRejection(line=int(line), column="ProductID", reason="ProductID is empty"))
    for line, text in zip(lines, sku, strict=True):
        if (why := unaddressable_sku(text)) is not None:
            problems.append(
                RowRejection(line=int(line), column="ProductID", value=text[:100], reason=f"ProductID {why}")
            )
    stock = _whole_number(frame["StockOnHand"], "StockOnHand", MAX_STOCK, problems, lines)
    reorder = _whole_number(frame["ReorderPoint"], "ReorderPoint", MAX_STOCK, problems, lines)
    lead = _whole_number(frame["LeadTimeDays"], "LeadTimeDays", MAX_LEAD_TIME_DAYS, problems, lines)
    raw_cost = frame["UnitCost"].str.strip()
    cost = pd.to_numeric(raw_cost.where(raw_cost != ""), errors="coerce").astype("float64")
    bad_cost = (raw_cost != "") & (cost.isna() | (cost < 0) | ~np.isfinite(cost.fillna(0)) | (cost > 9_999_999_999))
    for line, text in zip(lines[bad_cost], raw_cost[bad_cost], strict=True):
        problems.append(
            RowRejection(
                line=int(line),
                column="UnitCost",
                value=text[:100],
                reason="UnitCost must be empty or a non-negative amount",
            )
        )
    rejected = {problem.line for problem in problems}
    good = ~lines.isin(rejected).to_numpy()
    rows = pd.DataFrame(
        {
            "line": lines,
            "sku": sku,
            "stock_on_hand": stock,
            "reorder_point": reorder,
            "lead_time_days": lead,
            "unit_cost": cost.round(2),
        }
    )[good]
    rows = rows.astype({"stock_on_hand": "int64", "reorder_point": "int64", "lead_time_days": "int64"})
    return ValidatedStock(rows=rows.reset_index(drop=True), problems=problems)


async def _current_stock(session: AsyncSession, skus: list[str]) -> dict[str, int]:
    current: dict[str, int] = {}
    for batch in batched(skus):
        # Lock the rows being counted so an order cannot change them between read and write.
        statement = select(Product.sku, Product.stock_on_hand).where(Product.sku.in_(batch)).with_for_update()
        current.update((sku, stock) for sku, stock in await session.execute(statement))
    return current


async def apply_stock_file(source: CsvSource, session: AsyncSession, *, chunk_rows: int) -> StockReport:
    """Validate the stock file and apply it: settings, costs, and counted stock through the ledger."""
    report = StockReport()
    seen: dict[str, int] = {}
    for chunk in source.chunks(chunk_rows):
        validated = validate_stock(chunk)
        report.rows_read += len(chunk) + len(chunk.misshapen)
        rows = validated.rows
        repeat = rows["sku"].map(seen).notna() | rows["sku"].duplicated()
        for line, sku in zip(rows["line"][repeat], rows["sku"][repeat], strict=True):
            validated.problems.append(
                RowRejection(
                    line=int(line), column="ProductID", value=sku, reason="ProductID appears twice in the stock file"
                )
            )
        rows = rows[~repeat]
        seen.update(zip(rows["sku"], rows["line"], strict=True))
        current = await _current_stock(session, rows["sku"].tolist())
        unknown = ~rows["sku"].isin(current.keys())
        for line, sku in zip(rows["line"][unknown], rows["sku"][unknown], strict=True):
            validated.problems.append(
                RowRejection(
                    line=int(line),
                    column="ProductID",
                    value=sku,
                    reason="ProductID is not a known product (load its orders first)",
                )
            )
        rows = rows[~unknown]
        report.rows_rejected += len({problem.line for problem in validated.problems})
        report.rejections.extend(validated.problems)
        if rows.empty:
            continue
        await _write_settings(session, rows)
        report.products_updated += len(rows)
        report.stock_movements += await _write_counts(session, rows, current)
    report.rejections.sort(key=lambda rejection: rejection.line)
    return report


async def _write_settings(session: AsyncSession, rows: pd.DataFrame) -> None:
    await BulkWriter(session).update(Product.__table__, rows, "sku", ["reorder_point", "lead_time_days", "unit_cost"])


async def _write_counts(session: AsyncSession, rows: pd.DataFrame, current: dict[str, int]) -> int:
    counted = rows.assign(before=rows["sku"].map(current).astype("int64"))
    changed = counted[counted["stock_on_hand"] != counted["before"]]
    if changed.empty:
        return 0
    movements = changed.assign(
        quantity_change=changed["stock_on_hand"] - changed["before"],
        stock_after=changed["stock_on_hand"],
        reason="stock_count",
        note="stock file count",
    )
    writer = BulkWriter(session)
    await writer.insert(
        InventoryMovement.__table__, movements, ["sku", "quantity_change", "stock_after", "reason", "note"]
    )
    await writer.update(Product.__table__, changed, "sku", ["stock_on_hand"])
    return len(changed)
