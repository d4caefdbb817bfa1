"""The coalescing transport under uvicorn's HTTP protocol, on real sockets."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from app.cli.http_protocol import CoalescingTransport


@pytest.fixture
async def connected() -> AsyncIterator[tuple[CoalescingTransport, socket.socket]]:
    """A CoalescingTransport over one end of a connected socket pair, and the other end (non-blocking)."""
    ours, theirs = socket.socketpair()
    theirs.setblocking(False)
    loop = asyncio.get_running_loop()
    transport, _protocol = await loop.connect_accepted_socket(asyncio.Protocol, ours)
    yield CoalescingTransport(transport, loop), theirs
    transport.abort()
    theirs.close()


def _received(peer: socket.socket) -> bytes:
    try:
        return peer.recv(65536)
    except BlockingIOError:
        return b""


async def test_writes_of_one_turn_leave_together_when_the_turn_ends(connected) -> None:
    transport, peer = connected
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    transport.write(b"ok")

    assert _received(peer) == b""  # nothing is sent while the writer still runs
    assert transport.get_write_buffer_size() == len(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
    await asyncio.sleep(0.05)
    assert _received(peer) == b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


async def test_close_sends_what_was_written_first(connected) -> None:
    transport, peer = connected
    transport.write(b"last words")
    transport.close()
    await asyncio.sleep(0.05)

    assert _received(peer) == b"last words"
    assert transport.is_closing()


async def test_abort_drops_what_was_not_sent(connected) -> None:
    transport, peer = connected
    transport.write(b"never")
    transport.abort()
    await asyncio.sleep(0.05)

    assert _received(peer) == b""
