"""How `auto` calibrates its intervals, chosen on M4 weekly's training part only (the test file is never read).

Two holdouts per series: its last 13 training weeks, and the 13 before them, each forecast
by `auto` from what precedes it. For every setting of the grid (how many backtest windows
the calibration rests on, and the tail factor), the MSIS and 95% coverage of the calibrated
intervals on both holdouts. The pick: the lowest mean MSIS among the settings whose mean
coverage stays within 93.5-96.5% (the 93-97% target band less half a point either side,
because the two holdouts' coverages already differ by more than that). The first row is the
rule used before (95% quantile of the selection windows' absolute errors / 1.96), measured
in the same run.
Run: cd backend && python -m bench.m4_calibration [--limit N]
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from app.ml.auto import AutoForecaster, interval_scale
from app.ml.forecasters.base import z_for_level
from app.ml.metrics import coverage, msis
from app.ml.series_files import read_series
from bench.common import print_table

M4 = Path(__file__).resolve().parents[3] / "shared" / "data" / "m4"
HORIZON = 13
HOLDOUTS = (1, 2)  # how many horizons back from the end of the training part each holdout starts
WINDOWS = (10, 15, 20, 25, 30)
TAIL_FACTORS = (0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3)
COVERAGE_BAND = (0.935, 0.965)
BOUNDS = AutoForecaster().scale_bounds

Evidence = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def holdout_evidence(job: tuple[np.ndarray, np.ndarray]) -> Evidence:
    """What calibration needs for one holdout: the history, what followed, the uncalibrated forecast, the errors."""
    history, actual = job
    auto = AutoForecaster(horizon=HORIZON, calibration_windows=max(WINDOWS)).fit(history)
    mean, sd = auto.predict_log(HORIZON)
    return history, actual, mean, sd, auto.calibration_errors_


def scores(evidence: list[Evidence], scale_of: Callable[[np.ndarray], float]) -> tuple[float, float]:
    """Mean MSIS and 95% coverage when each series' interval scale is `scale_of(its errors)`."""
    results = []
    for history, actual, mean, sd, errors in evidence:
        half = z_for_level(95) * sd * scale_of(errors)  # as AutoForecaster.predict widens
        lower, upper = np.expm1(mean - half).clip(min=0), np.expm1(mean + half).clip(min=0)
        results.append((msis(actual, lower, upper, history), coverage(actual, lower, upper)))
    return tuple(np.mean(results, axis=0))


def median_rule(windows: int, tail: float) -> Callable[[np.ndarray], float]:
    """AutoForecaster's calibration as if it had been given these settings (the errors are oldest first)."""
    return lambda errors: interval_scale(errors[-windows:], tail_factor=tail, bounds=BOUNDS)


def rule_before(errors: np.ndarray) -> float:
    recent = np.abs(errors[-10:]).ravel()
    recent = recent[np.isfinite(recent)]
    if len(recent) < 10:
        return 1.0
    return float(np.clip(np.quantile(recent, 0.95) / z_for_level(95), *BOUNDS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    train = read_series(M4 / "Weekly-train.csv")
    series = train.values[: args.limit]
    with ProcessPoolExecutor(args.workers) as pool:
        holdouts = [
            list(pool.map(holdout_evidence, [(y[: len(y) - back * HORIZON], y[len(y) - back * HORIZON :][:HORIZON])
                                             for y in series], chunksize=2))
            for back in HOLDOUTS
        ]  # fmt: skip
    settings = {"95% quantile, 10 windows (before)": rule_before}
    for windows, tail in itertools.product(WINDOWS, TAIL_FACTORS):
        settings[f"median, {windows} windows, tail x{tail}"] = median_rule(windows, tail)
    rows = []
    for label, scale_of in settings.items():
        per_holdout = [scores(evidence, scale_of) for evidence in holdouts]
        mean_msis, mean_coverage = np.mean(per_holdout, axis=0)
        rows.append([label, *itertools.chain(*per_holdout), mean_msis, mean_coverage])
    before = rows[0][-2]
    eligible = [row for row in rows[1:] if COVERAGE_BAND[0] <= row[-1] <= COVERAGE_BAND[1]]
    pick = min(eligible, key=lambda row: row[-2])[0] if eligible else None
    print_table(
        f"Interval calibration on M4 weekly's training part: {len(series)} series, holdouts of {HORIZON} weeks "
        f"ending {', '.join(str((back - 1) * HORIZON) for back in HOLDOUTS)} weeks before its end; pick: {pick}",
        ["setting", "MSIS last", "coverage last", "MSIS before last", "coverage before last", "MSIS mean",
         "coverage mean", "MSIS x before", "picked"],
        [[*row, row[-2] / before, "<-" if row[0] == pick else ""] for row in rows],
    )  # fmt: skip


if __name__ == "__main__":
    main()
