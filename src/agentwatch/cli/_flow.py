"""agentwatch flow: the busiest message routes between agent types, and the one-way types."""

from __future__ import annotations

from typing import Annotated

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


@app.command()
def flow(
    config: ConfigOption = None,
    prometheus: PrometheusOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many edges to show.")] = 15,
    window: Annotated[
        str, typer.Option("--window", help="Rate window, a Prometheus duration.")
    ] = "5m",
) -> None:
    """Print the busiest edges of the message-flow graph and any agent type that sends but
    never receives, or receives but never sends."""
    from agentwatch.analytics.flow import read_flow
    from agentwatch.clients.prometheus import PrometheusAPI, PrometheusError

    spec = load_config(config)
    check_window(window)
    url = prometheus_url(spec, prometheus)
    try:
        with PrometheusAPI(url, auth=client_auth()) as api:
            graph = read_flow(api, window)
    except PrometheusError as exc:
        fail(str(exc))
    if not graph.edges:
        console.print(f"no messages between agent types in the last {window} at {url}")
        return
    table = Table("source", "target", "message type", "messages/s", title=f"top edges, {window}")
    for edge in graph.edges[:top]:
        table.add_row(edge.source, edge.target, edge.message_type, f"{edge.rate:,.2f}")
    console.print(table)
    console.print(f"{len(graph.edges)} edges in all")
    for label, types in (
        ("send but never receive", graph.only_send),
        ("receive but never send", graph.only_receive),
    ):
        console.print(f"agent types that {label}: {', '.join(types) if types else 'none'}")
