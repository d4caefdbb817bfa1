"""Forecasting over real HTTP: training jobs, stored forecasts, restarts, serving during a retrain, fallbacks."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.support.api import load_generated, train
from tests.support.databases import TestDatabase
from tests.support.servers import served_settings

TRAINED = ["Electronics", "Toys & Games", "Books & Media"]


async def test_train_then_serve_every_view_of_the_forecast(
    api: httpx.AsyncClient, db: TestDatabase, tmp_path: Path
) -> None:
    await load_generated(api, tmp_path, n_orders=20_000, seed=5)
    not_yet = await api.get("/forecast/forecast/Electronics")
    assert not_yet.status_code == 404 and "retrain-models" in not_yet.json()["error"]["message"]

    job = await train(api, TRAINED)

    assert (job["status"], job["done"], job["total"]) == ("succeeded", 3, 3), job
    body = (await api.get("/forecast/forecast/Electronics")).json()
    assert set(body) == {"category", "model_info", "forecasts", "weekly"}
    assert body["model_info"]["model"].startswith("auto: ") and body["model_info"]["resample_freq"] == "W"
    assert body["model_info"]["train_end"] == "2024-12-29"  # the last complete week of 2024
    ninety = body["forecasts"]["90_day"]
    assert (
        ninety["weeks_in_forecast"] == 13
        and ninety["lower_ci_total"] <= ninety["total_forecast"] <= ninety["upper_ci_total"]
    )
    assert ninety["daily_average"] == pytest.approx(ninety["total_forecast"] / 90, abs=0.01)
    assert len(body["weekly"]) == 13 and body["weekly"][0]["week"] == "2025-01-05"
    assert all(point["lower"] <= point["forecast"] <= point["upper"] for point in body["weekly"])

    seed = (await api.get("/forecast/forecast/Electronics", params={"model": "sarima"})).json()
    assert seed["model_info"]["model"] == "SARIMA(1,1,1)(1,0,1,52)" and seed["model_info"]["log_transform"] is True

    everything = (await api.get("/forecast/forecasts/all")).json()
    assert [f["category"] for f in everything["forecasts"]] == sorted(TRAINED)
    diagnostics = (await api.get("/forecast/diagnostics/Electronics")).json()
    assert {"adf", "ljung_box", "residuals"} <= set(diagnostics["sarima_residuals"])
    assert {"durbin_watson", "breusch_pagan", "vif"} <= set(diagnostics["linear_regression"])
    backtests = {entry["category"]: entry for entry in (await api.get("/forecast/backtest")).json()["categories"]}
    assert {"sarima_css", "theta", "naive", "seasonal_naive"} <= set(backtests["Electronics"]["models"])
    assert all({"smape", "mase", "coverage_95"} <= set(m) for m in backtests["Electronics"]["models"].values())
    products = backtests["Electronics"]["products"]
    assert products["method"] in products["candidates"] and {"croston", "sba", "tsb", "top_down"} == set(
        products["candidates"]
    )
    assert products["candidates"][products["method"]]["wape"] == min(c["wape"] for c in products["candidates"].values())
    stored = await db.scalar("SELECT COUNT(*) FROM forecast_models WHERE level = 'product'")
    assert stored == sum(backtests[category]["products"]["products"] for category in TRAINED) > 0
    recommended = (
        await api.get(
            "/forecast/inventory-recommendations", params={"level": "product", "category": "Electronics", "limit": 500}
        )
    ).json()["items"]
    from_forecast = [item for item in recommended if item["demand_source"] == "forecast"]
    assert from_forecast and products["method"] in from_forecast[0]["demand_source_detail"]
    picture = await api.get("/forecast/forecast/Electronics/plot.png")
    assert picture.headers["content-type"] == "image/png" and picture.content.startswith(b"\x89PNG")
    assert len(await db.events("forecast.generated")) == 3

    unknown = await api.get("/forecast/forecast/Garden")
    assert unknown.status_code == 404 and "Electronics" in unknown.json()["error"]["details"][0]["known"]
    assert (await api.get("/forecast/forecast/Electronics", params={"model": "prophet"})).status_code == 422
    assert (await api.post("/forecast/retrain-models", json={"categories": ["Garden"]})).status_code == 422
    assert (await api.post("/forecast/retrain-models", json={"categories": "Toys"})).status_code == 422
    assert (await api.get("/forecast/jobs/no-such-job")).status_code == 404


async def test_a_forecast_survives_a_restart_without_refitting(
    api: httpx.AsyncClient, db: TestDatabase, database: TestDatabase, tmp_path: Path
) -> None:
    await load_generated(api, tmp_path, n_orders=20_000, seed=6)
    await train(api, ["Books & Media"])
    before = (await api.get("/forecast/forecast/Books & Media")).json()
    jobs = await db.scalar("SELECT COUNT(*) FROM training_jobs")

    with served_settings(database.settings()) as restarted:  # a new process: nothing in memory carries over
        async with httpx.AsyncClient(base_url=restarted) as fresh:
            after = (await fresh.get("/forecast/forecast/Books & Media")).json()

    assert after == before  # same stored forecast, same trained_at: nothing was refitted
    assert await db.scalar("SELECT COUNT(*) FROM training_jobs") == jobs


async def test_requests_are_served_while_a_retrain_runs(
    api: httpx.AsyncClient, db: TestDatabase, tmp_path: Path
) -> None:
    await load_generated(api, tmp_path, n_orders=20_000, seed=7)
    await train(api, ["Books & Media"])
    served_while_running: list[int] = []

    async def keep_asking(job: dict) -> None:
        if job["status"] != "running":
            return
        answers = await asyncio.gather(
            api.get("/forecast/forecast/Books & Media"), api.get("/health"), api.get("/analytics/inventory/status")
        )
        assert [answer.status_code for answer in answers] == [200, 200, 200]
        served_while_running.append(len(answers))

    job = await train(api, TRAINED, while_waiting=keep_asking)

    assert job["status"] == "succeeded"
    # Answers came back while the fit was still running: the event loop was never blocked by it.
    assert sum(served_while_running) >= 3


async def test_under_two_years_of_history_gets_a_named_fallback(
    api: httpx.AsyncClient, db: TestDatabase, tmp_path: Path
) -> None:
    await load_generated(api, tmp_path, n_orders=6_000, seed=8, start=date(2024, 1, 1), end=date(2024, 12, 31))

    job = await train(api, ["Electronics"])

    assert job["status"] == "succeeded", job
    seed = (await api.get("/forecast/forecast/Electronics", params={"model": "sarima"})).json()
    assert "under two seasons" in seed["model_info"]["fallback"]
    diagnostics = (await api.get("/forecast/diagnostics/Electronics")).json()
    assert any("under two seasons" in note for note in diagnostics["notes"])
