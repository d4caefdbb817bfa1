"""Which real services the suite may use, and what to do when one is missing.

On a laptop a missing PostgreSQL or Redis skips the tests that need it; in CI (CI=true)
the same absence fails them, so a green CI run always means every backend was exercised.
"""

from __future__ import annotations

import os
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def missing_service(name: str, how_to_start: str) -> None:
    """Skip (laptop) or fail (CI) the current test because `name` is not reachable."""
    message = f"{name} is not reachable; start it with: {how_to_start}"
    if IN_CI:
        pytest.fail(f"CI requires {message}", pytrace=False)
    pytest.skip(message)


def missing_data(path: object, how_to_get_it: str) -> None:
    """Skip (laptop) or fail (CI) the current test because the data file at `path` is absent."""
    message = f"{path} is not here; {how_to_get_it}"
    if IN_CI:
        pytest.fail(f"CI requires {message}", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
