"""Series files for `inventory backtest`: wide (id, then values) or long (unique_id, ds, y) CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


class SeriesFileError(ValueError):
    """A series file that cannot be scored: the message says which file, line or series, and why."""


@dataclass(frozen=True)
class SeriesSet:
    """Named series in file order, values oldest first."""

    ids: list[str]
    values: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.ids)

    def by_id(self) -> dict[str, np.ndarray]:
        return dict(zip(self.ids, self.values, strict=True))


def _read_wide(path: Path) -> SeriesSet:
    ids, values = [], []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader, None)  # header: V1, V2, ... (M4's layout)
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            cells = [cell for cell in row[1:] if cell.strip() != ""]
            try:
                numbers = np.array([float(cell) for cell in cells])
            except ValueError as exc:
                raise SeriesFileError(
                    f"{path.name} line {line}: a value of series {row[0]!r} is not a number ({exc})."
                ) from exc
            ids.append(row[0])
            values.append(numbers)
    return SeriesSet(ids=ids, values=values)


def _read_long(path: Path) -> SeriesSet:
    frame = pd.read_csv(path)
    missing = {"unique_id", "ds", "y"} - set(frame.columns)
    if missing:
        raise SeriesFileError(f"{path.name} needs the columns unique_id, ds, y; missing: {', '.join(sorted(missing))}.")
    frame["y"] = pd.to_numeric(frame["y"], errors="coerce")
    if frame["y"].isna().any():
        line = int(frame.index[frame["y"].isna()][0]) + 2
        raise SeriesFileError(f"{path.name} line {line}: y is not a number.")
    ordered = frame.sort_values(["unique_id", "ds"], kind="stable")
    ids = list(dict.fromkeys(frame["unique_id"].astype(str)))
    grouped = {str(key): group["y"].to_numpy(float) for key, group in ordered.groupby("unique_id", sort=False)}
    return SeriesSet(ids=ids, values=[grouped[key] for key in ids])


def read_series(path: Path) -> SeriesSet:
    """A wide or a long series file, told apart by its header."""
    if not path.exists():
        raise SeriesFileError(f"{path} does not exist.")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise SeriesFileError(f"{path.name} is empty.")
    series = _read_long(path) if {"unique_id", "ds", "y"} <= {name.strip() for name in header} else _read_wide(path)
    if not series.ids:
        raise SeriesFileError(f"{path.name} holds no series.")
    return series


def write_forecasts(path: Path, rows: Iterable[tuple[str, int, float, float, float]]) -> None:
    """Forecasts as CSV: series_id, step, mean, lower_95, upper_95."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["series_id", "step", "mean", "lower_95", "upper_95"])
        writer.writerows(rows)
