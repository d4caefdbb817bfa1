"""Shapes shared by every router: the error body, pages."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

Item = TypeVar("Item")


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
