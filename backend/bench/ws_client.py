"""A lean WebSocket client for the stream benchmark: a real RFC 6455 client over TCP, with nothing but what
a reader of live events needs.

Why not the `websockets` package: its per-message machinery (a reader task, a message queue, a waiter
per `recv()`) cost about 36 µs of CPU a message in the benchmark's client processes, which share
the machine's two cores with the server; 1,000 clients then took more CPU than the server's
fan-out. Here frames are read in `data_received` as they arrive and every message goes, stamped
with its arrival time, to a callback: about 23 µs a message, most of it the kernel's and the event
loop's (measured with 1,000 clients, 2026-12-02).

It speaks the opening handshake (checking Sec-WebSocket-Accept), unmasked server frames of any
length, fragmented messages, answers pings and closes; it sends only masked control frames.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import struct
import time
from collections.abc import Callable
from typing import cast
from urllib.parse import urlsplit

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 4.2.2
TEXT, BINARY, CONTINUATION, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA

OnMessage = Callable[[bytes, float], None]


def client_frame(opcode: int, payload: bytes = b"") -> bytes:
    """A final frame as a client must send it: masked with a fresh key (RFC 6455 5.3); payloads < 126 bytes."""
    key = os.urandom(4)
    masked = bytes(byte ^ key[index % 4] for index, byte in enumerate(payload))
    return struct.pack("!BB", 0x80 | opcode, 0x80 | len(payload)) + key + masked


class EventSocket(asyncio.Protocol):
    """One client connection; `on_message(payload, arrived_at)` gets every text or binary message."""

    def __init__(self, host: str, target: str, on_message: OnMessage) -> None:
        self._key = base64.b64encode(os.urandom(16))
        self._request = (
            f"GET {target} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {self._key.decode()}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self._on_message = on_message
        self._buffer = bytearray()
        self._fragments: list[bytes] = []
        self._upgraded = False
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        arrived_at = time.monotonic()
        self._buffer += data
        if not self._upgraded and not self._read_handshake():
            return
        self._read_frames(arrived_at)

    def _read_handshake(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
        del self._buffer[: end + 4]
        headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in head[1:])}
        accept = base64.b64encode(hashlib.sha1(self._key + GUID).digest()).decode()
        if head[0].split(" ")[1] != "101" or headers.get("sec-websocket-accept") != accept:
            self.opened.set_exception(ConnectionError(f"handshake refused: {head[0]}"))
            self.transport.close()
            return False
        self._upgraded = True
        self.opened.set_result(None)
        return True

    def _read_frames(self, arrived_at: float) -> None:
        buffer = self._buffer
        start = 0
        while len(buffer) - start >= 2:
            first, second = buffer[start], buffer[start + 1]
            length, header = second & 0x7F, 2
            if length == 126:
                if len(buffer) - start < 4:
                    break
                (length,), header = struct.unpack_from("!H", buffer, start + 2), 4
            elif length == 127:
                if len(buffer) - start < 10:
                    break
                (length,), header = struct.unpack_from("!Q", buffer, start + 2), 10
            if second & 0x80:
                raise ConnectionError("a server must not mask its frames")
            if len(buffer) - start < header + length:
                break
            payload = bytes(buffer[start + header : start + header + length])
            start += header + length
            self._handle(first & 0x80, first & 0x0F, payload, arrived_at)
        del buffer[:start]

    def _handle(self, final: int, opcode: int, payload: bytes, arrived_at: float) -> None:
        if opcode in (TEXT, BINARY, CONTINUATION):
            if not final:
                self._fragments.append(payload)
                return
            if self._fragments:
                payload, self._fragments = b"".join([*self._fragments, payload]), []
            self._on_message(payload, arrived_at)
        elif opcode == PING:
            self.transport.write(client_frame(PONG, payload))
        elif opcode == CLOSE:
            self.transport.write(client_frame(CLOSE, payload[:2]))
            self.transport.close()

    def close(self) -> None:
        """Start the closing handshake (code 1000); `closed` resolves when the connection is gone."""
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(client_frame(CLOSE, struct.pack("!H", 1000)))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)


async def connect(url: str, on_message: OnMessage) -> EventSocket:
    """Open ws://host:port/path?query; returns once the server accepted the upgrade."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    loop = asyncio.get_running_loop()
    _transport, socket = await loop.create_connection(
        lambda: EventSocket(parts.netloc, target, on_message), parts.hostname, parts.port or 80
    )
    await socket.opened
    return socket
