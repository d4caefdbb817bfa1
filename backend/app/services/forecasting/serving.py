"""Serving stored forecasts: one category, all of them, their diagnostics and backtests."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.errors import NotFound
from app.models import ForecastModel
from app.services.forecasting.series import known_categories


async def _stored(session: AsyncSession, category: str) -> ForecastModel:
    row = await session.scalar(
        select(ForecastModel).where(ForecastModel.level == "category", ForecastModel.series_key == category)
    )
    if row is not None:
        return row
    known = await known_categories(session)
    if category in known:
        raise NotFound(
            f"No forecast for {category!r} yet: train the models first (POST /forecast/retrain-models or `inventory train`).",
            details=[{"field": "category", "reason": "not trained yet"}],
        )
    raise NotFound(
        f"Unknown category {category!r}. Known categories: {', '.join(known) or 'none (load sales first)'}.",
        details=[{"field": "category", "reason": "unknown", "known": known}],
    )


def _body(row: ForecastModel, model: str) -> dict[str, Any]:
    forecast = dict(row.forecast)
    alternatives = forecast.pop("alternatives", {})
    body = forecast if model == "auto" else alternatives[model]
    body["model_info"] = {**body["model_info"], "trained_at": row.trained_at.isoformat()}
    return body


async def category_forecast(session: AsyncSession, category: str, *, model: str) -> dict[str, Any]:
    """The stored forecast of a category: the backtest's winner (auto) or the seed SARIMA (sarima)."""
    return _body(await _stored(session, category), model)


class RecentBodies:
    """Serialized forecast bodies, refreshed from the database at most every `ttl` seconds.

    Forecasts change only when a training job stores new ones, and every replica must then
    serve them. Reads come from memory (a stored forecast is kilobytes of JSON to fetch and
    re-encode); once an entry is older than `ttl`, one request refreshes it while the others
    keep getting the previous copy, so a new forecast reaches every replica within about
    `ttl` seconds and no burst of requests ever waits on the database together.
    """

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[str, str], tuple[float, bytes]] = {}
        self._refreshing: set[tuple[str, str]] = set()

    async def get(self, key: tuple[str, str], load: Callable[[], Awaitable[bytes]]) -> bytes:
        entry = self._entries.get(key)
        if entry is not None and (time.monotonic() - entry[0] <= self.ttl or key in self._refreshing):
            return entry[1]
        self._refreshing.add(key)
        try:
            body = await load()
        finally:
            self._refreshing.discard(key)
        if len(self._entries) > 10_000:  # categories are few; this only guards against junk keys
            self._entries.clear()
        self._entries[key] = (time.monotonic(), body)
        return body


async def category_forecast_json(
    sessions: async_sessionmaker[AsyncSession], recent: RecentBodies, category: str, *, model: str
) -> bytes:
    """`category_forecast` as JSON bytes, from `recent` (the app's own) when it was read lately."""

    async def load() -> bytes:
        async with sessions() as session:
            return json.dumps(await category_forecast(session, category, model=model), separators=(",", ":")).encode()

    return await recent.get((category, model), load)


async def all_forecasts(session: AsyncSession, *, model: str) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(ForecastModel).where(ForecastModel.level == "category").order_by(ForecastModel.series_key)
    )
    return [_body(row, model) for row in rows]


async def category_diagnostics(session: AsyncSession, category: str) -> dict[str, Any]:
    """Residual diagnostics of the seed SARIMA and the linear-regression assumption tests."""
    row = await _stored(session, category)
    return {"category": category, "trained_at": row.trained_at.isoformat(), **row.diagnostics}


async def backtests(session: AsyncSession) -> list[dict[str, Any]]:
    """Per category: every candidate's rolling-origin sMAPE, MASE and 95% coverage, and which won; and for its
    products, each product-level method's backtest and the one used (intermittent smoothing or top-down)."""
    rows = await session.scalars(
        select(ForecastModel).where(ForecastModel.level == "category").order_by(ForecastModel.series_key)
    )
    return [
        {
            "category": row.series_key,
            "winner": row.backtest.get("winner"),
            "members": row.backtest.get("members"),
            "interval_scale": row.backtest.get("interval_scale"),
            "models": {
                name: {
                    key: value
                    for key, value in scores.items()
                    if key in ("smape", "mase", "coverage_95", "coverage_95_calibrated")
                }
                for name, scores in row.backtest.get("candidates", {}).items()
            },
            "products": row.backtest.get("products"),
            "train_end": row.train_end.isoformat(),
        }
        for row in rows
    ]


async def plot_inputs(session: AsyncSession, category: str) -> tuple[ForecastModel, dict[str, Any]]:
    row = await _stored(session, category)
    return row, _body(row, "auto")
