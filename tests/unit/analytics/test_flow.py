"""The message-flow graph from Prometheus' answer, and `agentwatch flow` on bad input."""

from __future__ import annotations

from typer.testing import CliRunner

from agentwatch.analytics.flow import FlowGraph, flow_query, read_flow
from agentwatch.cli import app
from agentwatch.clients.prometheus import Sample


class FakePrometheus:
    """Stands in for PrometheusAPI at the boundary: answers the flow query with fixed rates."""

    def __init__(self, rates: dict[tuple[str, str, str], float]) -> None:
        self.rates = rates
        self.asked: list[str] = []

    def query(self, promql: str, *, at: float | None = None) -> list[Sample]:
        self.asked.append(promql)
        return [
            Sample({"source_agent": s, "target_agent": t, "message_type": m}, rate)
            for (s, t, m), rate in self.rates.items()
        ]


def test_edges_busiest_first_and_one_way_agent_types() -> None:
    api = FakePrometheus(
        {
            ("director", "architect", "task"): 12.0,
            ("architect", "constructor", "task"): 40.0,
            ("constructor", "director", "result"): 3.5,
            ("monitor", "director", "event"): 1.0,  # monitor only sends
            ("director", "archivist", "event"): 2.0,  # archivist only receives
            ("patcher", "debugger", "task"): 0.0,  # silent in the window: not an edge
        }
    )
    graph = read_flow(api, "10m")
    assert api.asked == [flow_query("10m")]
    assert "rate(message_flow_matrix_total[10m])" in flow_query("10m")
    assert [(e.source, e.target, e.rate) for e in graph.edges] == [
        ("architect", "constructor", 40.0),
        ("director", "architect", 12.0),
        ("constructor", "director", 3.5),
        ("director", "archivist", 2.0),
        ("monitor", "director", 1.0),
    ]
    assert graph.only_send == ("monitor",)
    assert graph.only_receive == ("archivist",)


def test_no_traffic_is_an_empty_graph() -> None:
    assert read_flow(FakePrometheus({})) == FlowGraph((), (), ())


def test_cli_bad_window_is_exit_2_and_unreachable_prometheus_exit_1() -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["flow", "--window", "five minutes"])
    assert bad.exit_code == 2
    assert "--window" in bad.output
    # Port 9 (discard) on loopback: nothing answers.
    down = runner.invoke(app, ["flow", "--prometheus", "http://127.0.0.1:9"])
    assert down.exit_code == 1
    assert "127.0.0.1:9" in down.output
