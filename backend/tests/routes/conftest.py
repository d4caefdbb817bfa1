"""Fixtures of the route tests."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.databases import TestDatabase
from tests.support.store import load_store


@pytest.fixture
async def store(api: httpx.AsyncClient, db: TestDatabase, tmp_path: Path) -> httpx.AsyncClient:
    """The hand-made store of tests.support.store, loaded into the emptied session database."""
    return await load_store(api, tmp_path)
