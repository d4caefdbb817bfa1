"""Requests the tests make through the real API: loading data, training, bodies for common writes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from app.generator.demo_data import generate_demo_data, write_csv


async def load_generated(api: httpx.AsyncClient, folder: Path, **options: object) -> None:
    orders, stock = folder / "orders.csv", folder / "stock.csv"
    write_csv(generate_demo_data(**options), orders, stock)
    with orders.open("rb") as o, stock.open("rb") as s:
        response = await api.post(
            "/forecast/upload-data", files={"file": ("orders.csv", o), "stock_file": ("stock.csv", s)}
        )
    assert response.status_code == 200, response.text


async def train(api: httpx.AsyncClient, categories: list[str], *, while_waiting=None) -> dict:
    accepted = await api.post("/forecast/retrain-models", json={"categories": categories})
    assert accepted.status_code == 202, accepted.text
    url = accepted.json()["status_url"]
    for _ in range(1200):
        job = (await api.get(url)).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        if while_waiting is not None:
            await while_waiting(job)
        await asyncio.sleep(0.1)
    raise AssertionError("the training job did not finish")


async def upload(api: httpx.AsyncClient, path: Path) -> httpx.Response:
    with path.open("rb") as handle:
        return await api.post("/forecast/upload-data", files={"file": (path.name, handle, "text/csv")})


def product(sku: str = "SKU-1", **fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "sku": sku, "name": f"Product {sku}", "category": "Electronics", "brand": "Acme", "unit_price": "19.99",
        "unit_cost": "8.50", "stock_on_hand": 10, "reorder_point": 3, "lead_time_days": 7,
    }  # fmt: skip
    body.update(fields)
    return body


def forecast_body(category: str, weekly_units: float, band: float) -> dict[str, object]:
    weeks = [
        {"week": f"2024-03-{10 + 7 * i:02d}" if i < 3 else "2024-04-01", "forecast": weekly_units,
         "lower": weekly_units - band, "upper": weekly_units + band}
        for i in range(13)
    ]  # fmt: skip
    total = weekly_units * 13 * 90 / 91
    return {
        "category": category,
        "model_info": {"model": "test"},
        "forecasts": {
            "90_day": {
                "total_forecast": total,
                "daily_average": total / 90,
                "lower_ci_total": 0,
                "upper_ci_total": 0,
                "weeks_in_forecast": 13,
            }
        },
        "weekly": weeks,
    }
