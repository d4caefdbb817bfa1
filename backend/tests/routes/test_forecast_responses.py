"""Every forecast answer has a declared shape: no route returns a bare dict or stored bytes without a model,
the cached forecast bytes are their model's, and a row stored in format 1 is still answered."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from app.main import create_app
from app.routes import ROUTERS
from app.schemas.forecast_evidence import DiagnosticsOut
from app.schemas.forecasting import ForecastOut
from tests.support.databases import TestDatabase
from tests.support.forecasts import fitted_forecast, format_1_row

FORECAST_READS = ["/forecast/forecast/{category}", "/forecast/forecasts/all", "/forecast/diagnostics/{category}",
                  "/forecast/backtest", "/forecast/forecast/{category}/series"]  # fmt: skip


def test_every_json_route_declares_its_response_model() -> None:
    undeclared = [
        f"{sorted(route.methods)} {route.path}"
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        and route.response_class in (JSONResponse,)
        and route.response_model in (None, dict, Any)
    ]
    assert undeclared == []


def _untyped(schema: Any, components: dict[str, Any], seen: set[str]) -> list[str]:
    """Paths in `schema` where any JSON object would do (a dict[str, Any])."""
    if isinstance(schema, list):
        return [found for item in schema for found in _untyped(item, components, seen)]
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else _untyped(components[name], components, seen | {name})
    if schema.get("type") == "object" and schema.get("additionalProperties", False) in (True, {}):
        return [str(schema.get("title", "an object"))]
    return [found for value in schema.values() for found in _untyped(value, components, seen)]


def test_forecast_reads_document_every_field() -> None:
    document = create_app().openapi()
    components = document["components"]["schemas"]
    for path in FORECAST_READS:
        answer = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in answer, path
        assert _untyped(answer, components, set()) == [], path


async def test_a_format_1_row_is_answered_and_its_bytes_are_the_models(
    api: httpx.AsyncClient, db: TestDatabase
) -> None:
    row = format_1_row(fitted_forecast("Legacy"))
    stored_body = row.forecast
    async with db.sessions() as session:
        session.add(row)
        await session.commit()

    answer = await api.get("/forecast/forecast/Legacy")

    assert answer.status_code == 200
    served = ForecastOut.model_validate_json(answer.content)  # the cached bytes are ForecastOut's
    assert answer.json() == served.model_dump(mode="json")
    assert [point.model_dump() for point in served.weekly] == stored_body["weekly"]
    diagnostics = await api.get("/forecast/diagnostics/Legacy")
    assert DiagnosticsOut.model_validate_json(diagnostics.content).category == "Legacy"
    seed = (await api.get("/forecast/forecast/Legacy", params={"model": "sarima"})).json()
    assert seed["weekly"] == stored_body["alternatives"]["sarima"]["weekly"]
