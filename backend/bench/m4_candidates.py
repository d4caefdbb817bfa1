"""Each forecasting model alone on M4 weekly (359 series, horizon 13): sMAPE, MASE, coverage, MSIS, seconds.

Run: cd backend && python -m bench.m4_candidates [--models naive,sarima_css,...] [--limit N]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from app.ml.forecasters import make_model
from app.ml.metrics import coverage, mase, msis, smape
from app.ml.series_files import read_series
from bench.common import print_table

M4 = Path(__file__).resolve().parents[3] / "shared" / "data" / "m4"


def evaluate(args: tuple[str, np.ndarray, np.ndarray]) -> tuple[float, float, float, float, bool]:
    name, train, test = args
    try:
        forecast = make_model(name).fit(train).predict(len(test))
    except Exception:
        forecast = make_model("naive").fit(train).predict(len(test))
        failed = True
    else:
        failed = False
    return (
        smape(test, forecast.mean), mase(test, forecast.mean, train), coverage(test, forecast.lower, forecast.upper),
        msis(test, forecast.lower, forecast.upper, train), failed,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="naive,seasonal_naive,sarima_css,theta,ets_damped")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    train, test = read_series(M4 / "Weekly-train.csv"), read_series(M4 / "Weekly-test.csv").by_id()
    pairs = list(zip(train.ids, train.values, strict=True))[: args.limit]
    rows = []
    with ProcessPoolExecutor(args.workers) as pool:
        for name in args.models.split(","):
            started = time.perf_counter()
            scores = np.array(
                list(pool.map(evaluate, [(name, values, test[key]) for key, values in pairs], chunksize=4))
            )
            rows.append([name, *scores[:, :4].mean(axis=0), int(scores[:, 4].sum()), time.perf_counter() - started])
    print_table(
        f"M4 weekly, {len(pairs)} series, horizon 13",
        ["model", "sMAPE", "MASE", "coverage", "MSIS", "failures", "seconds"],
        rows,
    )


if __name__ == "__main__":
    main()
