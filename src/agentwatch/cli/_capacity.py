"""agentwatch capacity: forecasts, scaling recommendations, bottlenecks and an HTML report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agentwatch.analytics.capacity import (
    CapacityPlan,
    Forecast,
    format_recommendations,
    plan_capacity,
    render_report,
)
from agentwatch.analytics.promapi import PrometheusAPI, PrometheusError

from ._app import app
from ._common import EXIT_BAD_INPUT, ConfigOption, console, fail, load_config

__all__ = ["backtest_table", "capacity"]


def backtest_table(plan: CapacityPlan) -> Table:
    table = Table(
        "resource",
        "step",
        "model",
        "origins",
        "MASE model",
        "MASE predict_linear",
        "MASE seasonal naive",
        title="Backtest: mean MASE over rolling origins (lower is better)",
        highlight=False,
    )
    for resource in plan.resources.values():
        for forecast in (resource.fine, resource.coarse):
            if isinstance(forecast, Forecast):
                b = forecast.backtest
                table.add_row(
                    resource.name,
                    forecast.resolution.name,
                    forecast.model,
                    str(b.origins),
                    f"{b.chosen_mase:.3f}",
                    f"{b.predict_linear_mase:.3f}",
                    f"{b.seasonal_naive_mase:.3f}",
                )
            else:
                table.add_row(resource.name, "", f"[dim]{escape(str(forecast))}[/]", "", "", "", "")
    return table


@app.command()
def capacity(
    *,
    prometheus: Annotated[
        str, typer.Option("--prometheus", help="Prometheus base URL.")
    ] = "http://127.0.0.1:9090",
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Write an HTML report here.", show_default=False),
    ] = None,
    backtest: Annotated[
        bool, typer.Option("--backtest", help="Also print the backtest MASE table.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Forecast capacity, recommend scaling and predict the first bottleneck."""
    spec = load_config(config)
    if report is not None and report.is_dir():
        fail(f"--report {report}: is a directory, expected an HTML file path", EXIT_BAD_INPUT)
    with PrometheusAPI(prometheus, timeout=30.0) as api:
        try:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as bar:
                task = bar.add_task("reading history", total=None)

                def progress(done: int, total: int, stage: str) -> None:
                    bar.update(task, completed=done, total=total, description=stage)

                plan = plan_capacity(api, time.time(), progress, spec=spec)
        except PrometheusError as exc:
            fail(escape(str(exc)))
    # soft_wrap: the seed's line format must survive a narrow terminal unbroken.
    console.print(
        format_recommendations(plan.recommendations),
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    first = plan.first_bottleneck()
    if first is None:
        console.print("\nBOTTLENECK: nothing saturates within the forecast", highlight=False)
    else:
        component, seconds = first
        when = "now" if seconds <= 0 else f"in {seconds / 3600:.1f} h"
        console.print(f"\nBOTTLENECK: {component} saturates first, {when}", highlight=False)
    for note in plan.notes:
        console.print(f"[dim]note: {escape(note)}[/]", highlight=False, soft_wrap=True)
    if backtest:
        console.print(backtest_table(plan))
    if report is not None:
        try:
            report.write_text(render_report(plan), encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write the report to {report}: {exc.strerror or exc}")
        console.print(f"wrote {report}", highlight=False)
