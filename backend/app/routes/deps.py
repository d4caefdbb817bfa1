"""Dependencies, each declared once as an Annotated alias for route signatures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.services.forecasting.runner import TrainingRunner


@dataclass(frozen=True)
class AppServices:
    """Everything the lifespan built (see `app.main`), handed to requests by `get_services`."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    trainer: TrainingRunner


def get_services(request: Request) -> AppServices:
    """The clients the lifespan built."""
    return request.state.services


Services = Annotated[AppServices, Depends(get_services)]


def get_settings(services: Services) -> Settings:
    return services.settings


AppSettings = Annotated[Settings, Depends(get_settings)]


async def get_session(services: Services) -> AsyncIterator[AsyncSession]:
    """A session per request: committed when the route returns, rolled back when it raises.

    Scope "function" runs the commit before the response is sent, so a client never sees
    success for a change that failed to commit.
    """
    async with services.sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


Session = Annotated[AsyncSession, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int


def get_page(
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page (at most 500).")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Pagination = Annotated[PageParams, Depends(get_page)]
