"""agentwatch capacity: forecasts, scaling recommendations, bottlenecks and an HTML report."""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agentwatch.analytics.capacity import CONNECT_TIMEOUT, INSTALL_HINT
from agentwatch.exit_codes import EXIT_BAD_INPUT
from agentwatch.spec import Spec

from ._app import app
from ._common import (
    ConfigOption,
    PrometheusOption,
    client_auth,
    console,
    fail,
    load_config,
    prometheus_url,
)

if TYPE_CHECKING:
    from agentwatch.analytics.capacity import CapacityPlan, DaskBackend

__all__ = ["DEFAULT_WORKERS", "LOCAL_CLUSTER", "backtest_table", "capacity"]

# The --dask value that starts a LocalCluster instead of connecting to a scheduler.
LOCAL_CLUSTER = "local"
DEFAULT_WORKERS = 2


def backtest_table(plan: CapacityPlan) -> Table:
    from agentwatch.analytics.capacity import Forecast

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


def _open_dask(stack: ExitStack, address: str, workers: int | None, timeout: float) -> DaskBackend:
    """The Dask backend, or exit: 2 for bad input or missing packages, 1 when the scheduler
    does not answer or the local cluster does not start."""
    from agentwatch.analytics.capacity import (
        ClusterError,
        DaskUnavailableError,
        SchedulerUnreachableError,
        dask_backend,
    )

    if workers is not None and address != LOCAL_CLUSTER:
        fail(
            f"--dask-workers applies to --dask {LOCAL_CLUSTER} only; a remote cluster "
            f"has the workers its scheduler has (got --dask {escape(address)})",
            EXIT_BAD_INPUT,
        )
    try:
        return stack.enter_context(
            dask_backend(None, workers=workers or DEFAULT_WORKERS)
            if address == LOCAL_CLUSTER
            else dask_backend(address, timeout=timeout)
        )
    except DaskUnavailableError as exc:
        fail(f"--dask {escape(address)}: {escape(str(exc))}", EXIT_BAD_INPUT)
    except (SchedulerUnreachableError, ClusterError) as exc:
        fail(f"--dask: {escape(str(exc))}")
    except ValueError as exc:  # distributed's verdict on an address it cannot parse
        fail(
            f"--dask {escape(address)}: {escape(str(exc))}; expected a scheduler address "
            f"such as tcp://10.0.0.5:8786, or '{LOCAL_CLUSTER}'",
            EXIT_BAD_INPUT,
        )


@app.command()
def capacity(
    *,
    prometheus: PrometheusOption = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Write an HTML report here.", show_default=False),
    ] = None,
    backtest: Annotated[
        bool, typer.Option("--backtest", help="Also print the backtest MASE table.")
    ] = False,
    config: ConfigOption = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            metavar="ADDRESS",
            help="Fit the forecasts on a Dask cluster: its scheduler address "
            f"(tcp://host:8786), or '{LOCAL_CLUSTER}' to start a LocalCluster on 127.0.0.1. "
            f"Needs: {escape(INSTALL_HINT)}. Default: in this process.",
            show_default=False,
        ),
    ] = None,
    dask_workers: Annotated[
        int | None,
        typer.Option(
            "--dask-workers",
            min=1,
            help=f"Workers of the --dask {LOCAL_CLUSTER} cluster. \\[default: {DEFAULT_WORKERS}]",
            show_default=False,
        ),
    ] = None,
    dask_timeout: Annotated[
        float,
        typer.Option("--dask-timeout", min=0.1, help="Seconds to wait for the Dask scheduler."),
    ] = CONNECT_TIMEOUT,
) -> None:
    """Forecast capacity, recommend scaling and predict the first bottleneck."""
    from agentwatch.analytics.capacity import use_backend

    spec = load_config(config)
    if report is not None and report.is_dir():
        fail(f"--report {report}: is a directory, expected an HTML file path", EXIT_BAD_INPUT)
    with ExitStack() as stack:
        if dask is not None:
            backend = _open_dask(stack, dask, dask_workers, dask_timeout)
            stack.enter_context(use_backend(backend))
            console.print(
                f"fitting on the Dask cluster at {backend.address} ({backend.workers} workers)",
                highlight=False,
            )
        plan = _plan(prometheus_url(spec, prometheus), spec)
    _print(plan, backtest, report)


def _plan(prometheus: str, spec: Spec) -> CapacityPlan:
    from agentwatch.analytics.capacity import ClusterError, plan_capacity
    from agentwatch.clients.prometheus import PrometheusAPI, PrometheusError

    with PrometheusAPI(prometheus, timeout=30.0, auth=client_auth()) as api:
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

                return plan_capacity(api, time.time(), progress, spec=spec)
        except PrometheusError as exc:
            fail(escape(str(exc)))
        except ClusterError as exc:
            fail(escape(str(exc)))


def _print(plan: CapacityPlan, backtest: bool, report: Path | None) -> None:
    from agentwatch.analytics.capacity import format_recommendations, render_report

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
