"""Serving stored forecasts: one category, all of them, their diagnostics and backtests.

Every reader starts from `stored_forecast` (or the rows of `_category_rows`), which gives the
typed `SeriesForecast` training wrote; `responses` turns it into the API's shapes.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.db.unit_of_work import Reader
from app.ml.forecast import ModelName, SeriesForecast
from app.models import ForecastModel
from app.schemas.forecast_evidence import CategoryBacktestOut, DiagnosticsOut
from app.schemas.forecasting import ForecastOut
from app.services.forecasting.responses import backtest_out, diagnostics_out, forecast_out
from app.services.forecasting.series import known_categories
from app.services.forecasting.stored import series_forecast


async def stored_forecast(session: AsyncSession, category: str) -> SeriesForecast:
    """The category's stored forecast; 404 naming what to do when it has none or is not a category."""
    row = await session.scalar(
        select(ForecastModel).where(ForecastModel.level == "category", ForecastModel.series_key == category)
    )
    if row is not None:
        return series_forecast(row)
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


async def category_forecast(session: AsyncSession, category: str, *, model: ModelName) -> ForecastOut:
    """The stored forecast of a category: the backtest's winner (auto) or the seed SARIMA (sarima)."""
    return forecast_out(await stored_forecast(session, category), model)


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


async def category_forecast_json(reader: Reader, recent: RecentBodies, category: str, *, model: ModelName) -> bytes:
    """`category_forecast` serialised by its response model, from `recent` (the app's own) when it was read lately."""

    async def load() -> bytes:
        async with reader() as session:
            return (await category_forecast(session, category, model=model)).model_dump_json().encode()

    return await recent.get((category, model), load)


async def _category_rows(session: AsyncSession) -> list[SeriesForecast]:
    rows = await session.scalars(
        select(ForecastModel).where(ForecastModel.level == "category").order_by(ForecastModel.series_key)
    )
    return [series_forecast(row) for row in rows]


async def all_forecasts(session: AsyncSession, *, model: ModelName) -> list[ForecastOut]:
    """Every category's stored forecast, by category."""
    return [forecast_out(forecast, model) for forecast in await _category_rows(session)]


async def category_diagnostics(session: AsyncSession, category: str) -> DiagnosticsOut:
    """Residual diagnostics of the seed SARIMA and the linear-regression assumption tests."""
    return diagnostics_out(await stored_forecast(session, category))


async def backtests(session: AsyncSession) -> list[CategoryBacktestOut]:
    """Per category: every candidate's rolling-origin sMAPE, MASE and 95% coverage, and which won; and for its
    products, each product-level method's backtest and the one used (intermittent smoothing or top-down)."""
    return [backtest_out(forecast) for forecast in await _category_rows(session)]
