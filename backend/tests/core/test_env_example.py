""".env.example lists every setting with its default, so nobody has to read the code to configure the service."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import SecretStr

from app.core.config import Settings

ENV_EXAMPLE = Path(__file__).resolve().parents[3] / ".env.example"


def _as_env(value: object) -> str:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


def test_every_setting_is_documented_with_its_default() -> None:
    entries = dict(
        line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if line and not line.startswith("#")
    )
    for name, field in Settings.model_fields.items():
        default = field.default_factory() if field.default_factory else field.default
        assert name.upper() in entries, f"{name.upper()} is missing from .env.example"
        assert entries[name.upper()] == _as_env(default), f"{name.upper()}'s default differs from .env.example"


def test_example_file_is_a_valid_configuration() -> None:
    Settings(_env_file=ENV_EXAMPLE)
