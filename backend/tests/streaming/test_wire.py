"""The frames written straight to sockets are the ones the websockets package itself would send."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from app.streaming.hub import Outgoing
from app.streaming.wire import text_frame


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65_535, 65_536, 100_000])
def test_a_text_frame_of_every_length_form_is_what_websockets_builds(length: int) -> None:
    payload = ("é" * length).encode()[:length]
    assert text_frame(payload) == Frame(Opcode.TEXT, payload).serialize(mask=False)


def test_an_event_is_framed_once_from_its_json() -> None:
    event = Outgoing.of({"event_id": "e1", "event_type": "order.created", "data": {"sku": "é"}})
    assert event.frame == text_frame(event.text.encode())
