"""Request body limits, request ids and logs, CORS and secrets, against the real app over real sockets."""

from __future__ import annotations

import json
import logging
import select
import socket
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.services import access
from tests.support.databases import TestDatabase
from tests.support.servers import LiveServer

UPLOAD_LIMIT_MB = 1


@pytest.fixture(scope="module")
def limited_server(database: TestDatabase) -> Iterator[LiveServer]:
    live = LiveServer(
        database.settings(max_upload_mb=UPLOAD_LIMIT_MB, max_request_body_kb=4, cors_origins=["http://dash.test"])
    ).start()
    yield live
    live.stop()


def raw_request(server: LiveServer, head: str) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    connection.sendall(head.encode())
    return connection


def read_response(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        body += connection.recv(65536)
    return int(lines[0].split()[1]), {name.lower(): value for name, value in headers.items()}, body


def upload_head(server: LiveServer, extra: str) -> str:
    return (
        f"POST /forecast/upload-data HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Content-Type: multipart/form-data; boundary=limit\r\n{extra}\r\n"
    )


async def test_an_upload_declared_too_large_is_refused_before_a_byte_of_it_is_read(
    limited_server: LiveServer, db: TestDatabase
) -> None:
    # 200 MB announced, nothing sent: the answer must come without the body.
    with raw_request(limited_server, upload_head(limited_server, "Content-Length: 209715200\r\n")) as connection:
        status, headers, body = read_response(connection)

    assert status == 413
    assert headers["content-type"] == "application/json"
    error = json.loads(body)["error"]
    assert error["code"] == "payload_too_large" and "MAX_UPLOAD_MB" in error["message"]
    assert error["details"][0]["field"] == "body"
    assert await db.scalar("SELECT COUNT(*) FROM ingestion_runs") == 0


async def test_an_upload_streamed_past_the_limit_is_cut_off_while_it_arrives(
    limited_server: LiveServer, db: TestDatabase
) -> None:
    # Chunked, so no Content-Length to judge by: the server must stop at about the limit, not at the end.
    chunk = b"x" * 65536
    sent = 0
    endless = 64 * (1 << 20)
    with raw_request(limited_server, upload_head(limited_server, "Transfer-Encoding: chunked\r\n")) as connection:
        start = b'--limit\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        connection.sendall(f"{len(start):x}\r\n".encode() + start + b"\r\n")
        while sent < endless and not select.select([connection], [], [], 0)[0]:
            try:
                connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except OSError:  # the server closed its side after answering
                break
            sent += len(chunk)
        status, _headers, body = read_response(connection)

    assert status == 413
    assert json.loads(body)["error"]["code"] == "payload_too_large"
    # The limit, the 4 MB read past it so the client gets its answer, and what the kernel's buffers held (Linux
    # grows a loopback socket's receive buffer up to tcp_rmem's maximum, 6 MB here): nowhere near the 64 MB on offer.
    assert sent < (UPLOAD_LIMIT_MB + 16) << 20
    assert await db.scalar("SELECT COUNT(*) FROM ingestion_runs") == 0


async def test_json_bodies_have_their_own_smaller_limit(limited_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=limited_server.url, timeout=60) as client:
        big = await client.post("/orders", json={"customer_id": "C", "items": [{"sku": "S" * 60, "quantity": 1}] * 80})
        small = await client.post("/orders", json={"customer_id": "C", "items": [{"sku": "NOPE", "quantity": 1}]})

    assert big.status_code == 413
    assert "MAX_REQUEST_BODY_KB" in big.json()["error"]["message"]
    # Under the limit the order is judged on its merits: an unknown product.
    assert small.status_code == 422 and small.json()["error"]["code"] != "payload_too_large"


async def test_every_answer_carries_a_request_id_and_one_log_line_without_secrets(
    limited_server: LiveServer, database: TestDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    _row, key = await access.create_key(database.work, role="viewer", name="log test")
    caplog.set_level(logging.INFO, logger="app")
    async with httpx.AsyncClient(base_url=limited_server.url, timeout=60) as client:
        chosen = await client.get("/health", headers={"X-Request-ID": "trace-123"})
        generated = await client.get(
            "/products", params={"token": key, "limit": 5}, headers={"Authorization": f"Bearer {key}"}
        )
        hostile = await client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})

    assert chosen.headers["X-Request-ID"] == "trace-123"
    assert len(generated.headers["X-Request-ID"]) == 32
    assert hostile.headers["X-Request-ID"] != "bad id\twith spaces"
    lines = {record.fields["request_id"]: record.fields for record in caplog.records if record.name == "app.requests"}
    logged = lines[generated.headers["X-Request-ID"]]
    assert logged["method"] == "GET" and logged["path"] == "/products" and logged["status"] == 200
    assert logged["duration_ms"] >= 0
    assert "trace-123" in lines
    assert key not in caplog.text and key[:20] not in caplog.text


async def test_cors_lets_the_dashboards_origin_in_and_no_other(limited_server: LiveServer) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    async with httpx.AsyncClient(base_url=limited_server.url, timeout=60) as client:
        allowed = await client.options("/orders", headers={"Origin": "http://dash.test", **preflight})
        other = await client.options("/orders", headers={"Origin": "http://evil.test", **preflight})
        simple = await client.get("/health", headers={"Origin": "http://dash.test"})

    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://dash.test"
    assert "authorization" in allowed.headers["Access-Control-Allow-Headers"].lower()
    assert "access-control-allow-origin" not in other.headers
    assert "X-Request-ID" in simple.headers["Access-Control-Expose-Headers"]


@pytest.mark.backends("postgresql")  # SQLite has no password to leak
async def test_the_database_password_never_reaches_an_answer_or_a_log(
    database: TestDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    password = f"pw-{uuid.uuid4().hex}"
    # Trust authentication ignores the password; the database does not exist, so every query fails.
    url = make_url(database.url).set(password=password, database="no_such_database_here")
    caplog.set_level(logging.INFO)
    live = LiveServer(database.settings(database_url=url.render_as_string(hide_password=False))).start()
    try:
        async with httpx.AsyncClient(base_url=live.url, timeout=60) as client:
            ready = await client.get("/ready")
            failing = await client.get("/products")
    finally:
        live.stop()

    assert ready.status_code == 503
    assert ready.json()["error"]["code"] == "service_unavailable"  # the API's one error shape, probes included
    assert ready.json()["error"]["details"][0]["field"] == "database"
    assert failing.status_code == 503, failing.text
    assert failing.json()["error"]["code"] == "service_unavailable"
    for text in (ready.text, failing.text, caplog.text):
        assert password not in text
