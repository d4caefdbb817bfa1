"""`inventory backtest`: forecast every series of a file in worker processes and score them like M4 did."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from app.ml.forecasters import MODELS, make_model
from app.ml.metrics import coverage, mase, msis, smape
from app.ml.pipeline import forecast_series
from app.ml.series_files import SeriesFileError, read_series, write_forecasts


def _one(series_id: str, train: np.ndarray, actual: np.ndarray, model: str) -> dict[str, Any]:
    horizon = len(actual)
    try:
        forecast, fitted = forecast_series(train, model=model, horizon=horizon)
        failed = None
    except Exception as exc:
        forecast, fitted = make_model("naive").fit(train).predict(horizon), {"winner": "naive"}
        failed = f"{type(exc).__name__}: {exc}"
    return {
        "series_id": series_id,
        "smape": smape(actual, forecast.mean),
        "mase": mase(actual, forecast.mean, train),
        "coverage_95": coverage(actual, forecast.lower, forecast.upper),
        "msis": msis(actual, forecast.lower, forecast.upper, train),
        "winner": fitted.get("winner"),
        "failed": failed,
        "forecast": np.column_stack([forecast.mean, forecast.lower, forecast.upper]).tolist(),
    }


def run_backtest(
    series_path: Path, *, actuals_path: Path | None, horizon: int, model: str, forecasts_out: Path | None,
    pool: Executor, progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Scores of `model` ("auto" or a model name) on every series, fitted on `pool`; per-model figures when auto chose.

    Raises SeriesFileError for an unknown model, an unreadable file or series too short to hold out `horizon`.
    """
    if model not in MODELS and model != "auto":
        raise SeriesFileError(f"Unknown model {model!r}: use auto or one of {', '.join(sorted(MODELS))}.")
    started = time.perf_counter()
    train = read_series(series_path)
    if actuals_path is not None:
        later = read_series(actuals_path).by_id()
        missing = [key for key in train.ids if key not in later]
        if missing:
            raise SeriesFileError(
                f"{actuals_path.name} lacks the series {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}."
            )
        pairs = [(key, values, later[key][:horizon]) for key, values in zip(train.ids, train.values, strict=True)]
    else:
        short = [key for key, values in zip(train.ids, train.values, strict=True) if len(values) <= horizon + 2]
        if short:
            raise SeriesFileError(f"Series too short to hold out {horizon} points: {', '.join(short[:5])}.")
        pairs = [
            (key, values[:-horizon], values[-horizon:]) for key, values in zip(train.ids, train.values, strict=True)
        ]
    results: dict[str, dict[str, Any]] = {}
    futures = [pool.submit(_one, key, values, actual, model) for key, values, actual in pairs]
    for number, future in enumerate(as_completed(futures), start=1):
        result = future.result()
        results[result["series_id"]] = result
        if progress:
            progress(number, len(futures))
    ordered = [results[key] for key, _, _ in pairs]
    if forecasts_out is not None:
        write_forecasts(
            forecasts_out,
            ((r["series_id"], step, *values) for r in ordered for step, values in enumerate(r["forecast"], start=1)),
        )
    per_model: dict[str, dict[str, float]] = {}
    for name, count in Counter(r["winner"] for r in ordered).items():
        chosen = [r for r in ordered if r["winner"] == name]
        per_model[name] = {
            "series": count,
            **{key: float(np.mean([r[key] for r in chosen])) for key in ("smape", "mase", "coverage_95", "msis")},
        }
    return {
        "n_series": len(ordered),
        "horizon": horizon,
        "model": model,
        "smape": float(np.mean([r["smape"] for r in ordered])),
        "mase": float(np.mean([r["mase"] for r in ordered])),
        "coverage_95": float(np.mean([r["coverage_95"] for r in ordered])),
        "msis": float(np.mean([r["msis"] for r in ordered])),
        "failures": sum(1 for r in ordered if r["failed"]),
        "failed_series": [{"series_id": r["series_id"], "error": r["failed"]} for r in ordered if r["failed"]],
        "seconds": round(time.perf_counter() - started, 3),
        "per_model": per_model,
    }
