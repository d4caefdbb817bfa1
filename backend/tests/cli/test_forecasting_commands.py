"""`inventory train` and `inventory backtest` as a user runs them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from app.generator.demo_data import generate_demo_data, write_csv
from tests.support.commands import inventory


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
    # The report's sMAPE, recomputed by hand from the written forecasts and the held-out values (as written).
    held_out = {key: np.round(values[-13:], 2) for key, values in series.items()}
    assert report["smape"] == pytest.approx(smape_by_hand(rows, held_out), rel=1e-9)


def test_backtest_scores_a_long_file_against_separate_actuals_with_auto(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    weeks = pd.date_range("2021-01-03", periods=133, freq="W")
    series = {
        f"S{n}": 50 + n * 20 + 8 * np.sin(2 * np.pi * np.arange(133) / 52) + rng.normal(0, 2, 133) for n in range(3)
    }
    train, actuals = tmp_path / "train.csv", tmp_path / "actuals.csv"
    write_long(train, {key: values[:120] for key, values in series.items()}, weeks[:120])
    write_long(actuals, {key: values[120:] for key, values in series.items()}, weeks[120:])
    out = tmp_path / "forecasts.csv"

    result = inventory(
        "backtest", "--series", str(train), "--actuals", str(actuals), "--horizon", "13", "--model", "auto",
        "--forecasts-out", str(out), "--json", database_url="sqlite+aiosqlite:///unused.db",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["n_series"], report["model"], report["failures"]) == (3, "auto", 0)
    # auto says which model won each series; the winners account for every series.
    assert sum(figures["series"] for figures in report["per_model"].values()) == 3
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    held_out = {key: np.round(values[120:], 4) for key, values in series.items()}
    assert report["smape"] == pytest.approx(smape_by_hand(rows, held_out), rel=1e-6)
    assert 0 <= report["coverage_95"] <= 1


def write_long(path: Path, series: dict[str, np.ndarray], weeks: pd.DatetimeIndex) -> None:
    frame = pd.concat(
        pd.DataFrame({"unique_id": key, "ds": weeks, "y": np.round(values, 4)}) for key, values in series.items()
    )
    frame.to_csv(path, index=False)


def smape_by_hand(rows: list[dict[str, str]], held_out: dict[str, np.ndarray]) -> float:
    """M4's sMAPE (percent), averaged over series, from the forecasts file: no code of the app's involved."""
    per_series = []
    for key, actual in held_out.items():
        forecast = np.array([float(row["mean"]) for row in rows if row["series_id"] == key])
        per_series.append(np.mean(200 * np.abs(actual - forecast) / (np.abs(actual) + np.abs(forecast))))
    return float(np.mean(per_series))


def test_backtest_refuses_an_unusable_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("V1,V2,V3\nA,1,x\n")
    result = inventory("backtest", "--series", str(bad), "--json", database_url="sqlite+aiosqlite:///unused.db")
    assert result.returncode == 1 and json.loads(result.stdout)["error"]["code"] == "unusable_file"
