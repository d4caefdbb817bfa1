"""Shapes shared by every router: the error body, pages."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

Item = TypeVar("Item")


class RequestBody(BaseModel):
    """Base of every request body: unknown fields are refused, and so is a NUL character in any text
    (PostgreSQL can neither store nor compare one; without this it surfaced as a 500)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        texts = value if isinstance(value, list | tuple) else (value,)
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("NUL characters are not allowed")
        return value


class ErrorDetail(BaseModel):
    """What exactly was wrong: the field, row or line, and why."""

    model_config = {"extra": "allow"}

    field: str | None = Field(None, description="Dotted path of the offending field or column, if any.")
    reason: str = Field(..., description="What is wrong with it, in plain words.")


class ErrorInfo(BaseModel):
    code: str = Field(..., description="Stable machine-readable error code.")
    message: str = Field(..., description="What went wrong and what to do next.")
    details: list[dict[str, Any]] = Field(default_factory=list, description="Per-field or per-row problems.")


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorInfo


class Page(BaseModel, Generic[Item]):
    """A page of results with the total that matched."""

    items: list[Item]
    total: int = Field(..., ge=0, description="How many items match the filters in all pages.")
    limit: int
    offset: int
