"""The `inventory` command line (Typer). Each module registers its commands."""

from __future__ import annotations

import typer

from app.cli import data, db, demo, forecasting, generate, keys, server

app = typer.Typer(
    name="inventory",
    help="Smart Inventory Manager: load sales, forecast demand, serve the API.",
    no_args_is_help=True,
    add_completion=False,
)
for module in (generate, data, forecasting, demo, server, db, keys):
    module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
