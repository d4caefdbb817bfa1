"""The dashboard's live feed in headless Chromium: orders and alerts sent over HTTP appear within a second, and
after the connection drops the page reconnects by itself and catches up on what it missed.

(This file runs after test_page.py: the orders it places are dated today, which moves the
analytics' "latest order date" and with it the period the KPI cards show.)
"""

from __future__ import annotations

import time

import httpx

from tests.dashboard.conftest import DashboardApp, save_screenshot_path
from tests.dashboard.formats import money
from tests.support.proxy import CuttableProxy


async def stocked_product(api: httpx.AsyncClient, sku: str) -> None:
    body = {"sku": sku, "name": f"Live test {sku}", "category": "Toys & Games", "unit_price": "12.50",
            "unit_cost": "7.00", "stock_on_hand": 10_000, "reorder_point": 0}  # fmt: skip
    response = await api.post("/products", json=body)
    assert response.status_code == 201, response.text


async def place_order(api: httpx.AsyncClient, sku: str, quantity: int = 2) -> dict:
    response = await api.post(
        "/orders", json={"customer_id": "CUST-LIVE", "items": [{"sku": sku, "quantity": quantity}]}
    )
    assert response.status_code == 201, response.text
    return response.json()


def feed_item(order_id: str) -> str:
    return f'#feed-list [data-event-type="order.created"][data-order-id="{order_id}"]'


async def test_an_order_placed_over_http_is_in_the_live_feed_within_a_second(
    page, api: httpx.AsyncClient, dashboard_app: DashboardApp
) -> None:
    await stocked_product(api, "LIVE-FEED-1")
    await page.goto(dashboard_app.url + "/")
    await page.wait_for_selector("body[data-loaded=true]", timeout=30_000)  # the screenshot shows the data as it was
    await page.wait_for_selector('#live-state[data-state="connected"]', timeout=10_000)
    assert await page.inner_text("#live-state .label") == "Live"

    order = await place_order(api, "LIVE-FEED-1", quantity=3)
    placed = time.monotonic()
    item = await page.wait_for_selector(feed_item(order["order_id"]), timeout=1_000)
    elapsed = time.monotonic() - placed

    text = await item.inner_text()
    assert f"New order {order['order_id']}" in text and money(order["total_amount"]) in text
    assert "LIVE-FEED-1 × 3" in text
    print(f"order {order['order_id']} in the browser's feed {elapsed * 1000:.0f} ms after POST /orders returned")

    alert = {"title": "Delivery late", "message": "The Toys & Games truck arrives tomorrow.", "severity": "warning"}
    accepted = await api.post("/stream/broadcast/alert", json=alert)
    assert accepted.status_code == 202, accepted.text
    shown = await page.wait_for_selector(f'#feed-list [data-event-id="{accepted.json()["event_id"]}"]', timeout=1_000)
    assert "severity-warning" in await shown.get_attribute("class")
    assert alert["title"] in await shown.inner_text() and alert["message"] in await shown.inner_text()
    await page.evaluate("window.scrollTo(0, 0)")
    shot = save_screenshot_path(f"dashboard-live-{dashboard_app.backend}.png")
    await page.screenshot(path=shot, full_page=True)
    print(f"dashboard screenshot with a live order: {shot}")


async def test_the_feed_reconnects_after_a_drop_and_shows_what_it_missed_once(
    page, api: httpx.AsyncClient, dashboard_app: DashboardApp
) -> None:
    await stocked_product(api, "LIVE-FEED-2")
    # The browser reaches the app through a proxy the test can cut; the test's own requests go direct.
    proxy = CuttableProxy("127.0.0.1", dashboard_app.server.port).start()
    try:
        await page.goto(f"http://{proxy.address}/")
        await page.wait_for_selector('#live-state[data-state="connected"]', timeout=10_000)
        before = await place_order(api, "LIVE-FEED-2")
        await page.wait_for_selector(feed_item(before["order_id"]), timeout=2_000)

        proxy.cut()
        await page.wait_for_selector('#live-state[data-state="reconnecting"]', timeout=5_000)
        assert (await page.inner_text("#live-state .label")).startswith("Reconnecting")
        missed = await place_order(api, "LIVE-FEED-2")
        proxy.restore()

        await page.wait_for_selector(feed_item(missed["order_id"]), timeout=20_000)
        await page.wait_for_selector('#live-state[data-state="connected"]', timeout=5_000)
        assert await page.inner_text("#feed-note") == "Reconnected: 1 missed event caught up."
        assert await page.locator(feed_item(before["order_id"])).count() == 1  # not repeated by the resume
        assert await page.locator(feed_item(missed["order_id"])).count() == 1
    finally:
        await page.goto("about:blank")  # close the page's connections before the proxy goes
        proxy.stop()
