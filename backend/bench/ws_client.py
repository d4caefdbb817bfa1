"""A lean WebSocket client for the stream benchmark: a real RFC 6455 client over TCP, with nothing but what
a reader of live events needs.

Why not the `websockets` package: its per-message machinery (a reader task, a message queue, a waiter
per `recv()`) cost about 36 µs of CPU a message in the benchmark's client processes, which share
the machine's two cores with the server; 1,000 clients then took more CPU than the server's
fan-out. Here there is no event loop: one selector over all of a process's sockets, a `recv` per
readable socket, frames parsed from the bytes, each message handed with its arrival time to a
callback. About 20 µs a message in the benchmark (12 µs when the messages come in bursts with
nothing else running: 8 of it Python, json.loads alone 3.8; the rest the kernel's).

It speaks the opening handshake (checking Sec-WebSocket-Accept), unmasked server frames of any
length, fragmented messages, answers pings and closes; it sends only masked control frames.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import selectors
import socket
import struct
import time
from collections.abc import Callable
from urllib.parse import urlsplit

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 4.2.2
TEXT, BINARY, CONTINUATION, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA

OnMessage = Callable[[bytes, float], None]


def client_frame(opcode: int, payload: bytes = b"") -> bytes:
    """A final frame as a client must send it: masked with a fresh key (RFC 6455 5.3); payloads < 126 bytes."""
    key = os.urandom(4)
    masked = bytes(byte ^ key[index % 4] for index, byte in enumerate(payload))
    return struct.pack("!BB", 0x80 | opcode, 0x80 | len(payload)) + key + masked


class EventSocket:
    """One connection: a blocking handshake in the constructor, then non-blocking reads with `read()`."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        key = base64.b64encode(os.urandom(16))
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)
        self.sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key.decode()}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        self._buffer = bytearray()
        while b"\r\n\r\n" not in self._buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            self._buffer += chunk
        head, _, rest = bytes(self._buffer).partition(b"\r\n\r\n")
        self._buffer = bytearray(rest)  # a first frame may have come with the response
        lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])
        }
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        if lines[0].split(" ")[1] != "101" or headers.get("sec-websocket-accept") != accept:
            self.sock.close()
            raise ConnectionError(f"handshake refused: {lines[0]}")
        self.sock.setblocking(False)
        self._fragments: list[bytes] = []
        self.closed = False

    def read(self, on_message: OnMessage) -> None:
        """Take what the socket has and hand every complete message, with the time it arrived, to `on_message`."""
        try:
            data = self.sock.recv(1 << 16)
        except BlockingIOError:
            data = None
        arrived_at = time.monotonic()
        if data == b"":
            self.closed = True
            return
        if data:
            self._buffer += data
        self._read_frames(on_message, arrived_at)

    def read_buffered(self, on_message: OnMessage) -> None:
        """Hand on the frames already read (some may have come with the handshake's response)."""
        self._read_frames(on_message, time.monotonic())

    def _read_frames(self, on_message: OnMessage, arrived_at: float) -> None:
        buffer, start = self._buffer, 0
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
            self._handle(first & 0x80, first & 0x0F, payload, on_message, arrived_at)
        del buffer[:start]

    def _handle(self, final: int, opcode: int, payload: bytes, on_message: OnMessage, arrived_at: float) -> None:
        if opcode in (TEXT, BINARY, CONTINUATION):
            if not final:
                self._fragments.append(payload)
                return
            if self._fragments:
                payload, self._fragments = b"".join([*self._fragments, payload]), []
            on_message(payload, arrived_at)
        elif opcode == PING:
            self.sock.send(client_frame(PONG, payload))
        elif opcode == CLOSE:
            self.sock.send(client_frame(CLOSE, payload[:2]))
            self.closed = True

    def close(self) -> None:
        """Start the closing handshake (1000) and let the socket go."""
        if not self.closed:
            with contextlib.suppress(OSError):  # the server may have gone first
                self.sock.send(client_frame(CLOSE, struct.pack("!H", 1000)))
        self.sock.close()


def read_until(sockets: list[EventSocket], on_message: OnMessage, done: Callable[[], bool], deadline: float) -> None:
    """Read every socket as data arrives until `done()` or the monotonic `deadline`."""
    selector = selectors.DefaultSelector()
    for event_socket in sockets:
        event_socket.read_buffered(on_message)
        selector.register(event_socket.sock, selectors.EVENT_READ, event_socket)
    try:
        while not done() and (remaining := deadline - time.monotonic()) > 0:
            for key, _mask in selector.select(min(remaining, 1.0)):
                event_socket = key.data
                event_socket.read(on_message)
                if event_socket.closed:
                    selector.unregister(event_socket.sock)
    finally:
        selector.close()
