"""The /products router: the catalogue and each product's stock ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.routes.deps import GUARDED, READS, Operator, Pagination, Session, Work
from app.schemas.common import ErrorBody, Page
from app.schemas.products import (
    MovementOut,
    ProductCreate,
    ProductOut,
    ProductRemoved,
    ProductSort,
    ProductUpdate,
    StockChange,
    StockChangeOut,
    StockState,
)
from app.services import products as catalog
from app.services import stock
from app.services.products import ProductFilters

router = APIRouter(prefix="/products", tags=["products"], dependencies=[READS], responses=GUARDED)
SkuPath = Annotated[str, Path(min_length=1, max_length=64, description="The product's SKU (ProductID).")]
ERRORS = {404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}}


def product_out(product) -> ProductOut:
    return ProductOut.model_validate(
        {
            **{column.key: getattr(product, column.key) for column in product.__table__.columns},
            "stock_state": stock.stock_state(product.stock_on_hand, product.reorder_point),
            "archived": product.archived_at is not None,
        }
    )


@router.get("", response_model=Page[ProductOut])
async def list_products(
    session: Session,
    page: Pagination,
    category: Annotated[str | None, Query(max_length=120)] = None,
    brand: Annotated[str | None, Query(max_length=120)] = None,
    stock_state: Annotated[
        StockState | None, Query(description="in_stock, low (at or below the reorder point) or out.")
    ] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Search in name and SKU.")] = None,
    sort: ProductSort = "sku",
    include_archived: bool = False,
) -> Page[ProductOut]:
    """Products with their stock state, filtered and sorted, a page at a time (with the total)."""
    filters = ProductFilters(
        category=category, brand=brand, stock_state=stock_state, search=q, include_archived=include_archived
    )
    rows, total = await catalog.list_products(session, filters, sort=sort, limit=page.limit, offset=page.offset)
    return Page(items=[product_out(row) for row in rows], total=total, limit=page.limit, offset=page.offset)


@router.post("", response_model=ProductOut, status_code=201, responses=ERRORS)
async def create_product(work: Work, _caller: Operator, body: ProductCreate) -> ProductOut:
    """Create a product; its opening `stock_on_hand` enters the stock ledger as a count. 409 if the SKU exists."""
    return product_out(await catalog.create_product(work, body))


@router.get("/{sku}", response_model=ProductOut, responses=ERRORS)
async def get_product(session: Session, sku: SkuPath) -> ProductOut:
    """One product with its stock on hand, reorder point, lead time, unit cost and stock state."""
    return product_out(await catalog.get_product(session, sku))


@router.patch("/{sku}", response_model=ProductOut, responses=ERRORS)
async def update_product(work: Work, _caller: Operator, sku: SkuPath, body: ProductUpdate) -> ProductOut:
    """Change a product's details or replenishment settings. Stock changes go through POST /products/{sku}/stock."""
    return product_out(await catalog.update_product(work, sku, body))


@router.delete("/{sku}", response_model=ProductRemoved, responses=ERRORS)
async def remove_product(work: Work, _caller: Operator, sku: SkuPath) -> ProductRemoved:
    """Remove a product: archived when it has orders (history keeps it, it can no longer be sold), erased otherwise."""
    return ProductRemoved(sku=sku, outcome=await catalog.remove_product(work, sku))


@router.post("/{sku}/stock", response_model=StockChangeOut, status_code=201, responses=ERRORS)
async def change_stock(work: Work, _caller: Operator, sku: SkuPath, body: StockChange) -> StockChangeOut:
    """Record a receipt (units in) or an adjustment (either sign) with its reason; 409 if it would go below zero."""
    movement, product = await stock.record_stock_change(
        work, sku=sku, kind=body.kind, quantity=body.quantity, note=body.note
    )
    return StockChangeOut(movement=MovementOut.model_validate(movement), product=product_out(product))


@router.get("/{sku}/movements", response_model=Page[MovementOut], responses=ERRORS)
async def list_movements(session: Session, sku: SkuPath, page: Pagination) -> Page[MovementOut]:
    """The product's stock ledger, newest first: every change with its reason and order. Its sum is stock on hand."""
    rows, total = await stock.list_movements(session, sku=sku, limit=page.limit, offset=page.offset)
    return Page(
        items=[MovementOut.model_validate(row) for row in rows], total=total, limit=page.limit, offset=page.offset
    )
