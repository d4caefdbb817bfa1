"""The dashboard on a database with no sales yet, with the default access rules (keys on, reads open):
no key prompt, and every section says what to do next (no script error, no blank page)."""

from __future__ import annotations

from pathlib import Path

from tests.dashboard.conftest import close_app, open_app


async def test_a_fresh_install_shows_what_to_do_next_in_every_section(page, backend: str, workdir: Path) -> None:
    server, database = await open_app(backend, workdir, auth_enabled=True, auth_require_for_reads=False)
    try:
        await page.goto(server.url + "/")
        await page.wait_for_selector("body[data-loaded=true]", timeout=30_000)
        await page.wait_for_selector('#live-state[data-state="connected"]', timeout=10_000)

        assert await page.locator("#key-dialog[open]").count() == 0  # reads are open: nothing to ask
        assert await page.inner_text("#as-of") == "No sales history yet"
        assert await page.locator(".error").count() == 0  # nothing loaded yet is not an error
        for section in ("#kpis", "#categories-table", "#reorder-table", "#abc-table", "#low-stock-table"):
            assert "load sales history first" in await page.inner_text(section), section
        assert "No sales yet" in await page.inner_text("#trend-chart")
        assert "No forecasts yet" in await page.inner_text("#forecast-chart")
    finally:
        await close_app(server, database)
