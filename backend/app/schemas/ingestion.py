"""The report an ingestion returns, from the CLI (`--json`) and from POST /forecast/upload-data."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class RowRejection(BaseModel):
    """One problem that kept a row out of the database."""

    line: int = Field(..., description="Line of the file, counting the header as line 1.")
    column: str | None = Field(None, description="The column at fault, if one is.")
    value: str | None = Field(None, description="The offending value (cut to 100 characters).")
    reason: str


class ProductConflict(BaseModel):
    """A ProductID seen with different names, categories or brands; the latest order's values are kept."""

    sku: str
    names: list[str]
    categories: list[str]
    brands: list[str]
    kept_name: str
    kept_category: str
    kept_brand: str | None


class DateRange(BaseModel):
    first: date
    last: date


class StockReport(BaseModel):
    """What a stock file (counted stock and replenishment settings per product) changed."""

    rows_read: int = 0
    products_updated: int = 0
    stock_movements: int = Field(0, description="Ledger rows written because a count differed from stock on hand.")
    rows_rejected: int = 0
    rejections: list[RowRejection] = Field(default_factory=list)


class IngestReport(BaseModel):
    """What one load of an orders file did."""

    file: str
    rows_read: int = Field(0, description="Data rows in the file (blank lines are not rows).")
    rows_inserted: int = Field(0, description="Orders written by this load.")
    rows_already_present: int = Field(0, description="Valid rows whose OrderID was already in the database.")
    rows_rejected: int = Field(0, description="Rows kept out because of a problem listed in rejections.")
    rejections: list[RowRejection] = Field(default_factory=list)
    rejections_truncated: bool = Field(False, description="True when more problems were found than are listed.")
    rejected_by_column: dict[str, int] = Field(default_factory=dict, description="Problems found per column.")
    product_conflicts: list[ProductConflict] = Field(default_factory=list)
    customers_with_several_names: int = 0
    customers: int = Field(0, description="Distinct customers in the accepted rows.")
    products: int = Field(0, description="Distinct products in the accepted rows.")
    sellers: int = Field(0, description="Distinct sellers in the accepted rows.")
    date_range: DateRange | None = None
    categories: dict[str, int] = Field(default_factory=dict, description="Accepted rows per category.")
    ignored_columns: list[str] = Field(default_factory=list, description="Header columns outside the data contract.")
    stock: StockReport | None = None
    seconds: float = 0.0
