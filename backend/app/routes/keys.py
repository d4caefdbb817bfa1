"""The /keys router: API keys, for admins. The command line (`inventory keys`) does the same."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.routes.deps import GUARDED, Admin, Session, Work
from app.schemas.access import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from app.schemas.common import ErrorBody
from app.services import access

router = APIRouter(prefix="/keys", tags=["keys"], responses=GUARDED)
ERRORS = {404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}}


@router.post("", response_model=ApiKeyCreated, status_code=201, responses=ERRORS)
async def create_key(work: Work, _caller: Admin, body: ApiKeyCreate) -> ApiKeyCreated:
    """Make an API key of a role. The answer is the only time the key is shown: only its hash is kept."""
    row, key = await access.create_key(work, role=body.role, name=body.name)
    return ApiKeyCreated.model_validate({**ApiKeyOut.model_validate(row).model_dump(), "key": key})


@router.get("", response_model=list[ApiKeyOut], responses=ERRORS)
async def list_keys(session: Session, _caller: Admin) -> list[ApiKeyOut]:
    """Every key with its role, prefix, when it was made, last used and revoked. Never the key itself."""
    return [ApiKeyOut.model_validate(row) for row in await access.list_keys(session)]


@router.delete("/{key}", response_model=ApiKeyOut, responses=ERRORS)
async def revoke_key(
    work: Work,
    _caller: Admin,
    key: Annotated[str, Path(min_length=1, max_length=40, description="The key's id or its prefix.")],
) -> ApiKeyOut:
    """Revoke a key by id or prefix: it fails from the next request on, on every replica."""
    return ApiKeyOut.model_validate(await access.revoke_key(work, key))
