"""Products: create, read, update, archive or erase, and find them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Select, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, NotFound
from app.db.unit_of_work import UnitOfWork
from app.models import InventoryMovement, OrderLine, Product
from app.models.base import utcnow
from app.schemas.products import ProductCreate, ProductSort, ProductUpdate, StockState
from app.services.stock import StockMovement, lock_products, move_stock


@dataclass(frozen=True)
class ProductFilters:
    category: str | None = None
    brand: str | None = None
    stock_state: StockState | None = None
    search: str | None = None
    include_archived: bool = False


def _where_stock_state(statement: Select, state: StockState) -> Select:
    if state == "out":
        return statement.where(Product.stock_on_hand <= 0)
    if state == "low":
        return statement.where(Product.stock_on_hand > 0, Product.stock_on_hand <= Product.reorder_point)
    return statement.where(Product.stock_on_hand > Product.reorder_point)


def _filtered(statement: Select, filters: ProductFilters) -> Select:
    if not filters.include_archived:
        statement = statement.where(Product.archived_at.is_(None))
    if filters.category:
        statement = statement.where(Product.category == filters.category)
    if filters.brand:
        statement = statement.where(Product.brand == filters.brand)
    if filters.stock_state:
        statement = _where_stock_state(statement, filters.stock_state)
    if filters.search:
        pattern = f"%{filters.search.lower()}%"
        statement = statement.where(or_(func.lower(Product.name).like(pattern), func.lower(Product.sku).like(pattern)))
    return statement


async def list_products(
    session: AsyncSession, filters: ProductFilters, *, sort: ProductSort, limit: int, offset: int
) -> tuple[list[Product], int]:
    """A page of products matching the filters, and how many match in all."""
    total = await session.scalar(_filtered(select(func.count()).select_from(Product), filters))
    column = getattr(Product, sort.lstrip("-"))
    order = column.desc() if sort.startswith("-") else column.asc()
    rows = await session.scalars(
        _filtered(select(Product), filters).order_by(order, Product.sku).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


async def get_product(session: AsyncSession, sku: str) -> Product:
    product = await session.get(Product, sku)
    if product is None:
        raise NotFound(f"No product with SKU {sku!r}.", details=[{"field": "sku", "reason": "unknown"}])
    return product


async def create_product(work: UnitOfWork, data: ProductCreate) -> Product:
    """A new product; its opening stock enters the ledger as a counted quantity."""
    async with work.begin() as transaction:
        session = transaction.session
        if await session.get(Product, data.sku) is not None:
            raise Conflict(f"A product with SKU {data.sku!r} already exists; PATCH it instead.")
        product = Product(**data.model_dump(exclude={"stock_on_hand"}), stock_on_hand=0)
        session.add(product)
        try:
            await session.flush()
        except IntegrityError as exc:  # two creates of one SKU at the same moment
            raise Conflict(f"A product with SKU {data.sku!r} already exists; PATCH it instead.") from exc
        if data.stock_on_hand:
            opening = StockMovement(sku=data.sku, change=data.stock_on_hand, reason="stock_count", note="opening stock")
            _, events = await move_stock(transaction, await lock_products(transaction, [data.sku]), [opening])
            transaction.record_events(events)
            await session.refresh(product)
        return product


async def update_product(work: UnitOfWork, sku: str, data: ProductUpdate) -> Product:
    """Change a product's details or replenishment settings."""
    async with work.begin() as transaction:
        product = await get_product(transaction.session, sku)
        for field, value in data.model_dump(exclude_unset=True).items():
            setattr(product, field, value)
        await transaction.session.flush()
        return product


async def remove_product(work: UnitOfWork, sku: str) -> Literal["archived", "erased"]:
    """Archive a product that has orders (history keeps it); erase one that never sold."""
    async with work.begin() as transaction:
        session = transaction.session
        product = await get_product(session, sku)
        if await session.scalar(select(exists().where(OrderLine.sku == sku))):
            product.archived_at = product.archived_at or utcnow()
            await session.flush()
            return "archived"
        await session.execute(delete(InventoryMovement).where(InventoryMovement.sku == sku))
        await session.delete(product)
        await session.flush()
        return "erased"
