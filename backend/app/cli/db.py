"""`inventory db upgrade|downgrade|current`: schema migrations on DATABASE_URL."""

from __future__ import annotations

import typer
from alembic.util import CommandError

from app.cli.runtime import console, load_settings, run
from app.core.db import create_engine
from app.db.migrations import current_revision, downgrade_database, head_revision, upgrade_database

db_app = typer.Typer(help="Schema migrations (Alembic) on DATABASE_URL.", no_args_is_help=True)


async def _to_revision(target: str, *, down: bool) -> str | None:
    engine = create_engine(load_settings())
    try:
        await (downgrade_database(engine, target) if down else upgrade_database(engine, target))
        return await current_revision(engine)
    finally:
        await engine.dispose()


def _migrate(target: str, *, down: bool) -> str | None:
    """Run the migration; an unknown or unreachable revision exits 1 with Alembic's one-line reason."""
    try:
        return run(_to_revision(target, down=down))
    except CommandError as exc:
        console.print(f"[red]Nothing was migrated:[/red] {exc}")
        raise typer.Exit(1) from exc


@db_app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision (default: the latest).")) -> None:
    """Apply migrations up to REVISION."""
    console.print(f"Database now at [bold]{_migrate(revision, down=False)}[/bold].")


# ignore_unknown_options: a relative revision such as "-1" is an argument, not an unknown option.
@db_app.command(context_settings={"ignore_unknown_options": True})
def downgrade(
    revision: str = typer.Argument("base", help="Target revision ('base' empties the schema, '-1' undoes one)."),
) -> None:
    """Undo migrations down to REVISION."""
    console.print(f"Database now at [bold]{_migrate(revision, down=True) or 'base (empty)'}[/bold].")


@db_app.command()
def current() -> None:
    """Show the database's revision and the code's latest."""

    async def _current() -> str | None:
        engine = create_engine(load_settings())
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    console.print(f"database: {run(_current()) or 'empty'}; code: {head_revision()}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
