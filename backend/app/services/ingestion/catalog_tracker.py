"""Tracks, across the chunks of one load, what a file says about each product and customer."""

from __future__ import annotations

import pandas as pd

from app.schemas.ingestion import ProductConflict

PRODUCT_FACTS = ("product_name", "category", "brand")


class CatalogTracker:
    """Distinct names/categories/brands per ProductID and names per CustomerID seen in a load.

    Each chunk adds its distinct (key, value) pairs; questions are answered once at the end,
    so a 100,000-row file costs a few vectorised de-duplications, not a loop per row.
    """

    def __init__(self) -> None:
        self._product_facts: list[pd.DataFrame] = []
        self._all_facts: pd.DataFrame | None = None
        self._customer_names: list[pd.DataFrame] = []
        self._customers: list[pd.Series] = []
        self._sellers: list[pd.Series] = []
        self.category_rows: dict[str, int] = {}
        self.first_date: pd.Timestamp | None = None
        self.last_date: pd.Timestamp | None = None

    def observe(self, rows: pd.DataFrame) -> None:
        """Record the accepted rows of one chunk."""
        if rows.empty:
            return
        self._all_facts = None
        self._product_facts.append(rows[["sku", *PRODUCT_FACTS]].drop_duplicates())
        self._customer_names.append(rows[["customer_id", "customer_name"]].dropna().drop_duplicates())
        self._customers.append(rows["customer_id"].drop_duplicates())
        self._sellers.append(rows["seller_id"].dropna().drop_duplicates())
        for category, count in rows["category"].value_counts().items():
            self.category_rows[category] = self.category_rows.get(category, 0) + int(count)
        first, last = rows["order_date"].min(), rows["order_date"].max()
        self.first_date = first if self.first_date is None else min(self.first_date, first)
        self.last_date = last if self.last_date is None else max(self.last_date, last)

    def _facts(self) -> pd.DataFrame:
        # Concatenated once, when the first question is asked after the load.
        if self._all_facts is None:
            self._all_facts = (
                pd.concat(self._product_facts, ignore_index=True).drop_duplicates()
                if self._product_facts
                else pd.DataFrame(columns=["sku", *PRODUCT_FACTS])
            )
        return self._all_facts

    def conflicted_skus(self) -> list[str]:
        """ProductIDs the file gives more than one name, category or brand."""
        distinct = self._facts().groupby("sku")[list(PRODUCT_FACTS)].nunique()
        return sorted(distinct.index[(distinct > 1).any(axis=1)])

    def product_conflicts(self, kept: dict[str, tuple[str, str, str | None]]) -> list[ProductConflict]:
        """One entry per conflicted ProductID, with the values the catalogue kept."""
        conflicted = [sku for sku in self.conflicted_skus() if sku in kept]
        facts = self._facts()
        facts = facts[facts["sku"].isin(conflicted)]
        values = {
            column: {sku: sorted(set(group.dropna())) for sku, group in facts.groupby("sku")[column]}
            for column in PRODUCT_FACTS
        }
        return [
            ProductConflict(
                sku=sku,
                names=values["product_name"][sku],
                categories=values["category"][sku],
                brands=values["brand"][sku],
                kept_name=kept[sku][0],
                kept_category=kept[sku][1],
                kept_brand=kept[sku][2],
            )
            for sku in conflicted
        ]

    def customers_with_several_names(self) -> int:
        if not self._customer_names:
            return 0
        names = pd.concat(self._customer_names, ignore_index=True).drop_duplicates()
        return int((names.groupby("customer_id")["customer_name"].nunique() > 1).sum())

    def count_customers(self) -> int:
        return int(pd.concat(self._customers).nunique()) if self._customers else 0

    def count_products(self) -> int:
        return int(self._facts()["sku"].nunique())

    def count_sellers(self) -> int:
        return int(pd.concat(self._sellers).nunique()) if self._sellers else 0
