"""M4 weekly (359 series, horizon 13): Naive2 reproduced first, then each candidate and auto, next to the published results.

Metrics exactly as M4 computed them (app.ml.metrics); MSIS with alpha = 0.05 and coverage
of the 95% intervals, next to the best weekly MSIS submitted (16.2). The forecasts are made
by the same code as `inventory backtest --model ...` (app.ml.series_backtest): `auto`
chooses per series by backtest and widens or narrows the winner's intervals by the median of
its backtest errors, with settings chosen on the training part only (bench/m4_calibration.py);
the test file is read only to score. Time is wall time on this machine with one worker
process per core. The published rows come from ../shared/data/m4/README.md.
Run: cd backend && python -m bench.m4_weekly [--models naive,sarima_css,theta,auto]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.ml.series_backtest import run_backtest
from app.services.forecasting.workers import process_pool
from bench.common import print_table

M4 = Path(__file__).resolve().parents[3] / "shared" / "data" / "m4"
PUBLISHED = [
    ("Naive2 (benchmark)", 9.161, 2.777), ("SES", 9.012, 2.685), ("Theta", 9.093, 2.637), ("Damped", 8.866, 2.404),
    ("ETS (auto)", 8.727, None), ("ARIMA (auto.arima)", 8.653, None), ("winner overall (ES-RNN)", 7.817, 2.356),
    ("best weekly submission", 6.582, 2.107),
]  # fmt: skip
BEST_MSIS = 16.2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="naive,seasonal_naive,theta,sarima_css,auto")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for model in args.models.split(","):
        with process_pool(args.workers) as pool:
            report = run_backtest(
                M4 / "Weekly-train.csv", actuals_path=M4 / "Weekly-test.csv", horizon=13, model=model,
                forecasts_out=None, pool=pool,
            )  # fmt: skip
        label = "Naive2 (reproduced)" if model == "naive" else model
        rows.append(
            [label, report["smape"], report["mase"], report["coverage_95"], report["msis"], report["failures"], report["seconds"],
             report["smape"] / 6.582, report["mase"] / 2.107, report["msis"] / BEST_MSIS]
        )  # fmt: skip
    for name, published_smape, published_mase in PUBLISHED:
        rows.append(
            [
                f"published: {name}",
                published_smape,
                published_mase if published_mase else "-",
                "-",
                "-",
                "-",
                "-",
                published_smape / 6.582,
                published_mase / 2.107 if published_mase else "-",
                "-",
            ]
        )
    print_table(
        "M4 weekly, 359 series, horizon 13 (ratios to the best weekly submission: 6.582 / 2.107; MSIS to 16.2)",
        [
            "model",
            "sMAPE",
            "MASE",
            "coverage",
            "MSIS",
            "failures",
            "seconds",
            "sMAPE x best",
            "MASE x best",
            "MSIS x best",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
