"""agentwatch anomaly score / evaluate: score any series offline, and measure the detector."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from agentwatch.analytics.anomaly import DetectorConfig
from agentwatch.exit_codes import EXIT_BAD_INPUT

from ._app import app
from ._common import (
    console,
    err_console,
    fail,
)

__all__ = ["anomaly_app"]

anomaly_app = typer.Typer(
    name="anomaly",
    help="Anomaly detection: score series, measure the detector.",
    no_args_is_help=True,
)
app.add_typer(anomaly_app)

_DEFAULTS = DetectorConfig()


@anomaly_app.command()
def score(
    *,
    input: Annotated[
        Path,
        typer.Option(
            "--input",
            help="CSV with header timestamp,value (Unix seconds or ISO 8601; NaN/empty = no value)",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", help="CSV to write: timestamp,value,anomaly_score"),
    ],
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold", help="Score from which the summary counts a point as anomalous."
        ),
    ] = 0.5,
    window: Annotated[
        int, typer.Option("--window", help="Points in the trailing baseline.")
    ] = _DEFAULTS.window,
    min_history: Annotated[
        int, typer.Option("--min-history", help="Points before the first score (warm-up).")
    ] = _DEFAULTS.min_history,
    min_spread: Annotated[
        float,
        typer.Option("--min-spread", help="Smallest spread, in the series' unit (flat series)."),
    ] = _DEFAULTS.absolute_floor,
) -> None:
    """Score each point of a series from the points before it; 0.5 or more is anomalous."""
    from agentwatch.analytics.anomaly import (
        SeriesFileError,
        StreamingDetector,
        read_series,
        write_scores,
    )

    if not 0 < threshold <= 1:
        fail(f"--threshold {threshold:g}: expected a number in (0, 1]", EXIT_BAD_INPUT)
    try:
        config = DetectorConfig(window=window, min_history=min_history, absolute_floor=min_spread)
    except ValueError as exc:
        fail(f"--window/--min-history/--min-spread: {escape(str(exc))}", EXIT_BAD_INPUT)
    try:
        series = read_series(input)
    except SeriesFileError as exc:
        fail(escape(str(exc)), EXIT_BAD_INPUT)
    if not output.parent.is_dir():
        fail(
            f"--output {escape(str(output))}: no directory {escape(str(output.parent))}",
            EXIT_BAD_INPUT,
        )
    result = StreamingDetector(config).analyse(series.timestamps, series.values)
    try:
        write_scores(output, series, result.scores)
    except OSError as exc:
        fail(f"cannot write {escape(str(output))}: {escape(exc.strerror or str(exc))}")
    points = len(result.scores)
    anomalous = int((result.scores >= threshold).sum())
    warmup = int(result.warmup.sum())
    console.print(
        f"{points} points: {anomalous} anomalous (score >= {threshold:g}), "
        f"{warmup} warm-up (scored 0), {result.not_scored} not numbers (no score), "
        f"{result.resets} gap resets; wrote {escape(str(output))}",
        highlight=False,
    )
    if warmup == points - result.not_scored:
        err_console.print(
            f"[yellow]warning:[/] too little history: the detector needs {config.min_history} "
            "points (after any gap) before it scores, so every point scored 0",
            highlight=False,
        )


@anomaly_app.command()
def evaluate(
    seeds: Annotated[
        list[int] | None,
        typer.Option("--seed", help="Simulation seeds to evaluate (repeatable)."),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="Processes to use.")] = 2,
) -> None:
    """Inject faults into the simulated system and print the detector's precision and recall."""
    from agentwatch.analytics.anomaly import evaluate as evaluation

    arguments = ["--workers", str(workers)]
    if seeds:
        arguments += ["--seeds", *map(str, seeds)]
    raise typer.Exit(evaluation.main(arguments))
