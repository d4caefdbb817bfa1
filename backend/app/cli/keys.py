"""`inventory keys create|list|revoke`: API keys on DATABASE_URL, through the access service."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.cli.runtime import console, load_settings, open_database, run
from app.core.errors import AppError
from app.core.security import ROLES, Role
from app.schemas.access import ApiKeyCreated, ApiKeyOut
from app.services import access

keys_app = typer.Typer(help="API keys: make one (shown once), list them, revoke one.", no_args_is_help=True)
stdout = Console()


async def new_key(role: Role, name: str) -> ApiKeyCreated:
    """Make a key on DATABASE_URL (used by `keys create` and `inventory demo`)."""
    async with open_database(load_settings()) as work:
        row, key = await access.create_key(work, role=role, name=name)
        return ApiKeyCreated.model_validate({**ApiKeyOut.model_validate(row).model_dump(), "key": key})


async def _list() -> list[ApiKeyOut]:
    async with open_database(load_settings()) as work, work.reader() as session:
        return [ApiKeyOut.model_validate(row) for row in await access.list_keys(session)]


async def _revoke(reference: str) -> ApiKeyOut:
    async with open_database(load_settings()) as work:
        return ApiKeyOut.model_validate(await access.revoke_key(work, reference))


def _role(value: str) -> str:
    if value not in ROLES:
        raise typer.BadParameter(f"choose one of {', '.join(ROLES)}")
    return value


@keys_app.command()
def create(
    role: Annotated[str, typer.Option(callback=_role, help="viewer (reads), operator (orders, stock), admin (all).")],
    name: Annotated[str, typer.Option(help="Who or what uses the key.")] = "unnamed",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (with the key) on stdout.")] = False,
) -> None:
    """Make an API key. It is printed once, here: only its hash is stored."""
    created = run(new_key(role, name))  # type: ignore[arg-type]
    if as_json:
        print(created.model_dump_json())
        return
    console.print(f"[green]{created.role} key #{created.id} ({created.name})[/green]; shown this once:")
    print(created.key)


@keys_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object on stdout.")] = False,
) -> None:
    """Every key: id, name, role, prefix, made, last used, revoked. Never the keys themselves."""
    keys = run(_list())
    if as_json:
        print(json.dumps({"keys": [key.model_dump(mode="json") for key in keys]}))
        return
    table = Table("id", "name", "role", "prefix", "created", "last used", "revoked")
    for key in keys:
        table.add_row(
            str(key.id), key.name, key.role, key.prefix, f"{key.created_at:%Y-%m-%d %H:%M}",
            f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "-",
            f"{key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "-",
        )  # fmt: skip
    stdout.print(table)


@keys_app.command()
def revoke(
    key: Annotated[str, typer.Argument(help="The key's id or prefix (as `keys list` shows them).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the revoked key as JSON on stdout.")] = False,
) -> None:
    """Revoke a key: every replica refuses it from its next request on."""
    try:
        revoked = run(_revoke(key))
    except AppError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error
    if as_json:
        print(revoked.model_dump_json())
        return
    when = f"{revoked.revoked_at:%Y-%m-%d %H:%M:%S}"
    console.print(f"Key #{revoked.id} {revoked.prefix}... ({revoked.name}) revoked at {when} UTC.")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
