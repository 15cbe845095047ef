"""The agentwatch dashboards, one pure function each: the spec in, a built ``Board`` out.

Metric names come from the catalog and recorded-series names from the rule generators; the
thresholds drawn on panels are the spec's, the same numbers the alerts compare with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import nodegraph
from grafana_foundation_sdk.models import dashboard as model

from agentwatch import catalog
from agentwatch.catalog import recorded as rec
from agentwatch.generate import slo as slo_rules
from agentwatch.spec import Spec, Thresholds

from ._common import (
    AGENT_ID,
    AGENT_TYPE,
    RATE,
    STATUS,
    Board,
    Query,
    agent_id_variable,
    agent_type_variable,
    at_least,
    at_most,
    label_variable,
    panel_link,
    sel,
)

__all__ = [
    "AGENT_PERFORMANCE",
    "INDIVIDUAL_AGENTS",
    "MESSAGE_FLOW",
    "SLO",
    "SYSTEM_OVERVIEW",
    "TRANSPORT",
    "agent_performance",
    "individual_agents",
    "message_flow",
    "sli_slo",
    "system_overview",
    "transport_layer",
]

SYSTEM_OVERVIEW: Final = "agentwatch-system-overview"
TRANSPORT: Final = "agentwatch-transport-layer"
AGENT_PERFORMANCE: Final = "agentwatch-agent-performance"
INDIVIDUAL_AGENTS: Final = "agentwatch-individual-agents"
SLO: Final = "agentwatch-sli-slo"
MESSAGE_FLOW: Final = "agentwatch-message-flow"


_MSG = catalog.AGENT_TRANSPORT_MESSAGES_TOTAL.name
_SENT = f"{_MSG}{{{rec.SENT}}}"


def _rate(selector: str) -> str:
    return f"rate({selector}[{RATE}])"


def _quantile(q: float, histogram: catalog.MetricFamily, by: str, selector: str = "") -> str:
    bucket = rec.bucket(histogram)
    inner = f"{bucket}{{{selector}}}" if selector else bucket
    return f"histogram_quantile({q:g}, sum by ({by}, le) ({_rate(inner)}))"


def system_overview(spec: Spec) -> Board:
    t = spec.thresholds
    p99 = rec.TRANSPORT_LATENCY["p99"][1]
    board = Board(
        SYSTEM_OVERVIEW,
        "agentwatch / System Overview",
        "The multi-agent system at a glance: availability, agents, transport and errors.",
        [agent_type_variable(STATUS)],
    )
    board.row("Health")
    board.stat(
        "Availability (5m)",
        Query(rec.AVAILABILITY),
        unit="percentunit",
        thresholds=at_least(t.availability_min),
        description="1 - failed / sent messages; the alert compares it with availability_min.",
        links=[panel_link("SLI / SLO", SLO)],
    )
    board.stat(
        "Active agents",
        Query(f"sum({sel(catalog.SYSTEM_ACTIVE_AGENTS.name, agent_type=True)})"),
        links=[panel_link("Agent performance", AGENT_PERFORMANCE)],
    )
    board.stat(
        "Transport throughput",
        Query(catalog.AGENT_TRANSPORT_THROUGHPUT_MPS.name),
        unit="msg/s",
        thresholds=at_least(t.transport_throughput_min_mps),
        links=[panel_link("Transport layer", TRANSPORT)],
    )
    board.stat(
        "Transport latency p99",
        Query(p99),
        unit="s",
        thresholds=at_most(t.latency_p99_max_seconds),
        links=[panel_link("Transport layer", TRANSPORT)],
    )
    board.row("Agents")
    board.series(
        "Agents by status",
        [Query(f"sum by (status) ({sel(STATUS, agent_type=True)})", "{{status}}")],
        links=[panel_link("Individual agents", INDIVIDUAL_AGENTS)],
    )
    board.series(
        "Healthy agents share",
        [Query(rec.HEALTHY_RATIO, "healthy")],
        unit="percentunit",
        description=f"Share of agents with a health score of at least {t.agent_health_min:g}.",
    )
    board.series(
        "Processing time p95 by agent type",
        [Query(sel(rec.AGENT_P95, agent_type=True), "{{agent_type}}")],
        unit="s",
        links=[panel_link("Agent performance", AGENT_PERFORMANCE)],
    )
    board.series(
        "Error ratio by agent type",
        [Query(sel(rec.AGENT_ERROR_RATIO, agent_type=True), "{{agent_type}}")],
        unit="percentunit",
        links=[panel_link("Agent performance", AGENT_PERFORMANCE)],
    )
    board.series(
        "Deepest queue by agent type",
        [Query(sel(rec.QUEUE_DEPTH_MAX, agent_type=True), "{{agent_type}}")],
        thresholds=at_most(t.queue_depth_max),
    )
    board.series(
        "Transport messages",
        [Query(rec.TRANSPORT_MESSAGES_RATE, "{{direction}}")],
        unit="msg/s",
        links=[panel_link("Message flow", MESSAGE_FLOW)],
    )
    return board


def transport_layer(spec: Spec) -> Board:
    """The message transport by the RED method: rate, errors and duration, a row each."""
    t = spec.thresholds
    board = Board(
        TRANSPORT,
        "agentwatch / Transport Layer",
        "The message transport, by the RED method: rate, errors, duration.",
        [],
    )
    _transport_rate(board, t)
    _transport_errors(board)
    _transport_duration(board, t)
    return board


def _transport_rate(board: Board, t: Thresholds) -> None:
    """Throughput, error ratio and latency at a glance; then messages and bytes by kind."""
    board.row("Rate")
    board.stat(
        "Throughput (sent, last 10s)",
        Query(catalog.AGENT_TRANSPORT_THROUGHPUT_MPS.name),
        unit="msg/s",
        thresholds=at_least(t.transport_throughput_min_mps),
    )
    board.stat(
        "Latency sample share",
        Query(catalog.AGENT_TRANSPORT_LATENCY_SAMPLE_RATIO.name),
        unit="percentunit",
        description="Share of messages whose latency is observed; adapts with load.",
    )
    board.stat("Error ratio (5m)", Query(rec.TRANSPORT_ERROR_RATIO), unit="percentunit")
    board.stat(
        "Latency p99",
        Query(rec.TRANSPORT_LATENCY["p99"][1]),
        unit="s",
        thresholds=at_most(t.latency_p99_max_seconds),
    )
    board.series(
        "Messages by direction",
        [Query(rec.TRANSPORT_MESSAGES_RATE, "{{direction}}")],
        unit="msg/s",
    )
    board.series(
        "Sent messages by type and priority",
        [Query(f"sum by (msg_type, priority) ({_rate(_SENT)})", "{{msg_type}} {{priority}}")],
        unit="msg/s",
    )
    board.series(
        "Bytes by direction",
        [Query(rec.TRANSPORT_BYTES_RATE, "{{direction}}")],
        unit="Bps",
    )


def _transport_errors(board: Board) -> None:
    """Transport errors by type and severity, and as a share of what was sent."""
    board.row("Errors")
    board.series(
        "Errors by type and severity",
        [
            Query(
                f"sum by (error_type, severity) "
                f"({_rate(catalog.AGENT_TRANSPORT_ERRORS_TOTAL.name)})",
                "{{error_type}} ({{severity}})",
            )
        ],
        unit="err/s",
    )
    board.series(
        "Error ratio",
        [Query(rec.TRANSPORT_ERROR_RATIO, "errors / sent")],
        unit="percentunit",
    )


def _transport_duration(board: Board, t: Thresholds) -> None:
    """Delivery latency quantiles, and p99 by message type with its exemplars."""
    board.row("Duration")
    board.series(
        "Delivery latency quantiles",
        [Query(name, label) for label, (_, name) in rec.TRANSPORT_LATENCY.items()],
        unit="s",
        thresholds=at_most(t.latency_p99_max_seconds),
    )
    board.series(
        "Delivery latency p99 by message type",
        [
            Query(
                _quantile(0.99, catalog.AGENT_TRANSPORT_LATENCY_SECONDS, "msg_type"),
                "{{msg_type}}",
                exemplar=True,
            )
        ],
        unit="s",
        thresholds=at_most(t.latency_p99_max_seconds),
        description="Dots are traced messages (exemplars): click one to open its trace.",
    )


def agent_performance(spec: Spec) -> Board:
    """Agents by type, by the RED method, then their resources: a row each."""
    t = spec.thresholds
    drill = [panel_link("Individual agents of this type", INDIVIDUAL_AGENTS)]
    board = Board(
        AGENT_PERFORMANCE,
        "agentwatch / Agent Performance",
        "Agents by type, by the RED method, with utilisation and resources.",
        [agent_type_variable(STATUS)],
    )
    _performance_rate(board, drill)
    _performance_errors(board, drill)
    _performance_duration(board, t, drill)
    _performance_resources(board, t)
    return board


def _performance_rate(board: Board, drill: Sequence[db.DashboardLink]) -> None:
    """Messages processed and worker utilisation, by agent type."""
    board.row("Rate")
    board.series(
        "Messages processed by agent type",
        [
            Query(
                f"sum by (agent_type) "
                f"({_rate(sel(catalog.AGENT_MESSAGES_PROCESSED_TOTAL.name, agent_type=True))})",
                "{{agent_type}}",
            )
        ],
        unit="msg/s",
        links=drill,
    )
    board.series(
        "Utilisation of workers",
        [Query(sel(rec.UTILIZATION, agent_type=True), "{{agent_type}}")],
        unit="percentunit",
        links=drill,
    )


def _performance_errors(board: Board, drill: Sequence[db.DashboardLink]) -> None:
    """The error ratio, and errors by type, by agent type."""
    board.row("Errors")
    board.series(
        "Error ratio",
        [Query(sel(rec.AGENT_ERROR_RATIO, agent_type=True), "{{agent_type}}")],
        unit="percentunit",
        links=drill,
    )
    board.series(
        "Errors by type",
        [
            Query(
                f"sum by (agent_type, error_type) "
                f"({_rate(sel(catalog.AGENT_ERRORS_TOTAL.name, agent_type=True))})",
                "{{agent_type}} {{error_type}}",
            )
        ],
        unit="err/s",
        links=drill,
    )


def _performance_duration(board: Board, t: Thresholds, drill: Sequence[db.DashboardLink]) -> None:
    """Response and processing times by agent type, the raw p99 with its traces."""
    board.row("Duration")
    board.series(
        "Response time p95 (ms)",
        [Query(sel(rec.RESPONSE_TIME, agent_type=True), "{{agent_type}}")],
        unit="ms",
        thresholds=at_most(t.agent_response_time_max_ms),
        links=drill,
    )
    board.series(
        "Processing time p99",
        [Query(sel(rec.AGENT_P99, agent_type=True), "{{agent_type}}")],
        unit="s",
        links=drill,
    )
    board.series(
        "Processing time p99, with traces",
        [
            Query(
                _quantile(
                    0.99,
                    catalog.AGENT_PROCESSING_TIME_SECONDS,
                    AGENT_TYPE,
                    f'{AGENT_TYPE}=~"${AGENT_TYPE}"',
                ),
                "{{agent_type}}",
                exemplar=True,
            )
        ],
        unit="s",
        description="From the raw histogram, so each dot is a traced message (an exemplar) "
        "that links to its trace.",
        links=drill,
    )


def _performance_resources(board: Board, t: Thresholds) -> None:
    """The highest resource usage and the deepest queue, by agent type."""
    board.row("Resources")
    board.series(
        "Highest resource usage",
        [Query(sel(rec.RESOURCE_USAGE_MAX, agent_type=True), "{{agent_type}} {{resource}}")],
        unit="percentunit",
        thresholds=at_most(t.memory_usage_max_ratio),
    )
    board.series(
        "Deepest queue",
        [Query(sel(rec.QUEUE_DEPTH_MAX, agent_type=True), "{{agent_type}}")],
        thresholds=at_most(t.queue_depth_max),
    )


def individual_agents(spec: Spec) -> Board:
    """One agent (or a few) in detail: state, RED and resources, a row each."""
    t = spec.thresholds
    board = Board(
        INDIVIDUAL_AGENTS,
        "agentwatch / Individual Agents",
        "One agent (or a few) in detail: state, RED, resources, heartbeat.",
        [agent_type_variable(STATUS), agent_id_variable(STATUS)],
    )
    _agent_state(board, t)
    _agent_red(board, t)
    _agent_resources(board, t)
    return board


def _one_agent(metric: str, *matchers: str) -> str:
    """``metric`` of the agents the board's agent type and agent id variables select."""
    return sel(metric, *matchers, agent_type=True, agent_id=True)


def _agent_state(board: Board, t: Thresholds) -> None:
    """Health score, status, heartbeat age and failure risk."""
    board.row("State")
    board.stat(
        "Health score",
        Query(_one_agent(catalog.AGENT_HEALTH_SCORE.name), "{{agent_id}}"),
        thresholds=at_least(t.agent_health_min),
    )
    board.stat(
        "Current status",
        Query(f"{_one_agent(STATUS)} == 1", "{{agent_id}}: {{status}}"),
        description="The status series whose value is 1 (docs/metrics.md, encodings).",
    )
    board.stat(
        "Seconds since last heartbeat",
        Query(f"time() - {_one_agent(catalog.AGENT_LAST_HEARTBEAT_TIMESTAMP_SECONDS.name)}"),
        unit="s",
        # The health score deducts for a heartbeat older than 30 s.
        thresholds=at_most(30),
    )
    board.stat(
        "Failure risk",
        Query(_one_agent(catalog.FAILURE_PREDICTION_SCORE.name), "{{agent_id}}"),
        thresholds=at_most(t.failure_prediction_max),
        description="Predicted risk 0-100 that the agent fails soon.",
    )


def _agent_red(board: Board, t: Thresholds) -> None:
    """Messages by sender, errors by type, processing time and queue depth."""
    board.row("RED")
    board.series(
        "Messages processed by sender type",
        [
            Query(
                f"sum by (agent_id, source_agent) "
                f"({_rate(_one_agent(catalog.AGENT_MESSAGES_PROCESSED_TOTAL.name))})",
                "{{agent_id}} from {{source_agent}}",
            )
        ],
        unit="msg/s",
    )
    board.series(
        "Errors by type",
        [
            Query(
                f"sum by (agent_id, error_type) "
                f"({_rate(_one_agent(catalog.AGENT_ERRORS_TOTAL.name))})",
                "{{agent_id}} {{error_type}}",
            )
        ],
        unit="err/s",
    )
    selector = f'{AGENT_TYPE}=~"${AGENT_TYPE}", {AGENT_ID}=~"${AGENT_ID}"'
    board.series(
        "Processing time p95 / p99",
        [
            Query(
                _quantile(q, catalog.AGENT_PROCESSING_TIME_SECONDS, AGENT_ID, selector),
                f"{{{{agent_id}}}} p{q * 100:g}",
            )
            for q in (0.95, 0.99)
        ],
        unit="s",
        thresholds=at_most(t.agent_response_time_max_ms / 1000),
    )
    board.series(
        "Queue depth",
        [Query(_one_agent(catalog.AGENT_QUEUE_DEPTH.name), "{{agent_id}}")],
        thresholds=at_most(t.queue_depth_max),
    )


def _agent_resources(board: Board, t: Thresholds) -> None:
    """CPU and memory as a share of the limit, and memory against its limit."""
    board.row("Resources")
    board.series(
        "CPU and memory, share of limit",
        [Query(_one_agent(catalog.AGENT_RESOURCE_USAGE.name), "{{agent_id}} {{resource}}")],
        unit="percentunit",
        thresholds=at_most(t.memory_usage_max_ratio),
    )
    board.series(
        "Memory and limit",
        [
            Query(_one_agent(catalog.AGENT_MEMORY_BYTES.name), "{{agent_id}}"),
            Query(_one_agent(catalog.AGENT_MEMORY_LIMIT_BYTES.name), "{{agent_id}} limit"),
        ],
        unit="bytes",
    )


def _slo_series(spec: Spec, name: str) -> str:
    """A Sloth series name, checked against what generate/slo records, so a rename there fails
    here instead of leaving an empty panel."""
    if name not in slo_rules.slo_recording_names(spec):
        raise KeyError(f"{name!r} is not recorded by agentwatch.generate.slo")
    return name


def sli_slo(spec: Spec) -> Board:
    services = sorted({slo_rules.sloth_labels(s)["sloth_service"] for s in spec.slos}) or [
        slo_rules.SERVICE
    ]
    service = (
        f'sloth_service="{services[0]}"'
        if len(services) == 1
        else f'sloth_service=~"{"|".join(services)}"'
    )
    chosen = 'sloth_slo=~"$slo"'

    def s(name: str) -> str:
        return sel(_slo_series(spec, name), service, chosen)

    info = _slo_series(spec, "sloth_slo_info")
    slo_var = label_variable("slo", "SLO", f"label_values({info}{{{service}}}, sloth_slo)")
    page_fast, page_slow = slo_rules.BURN_WINDOWS["page"]
    board = Board(
        SLO,
        "agentwatch / SLI & SLO",
        "Sloth-compatible SLOs: SLIs, error budget remaining and burn rates.",
        [slo_var],
    )
    board.row("Budget")
    board.stat(
        "Error budget remaining (period)",
        Query(s(rec.SLO_BUDGET_REMAINING), "{{sloth_slo}}"),
        unit="percentunit",
        thresholds=at_least(0),
        span=12,
    )
    board.stat(
        "Objective",
        Query(s(rec.SLO_OBJECTIVE), "{{sloth_slo}}"),
        unit="percentunit",
        span=12,
    )
    board.row("SLI")
    board.series(
        "SLI error ratio (5m)",
        [Query(s(rec.slo_error_ratio("5m")), "{{sloth_slo}}")],
        unit="percentunit",
    )
    board.series(
        "Error budget remaining",
        [Query(s(rec.SLO_BUDGET_REMAINING), "{{sloth_slo}}")],
        unit="percentunit",
        thresholds=at_least(0),
    )
    board.row("Burn rate")
    board.series(
        "Current burn rate (5m)",
        [Query(s(rec.SLO_CURRENT_BURN_RATE), "{{sloth_slo}}")],
        # The page alert's fast window fires at this factor of the budget.
        thresholds=at_most(page_fast.factor),
        description=f"Pages at {page_fast.factor:g}x ({page_fast.long}/{page_fast.short}) "
        f"or {page_slow.factor:g}x ({page_slow.long}/{page_slow.short}).",
    )
    board.series(
        "Burn rate over the period",
        [Query(s(rec.SLO_PERIOD_BURN_RATE), "{{sloth_slo}}")],
        thresholds=at_most(1),
        description="Above 1 the budget runs out before the period ends.",
    )
    return board


def message_flow(spec: Spec) -> Board:
    flow = catalog.MESSAGE_FLOW_MATRIX_TOTAL.name
    edges_by = "source_agent, target_agent"
    # Grafana's node graph reads edges from fields id, source, target (nodes are made from the
    # edges when no nodes frame is given); label_join builds an edge id, and the organize
    # transformation renames the labels to the fields the panel expects.
    edges = (
        f'label_join(sum by ({edges_by}) ({_rate(flow)}), "id", "->", "source_agent", '
        f'"target_agent")'
    )
    rename = model.DataTransformerConfig(
        id_val="organize",
        options={
            "excludeByName": {"Time": True},
            "renameByName": {
                "source_agent": "source",
                "target_agent": "target",
                "Value": "mainstat",
            },
        },
    )
    graph = (
        nodegraph.Panel()
        .title("Message flow between agent types")
        .description("Nodes are agent types; edges are messages per second between them.")
        .span(24)
        .height(14)
        .with_transformation(rename)
    )
    board = Board(
        MESSAGE_FLOW,
        "agentwatch / Message Flow",
        "Who talks to whom: message rates between agent types.",
        [],
    )
    board.custom(graph, [Query(edges, instant=True)])
    board.table(
        "Edges (messages per second)",
        Query(f"sort_desc(sum by ({edges_by}, message_type) ({_rate(flow)}))"),
        unit="msg/s",
    )
    board.series(
        "Messages by type",
        [Query(f"sum by (message_type) ({_rate(flow)})", "{{message_type}}")],
        unit="msg/s",
    )
    board.series(
        "Emergency messages sent",
        [Query(f"sum({_rate(f'{_MSG}{{{rec.SENT}, {rec.EMERGENCY}}}')})", "emergency")],
        unit="msg/s",
    )
    return board
