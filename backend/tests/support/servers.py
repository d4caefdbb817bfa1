"""The real app served by uvicorn on a free loopback port: in a thread with its own event loop, or
as `inventory serve` in a process of its own."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from app.cli.server import UVICORN_OPTIONS
from app.core.config import Settings
from app.main import create_app
from tests.support.environment import free_port


class LiveServer:
    """`create_app(settings)` behind uvicorn on 127.0.0.1; `url` is its base URL."""

    def __init__(self, settings: Settings) -> None:
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # As `inventory serve` runs it, but offering WebSocket compression: a client that does not ask for it
        # gets what every production client gets (events written straight to its transport), and a test can
        # ask for it to take the ASGI path that other servers, or compressing clients elsewhere, take.
        options = {**UVICORN_OPTIONS, "ws_per_message_deflate": True}
        config = uvicorn.Config(
            create_app(settings), log_level="warning", lifespan="on", ws_ping_interval=None, **options
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"uvicorn-{self.port}", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._socket]))

    def start(self, timeout: float = 20.0) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the app did not start; see the log above")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=20)
        self._socket.close()


@contextmanager
def served_process(settings: Settings, *, timeout: float = 60.0) -> Iterator[str]:
    """`inventory serve` in a process of its own (a real restart: nothing shared with this one); yields its URL."""
    port = free_port()
    env = {
        **os.environ, "DATABASE_URL": settings.database_url.get_secret_value(), "ENVIRONMENT": settings.environment,
        "AUTH_ENABLED": str(settings.auth_enabled).lower(), "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: nobody reads it while the server runs
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + timeout
            while not _answers(f"{url}/health"):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"inventory serve did not come up; its log:\n{log.read().decode()[-3000:]}")
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
