"""What every command shares: settings that fail with a readable message, the database, progress bars."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.core.db import create_engine
from app.db.migrations import current_revision, head_revision, upgrade_database
from app.db.unit_of_work import UnitOfWork

# Progress and messages go to stderr so that `--json` output on stdout stays one JSON object.
console = Console(stderr=True)
Result = TypeVar("Result")


def load_settings() -> Settings:
    """Settings from the environment and .env; a bad combination exits with the reason."""
    try:
        return Settings()
    except ValidationError as exc:
        messages = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        console.print(f"[red]Configuration error:[/red] {messages}")
        raise typer.Exit(2) from exc


def run(coroutine: Coroutine[Any, Any, Result]) -> Result:
    return asyncio.run(coroutine)


def progress_bar() -> Progress:
    """A Rich progress bar on stderr."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


async def ensure_schema(engine: AsyncEngine, settings: Settings) -> None:
    """Migrate an embedded SQLite database by itself; ask for `inventory db upgrade` elsewhere."""
    if settings.database_dialect == "sqlite":
        await upgrade_database(engine)
        return
    revision = await current_revision(engine)
    if revision != head_revision():
        console.print(
            f"[red]The database is at migration {revision or 'none'}, the code needs {head_revision()}.[/red] "
            "Run `inventory db upgrade` first."
        )
        raise typer.Exit(2)


@asynccontextmanager
async def open_database(settings: Settings, *, migrate: bool = True) -> AsyncIterator[UnitOfWork]:
    """The unit of work on DATABASE_URL, with the schema checked (and SQLite brought up to date) first.

    Nothing here wakes a relay: the server's relay finds the events the command line wrote at its next poll.
    """
    engine = create_engine(settings)
    try:
        if migrate:
            await ensure_schema(engine, settings)
        yield UnitOfWork(engine)
    finally:
        await engine.dispose()
