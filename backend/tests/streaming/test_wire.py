"""The direct socket writer reads uvicorn's WebSocket protocol: the pinned uvicorn must offer what it reads."""

from __future__ import annotations

import inspect

from app.streaming import wire


def test_the_installed_uvicorn_offers_the_protocol_the_writer_reads() -> None:
    # Without it every event silently took the slower ASGI path; the live-event tests then also see
    # connections_written_directly stay at 0 on the "direct" path.
    assert wire._SANSIO is not None
    source = inspect.getsource(wire._SANSIO)
    for attribute in ("self.conn", "self.transport", "self.close_sent", "self.handshake_complete",
                      "self.initial_response", "self.disconnected"):  # fmt: skip
        assert attribute in source, f"uvicorn's {wire._SANSIO.__name__} no longer sets {attribute}"


def test_a_text_frame_is_an_unmasked_final_text_frame_of_the_right_length() -> None:
    for size, header_length in ((5, 2), (200, 4), (70_000, 10)):
        frame = wire.text_frame(b"x" * size)
        assert frame[0] == 0x81  # FIN + text
        assert len(frame) == header_length + size
