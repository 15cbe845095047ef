"""agentwatch slo import / report: rules from Sloth and OpenSLO files, and each SLO's state as
Prometheus records it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from agentwatch.exit_codes import EXIT_BAD_INPUT, EXIT_RUNTIME
from agentwatch.generate.slo import SLO_FILE, slo_rule_file
from agentwatch.render import serialise, write_tree
from agentwatch.spec import Spec, SpecError, import_slo_files

from ._app import app
from ._common import (
    ConfigOption,
    PrometheusOption,
    client_auth,
    console,
    fail,
    fail_bad_file,
    load_config,
    prometheus_url,
)

if TYPE_CHECKING:
    from agentwatch.analytics.slo_status import SloStatus

__all__ = ["slo_app", "status_table"]

slo_app = typer.Typer(
    name="slo", help="Service level objectives: import rules, report budgets.", no_args_is_help=True
)
app.add_typer(slo_app)

_NO_DATA = "[dim]no data[/]"


@slo_app.command("import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(help="Sloth prometheus/v1 or OpenSLO v1 files.", show_default=False),
    ],
    *,
    out: Annotated[Path, typer.Option("--out", help=f"Directory to write {SLO_FILE} to.")],
) -> None:
    """Write recording and burn-rate alert rules (DIR/slos.yml) for the SLOs in FILE...."""
    from agentwatch.stack import rule_file_problem

    try:
        slos = import_slo_files(files)
    except SpecError as exc:
        fail_bad_file(exc)
    rules = slo_rule_file(Spec(slos=tuple(slos)))
    # A query Prometheus cannot parse (a Sloth file holds free PromQL) is bad input: name the
    # files and show the parser's own words, and write nothing.
    problem = rule_file_problem(SLO_FILE, serialise(SLO_FILE, rules))
    if problem is not None:
        fail(
            f"the SLO queries of {', '.join(map(str, files))} do not parse as PromQL:\n"
            f"{escape(problem)}",
            EXIT_BAD_INPUT,
        )
    try:
        write_tree(out, {SLO_FILE: rules})
    except OSError as exc:
        fail(f"cannot write {SLO_FILE} to {out}: {exc.strerror or exc}")
    names = ", ".join(s.name for s in slos)
    console.print(f"wrote {out / SLO_FILE} for {len(slos)} SLOs: {names}", highlight=False)


def _burn(value: float | None) -> str:
    if value is None:
        return _NO_DATA
    text = f"{value:.2f}x"
    return f"[bold red]{text}[/]" if value > 1 else text


def status_table(statuses: list[SloStatus]) -> Table:
    from agentwatch.analytics.slo_status import BURN_RATE_WINDOWS

    table = Table(
        "SLO",
        "objective",
        "SLI (period)",
        "budget remaining",
        "burn 5m",
        *(f"burn {w}" for w in BURN_RATE_WINDOWS),
        highlight=False,
    )
    for status in statuses:
        slo = status.slo
        sli = (
            _NO_DATA
            if status.error_ratio is None
            else f"{(1 - status.error_ratio) * 100:.3f}% over {slo.period}"
        )
        if status.budget_remaining is None:
            remaining = _NO_DATA
        else:
            minutes = status.budget_remaining * status.budget_minutes
            style = "bold red" if status.budget_remaining < 0 else "green"
            remaining = (
                f"[{style}]{status.budget_remaining * 100:.1f}%[/] "
                f"({minutes:.1f} of {status.budget_minutes:.1f} min)"
            )
        table.add_row(
            escape(slo.name),
            f"{slo.objective:g}%",
            sli,
            remaining,
            _burn(status.current_burn_rate),
            *(_burn(status.burn_rates[w]) for w in BURN_RATE_WINDOWS),
        )
    return table


@slo_app.command()
def report(
    *,
    prometheus: PrometheusOption = None,
    config: ConfigOption = None,
) -> None:
    """Print each SLO's SLI, error budget remaining (% and minutes) and burn rates."""
    from agentwatch.analytics.slo_status import read_status
    from agentwatch.clients.prometheus import PrometheusAPI, PrometheusError

    spec = load_config(config)
    url = prometheus_url(spec, prometheus)
    try:
        with PrometheusAPI(url, auth=client_auth()) as api:
            statuses = [read_status(api, slo) for slo in spec.slos]
    except PrometheusError as exc:
        fail(escape(str(exc)), EXIT_RUNTIME)
    console.print(status_table(statuses))
