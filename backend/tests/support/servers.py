"""The real app served by uvicorn on a free loopback port, in a thread with its own event loop."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import uvicorn

from app.cli.server import UVICORN_OPTIONS
from app.core.config import Settings
from app.main import create_app


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
