"""The message-flow graph as Prometheus recorded it: edges between agent types with their
message rates, and the agent types that only send or only receive."""

from __future__ import annotations

from dataclasses import dataclass

from agentwatch import catalog
from agentwatch.clients.prometheus import InstantQuerier

__all__ = ["Edge", "FlowGraph", "flow_query", "read_flow"]


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    message_type: str
    rate: float  # messages/s


@dataclass(frozen=True, slots=True)
class FlowGraph:
    edges: tuple[Edge, ...]  # busiest first
    only_send: tuple[str, ...]  # agent types that send but receive nothing
    only_receive: tuple[str, ...]  # agent types that receive but send nothing


def flow_query(window: str) -> str:
    labels = ", ".join(catalog.MESSAGE_FLOW_MATRIX_TOTAL.labels)
    return f"sum by ({labels}) (rate({catalog.MESSAGE_FLOW_MATRIX_TOTAL.name}[{window}]))"


def read_flow(api: InstantQuerier, window: str = "5m") -> FlowGraph:
    """The flow over the last ``window``; edges with no messages in it are left out."""
    edges = sorted(
        (
            Edge(
                s.labels["source_agent"],
                s.labels["target_agent"],
                s.labels["message_type"],
                s.value,
            )
            for s in api.query(flow_query(window))
            if s.value > 0
        ),
        key=lambda e: (-e.rate, e.source, e.target, e.message_type),
    )
    senders = {e.source for e in edges}
    receivers = {e.target for e in edges}
    return FlowGraph(
        tuple(edges), tuple(sorted(senders - receivers)), tuple(sorted(receivers - senders))
    )
