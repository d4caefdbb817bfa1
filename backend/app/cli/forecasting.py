"""`inventory train` (the categories of the database) and `inventory backtest` (any series file)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from app.cli.runtime import console, load_settings, open_database, progress_bar, run
from app.core.config import Settings
from app.core.errors import AppError, UnusableFile
from app.ml.series_backtest import run_backtest
from app.ml.series_files import SeriesFileError
from app.services.forecasting import serving, training
from app.services.forecasting.runner import fit_workers
from app.services.forecasting.workers import process_pool


async def train_categories(settings: Settings, categories: list[str] | None, *, show_progress: bool) -> dict:
    """Create a job, fit it with a progress bar, return a summary of what was stored."""
    started = time.perf_counter()
    async with open_database(settings) as work:
        job = await training.queue_job(work, categories=categories)
        job_id, total = job.id, job.total
        with process_pool(min(fit_workers(settings), total)) as pool, progress_bar() as bar:
            task = bar.add_task("Training forecasts", total=total, visible=show_progress)
            await training.run_job(
                work, job_id, pool=pool, horizon=settings.forecast_horizon_weeks,
                progress=lambda done, _total, _category: bar.update(task, completed=done),
            )  # fmt: skip
        async with work.reader() as session:
            forecasts = await serving.all_forecasts(session, model="auto")
    return {
        "job_id": job_id,
        "seconds": round(time.perf_counter() - started, 3),
        "categories": [
            {
                "category": forecast.category,
                "model": forecast.model_info.model,
                "total_90_day": forecast.forecasts["90_day"].total_forecast,
            }
            for forecast in forecasts
            if categories is None or forecast.category in categories
        ],
    }


def train(
    category: Annotated[list[str] | None, typer.Option("--category", help="Only this category (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object on stdout.")] = False,
) -> None:
    """Fit every category's forecast (seed SARIMA and the backtest's winner) and store it, with progress."""
    try:
        summary = run(train_categories(load_settings(), category or None, show_progress=not as_json))
    except AppError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(summary))
        return
    for item in summary["categories"]:
        console.print(f"{item['category']:<28} {item['model']:<40} 90 days: {item['total_90_day']:>10,.0f} units")
    console.print(f"Trained in {summary['seconds']:.1f} s (job {summary['job_id']}).")


def backtest(
    series: Annotated[
        Path,
        typer.Option(
            "--series", exists=True, dir_okay=False, help="Wide (id, values…) or long (unique_id, ds, y) CSV."
        ),
    ],
    horizon: Annotated[int, typer.Option("--horizon", min=1, max=104, help="Steps to forecast.")] = 13,
    model: Annotated[
        str, typer.Option("--model", help="auto, sarima, sarima_css, theta, naive, seasonal_naive, ets_damped.")
    ] = "auto",
    actuals: Annotated[
        Path | None,
        typer.Option(
            "--actuals",
            exists=True,
            dir_okay=False,
            help="The values that followed (same layout); without it the last `horizon` points are held out.",
        ),
    ] = None,
    forecasts_out: Annotated[
        Path | None,
        typer.Option(
            "--forecasts-out",
            dir_okay=False,
            help="Write every forecast here (series_id, step, mean, lower_95, upper_95).",
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=0, max=64, help="Worker processes; 0 means FORECAST_WORKERS, or one per core.")
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as one JSON object on stdout.")] = False,
) -> None:
    """Forecast every series of a file and score it: sMAPE, MASE, 95% coverage and MSIS, as M4 computed them."""
    settings = load_settings()
    try:
        with progress_bar() as bar, process_pool(workers or fit_workers(settings)) as pool:
            task = bar.add_task("Backtesting", total=None, visible=not as_json)
            report = run_backtest(
                series, actuals_path=actuals, horizon=horizon, model=model, forecasts_out=forecasts_out, pool=pool,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )  # fmt: skip
    except SeriesFileError as problem:
        error = UnusableFile(str(problem))
        if as_json:
            typer.echo(json.dumps(error.to_body()))
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from problem
    if as_json:
        typer.echo(json.dumps(report))
        return
    console.print(
        f"{report['n_series']} series, horizon {horizon}, model {model}: sMAPE {report['smape']:.3f}, MASE {report['mase']:.3f}, "
        f"95% coverage {report['coverage_95']:.3f}, MSIS {report['msis']:.3f}, {report['failures']} failures, {report['seconds']:.1f} s."
    )


def register(app: typer.Typer) -> None:
    app.command()(train)
    app.command()(backtest)
