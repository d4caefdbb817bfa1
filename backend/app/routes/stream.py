"""The /stream router: live events over WebSocket and Server-Sent Events, their status, operator alerts.

Events: {"event_id", "event_type", "occurred_at", "version", "data"}; alerts carry
data.type = "alert" with title, message and severity. Channels: orders, stock, alerts,
forecasts.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from app.core.errors import AppError, error_frame
from app.routes.deps import GUARDED, Admin, Services, Session, Viewer, Work, admit_socket
from app.schemas.common import ErrorBody, RequestBody
from app.schemas.events import Severity
from app.schemas.streaming import StreamStatus
from app.services.alerts import broadcast_alert
from app.streaming.clients import ClientStream, parse_channels
from app.streaming.hub import Outgoing
from app.streaming.relay import outbox_lag
from app.streaming.wire import SocketWriter

router = APIRouter(prefix="/stream", tags=["stream"], responses=GUARDED)
ChannelsQuery = Annotated[
    str | None, Query(max_length=200, description="Comma-separated: orders, stock, alerts, forecasts (default: all).")
]
LastEventQuery = Annotated[str | None, Query(max_length=64, description="Resume after this event id.")]
# How long a client told it is too slow has to read what was already written before it is cut off.
SLOW_CLIENT_GRACE_SECONDS = 10.0


class AlertIn(RequestBody):
    """An alert an admin sends to every dashboard."""

    title: str = Field(min_length=1, max_length=200)
    message: str = Field(min_length=1, max_length=2000)
    severity: Severity = "info"


class AlertAccepted(BaseModel):
    event_id: str


@router.websocket("/ws")
async def websocket_stream(
    websocket: WebSocket, services: Services, channels: ChannelsQuery = None, last_event_id: LastEventQuery = None
) -> None:
    """Live events. After connecting, send {"action": "subscribe" | "unsubscribe", "channels": [...]} or
    {"action": "ping"}; the server sends {"type": "ping"} every heartbeat. With `last_event_id` the events
    missed since then come first, in order, then {"type": "resumed", ...}, then live ones. A client that falls
    more than STREAM_CLIENT_QUEUE events behind gets {"type": "error", "code": "slow_consumer"} and is closed.
    Where reads need a key: `?token=<key>`, or {"action": "auth", "token": "<key>"} as the first message."""
    if not await admit_socket(websocket, services):
        return
    try:
        stream = ClientStream(services.streaming.hub, parse_channels(channels), transport="websocket")
    except AppError as exc:
        await websocket.send_json(exc.to_frame())
        await websocket.close(code=1008)
        return
    heartbeat = services.settings.stream_heartbeat_seconds
    try:
        await websocket.send_json(
            {"type": "welcome", "channels": sorted(stream.channels), "heartbeat_seconds": heartbeat}
        )
        missed, complete = await stream.backlog(services.unit_of_work.reader, last_event_id)
        for event in missed:
            await websocket.send_text(event.text)
        if last_event_id:
            await websocket.send_json({"type": "resumed", "count": len(missed), "complete": complete})
        receiver = asyncio.create_task(_receive(websocket, stream))
        writer = SocketWriter.of(websocket.scope, limit=services.settings.stream_client_queue)
        try:
            if writer is not None and not stream.too_slow:
                stream.send_directly(writer)
                await _watch_direct(websocket, stream, receiver, writer)
            else:
                await _send_live(websocket, stream, heartbeat, receiver)
        finally:
            receiver.cancel()
            await asyncio.gather(receiver, return_exceptions=True)
    except WebSocketDisconnect:
        pass
    finally:
        stream.close()


async def _watch_direct(
    websocket: WebSocket, stream: ClientStream, receiver: asyncio.Task[None], writer: SocketWriter
) -> None:
    """While the hub writes events and heartbeats straight to the socket: sleep until the client leaves or
    falls too far behind (no timer, no wake-up per event)."""
    receiver.add_done_callback(lambda _task: stream.wake())
    while not receiver.done() and not stream.too_slow:
        await stream.rest()
    if stream.too_slow:
        # A client that reads nothing never takes the close frame from behind its buffered events:
        # it is cut off once it had the time to read them.
        asyncio.get_running_loop().call_later(SLOW_CLIENT_GRACE_SECONDS, writer.abort)
        await _drop_slow(websocket)


async def _send_live(
    websocket: WebSocket, stream: ClientStream, heartbeat: float, receiver: asyncio.Task[None]
) -> None:
    """The ASGI path, for sockets SocketWriter cannot write to (permessage-deflate, another server): this
    socket's own sender drains its queue."""
    loop = asyncio.get_running_loop()
    last_ping = loop.time()
    while not receiver.done():
        event = await stream.next_event(wait=min(heartbeat, 1.0))
        if stream.too_slow:
            await _drop_slow(websocket)
            return
        if event is not None:
            await websocket.send_text(event.text)
        elif loop.time() - last_ping >= heartbeat:
            await websocket.send_json({"type": "ping"})
            last_ping = loop.time()


SLOW_CONSUMER = error_frame("slow_consumer", "Too many events waiting: reconnect with last_event_id.")


async def _drop_slow(websocket: WebSocket) -> None:
    await websocket.send_json(SLOW_CONSUMER)
    await websocket.close(code=1013)


BAD_MESSAGE = 'Send JSON text like {"action": "subscribe"|"unsubscribe"|"ping", "channels": [...]}.'


async def _next_text(websocket: WebSocket) -> str | None:
    """The next text frame's content; None for a binary frame (which the protocol here has no use for)."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    return message.get("text")


async def _receive(websocket: WebSocket, stream: ClientStream) -> None:
    """Every message a client sends gets an answer; a bad one an error frame, and the socket stays open."""
    while True:
        try:
            text = await _next_text(websocket)
            if text is None:
                await websocket.send_json(error_frame("bad_message", f"Binary frame. {BAD_MESSAGE}"))
                continue
            message = json.loads(text)
            action = message.get("action") if isinstance(message, dict) else None
            if action == "ping":
                await websocket.send_json({"type": "pong"})
            elif action in ("subscribe", "unsubscribe"):
                names = parse_channels(message.get("channels") or [])
                stream.change(add=names) if action == "subscribe" else stream.change(remove=names)
                await websocket.send_json({"type": "subscribed", "channels": sorted(stream.channels)})
            else:
                await websocket.send_json(error_frame("bad_message", BAD_MESSAGE))
        except AppError as exc:
            await websocket.send_json(exc.to_frame())
        except (ValueError, TypeError, RecursionError):  # not JSON, or nested deeper than the parser goes
            await websocket.send_json(error_frame("bad_message", f"Not JSON. {BAD_MESSAGE}"))


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, 422: {"model": ErrorBody}},
)
async def server_sent_events(
    request: Request,
    services: Services,
    _caller: Viewer,
    channels: ChannelsQuery = None,
    last_event_id: LastEventQuery = None,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID", max_length=64)] = None,
) -> StreamingResponse:
    """Live events as Server-Sent Events: `id:` is the event id, `event:` its type, `data:` the envelope.
    Browsers resume by themselves with the Last-Event-ID header (or pass `last_event_id`)."""
    stream = ClientStream(services.streaming.hub, parse_channels(channels), transport="sse")
    resume_from = last_event_id_header or last_event_id
    heartbeat = services.settings.stream_heartbeat_seconds

    async def body() -> AsyncIterator[str]:
        try:
            missed, _complete = await stream.backlog(services.unit_of_work.reader, resume_from)
            yield f"retry: 2000\n: channels {','.join(sorted(stream.channels))}\n\n"
            for event in missed:
                yield _sse(event)
            while not await request.is_disconnected():
                event = await stream.next_event(wait=heartbeat)
                if stream.too_slow:
                    yield f"event: error\ndata: {json.dumps(SLOW_CONSUMER)}\n\n"
                    return
                yield _sse(event) if event is not None else ": ping\n\n"
        finally:
            stream.close()

    return StreamingResponse(
        body(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )


def _sse(event: Outgoing) -> str:
    return f"id: {event.event_id}\nevent: {event.event_type}\ndata: {event.text}\n\n"


@router.get("/status", response_model=StreamStatus)
async def stream_status(session: Session, services: Services, _caller: Viewer) -> StreamStatus:
    """Connections per channel on this process (and how many get their events written straight to the socket
    rather than through ASGI), events relayed, the outbox backlog (lag), and backend health."""
    return StreamStatus.model_validate({**services.streaming.status(), "outbox": await outbox_lag(session)})


@router.post("/broadcast/alert", response_model=AlertAccepted, status_code=202, responses={422: {"model": ErrorBody}})
async def broadcast(work: Work, _caller: Admin, body: AlertIn) -> AlertAccepted:
    """Send an alert to every dashboard (channel alerts): {"type": "alert", title, message, severity}."""
    return AlertAccepted(
        event_id=await broadcast_alert(work, title=body.title, message=body.message, severity=body.severity)
    )
