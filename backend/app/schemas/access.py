"""API keys as the command line and the /keys router show them (never the hash)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.security import Role
from app.schemas.common import RequestBody


class ApiKeyCreate(RequestBody):
    """A key to make: who or what it is for, and its role."""

    role: Role = Field(description="viewer (reads), operator (orders, products, stock) or admin (everything).")
    name: str = Field("unnamed", min_length=1, max_length=120, description="Who or what uses the key.")


class ApiKeyOut(BaseModel):
    """A key as it is stored: its prefix identifies it; the key itself is never shown again."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: Role
    prefix: str = Field(description="The key's first characters, to recognise it.")
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="Last use, to the minute.")


class ApiKeyCreated(ApiKeyOut):
    """A new key with its secret, shown this once: store it now."""

    key: str = Field(description="Send as `Authorization: Bearer <key>`. Shown only once.")
