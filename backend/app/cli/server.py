"""`inventory serve`: run the API with uvicorn."""

from __future__ import annotations

import typer
import uvicorn

from app.cli.runtime import console, load_settings, open_database, run


async def _prepare() -> None:
    async with open_database(load_settings()):
        pass


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
) -> None:
    """Serve the API (docs at /docs); an embedded SQLite database is migrated first."""
    run(_prepare())
    console.print(f"Serving on http://{host}:{port} (API docs: http://{host}:{port}/docs)")
    uvicorn.run("app.main:create_app", factory=True, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    app.command()(serve)
