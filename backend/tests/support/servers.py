"""The real app served by uvicorn on a free loopback port: in a thread with its own event loop, or
as `inventory serve` in a process of its own."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import uvicorn
from pydantic import SecretStr

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
def served_command(
    environment: Mapping[str, str], *, workers: int = 1, timeout: float = 60.0, log_path: Path | None = None
) -> Iterator[tuple[str, int]]:
    """`inventory serve` in a process of its own on a free port, with `environment` over this process's;
    yields its base URL and process id. Nothing is shared with this process: a restart is a real one.
    Everything it prints goes to `log_path` when given (a temporary file otherwise)."""
    port = free_port()
    env = {**os.environ, "LOG_LEVEL": "WARNING", **environment}
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers)]
    url = f"http://127.0.0.1:{port}"
    # The log goes to a file: a pipe nobody reads fills up (uvicorn logs every WebSocket it opens) and
    # then blocks the server.
    with log_path.open("w+b") if log_path else tempfile.TemporaryFile() as log:
        # Its own process group, so that worker processes go with it even if the supervisor hangs.
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            while not _answers(f"{url}/health"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"inventory serve did not come up; its log ends:\n{_tail(log)}")
                time.sleep(0.1)
            yield url, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                # Said, not raised: an exception from the body must not be replaced by this one.
                print(
                    f"inventory serve did not stop within 30 s of SIGTERM; killed. Its log ends:\n{_tail(log)}",
                    file=sys.stderr,
                )


@contextmanager
def served_settings(settings: Settings) -> Iterator[str]:
    """`inventory serve` on `settings` (every setting given explicitly) in a process of its own; yields its URL."""
    with served_command(environment_of(settings)) as (url, _pid):
        yield url


def environment_of(settings: Settings) -> dict[str, str]:
    """The environment variables that give another process the settings this one was given explicitly."""
    environment = {}
    for name in settings.model_fields_set:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        environment[name.upper()] = str(value).lower() if isinstance(value, bool) else str(value)
    return environment


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-3000:]


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
