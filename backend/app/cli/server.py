"""`inventory serve`: run the API with uvicorn."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Annotated, Any

import typer
import uvicorn

from app.cli.http_protocol import CoalescingHttpToolsProtocol
from app.cli.runtime import console, load_settings, open_database, run
from app.core.metrics import MULTIPROCESS_DIRECTORY


async def _prepare() -> None:
    async with open_database(load_settings()):
        pass


# How uvicorn serves the app, here and in the test suite's servers. Request logs come from the app
# (with request ids), not from uvicorn's access log. No permessage-deflate: events are a few
# hundred bytes, and compressing each one once per socket (every connection keeps its own deflate
# state) cost more CPU than sending it. Each response leaves in one write (see http_protocol).
UVICORN_OPTIONS: dict[str, Any] = {
    "access_log": False,
    "ws_per_message_deflate": False,
    "http": CoalescingHttpToolsProtocol,
}


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (one per core serves the most).")] = 1,
) -> None:
    """Serve the API (docs at /docs); an embedded SQLite database is migrated first."""
    if workers > 1 and not load_settings().redis_enabled:
        # Each worker process has its own sockets and its own outbox relay: an event one of them
        # publishes in-process would never reach the clients connected to the others.
        console.print(
            f"[red]--workers {workers} needs REDIS_ENABLED=true[/red] (and REDIS_URL), so that every worker's "
            "WebSocket and SSE clients get every event; or serve with --workers 1."
        )
        raise typer.Exit(2)
    run(_prepare())
    if workers > 1:
        _count_every_worker()
    console.print(f"Serving on http://{host}:{port} (API docs: http://{host}:{port}/docs)")
    uvicorn.run(
        "app.main:create_app", factory=True, host=host, port=port, workers=workers, log_level="info", **UVICORN_OPTIONS
    )


def _count_every_worker() -> None:
    """prometheus-client's multiprocess mode: each worker keeps its metrics in a file of this directory and
    a scrape of any worker adds them all up. A fresh directory per start: old files would count again."""
    if os.environ.get(MULTIPROCESS_DIRECTORY):
        return  # the operator chose one (and empties it between starts, as prometheus-client asks)
    directory = tempfile.mkdtemp(prefix="inventory-metrics-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    os.environ[MULTIPROCESS_DIRECTORY] = directory


def register(app: typer.Typer) -> None:
    app.command()(serve)
