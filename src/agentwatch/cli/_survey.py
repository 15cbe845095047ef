"""agentwatch survey: developer survey scores, averaged into claude_developer_satisfaction."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from agentwatch.exit_codes import EXIT_BAD_INPUT
from agentwatch.exporters import MAX_SCORE, MIN_SCORE, SurveyLog

from ._app import app
from ._common import (
    HomeOption,
    console,
    fail,
    resolve_home,
)

survey_app = typer.Typer(
    name="survey",
    help="Developer survey scores (1-5), half of claude_developer_satisfaction.",
    no_args_is_help=True,
)
app.add_typer(survey_app)


@survey_app.command()
def record(
    score: Annotated[int, typer.Argument(help=f"{MIN_SCORE} (poor) to {MAX_SCORE} (excellent)")],
    comment: Annotated[str, typer.Option("--comment", help="Free text, kept with it.")] = "",
    home: HomeOption = None,
) -> None:
    """Record one developer's answer; the framework exporter serves the 30-day mean."""
    log = SurveyLog(resolve_home(home))
    try:
        log.record(score, comment)
    except ValueError as exc:
        fail(f"SCORE: {exc}", EXIT_BAD_INPUT)
    except OSError as exc:
        fail(f"cannot record the answer in {escape(str(log.path))}: {exc.strerror or exc}")
    recent = log.recent()
    mean = sum(r.score for r in recent) / len(recent)
    console.print(
        f"recorded {score} in {log.path}; last 30 days: {len(recent)} answers, mean {mean:.2f}"
    )


@survey_app.command()
def show(home: HomeOption = None) -> None:
    """The answers of the last 30 days."""
    log = SurveyLog(resolve_home(home))
    recent = log.recent()
    if not recent:
        console.print(f"no survey answers in the last 30 days in {log.path}")
        return
    mean = sum(r.score for r in recent) / len(recent)
    pct = sum(r.percent for r in recent) / len(recent)
    console.print(f"{len(recent)} answers, mean {mean:.2f} of {MAX_SCORE} ({pct:.0f}/100)")
    if log.unreadable_lines:
        console.print(f"{log.unreadable_lines} unreadable lines in {log.path} were skipped")
