"""Bulk writes of validated order rows, the same statements on SQLite and PostgreSQL.

Upserts keep the newest facts: a customer's or product's attributes are replaced only by a
row dated on or after the one they came from, so files loaded in any order converge on the
same catalogue. Orders are inserted once per OrderID; a repeat is left untouched. Orders and
their lines are written from one staged copy of a chunk by INSERT ... SELECT, except into a
PostgreSQL database's empty history tables, which COPY fills directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.bulk import BulkWriter
from app.models import Customer, Order, OrderLine, Product, Seller

IN_LIST_SIZE = 5_000  # far below both dialects' bound-parameter limits

# A newer row without a name or city does not erase the known one.
CUSTOMER_UPSERT = """
ON CONFLICT (customer_id) DO UPDATE SET
    name = COALESCE(excluded.name, customers.name),
    city = COALESCE(excluded.city, customers.city),
    state = COALESCE(excluded.state, customers.state),
    country = COALESCE(excluded.country, customers.country),
    profile_date = excluded.profile_date
WHERE customers.profile_date IS NULL OR excluded.profile_date >= customers.profile_date
"""
# Stock, reorder point, lead time and cost belong to the stock file and the API, not to orders.
PRODUCT_UPSERT = """
ON CONFLICT (sku) DO UPDATE SET
    name = excluded.name,
    category = excluded.category,
    brand = COALESCE(excluded.brand, products.brand),
    unit_price = excluded.unit_price,
    catalog_date = excluded.catalog_date
WHERE products.catalog_date IS NULL OR excluded.catalog_date >= products.catalog_date
"""
ORDER_COLUMNS = (
    "order_id", "order_date", "customer_id", "seller_id", "status", "payment_method", "discount",
    "tax", "shipping_cost", "total_amount", "city", "state", "country",
)  # fmt: skip
LINE_COLUMNS = (
    "order_id", "order_date", "status", "sku", "product_name", "category", "brand", "quantity", "unit_price",
)  # fmt: skip
# The accepted rows' columns that orders and order lines are written from, with their types.
STAGED_COLUMNS = {
    **{column: OrderLine.__table__.c[column].type for column in LINE_COLUMNS},
    **{column: Order.__table__.c[column].type for column in ORDER_COLUMNS},
}
_ORDER_NAMES = ", ".join(ORDER_COLUMNS)
_LINE_NAMES = ", ".join(LINE_COLUMNS)
# "WHERE true" keeps SQLite from reading ON CONFLICT as a join's ON clause.
INSERT_ORDERS = f"""
INSERT INTO orders ({_ORDER_NAMES}, source) SELECT {_ORDER_NAMES}, 'import' FROM {{staging}} WHERE true {{conflict}}
"""
# Each CSV row is a one-line order, so its line carries the whole total.
INSERT_LINES = f"""
INSERT INTO order_lines ({_LINE_NAMES}, line_number, line_total)
SELECT {_LINE_NAMES}, 1, total_amount FROM {{staging}} WHERE true {{conflict}}
"""


def batched(values: Sequence[Any], size: int = IN_LIST_SIZE) -> Iterable[Sequence[Any]]:
    """Slices of at most `size` values, for IN lists."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def latest_per(rows: pd.DataFrame, key: str, columns: Sequence[str], keep_known: Sequence[str] = ()) -> pd.DataFrame:
    """The newest row per key (by order date, then line), in `columns`.

    Columns in `keep_known` take the newest non-empty value instead: a newer row without a
    name does not erase the name an older row gave.
    """
    codes, _ = pd.factorize(rows[key])
    when = (rows["order_date"].to_numpy().view("int64"), rows["line"].to_numpy())
    latest = rows[list(columns)].take(_last_per_code(codes, *when)).reset_index(drop=True)
    for column in keep_known:
        # Sorting the empty values first makes the last one per key the newest known value.
        known = rows[column].notna().to_numpy()
        latest[column] = rows[column].take(_last_per_code(codes, known, *when)).to_numpy()
    return latest


def _last_per_code(codes: np.ndarray, *order: np.ndarray) -> np.ndarray:
    """Row position of the last row of each code (in code order) when rows are sorted by `order`."""
    ranked = np.lexsort((*reversed(order), codes))
    ranked_codes = codes[ranked]
    return ranked[np.append(ranked_codes[1:] != ranked_codes[:-1], True)]


async def existing_order_ids(session: AsyncSession, order_ids: Sequence[str]) -> set[str]:
    """The subset of `order_ids` already in the database."""
    found: set[str] = set()
    for batch in batched(order_ids):
        result = await session.execute(select(Order.order_id).where(Order.order_id.in_(batch)))
        found.update(result.scalars())
    return found


async def write_new_orders(
    session: AsyncSession, rows: pd.DataFrame, *, fresh: bool = False, default_lead_time_days: int
) -> None:
    """Write orders not yet in the database, with their customers, sellers and products.

    `fresh`: the order tables were empty and are locked for this load, so no OrderID can
    clash and the inserts skip the conflict check.
    """
    writer = BulkWriter(session)
    customers = latest_per(
        rows, "customer_id", ["customer_id", "customer_name", "city", "state", "country", "order_date"],
        keep_known=("customer_name",),
    )  # fmt: skip
    customers = customers.rename(columns={"customer_name": "name", "order_date": "profile_date"})
    await writer.insert(
        Customer.__table__, customers, ["customer_id", "name", "city", "state", "country", "profile_date"],
        on_conflict=CUSTOMER_UPSERT,
    )  # fmt: skip
    sellers = pd.DataFrame({"seller_id": rows["seller_id"].dropna().unique()})
    await writer.insert(Seller.__table__, sellers, ["seller_id"], on_conflict="ON CONFLICT (seller_id) DO NOTHING")
    products = latest_per(
        rows, "sku", ["sku", "product_name", "category", "brand", "unit_price", "order_date"], keep_known=("brand",)
    )
    products = products.rename(columns={"product_name": "name", "order_date": "catalog_date"})
    products["lead_time_days"] = default_lead_time_days
    await writer.insert(
        Product.__table__, products,
        ["sku", "name", "category", "brand", "unit_price", "catalog_date", "lead_time_days"],
        on_conflict=PRODUCT_UPSERT,
    )  # fmt: skip
    if fresh and writer.inserts_by_copy:
        # Nothing to skip in empty, locked tables: COPY straight into both, which costs
        # PostgreSQL a quarter less than staging the rows once and inserting them twice.
        # The values are the ones INSERT_ORDERS and INSERT_LINES select.
        await writer.insert(Order.__table__, rows.assign(source="import"), [*ORDER_COLUMNS, "source"])
        lines = rows.assign(line_number=1, line_total=rows["total_amount"])
        await writer.insert(OrderLine.__table__, lines, [*LINE_COLUMNS, "line_number", "line_total"])
        return
    # One staged copy of the rows feeds both tables (on SQLite three times cheaper than
    # executemany into each).
    async with writer.staged(rows, STAGED_COLUMNS) as staging:
        conflict = "" if fresh else "ON CONFLICT (order_id) DO NOTHING"
        await session.execute(text(INSERT_ORDERS.format(staging=staging, conflict=conflict)))
        conflict = "" if fresh else "ON CONFLICT (order_id, line_number) DO NOTHING"
        await session.execute(text(INSERT_LINES.format(staging=staging, conflict=conflict)))
