"""agentwatch query: one PromQL instant query against the stack's Prometheus, with the home's
credentials, as a table or as JSON."""

from __future__ import annotations

import json
import math
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from agentwatch.exit_codes import EXIT_BAD_INPUT

from ._app import app
from ._common import (
    ConfigOption,
    HomeOption,
    PrometheusOption,
    client_auth,
    console,
    fail,
    load_config,
    prometheus_url,
)

__all__ = ["query"]


@app.command()
def query(
    promql: Annotated[
        str, typer.Argument(help="A PromQL expression, e.g. 'up'.", show_default=False)
    ],
    *,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the samples as JSON lines for scripts.")
    ] = False,
    prometheus: PrometheusOption = None,
    config: ConfigOption = None,
    home: HomeOption = None,
) -> None:
    """Evaluate PROMQL now and print each series' labels and value.

    Credentials come from the home's secrets ($AGENTWATCH_SECRETS, else HOME/secrets), never
    from the command line. Exit codes: 0 answered (even with no series), 1 Prometheus could not
    answer, 2 the query is not valid PromQL or not an instant query.
    """
    from agentwatch.clients.prometheus import BadQueryError, PrometheusAPI, PrometheusError

    spec = load_config(config)
    url = prometheus_url(spec, prometheus)
    with PrometheusAPI(url, timeout=10.0, auth=client_auth(home)) as api:
        try:
            samples = api.query(promql)
        except BadQueryError as exc:
            fail(str(exc), EXIT_BAD_INPUT)
        except PrometheusError as exc:
            fail(str(exc))
        warnings = api.last_warnings
    if json_output:
        for sample in samples:
            value = sample.value if math.isfinite(sample.value) else str(sample.value)
            print(json.dumps({"labels": sample.labels, "value": value}, sort_keys=True))
        return
    if not samples:
        console.print(f"no series match {escape(promql)}", highlight=False, soft_wrap=True)
        return
    table = Table("series", "value", highlight=False)
    for sample in sorted(samples, key=lambda s: sorted(s.labels.items())):
        labels = ", ".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
        table.add_row(escape(labels or "{}"), f"{sample.value:g}")
    console.print(table)
    for warning in warnings:
        console.print(f"[yellow]warning[/]: {escape(warning)}", highlight=False)
