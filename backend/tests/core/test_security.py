"""Keys, their hashes and roles; the token bucket; masking secrets in logs."""

from __future__ import annotations

import pytest

from app.core.logging import redact
from app.core.ratelimit import TokenBuckets
from app.core.security import generate_key, hash_key, key_prefix, looks_like_key, matches, role_allows


def test_keys_are_random_recognisable_and_stored_only_as_a_hash() -> None:
    keys = {generate_key() for _ in range(1000)}
    assert len(keys) == 1000
    key = keys.pop()
    assert key.startswith("sim_") and looks_like_key(key) and len(key) >= 40
    assert len(hash_key(key)) == 64 and key not in hash_key(key)
    assert matches(key, hash_key(key)) and not matches(key + "x", hash_key(key))
    assert key_prefix(key) == key[:12]


@pytest.mark.parametrize(
    ("role", "required", "allowed"),
    [
        ("admin", "operator", True), ("admin", "viewer", True), ("operator", "viewer", True),
        ("operator", "admin", False), ("viewer", "operator", False), ("viewer", "viewer", True),
        ("root", "viewer", False),
    ],
)  # fmt: skip
def test_admin_implies_operator_implies_viewer(role: str, required: str, allowed: bool) -> None:
    assert role_allows(role, required) is allowed  # type: ignore[arg-type]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_allows_a_minute_of_burst_then_refills_at_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(60, clock=clock)
    assert [buckets.take("a") for _ in range(60)] == [0.0] * 60
    wait = buckets.take("a")
    assert wait == pytest.approx(1.0)
    assert buckets.retry_after_seconds(wait) == 1
    assert buckets.take("b") == 0.0  # per caller
    clock.now = 1.0
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0


def test_zero_turns_the_limit_off() -> None:
    buckets = TokenBuckets(0)
    assert all(buckets.take("a") == 0.0 for _ in range(10_000))


def test_logs_never_carry_keys_passwords_or_tokens() -> None:
    key = generate_key()
    text = redact(
        f"url postgresql+asyncpg://app:s3cr3t@db/x header Bearer {key} query /stream/ws?channels=a&token={key}"
    )
    assert key not in text and "s3cr3t" not in text
    assert "postgresql+asyncpg://app:***@db/x" in text


@pytest.mark.parametrize(
    "secret_text",
    ["AUTHORIZATION: BEARER hunter2-token", "/stream/ws?TOKEN=hunter2-token", "key SIM_X sim_hunter2-token"],
)
def test_secrets_are_masked_whatever_their_case(secret_text: str) -> None:
    assert "hunter2" not in redact(secret_text)


def test_a_line_without_secrets_is_left_as_it_is() -> None:
    line = '{"method": "POST", "path": "/orders", "status": 201, "duration_ms": 3.2}'
    assert redact(line) == line
