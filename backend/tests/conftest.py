"""Fixtures shared by the whole suite: real databases per backend, the real app over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.brokers import kafka_bootstrap, redis_url  # noqa: F401 - fixtures for the streaming tests
from tests.support.databases import TestDatabase, fresh_test_database
from tests.support.environment import POSTGRES_URL, missing_data, missing_service, port_open
from tests.support.servers import LiveServer

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Every test that touches the database runs once per backend: the same test body on
    # SQLite and on PostgreSQL.
    if "backend" in metafunc.fixturenames:
        chosen = [name.strip() for name in metafunc.config.getoption("--backends").split(",") if name.strip()]
        only = metafunc.definition.get_closest_marker("backends")  # a test of one backend's own behaviour
        if only is not None:
            chosen = [name for name in chosen if name in only.args]
        metafunc.parametrize("backend", chosen, scope="session")


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("inventory")


@pytest.fixture(scope="session")
async def database(backend: str, workdir: Path) -> AsyncIterator[TestDatabase]:
    """A fresh database migrated to head, one per backend for the whole session."""
    if backend == "postgresql" and not port_open("127.0.0.1", 5432):
        missing_service(
            "PostgreSQL on 127.0.0.1:5432", "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        )
    async with fresh_test_database(backend, workdir=workdir, postgres_url=POSTGRES_URL) as test_db:
        yield test_db


@pytest.fixture
async def db(database: TestDatabase) -> TestDatabase:
    """The session's database, emptied before the test."""
    await database.empty()
    return database


@pytest.fixture(scope="session")
def server(database: TestDatabase) -> Iterator[LiveServer]:
    """The app on the session's database, served over real HTTP on a free port."""
    live = LiveServer(database.settings()).start()
    yield live
    live.stop()


@pytest.fixture
async def api(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="session")
def sample_orders() -> Path:
    """The 5,000 real, dirty orders of ../shared/data (skipped when ../shared is absent)."""
    path = SHARED_DATA / "sample_orders.csv"
    if not path.exists():
        missing_data(path, "put ../shared (with its data/) beside the project")
    return path
