"""Row-level validation of the orders CSV, vectorised over a chunk.

Every rule rejects the row it fails and names the line, the column and the reason; a row
that passes every rule comes out typed (dates, integers, cents) and ready to write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from app.core.limits import NUL, SKU_RULE
from app.services.ingestion.csv_source import Chunk

ORDER_COLUMNS = (
    "OrderID", "OrderDate", "CustomerID", "CustomerName", "ProductID", "ProductName", "Category",
    "Brand", "Quantity", "UnitPrice", "Discount", "Tax", "ShippingCost", "TotalAmount",
    "PaymentMethod", "OrderStatus", "City", "State", "Country", "SellerID",
)  # fmt: skip
STATUSES = ("Delivered", "Shipped", "Processing", "Cancelled", "Returned")
REQUIRED_TEXT = ("OrderID", "CustomerID", "ProductID", "Category")
TEXT_LIMITS = {
    "OrderID": 64, "CustomerID": 64, "ProductID": 64, "SellerID": 64, "CustomerName": 200,
    "ProductName": 300, "Category": 120, "Brand": 120, "PaymentMethod": 32, "City": 120,
    "State": 64, "Country": 64,
}  # fmt: skip
AMOUNT_COLUMNS = ("UnitPrice", "Discount", "Tax", "ShippingCost")
OPTIONAL_AMOUNTS = ("Discount", "Tax", "ShippingCost")  # empty means 0
MAX_AMOUNT = 9_999_999_999.99  # what NUMERIC(12, 2) holds
MAX_QUANTITY = 1_000_000
# "more than a cent": the parts are rounded to cents, plus room for binary floating point.
TOLERANCE = 0.01 + 1e-6
EARLIEST_DATE = pd.Timestamp("1970-01-01")
# A decimal number, optionally signed, with an optional exponent (what pandas.to_numeric
# reads as a finite number, without its detour through Python objects).
NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"


@dataclass
class ValidatedChunk:
    """Accepted rows (typed, one per order) and the problems of the rejected ones."""

    rows: pd.DataFrame
    problems: list[dict[str, object]] = field(default_factory=list)
    rejected_lines: set[int] = field(default_factory=set)


class _Problems:
    """Collects (mask, column, reason) findings for a chunk."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.bad = np.zeros(len(frame), dtype=bool)
        self.bad_by_column: dict[str | None, np.ndarray] = {}
        self.items: list[tuple[int, str | None, str | None, str]] = []

    def flagged(self, column: str) -> np.ndarray:
        """Rows already rejected for a problem in `column`."""
        return self.bad_by_column.get(column, np.zeros(len(self.frame), dtype=bool))

    def add(self, mask: pd.Series | np.ndarray, column: str | None, reason: str) -> None:
        # One problem per cell is enough: later rules on a column assume the earlier ones
        # passed (no "not a number" and then "negative" for the same cell).
        seen = self.bad_by_column.setdefault(column, np.zeros(len(self.frame), dtype=bool))
        mask = np.asarray(mask, dtype=bool) & ~seen
        if not mask.any():
            return
        seen |= mask
        self.bad |= mask
        values = self.frame[column].to_numpy() if column else None
        lines = self.frame["_line"].to_numpy()
        for position in np.flatnonzero(mask):
            value = None if values is None else str(values[position])[:100].replace(NUL, "\\x00")
            self.items.append((int(lines[position]), column, value, reason))


def _strip(frame: pd.DataFrame) -> None:
    for column in ORDER_COLUMNS:
        frame[column] = frame[column].str.strip()


def _check_text(frame: pd.DataFrame, problems: _Problems) -> None:
    # First: a NUL cannot be stored by PostgreSQL (and must not be by SQLite either: backends agree).
    for column in ORDER_COLUMNS:
        has_nul = frame[column].str.contains(NUL, regex=False).fillna(False)
        problems.add(has_nul, column, f"{column} contains a NUL character")
    sku = frame["ProductID"]
    unaddressable = sku.str.contains("/", regex=False) | sku.str.contains("\\", regex=False) | sku.isin([".", ".."])
    problems.add(unaddressable.fillna(False), "ProductID", f"ProductID {SKU_RULE}")
    for column in REQUIRED_TEXT:
        problems.add(frame[column] == "", column, f"{column} is empty")
    for column, limit in TEXT_LIMITS.items():
        problems.add(frame[column].str.len() > limit, column, f"{column} is longer than {limit} characters")


def _parse_dates(frame: pd.DataFrame, problems: _Problems, today: date) -> pd.Series:
    raw = frame["OrderDate"]
    parsed = pd.to_datetime(raw, format="ISO8601", errors="coerce")
    problems.add(raw == "", "OrderDate", "OrderDate is empty")
    problems.add(parsed.isna() & (raw != ""), "OrderDate", "OrderDate is not a date (expected YYYY-MM-DD)")
    ok = parsed.notna()
    problems.add(ok & (parsed < EARLIEST_DATE), "OrderDate", "OrderDate is before 1970")
    problems.add(ok & (parsed > pd.Timestamp(today)), "OrderDate", "OrderDate is in the future")
    return parsed.dt.normalize()


def _to_float(text: pd.Series) -> pd.Series:
    """float64 values of the text, NaN where it is not a number."""
    arrow = pa.array(text.array)
    values = pc.cast(pc.if_else(pc.match_substring_regex(arrow, NUMBER), arrow, None), pa.float64())
    return pd.Series(values.to_numpy(zero_copy_only=False), index=text.index)


def _parse_numbers(frame: pd.DataFrame, problems: _Problems) -> dict[str, pd.Series]:
    numbers: dict[str, pd.Series] = {}
    for column in ("Quantity", "UnitPrice", "TotalAmount", *OPTIONAL_AMOUNTS):
        raw = frame[column]
        empty = raw == ""
        value = _to_float(raw)
        if column in OPTIONAL_AMOUNTS:
            value = value.where(~empty, 0.0)
        else:
            problems.add(empty, column, f"{column} is empty")
        problems.add(~empty & (value.isna() | ~np.isfinite(value.fillna(0))), column, f"{column} is not a number")
        numbers[column] = value
    quantity = numbers["Quantity"]
    known = quantity.notna()
    problems.add(known & (quantity != quantity.round()), "Quantity", "Quantity is not a whole number")
    problems.add(known & (quantity <= 0), "Quantity", "Quantity must be greater than 0")
    problems.add(known & (quantity > MAX_QUANTITY), "Quantity", f"Quantity is above {MAX_QUANTITY:,}")
    for column in AMOUNT_COLUMNS:
        value = numbers[column]
        problems.add(value.notna() & (value < 0), column, f"{column} is negative")
        problems.add(value.notna() & (value > MAX_AMOUNT), column, f"{column} is too large")
    total = numbers["TotalAmount"]
    problems.add(total.notna() & (total.abs() > MAX_AMOUNT), "TotalAmount", "TotalAmount is too large")
    return numbers


def _check_status(frame: pd.DataFrame, problems: _Problems) -> pd.Series:
    canonical = {status.lower(): status for status in STATUSES}
    status = frame["OrderStatus"].str.lower().map(canonical)
    problems.add(status.isna(), "OrderStatus", f"OrderStatus is not one of {', '.join(STATUSES)}")
    return status


def _check_amounts(numbers: dict[str, pd.Series], status: pd.Series, problems: _Problems) -> None:
    # Only rows whose parts are each valid are checked against each other: a negative price
    # is reported once, not again as a bad discount and a bad total.
    parts = ("Quantity", "UnitPrice", "Discount", "Tax", "ShippingCost", "TotalAmount", "OrderStatus")
    clean = ~np.logical_or.reduce([problems.flagged(column) for column in parts])
    quantity, price = numbers["Quantity"], numbers["UnitPrice"]
    gross = (quantity * price).round(2)
    discount = numbers["Discount"].round(2)
    problems.add(clean & (discount > gross + TOLERANCE), "Discount", "Discount is larger than Quantity x UnitPrice")
    formula = (gross - discount + numbers["Tax"].round(2) + numbers["ShippingCost"].round(2)).round(2)
    total = numbers["TotalAmount"]
    # Returned rows carry the refund as a negative total; Cancelled rows carry 0 (the contract)
    # or, in some exports, the amount before cancellation.
    expected = formula.where(status != "Returned", -formula)
    agrees = (total - expected).abs() <= TOLERANCE
    cancelled_at_zero = (status == "Cancelled") & (total.abs() <= TOLERANCE)
    disagrees = clean & ~problems.flagged("Discount") & ~agrees & ~cancelled_at_zero
    problems.add(
        disagrees,
        "TotalAmount",
        "TotalAmount disagrees with Quantity x UnitPrice - Discount + Tax + ShippingCost "
        "(negated for Returned, 0 allowed for Cancelled) by more than a cent",
    )


def validate_orders(chunk: Chunk, *, today: date) -> ValidatedChunk:
    """Check every row of a chunk; return the accepted rows typed and the rejected rows' problems."""
    frame = chunk.frame.copy()
    frame["_line"] = chunk.lines
    _strip(frame)
    problems = _Problems(frame)
    _check_text(frame, problems)
    order_date = _parse_dates(frame, problems, today)
    numbers = _parse_numbers(frame, problems)
    status = _check_status(frame, problems)
    _check_amounts(numbers, status, problems)

    good = ~problems.bad
    rows = pd.DataFrame(
        {
            "line": frame["_line"],
            "order_id": frame["OrderID"],
            "order_date": order_date,
            "customer_id": frame["CustomerID"],
            "customer_name": frame["CustomerName"].replace("", None),
            "sku": frame["ProductID"],
            "product_name": frame["ProductName"].where(frame["ProductName"] != "", frame["ProductID"]),
            "category": frame["Category"],
            "brand": frame["Brand"].replace("", None),
            "quantity": numbers["Quantity"],
            "unit_price": numbers["UnitPrice"].round(2),
            "discount": numbers["Discount"].round(2),
            "tax": numbers["Tax"].round(2),
            "shipping_cost": numbers["ShippingCost"].round(2),
            "total_amount": numbers["TotalAmount"].round(2),
            "payment_method": frame["PaymentMethod"].replace("", None),
            "status": status,
            "city": frame["City"].replace("", None),
            "state": frame["State"].replace("", None),
            "country": frame["Country"].replace("", None),
            "seller_id": frame["SellerID"].replace("", None),
        }
    )[good].reset_index(drop=True)
    rows["quantity"] = rows["quantity"].astype("int64")

    result = ValidatedChunk(rows=rows)
    for line, column, value, reason in sorted(problems.items, key=lambda item: item[0]):
        result.problems.append({"line": line, "column": column, "value": value, "reason": reason})
        result.rejected_lines.add(line)
    for line, width in chunk.misshapen:
        result.problems.append(
            {
                "line": line,
                "column": None,
                "value": None,
                "reason": f"row has {width} fields, the header has {chunk.width}",
            }
        )
        result.rejected_lines.add(line)
    return result
