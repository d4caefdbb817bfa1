"""Schema management: bring a database to the latest migration, or check that it is there."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config() -> Config:
    """Alembic configuration pointing at backend/migrations, independent of the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest migration in the code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "backend/migrations has no revisions"
    return head


def _migrate(connection: Connection, target: str, *, down: bool) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    if down:
        command.downgrade(config, target)
    else:
        command.upgrade(config, target)


async def upgrade_database(engine: AsyncEngine, target: str = "head") -> None:
    """Apply every migration up to `target` (default: the latest)."""
    async with engine.begin() as connection:
        await connection.run_sync(_migrate, target, down=False)


async def downgrade_database(engine: AsyncEngine, target: str = "base") -> None:
    """Undo migrations down to `target` (default: an empty schema)."""
    async with engine.begin() as connection:
        await connection.run_sync(_migrate, target, down=True)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


async def database_status(engine: AsyncEngine) -> dict[str, object]:
    """Reachability and migration state, for the readiness probe."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        revision = await connection.run_sync(_current)
    head = head_revision()
    return {"reachable": True, "revision": revision, "head": head, "migrated": revision == head}
