"""agentwatch generate / check: the monitoring tree as code, and the real tools' verdict on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from agentwatch.exit_codes import EXIT_BAD_INPUT, EXIT_RUNTIME
from agentwatch.render import write_tree
from agentwatch.stack import StackError, find_binaries

from ._app import app
from ._common import (
    ConfigOption,
    console,
    fail,
    load_config,
)


@app.command()
def generate(
    *,
    out: Annotated[Path, typer.Option("--out", help="Directory to write the monitoring tree to.")],
    config: ConfigOption = None,
) -> None:
    """Write Prometheus config, rules with their tests, and Alertmanager routing from the spec."""
    from agentwatch.generate.tree import monitoring_tree

    spec = load_config(config)
    try:
        written = write_tree(out, monitoring_tree(spec))
    except OSError as exc:
        fail(f"cannot write the monitoring tree to {out}: {exc.strerror or exc}")
    console.print(f"wrote {len(written)} files under {out}")


@app.command()
def check(
    directory: Annotated[Path, typer.Argument(help="A tree written by `agentwatch generate`.")],
    config: ConfigOption = None,
) -> None:
    """Validate a monitoring tree with promtool, amtool and docker-compose, and check that every
    rule reads only series the spec's catalog and rules produce; exit 1 on a failure."""
    from agentwatch.stack import check_tree

    if not directory.is_dir():
        fail(f"{directory} is not a directory", EXIT_BAD_INPUT)
    # The spec decides which recorded series exist (SLO periods, thresholds' rules).
    spec = load_config(config)
    try:
        binaries = find_binaries()
    except StackError as exc:
        fail(str(exc), exc.exit_code)
    results = check_tree(directory, binaries, spec)
    if not results:
        fail(
            f"{directory} holds nothing to check (expected prometheus/prometheus.yml, "
            "prometheus/rules/, alerts/alertmanager.yml): run `agentwatch generate --out DIR`",
            EXIT_BAD_INPUT,
        )
    table = Table("check", "result", "command", highlight=False)
    for result in results:
        verdict = "[green]ok[/]" if result.ok else "[bold red]failed[/]"
        table.add_row(result.what, verdict, escape(" ".join(result.command[1:])))
    console.print(table)
    failed = [r for r in results if not r.ok]
    for result in failed:
        console.print(f"[bold red]{result.what} failed[/] (in {directory}):", highlight=False)
        console.print(escape(result.output), highlight=False, soft_wrap=True)
    if failed:
        raise typer.Exit(EXIT_RUNTIME)
