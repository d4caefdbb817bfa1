"""Tracks, across the chunks of one load, what a file says about each product and customer."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from app.schemas.ingestion import ProductConflict


class CatalogTracker:
    """Distinct names/categories/brands per ProductID and names per CustomerID seen in a load."""

    def __init__(self) -> None:
        self.names: dict[str, set[str]] = defaultdict(set)
        self.categories: dict[str, set[str]] = defaultdict(set)
        self.brands: dict[str, set[str]] = defaultdict(set)
        self.customer_names: dict[str, set[str]] = defaultdict(set)
        self.customers: set[str] = set()
        self.sellers: set[str] = set()
        self.category_rows: dict[str, int] = defaultdict(int)
        self.first_date: pd.Timestamp | None = None
        self.last_date: pd.Timestamp | None = None

    def observe(self, rows: pd.DataFrame) -> None:
        """Record the accepted rows of one chunk."""
        if rows.empty:
            return
        for column, store in (("product_name", self.names), ("category", self.categories), ("brand", self.brands)):
            pairs = rows[["sku", column]].dropna().drop_duplicates()
            for sku, value in pairs.itertuples(index=False):
                store[sku].add(value)
        names = rows[["customer_id", "customer_name"]].dropna().drop_duplicates()
        for customer_id, name in names.itertuples(index=False):
            self.customer_names[customer_id].add(name)
        self.customers.update(rows["customer_id"].unique())
        self.sellers.update(rows["seller_id"].dropna().unique())
        for category, count in rows["category"].value_counts().items():
            self.category_rows[category] += int(count)
        first, last = rows["order_date"].min(), rows["order_date"].max()
        self.first_date = first if self.first_date is None else min(self.first_date, first)
        self.last_date = last if self.last_date is None else max(self.last_date, last)

    def conflicted_skus(self) -> list[str]:
        """ProductIDs the file gives more than one name, category or brand."""
        return sorted(
            sku
            for sku in self.names
            if len(self.names[sku]) > 1 or len(self.categories[sku]) > 1 or len(self.brands.get(sku, ())) > 1
        )

    def product_conflicts(self, kept: dict[str, tuple[str, str, str | None]]) -> list[ProductConflict]:
        """One entry per conflicted ProductID, with the values the catalogue kept."""
        return [
            ProductConflict(
                sku=sku,
                names=sorted(self.names[sku]),
                categories=sorted(self.categories[sku]),
                brands=sorted(self.brands.get(sku, ())),
                kept_name=kept[sku][0],
                kept_category=kept[sku][1],
                kept_brand=kept[sku][2],
            )
            for sku in self.conflicted_skus()
            if sku in kept
        ]

    def customers_with_several_names(self) -> int:
        return sum(1 for names in self.customer_names.values() if len(names) > 1)
