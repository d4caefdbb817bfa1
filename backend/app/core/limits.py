"""What the stores can hold: every value a client sends is bounded to these before it reaches a column.

PostgreSQL refuses a value past its column's type (a 500 if it gets that far); SQLite stores almost
anything. Bounding the input to the narrower store keeps both backends answering the same.
"""

from __future__ import annotations

MAX_STOCK_UNITS = 2_000_000_000  # stock counts are PostgreSQL `integer` columns (at most 2,147,483,647)
MAX_ROW_ID = 2**63 - 1  # ids are `bigint`
NUL = "\x00"  # PostgreSQL text cannot hold it


SKU_RULE = "must not contain '/' or '\\' nor be '.' or '..': it could not be addressed as /products/{sku}"


def unaddressable_sku(sku: str) -> str | None:
    """Why a SKU could not be used in a URL path (/products/{sku}), or None when it can.

    A `/` splits the path (an encoded %2F is decoded before routing), and `.` and `..` are path
    segments that clients and proxies rewrite.
    """
    return SKU_RULE if "/" in sku or "\\" in sku or sku in (".", "..") else None
