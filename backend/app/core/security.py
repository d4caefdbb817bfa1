"""API keys: generation, hashing, roles. Pure functions; the key table is in app.services.access.

Keys are 256 bits from `secrets`, so one SHA-256 is enough to store them: nobody can guess a
key from its hash, and a slow password hash would only slow every request down. The key is
shown once, when it is made; the database keeps the hash and a short prefix that a person
can recognise in a list.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Literal, get_args

Role = Literal["viewer", "operator", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
# Admin implies operator implies viewer.
_RANK = {role: rank for rank, role in enumerate(ROLES)}

KEY_MARK = "sim_"  # recognisable in a leaked log or a secret scanner's rules
PREFIX_LENGTH = len(KEY_MARK) + 8


def generate_key() -> str:
    """A new random API key, e.g. `sim_3q2x...` (47 characters)."""
    return KEY_MARK + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    """The stored form of a key: SHA-256, hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_prefix(key: str) -> str:
    """The first characters of a key, stored to tell keys apart in lists (not enough to use it)."""
    return key[:PREFIX_LENGTH]


def matches(key: str, stored_hash: str) -> bool:
    """Whether `key` hashes to `stored_hash`, in constant time."""
    return hmac.compare_digest(hash_key(key), stored_hash)


def looks_like_key(value: str) -> bool:
    """Cheap shape check before touching the database: our mark and a plausible length."""
    return value.startswith(KEY_MARK) and 20 <= len(value) <= 128


def role_allows(role: str, required: Role) -> bool:
    """Whether a key of `role` may do what needs `required`."""
    return role in _RANK and _RANK[role] >= _RANK[required]
