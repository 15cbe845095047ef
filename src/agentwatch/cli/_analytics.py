"""agentwatch analytics train / evaluate: build the failure-prediction model from simulated
fault scenarios, and grade it on held-out ones."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from agentwatch.analytics.failure import (
    DEFAULT_MINUTES,
    DEFAULT_TEST_SCENARIOS,
    DEFAULT_TRAIN_SCENARIOS,
    MODEL_DIR,
)
from agentwatch.exit_codes import EXIT_RUNTIME

from ._app import app
from ._common import (
    console,
    fail,
)

if TYPE_CHECKING:
    from agentwatch.analytics.failure import CrossValidation, EventMetrics
    from agentwatch.analytics.failure import Progress as ProgressCallback

__all__ = ["analytics_app", "meets_target", "metrics_table"]

analytics_app = typer.Typer(
    name="analytics",
    help="Analytics models: train and evaluate failure prediction.",
    no_args_is_help=True,
)
app.add_typer(analytics_app)

# The target for the failure predictor, on held-out scenarios.
TARGET_RECALL, TARGET_PRECISION, TARGET_LEAD_MINUTES = 0.9, 0.8, 5.0

TrainScenarios = Annotated[
    int, typer.Option("--train-scenarios", min=2, help="Simulated training scenarios.")
]
TestScenarios = Annotated[
    int, typer.Option("--test-scenarios", min=1, help="Simulated held-out scenarios.")
]
Minutes = Annotated[
    float,
    typer.Option(
        "--minutes",
        min=20.0,
        help="Simulated minutes per scenario (the last 15 are only for labels).",
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Processes simulating scenarios. Default: one per core.",
        show_default=False,
    ),
]


def meets_target(metrics: EventMetrics) -> bool:
    return (
        metrics.recall >= TARGET_RECALL
        and metrics.precision >= TARGET_PRECISION
        and metrics.median_lead_minutes >= TARGET_LEAD_MINUTES
    )


def _number(value: float, digits: int = 2) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def metrics_table(title: str, results: Sequence[EventMetrics]) -> Table:
    """One column per predictor, so the table stays narrow however many metrics it shows."""
    table = Table("", *(escape(m.name) for m in results), title=title, highlight=False)
    rows: list[tuple[str, Callable[[EventMetrics], str]]] = [
        ("OOM failures", lambda m: str(m.failures)),
        ("detected", lambda m: str(m.detected)),
        ("recall", lambda m: _number(m.recall)),
        ("alarms", lambda m: str(m.alarms)),
        ("true alarms", lambda m: str(m.true_alarms)),
        ("precision", lambda m: _number(m.precision)),
        ("median lead (min)", lambda m: _number(m.median_lead_minutes, 1)),
        ("crashes warned", lambda m: f"{m.crashes_warned}/{m.crashes}"),
        ("target", lambda m: "[green]met[/]" if meets_target(m) else "[red]not met[/]"),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(m) for m in results))
    return table


def _target_note() -> str:
    from agentwatch.analytics.failure import HORIZON_SECONDS, THRESHOLD

    return (
        f"score > {THRESHOLD:g} = alarm; failure = OOM kill within "
        f"{HORIZON_SECONDS / 60:g} min; target: recall >= {TARGET_RECALL:g} at precision >= "
        f"{TARGET_PRECISION:g}, median lead >= {TARGET_LEAD_MINUTES:g} min (simulated time)"
    )


@contextmanager
def _progress() -> Iterator[ProgressCallback]:
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def _cv_table(results: Sequence[CrossValidation]) -> Table:
    table = metrics_table(
        "Cross-validation on training scenarios (3 scenario folds)", [r.metrics for r in results]
    )
    return table


@analytics_app.command()
def train(
    *,
    out: Annotated[
        Path,
        typer.Option("--out", help="Directory to write model.joblib and model.json to."),
    ] = MODEL_DIR,
    train_scenarios: TrainScenarios = DEFAULT_TRAIN_SCENARIOS,
    test_scenarios: TestScenarios = DEFAULT_TEST_SCENARIOS,
    minutes: Minutes = DEFAULT_MINUTES,
    workers: Workers = None,
) -> None:
    """Simulate fault scenarios, choose and fit the failure-prediction model, grade it on
    held-out scenarios and write it (default: the model shipped with agentwatch)."""
    from agentwatch.analytics.failure import save_model, train_model
    from agentwatch.simulate import default_workers

    with _progress() as progress:
        report = train_model(
            train_scenarios=train_scenarios,
            test_scenarios=test_scenarios,
            minutes=minutes,
            workers=workers or default_workers(),
            progress=progress,
        )
    console.print(_cv_table(report.cross_validation))
    console.print(
        f"chosen: [bold]{escape(report.model.name)}[/] (best event-level F1), fitted on "
        f"{report.train_rows} rows ({report.train_positives} positive) of {train_scenarios} "
        "scenarios",
        highlight=False,
    )
    console.print(metrics_table(f"Held-out: {test_scenarios} scenarios", report.held_out))
    console.print(_target_note(), highlight=False)
    try:
        path, meta = save_model(report.model, out)
    except OSError as exc:
        fail(f"cannot write the model to {escape(str(out))}: {escape(exc.strerror or str(exc))}")
    console.print(
        f"wrote {escape(str(path))} ({path.stat().st_size / 1024:.0f} KiB) and "
        f"{escape(str(meta))} in {report.seconds:.0f} s",
        highlight=False,
    )


@analytics_app.command()
def evaluate(
    *,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="Directory holding model.joblib and model.json. Default: the shipped model.",
            show_default=False,
        ),
    ] = None,
    test_scenarios: TestScenarios = DEFAULT_TEST_SCENARIOS,
    minutes: Minutes = DEFAULT_MINUTES,
    workers: Workers = None,
) -> None:
    """Grade the failure-prediction model and the baselines on held-out simulated scenarios."""
    from agentwatch.analytics.failure import ModelError, evaluate_model, load_model
    from agentwatch.simulate import default_workers

    try:
        loaded = load_model(model)
    except ModelError as exc:
        fail(escape(str(exc)), EXIT_RUNTIME)
    with _progress() as progress:
        results = evaluate_model(
            loaded,
            test_scenarios=test_scenarios,
            minutes=minutes,
            workers=workers or default_workers(),
            progress=progress,
        )
    console.print(metrics_table(f"Held-out: {test_scenarios} scenarios", results))
    console.print(_target_note(), highlight=False)
