"""Command-line options of the suite (loaded with -p so they exist before conftest files)."""

from __future__ import annotations

import pytest

BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backends",
        default=",".join(BACKENDS),
        help="Comma-separated database backends to run database tests on (default: sqlite,postgresql).",
    )
