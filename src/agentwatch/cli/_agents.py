"""agentwatch agents rank: the healthiest capable agents for a task type, from Prometheus."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ._app import app
from ._common import (
    ConfigOption,
    PrometheusOption,
    check_window,
    client_auth,
    console,
    fail,
    load_config,
    prometheus_url,
)

if TYPE_CHECKING:
    from agentwatch.analytics.ranking import RankedAgent

agents_app = typer.Typer(
    name="agents", help="The agents as Prometheus saw them.", no_args_is_help=True
)
app.add_typer(agents_app)


def _cell(value: float | None, text: str) -> str:
    return "-" if value is None else text


def _row(position: int, agent: RankedAgent) -> list[str]:
    return [
        str(position) if agent.eligible else "-",
        agent.agent_id,
        agent.agent_type,
        f"{agent.score:.3f}",
        agent.status or "-",
        _cell(agent.health, f"{agent.health or 0:.0f}"),
        _cell(agent.error_ratio, f"{100 * (agent.error_ratio or 0):.2f}%"),
        _cell(agent.p95_seconds, f"{1000 * (agent.p95_seconds or 0):.1f} ms"),
        _cell(agent.quality, f"{agent.quality or 0:.0f}"),
    ]


@agents_app.command()
def rank(
    *,
    config: ConfigOption = None,
    task_type: Annotated[
        str | None,
        typer.Option(
            "--task-type",
            help="An action agents report (agent_messages_processed_total's action label), "
            "e.g. test, lint, deploy. Default: every agent.",
            show_default=False,
        ),
    ] = None,
    prometheus: PrometheusOption = None,
    window: Annotated[
        str, typer.Option("--window", help="How far back to look, a Prometheus duration.")
    ] = "5m",
    top: Annotated[int, typer.Option("--top", min=1, help="How many agents to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the ranking as JSON.")] = False,
) -> None:
    """Rank agents by recent health, p95 latency, error ratio and the quality of their
    definition, best first. The analytics exporter serves the same ranking as JSON."""
    from agentwatch.analytics.ranking import RANK_PATH, WEIGHTS, rank_agents
    from agentwatch.clients.prometheus import PrometheusAPI, PrometheusError

    spec = load_config(config)
    check_window(window)
    url = prometheus_url(spec, prometheus)
    try:
        with PrometheusAPI(url, auth=client_auth()) as api:
            ranking = rank_agents(api, task_type=task_type, window=window)
    except PrometheusError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(ranking.as_json(), indent=2))
        return
    if not ranking.agents:
        what = f"did {task_type!r}" if task_type else "reported a health score"
        console.print(f"no agent {what} in the last {window} at {url}")
        return
    table = Table(
        "#", "agent", "type", "score", "status", "health", "errors", "p95", "quality",
        title=f"agents{f' for {task_type!r}' if task_type else ''}, last {window}",
    )  # fmt: skip
    eligible = [a for a in ranking.agents if a.eligible]
    for position, agent in enumerate(eligible[:top], start=1):
        table.add_row(*_row(position, agent))
    for agent in [a for a in ranking.agents if not a.eligible]:
        table.add_row(*_row(0, agent), style="red")
    console.print(table)
    weights = ", ".join(f"{part} {weight:g}" for part, weight in WEIGHTS.items())
    console.print(
        f"score = weighted mean of the parts with data ({weights}); failed agents are not "
        f"eligible. JSON: the analytics exporter's {RANK_PATH}"
    )
