"""agentwatch traces: the traces a running simulated system kept, and one trace as a tree."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from agentwatch.exit_codes import EXIT_BAD_INPUT

from ._app import app
from ._common import (
    ConfigOption,
    client_auth,
    console,
    fail,
    load_config,
)

_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")


@app.command()
def traces(
    trace_id: Annotated[
        str | None,
        typer.Argument(help="A trace id (32 hex digits, as in an exemplar): show its spans."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    config: ConfigOption = None,
) -> None:
    """Traces the running simulated system keeps in memory (the newest first)."""
    from agentwatch.simulate import ControlError, get_trace, list_traces

    spec = load_config(config)
    port = spec.simulation.control_port
    if trace_id is not None:
        trace_id = trace_id.lower()
        if not _TRACE_ID.match(trace_id):
            fail(f"trace id {trace_id!r}: expected 32 hexadecimal digits", EXIT_BAD_INPUT)
    try:
        if trace_id is not None:
            spans = get_trace(trace_id, port=port, auth=client_auth())
        else:
            found = list_traces(port=port, limit=limit, auth=client_auth())
    except ControlError as exc:
        fail(str(exc))
    if trace_id is not None:
        if as_json:
            typer.echo(json.dumps(spans, indent=2))  # plain: no wrapping, no colour
        else:
            console.print(_tree(trace_id, spans))
        return
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    table = Table(box=None, highlight=False)
    table.add_column("trace id", no_wrap=True)  # whole, to be copied
    table.add_column("started (UTC)", no_wrap=True)
    table.add_column("duration", justify="right", no_wrap=True)
    table.add_column("spans", justify="right")
    table.add_column("agents", justify="right")
    table.add_column("root")
    for item in found:
        root = escape(item["root"].removeprefix("invoke_agent "))
        if item["error"]:
            root += " [red](error)[/]"
        table.add_row(
            item["trace_id"],
            _clock(item["start_time"]),
            f"{item['duration_seconds'] * 1000:.1f} ms",
            str(item["spans"]),
            str(len(item["services"])),
            root,
        )
    console.print(table)
    if not found:
        console.print("no traces kept yet: the sampler keeps a share of requests as they come")


def _clock(unix_ns: int) -> str:
    return datetime.fromtimestamp(unix_ns / 1e9, tz=UTC).strftime("%H:%M:%S.%f")[:-3]


def _tree(trace_id: str, spans: list[dict[str, Any]]) -> Tree:
    """Spans under their parents; a span whose parent was not kept hangs from the top."""
    ids = {span["span_id"] for span in spans}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for span in spans:
        parent = span["parent_span_id"] if span["parent_span_id"] in ids else None
        children.setdefault(parent, []).append(span)
    start = min(span["start_time"] for span in spans)
    tree = Tree(f"trace [bold]{trace_id}[/]")

    def add(node: Tree, parent: str | None) -> None:
        for span in children.get(parent, []):
            took = (span["end_time"] - span["start_time"]) / 1e6
            offset = (span["start_time"] - start) / 1e6
            sender = span["service_instance"] or span["service"]
            receiver = span["attributes"].get("gen_ai.agent.id")
            where = f"{sender} → {receiver}" if span["kind"] == "CLIENT" and receiver else sender
            label = (
                f"{escape(span['name'])} [dim]{span['kind'].lower()} · {escape(str(where))} · "
                f"+{offset:.1f} ms · {took:.1f} ms[/]"
            )
            if span["error"]:
                label += f" [red]{escape(str(span['attributes'].get('error.type', 'error')))}[/]"
            add(node.add(label), span["span_id"])

    add(tree, None)
    return tree
