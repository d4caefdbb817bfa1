"""How far a database's schema is from the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from app.models import Base


def schema_differences(connection: Connection) -> list[object]:
    """What autogenerate would change to make the database match the models (empty: nothing)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)
