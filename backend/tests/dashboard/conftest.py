"""Browser tests of the dashboard: headless Chromium (Debian's `chromium`) driven by Playwright against
the real app, served by uvicorn on a database loaded with generated sales and trained forecasts."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.api import load_generated, train
from tests.support.databases import TestDatabase, drop_postgres_database, open_test_database
from tests.support.environment import POSTGRES_URL, missing_service
from tests.support.servers import LiveServer

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_INSTALLED = CHROMIUM.exists()  # looked up once, at collection, not on the event loop
# Without the background-networking flags Chromium dials out at start-up (updates, sync, QUIC
# probes); on a closed network those calls fail and can stall it. The tests download nothing.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[3] / "artifacts"))
TRAINED = ["Electronics", "Books & Media"]


@dataclass
class DashboardApp:
    """The app on its own database, loaded with generated sales and two trained categories."""

    backend: str
    server: LiveServer
    database: TestDatabase

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    """One headless Chromium for the session (skipped on a laptop without it, a failure in CI)."""
    if not CHROMIUM_INSTALLED:
        missing_service(f"Chromium ({CHROMIUM})", "apt-get install -y chromium (or set CHROMIUM_PATH)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        missing_service("the playwright package", '.venv/bin/pip install -e ".[test]"')
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


async def open_app(backend: str, workdir: Path, **settings: object) -> tuple[LiveServer, TestDatabase]:
    database = await open_test_database(backend, workdir=workdir, postgres_url=POSTGRES_URL)
    return LiveServer(database.settings(**settings)).start(), database


async def close_app(server: LiveServer, database: TestDatabase) -> None:
    server.stop()
    await database.engine.dispose()
    if database.backend == "postgresql":
        await drop_postgres_database(POSTGRES_URL, database.url)


@pytest.fixture(scope="session")
async def dashboard_app(
    backend: str, workdir: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DashboardApp]:
    """Generated sales loaded through the upload route (ingestion), forecasts trained by a real job."""
    server, database = await open_app(backend, workdir)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=120) as api:
            await load_generated(api, tmp_path_factory.mktemp("dashboard-data"), n_orders=12_000, seed=21)
            job = await train(api, TRAINED)
            assert job["status"] == "succeeded", job
        yield DashboardApp(backend=backend, server=server, database=database)
    finally:
        await close_app(server, database)


@pytest.fixture
async def api(dashboard_app: DashboardApp) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=dashboard_app.url, timeout=60) as client:
        yield client


@pytest.fixture
async def page(browser) -> AsyncIterator[object]:
    """A fresh browser context (empty localStorage) and page; uncaught script errors fail the test."""
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    new_page = await context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda error: errors.append(str(error)))
    yield new_page
    await context.close()
    assert errors == [], f"the page raised: {errors}"


def save_screenshot_path(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
