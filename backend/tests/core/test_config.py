"""Settings refuse unsafe combinations with a message that says what to change."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from app.core.config import Settings


@pytest.mark.parametrize(
    ("values", "fix"),
    [
        ({"kafka_enabled": True, "kafka_bootstrap_servers": " "}, "KAFKA_BOOTSTRAP_SERVERS"),
        ({"environment": "production"}, "postgresql+asyncpg://"),
        (
            {"environment": "production", "database_url": "postgresql+asyncpg://u@h/db", "auth_enabled": False},
            "enable API keys",
        ),
        ({"database_url": "mysql://u@h/db"}, "DATABASE_URL must start with"),
        ({"database_url": "postgresql://u@h/db"}, "async driver"),
        ({"max_upload_mb": 0}, "greater than or equal to 1"),
        ({"auth_enabled": False, "auth_require_for_reads": True}, "needs AUTH_ENABLED=true"),
        (
            {"environment": "production", "database_url": "postgresql+asyncpg://u@h/db", "cors_origins": ["*"]},
            "list the dashboard's origins",
        ),
        ({"write_rate_limit_per_minute": -1}, "greater than or equal to 0"),
        ({"max_request_body_kb": 0}, "greater than or equal to 1"),
    ],
)
def test_unsafe_settings_fail_with_the_fix(values: dict[str, object], fix: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(fix)):
        Settings(_env_file=None, **values)


def test_defaults_are_the_embedded_mode() -> None:
    settings = Settings(_env_file=None)
    assert settings.database_dialect == "sqlite"
    assert not settings.kafka_enabled and not settings.redis_enabled
    assert settings.auth_enabled


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_ENABLED", "true")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker:9092")
    settings = Settings(_env_file=None)
    assert settings.kafka_enabled and settings.kafka_bootstrap_servers == "broker:9092"
