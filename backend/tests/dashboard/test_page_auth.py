"""The dashboard on a server that needs an API key for reads (AUTH_REQUIRE_FOR_READS=true): it asks for
one, refuses to go on with a wrong one, and once given a viewer key shows the data and the live feed."""

from __future__ import annotations

from pathlib import Path

import httpx

from app.services.access import create_key
from tests.dashboard.conftest import close_app, open_app
from tests.dashboard.formats import money
from tests.support.api import load_generated


async def test_the_page_asks_for_a_key_and_uses_it_for_every_request_and_the_socket(
    page, backend: str, workdir: Path, tmp_path: Path
) -> None:
    server, database = await open_app(backend, workdir, auth_enabled=True, auth_require_for_reads=True)
    try:
        _, admin = await create_key(database.work, role="admin", name="loader")
        _, viewer = await create_key(database.work, role="viewer", name="dashboard")
        headers = {"Authorization": f"Bearer {admin}"}
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=60) as api:
            await load_generated(api, tmp_path, n_orders=3_000, seed=3)
            summary = (await api.get("/analytics/dashboard/summary")).json()
        async with httpx.AsyncClient(base_url=server.url) as anonymous:
            refused = await anonymous.get("/analytics/dashboard/summary")
            assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
            assert (await anonymous.get("/")).status_code == 200  # the page itself is open

        await page.goto(server.url + "/")
        await page.wait_for_selector("#key-dialog[open]", timeout=10_000)
        assert "needs an API key" in await page.inner_text("#key-reason")
        await page.fill("#key-input", "sim_not-a-real-key")
        await page.click("#key-save")
        await page.wait_for_function("document.getElementById('key-reason').textContent.includes('refused')")
        await page.wait_for_selector("#key-dialog[open]")

        await page.fill("#key-input", viewer)
        await page.click("#key-save")
        await page.wait_for_selector("body[data-loaded=true]", timeout=30_000)
        assert await page.inner_text('[data-kpi="revenue"] .kpi-value') == money(summary["current"]["revenue"])
        assert await page.locator("#key-dialog[open]").count() == 0
        await page.wait_for_selector('#live-state[data-state="connected"]', timeout=10_000)
        assert await page.evaluate("localStorage.getItem('inventory.apiKey')") == viewer

        await page.reload()  # the key is remembered: no prompt the second time
        await page.wait_for_selector("body[data-loaded=true]", timeout=30_000)
        assert await page.locator("#key-dialog[open]").count() == 0
        assert await page.inner_text('[data-kpi="revenue"] .kpi-value') == money(summary["current"]["revenue"])
    finally:
        await close_app(server, database)
