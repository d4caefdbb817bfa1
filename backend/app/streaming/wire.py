"""Live events written straight to each WebSocket's transport, around ASGI: one pre-built frame for all sockets.

Through ASGI, every event costs each socket a task wake-up, Starlette's and our middleware's send
wrappers, and uvicorn building the same frame again. Here the frame is built once per event
(`text_frame`) and the hub hands it to every socket's transport in one synchronous pass, so an event
costs each socket little more than the kernel's send (bench.stream_latency compares the two paths).

This works only where it is safe, and everything else keeps the normal ASGI send:
- the server is uvicorn with its default WebSocket protocol (websockets' sans-I/O one, `ws="auto"`),
  whose transport `SocketAccess` finds behind the raw ASGI `send`;
- no extension was negotiated: with permessage-deflate each socket has its own compressor and the
  frame bytes differ per socket;
- the handshake is done and no close frame has gone either way.
Only events and the hub's heartbeat pings go this way; the handshake, the replies to a client
(welcome, pong, subscribed, errors) and the closing handshake stay on ASGI. Both share the one
transport on one event loop, and each write is a whole frame, so frames never interleave.

The transport's buffer is the client's bounded queue: a client with more than `limit` events
waiting there (the kernel's socket buffer already full) is too slow, and is told and closed.
The kernel's share is capped too (KERNEL_SEND_BUFFER), on every socket of uvicorn's: left to
itself, Linux grows a socket's send buffer up to tcp_wmem's maximum (4 MB on these machines) for
a client that stopped reading, so a thousand stalled browsers could hold gigabytes before any
bound of ours noticed one.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from websockets.protocol import State

logger = logging.getLogger(__name__)
# Where SocketAccess leaves the server's own `send` in a WebSocket's scope.
RAW_SEND = "inventory.raw_send"
# Bytes the kernel may hold for one WebSocket (Linux doubles it): live events are small and few, so
# this is hundreds of them, and 1,000 sockets hold at most 128 MB.
KERNEL_SEND_BUFFER = 64 * 1024


def text_frame(payload: bytes) -> bytes:
    """One unfragmented text frame as a server sends it (RFC 6455 5.2: FIN + opcode 1, no mask)."""
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x81, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, length)
    else:
        header = struct.pack("!BBQ", 0x81, 127, length)
    return header + payload


class SocketAccess:
    """ASGI middleware, outermost: keeps the server's `send` of each WebSocket where `SocketWriter` finds it.

    Middleware further in wrap `send` in their own functions; only the outermost sees the server's.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope.setdefault("extensions", {})[RAW_SEND] = send
        await self.app(scope, receive, send)


def _sansio_protocol() -> type | None:
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    except ImportError as missing:
        # Another server or uvicorn version (pyproject pins the tested ones): events take the ASGI send,
        # which is correct but slower with many sockets, and said once, not silently.
        logger.warning("live events go through ASGI: uvicorn's sans-I/O WebSocket protocol is missing (%s)", missing)
        return None
    return WebSocketsSansIOProtocol


_SANSIO = _sansio_protocol()


class SocketWriter:
    """Writes pre-built frames to one accepted WebSocket's transport."""

    def __init__(self, protocol: Any, limit: int) -> None:
        self._protocol = protocol
        self._connection = protocol.conn
        self._transport = protocol.transport
        self._limit = limit
        self._waiting = 0

    @classmethod
    def of(cls, scope: Scope, *, limit: int) -> SocketWriter | None:
        """The writer for this accepted socket, or None where only the ASGI send is safe.

        Either way a socket of uvicorn's gets its kernel send buffer capped (KERNEL_SEND_BUFFER)."""
        protocol = getattr(scope.get("extensions", {}).get(RAW_SEND), "__self__", None)
        if _SANSIO is None or type(protocol) is not _SANSIO:
            return None
        _cap_kernel_buffer(protocol.transport)
        if protocol.conn.extensions or not protocol.handshake_complete or protocol.initial_response is not None:
            return None
        return cls(protocol, limit)

    @property
    def open(self) -> bool:
        protocol = self._protocol
        return not (
            protocol.close_sent
            or protocol.disconnected
            or self._connection.state is not State.OPEN
            or self._transport.is_closing()
        )

    def write(self, frame: bytes) -> bool:
        """Send one frame now; False when the client has more than `limit` events waiting (too slow).

        A socket that is closing takes nothing and is not slow: its handler is about to end.
        """
        if not self.open:
            return True
        # uvloop and asyncio send at once while the kernel takes it; what is left waits in the buffer.
        if self._transport.get_write_buffer_size():
            self._waiting += 1
            if self._waiting > self._limit:
                return False
        else:
            self._waiting = 0
        # A connection that died under us: its handler hears of it and ends.
        with contextlib.suppress(RuntimeError, OSError):
            self._transport.write(frame)
        return True

    def abort(self) -> None:
        """Drop the connection without flushing (a client that reads nothing never lets a close through)."""
        self._transport.abort()


def _cap_kernel_buffer(transport: Any) -> None:
    raw = transport.get_extra_info("socket")
    if raw is not None and raw.family in (socket.AF_INET, socket.AF_INET6):
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, KERNEL_SEND_BUFFER)
