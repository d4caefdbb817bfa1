"""Inputs an adversarial run found answered with a 5xx, a dropped connection or a value stored that cannot
be read back: each is now a 4xx with the one error body (and its request id), on both backends."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import httpx
import pytest
import websockets

from tests.support.databases import TestDatabase
from tests.support.files import order_row, write_rows


def assert_refused(response: httpx.Response, status: int) -> dict:
    """The answer is `status` with the error body and a request id; returns the body's error."""
    assert response.status_code == status, response.text
    assert response.headers.get("x-request-id"), "every answer carries its request id"
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"} and error["message"]
    return error


async def make_product(api: httpx.AsyncClient, sku: str, stock: int) -> None:
    body = {"sku": sku, "name": sku, "category": "Hardening", "unit_price": "1.00", "stock_on_hand": stock}
    assert (await api.post("/products", json=body)).status_code == 201


@pytest.mark.parametrize(
    "reference", ["99999999999999999999", "9999999999999999999999999999999999999999", "%C2%B2", "%D9%A3"]
)
async def test_revoking_a_key_by_an_impossible_id_is_a_404(
    api: httpx.AsyncClient, db: TestDatabase, reference: str
) -> None:
    # Past a bigint, 40 digits (SQLite dropped the connection), a superscript two and an Arabic-Indic three.
    assert_refused(await api.delete(f"/keys/{reference}"), 404)


async def test_stock_cannot_pass_what_its_column_holds(api: httpx.AsyncClient, db: TestDatabase) -> None:
    await make_product(api, "BIG-1", 2_000_000_000)
    error = assert_refused(
        await api.post("/products/BIG-1/stock", json={"kind": "receipt", "quantity": 1_000_000_000, "note": "x"}), 422
    )
    assert error["details"][0]["field"] == "quantity"
    too_big = await api.post("/products", json={"sku": "BIG-2", "name": "n", "category": "c", "unit_price": "1",
                                                "stock_on_hand": 3_000_000_000})  # fmt: skip
    assert_refused(too_big, 422)
    assert (await api.get("/products/BIG-1")).json()["stock_on_hand"] == 2_000_000_000
    assert (await api.get("/products/BIG-1/movements")).json()["total"] == 1  # the opening count only


async def test_a_nul_byte_deep_in_an_upload_is_a_rejected_line(
    api: httpx.AsyncClient, db: TestDatabase, tmp_path: Path
) -> None:
    # Past the first 64 KB, where the file's "is it binary?" look ends.
    rows = [order_row(f"NUL-{number:05d}", ProductID=f"NUL-P{number % 7}") for number in range(800)]
    rows[700]["CustomerName"] = "Ada\x00Lovelace"
    path = write_rows(tmp_path / "orders.csv", rows)
    assert path.read_bytes().index(b"\x00") > 64 << 10
    with path.open("rb") as handle:
        report = (await api.post("/forecast/upload-data", files={"file": ("orders.csv", handle)})).json()

    assert (report["rows_inserted"], report["rows_rejected"]) == (799, 1)
    rejection = report["rejections"][0]
    assert rejection["column"] == "CustomerName" and "NUL" in rejection["reason"]
    assert (await api.get("/orders/NUL-00700")).status_code == 404


async def test_text_with_a_nul_is_refused_wherever_it_enters(api: httpx.AsyncClient, db: TestDatabase) -> None:
    alert = await api.post("/stream/broadcast/alert", json={"title": "Fire\x00", "message": "drill"})
    assert assert_refused(alert, 422)["details"][0]["field"] == "body.title"
    assert_refused(await api.get("/products", params={"q": "a\x00b"}), 422)


@pytest.mark.parametrize("sku", ["A/B", "A/../B", "A\\B"])
async def test_a_sku_that_cannot_be_a_path_segment_is_refused(
    api: httpx.AsyncClient, db: TestDatabase, tmp_path: Path, sku: str
) -> None:
    by_api = await api.post("/products", json={"sku": sku, "name": "n", "category": "c", "unit_price": "1"})
    assert_refused(by_api, 422)
    path = write_rows(tmp_path / "orders.csv", [order_row("SKU-OK"), order_row("SKU-BAD", ProductID=sku)])
    with path.open("rb") as handle:
        report = (await api.post("/forecast/upload-data", files={"file": ("orders.csv", handle)})).json()
    assert "rows_rejected" in report, report
    assert report["rows_rejected"] == 1 and report["rejections"][0]["column"] == "ProductID"
    assert "/products/{sku}" in report["rejections"][0]["reason"]


async def test_an_oversized_body_is_a_413_with_its_request_id_sized_or_chunked(
    api: httpx.AsyncClient, db: TestDatabase
) -> None:
    body = b'{"customer_id": "' + b"x" * (2 << 20) + b'"}'

    async def chunks():  # no length known up front: sent chunked
        for start in range(0, len(body), 64 << 10):
            yield body[start : start + (64 << 10)]

    sized = await api.post("/orders", content=body, headers={"Content-Type": "application/json"})
    chunked = await api.post("/orders", content=chunks(), headers={"Content-Type": "application/json"})
    for response in (sized, chunked):
        error = assert_refused(response, 413)
        assert error["details"][0]["limit_bytes"] == 1 << 20 and "MAX_REQUEST_BODY_KB" in error["message"]


def test_a_chunked_body_sent_without_waiting_still_gets_its_413(server) -> None:
    # A raw client that writes 2 MB of chunks before reading anything, as the adversarial run did.
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as raw:
        raw.sendall(
            b"POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"x" * (64 << 10)
        try:
            for _ in range(32):
                raw.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            raw.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before taking it all: the answer is still there to read
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = raw.recv(65536)
            if not data:
                break
            answer += data
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"x-request-id" in answer.lower()


@pytest.mark.parametrize(
    "message",
    [
        json.dumps({"action": "subscribe", "channels": [1, 2]}),
        json.dumps({"action": "subscribe", "channels": [None]}),
        json.dumps({"action": "subscribe", "channels": [["orders"]]}),
        json.dumps({"action": "subscribe", "channels": 7}),
        "[" * 100_000 + "]" * 100_000,
        b"\x00\x01binary",
    ],
    ids=["numbers", "nulls", "nested", "a-number", "deep-json", "binary"],
)
async def test_a_bad_socket_message_gets_an_error_frame_and_the_socket_stays(
    server, db: TestDatabase, message: str | bytes
) -> None:
    async with websockets.connect(server.url.replace("http://", "ws://") + "/stream/ws", max_size=None) as ws:
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "welcome"
        await ws.send(message)
        answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert answer["type"] == "error" and answer["code"] in ("bad_message", "unprocessable", "validation_error")
        await ws.send(json.dumps({"action": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "pong"
