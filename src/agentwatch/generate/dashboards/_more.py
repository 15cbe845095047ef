"""Seed 000's stakeholder dashboards and seed 004's capacity dashboard.

Many of their metrics are planned: framework and business gauges for issue 6. Their panels
query the catalog's names now (so the dashboards need no change when the metrics arrive) and
are listed in ``agentwatch.generate.dashboards.WAITING``.
"""

from __future__ import annotations

from typing import Final

from agentwatch import catalog
from agentwatch.generate.rules import _recording as rec
from agentwatch.spec import Spec

from ._boards import AGENT_PERFORMANCE, INDIVIDUAL_AGENTS, SLO, SYSTEM_OVERVIEW, TRANSPORT
from ._common import (
    RATE,
    STATUS,
    Board,
    Query,
    agent_type_variable,
    at_least,
    at_most,
    panel_link,
    sel,
)

__all__ = [
    "CAPACITY",
    "DEVELOPMENT",
    "EXECUTIVE",
    "OPERATIONAL",
    "QUALITY",
    "capacity_planning",
    "development_metrics",
    "executive",
    "operational_analytics",
    "quality_metrics",
]

EXECUTIVE: Final = "agentwatch-executive"
QUALITY: Final = "agentwatch-quality-metrics"
OPERATIONAL: Final = "agentwatch-operational-analytics"
DEVELOPMENT: Final = "agentwatch-development-metrics"
CAPACITY: Final = "agentwatch-capacity-planning"


def _fw(name: str) -> str:
    """A seed-000 framework family; by_name fails loudly if the catalog renames it."""
    return catalog.by_name(name).name


def executive(spec: Spec) -> Board:
    t = spec.thresholds
    workflows = catalog.AGENT_WORKFLOWS_TOTAL.name
    board = Board(
        EXECUTIVE,
        "agentwatch / Executive",
        "Strategic view: availability, throughput of finished work, quality and ROI.",
        [],
    )
    board.row("Service")
    board.stat(
        "Availability (5m)",
        Query(rec.AVAILABILITY),
        unit="percentunit",
        thresholds=at_least(t.availability_min),
        links=[panel_link("SLI / SLO", SLO)],
    )
    board.stat(
        "Workflows finished",
        Query(f"sum(rate({workflows}[{RATE}]))"),
        unit="reqps",
        links=[panel_link("System overview", SYSTEM_OVERVIEW)],
    )
    board.stat(
        "Workflow success share",
        Query(
            f'sum(rate({workflows}{{outcome="success"}}[{RATE}])) / sum(rate({workflows}[{RATE}]))'
        ),
        unit="percentunit",
    )
    board.stat(
        "Agent utilisation (mean)",
        Query(f"avg({rec.UTILIZATION})"),
        unit="percentunit",
        links=[panel_link("Agent performance", AGENT_PERFORMANCE)],
    )
    board.row("Quality and return (issue 6)")
    board.stat(
        "Framework quality score",
        Query(_fw("claude_framework_quality_score")),
        thresholds=at_least(t.framework_quality_score_min),
        links=[panel_link("Quality metrics", QUALITY)],
    )
    board.stat("Cost reduction", Query(_fw("claude_cost_reduction")))
    board.stat("Efficiency gains", Query(_fw("claude_efficiency_gains")))
    board.stat("Development velocity", Query(_fw("claude_development_velocity")))
    board.series(
        "Workflow time p95",
        [Query(rec.WORKFLOW_TIME, "{{workflow}}")],
        unit="s",
    )
    board.series(
        "Framework quality score trend",
        [Query(_fw("claude_framework_quality_score"), "quality")],
        thresholds=at_least(t.framework_quality_score_min),
    )
    return board


def quality_metrics(spec: Spec) -> Board:
    t = spec.thresholds
    board = Board(
        QUALITY,
        "agentwatch / Quality Metrics",
        "Framework health and quality trends, with the error rates that measure them today.",
        [agent_type_variable(STATUS)],
    )
    board.row("Framework (issue 6)")
    board.stat(
        "Framework quality score",
        Query(_fw("claude_framework_quality_score")),
        thresholds=at_least(t.framework_quality_score_min),
    )
    board.stat(
        "Agent standardization",
        Query(_fw("claude_agent_standardization_rate")),
        unit="percentunit",
    )
    board.stat(
        "Template compliance", Query(_fw("claude_template_compliance_rate")), unit="percentunit"
    )
    board.stat("Documentation consistency", Query(_fw("claude_documentation_consistency_score")))
    board.row("Errors")
    board.series(
        "Error rate by agent type",
        [Query(sel(rec.ERROR_RATE, agent_type=True), "{{agent_type}}")],
        unit="percentunit",
        links=[panel_link("Individual agents", INDIVIDUAL_AGENTS)],
    )
    board.series(
        "Transport error ratio",
        [Query(rec.TRANSPORT_ERROR_RATIO, "transport")],
        unit="percentunit",
        links=[panel_link("Transport layer", TRANSPORT)],
    )
    return board


def operational_analytics(spec: Spec) -> Board:
    t = spec.thresholds
    board = Board(
        OPERATIONAL,
        "agentwatch / Operational Analytics",
        "Resource utilisation and performance insights.",
        [agent_type_variable(STATUS)],
    )
    board.row("Resources")
    board.stat(
        "Memory used by all agents",
        Query(rec.MEMORY_USAGE),
        unit="bytes",
    )
    board.stat(
        "Healthy agents share",
        Query(rec.HEALTHY_RATIO),
        unit="percentunit",
    )
    board.series(
        "Utilisation by agent type",
        [Query(sel(rec.UTILIZATION, agent_type=True), "{{agent_type}}")],
        unit="percentunit",
    )
    board.series(
        "CPU seconds per second by agent type",
        [
            Query(
                f"sum by (agent_type) "
                f"(rate({sel(catalog.AGENT_CPU_SECONDS_TOTAL.name, agent_type=True)}[{RATE}]))",
                "{{agent_type}}",
            )
        ],
    )
    board.series(
        "Highest resource usage",
        [Query(sel(rec.RESOURCE_USAGE_MAX, agent_type=True), "{{agent_type}} {{resource}}")],
        unit="percentunit",
        thresholds=at_most(t.memory_usage_max_ratio),
    )
    board.series(
        "Queued messages by agent type",
        [Query(sel(rec.QUEUE_DEPTH_SUM, agent_type=True), "{{agent_type}}")],
    )
    board.row("Performance")
    board.series(
        "Response time p95 (ms)",
        [Query(sel(rec.RESPONSE_TIME, agent_type=True), "{{agent_type}}")],
        unit="ms",
        thresholds=at_most(t.agent_response_time_max_ms),
        links=[panel_link("Agent performance", AGENT_PERFORMANCE)],
    )
    board.series(
        "Bottleneck severity by component",
        [Query(catalog.PERFORMANCE_BOTTLENECKS.name, "{{component}}")],
    )
    return board


def development_metrics(spec: Spec) -> Board:
    board = Board(
        DEVELOPMENT,
        "agentwatch / Development Metrics",
        "Development velocity and efficiency (seed 000); the gauges arrive with issue 6.",
        [],
    )
    board.row("Velocity (issue 6)")
    board.series("Development velocity", [Query(_fw("claude_development_velocity"), "velocity")])
    board.series(
        "Time to deployment",
        [Query(_fw("claude_time_to_deployment"), "time to deployment")],
        unit="s",
    )
    board.series(
        "Session success rate",
        [Query(_fw("claude_session_success_rate"), "sessions")],
        unit="percentunit",
    )
    board.series(
        "Context loading time",
        [Query(_fw("claude_context_loading_time"), "context")],
        unit="s",
    )
    board.row("Efficiency (issue 6)")
    board.stat("Prompt executions", Query(_fw("claude_prompt_execution_count")))
    board.stat("Code quality improvement", Query(_fw("claude_code_quality_improvement")))
    board.stat("Knowledge reuse", Query(_fw("claude_knowledge_reuse")))
    board.stat("Error prevention", Query(_fw("claude_error_prevention")))
    board.stat("Developer satisfaction", Query(_fw("claude_developer_satisfaction")), span=24)
    return board


def capacity_planning(spec: Spec) -> Board:
    t = spec.thresholds
    board = Board(
        CAPACITY,
        "agentwatch / Capacity Planning & Scaling",
        "Utilisation, forecasts, bottlenecks and scaling recommendations from analytics.",
        [agent_type_variable(STATUS)],
    )
    board.row("Now")
    board.series(
        "Transport throughput",
        [Query(catalog.AGENT_TRANSPORT_THROUGHPUT_MPS.name, "sent")],
        unit="msg/s",
        thresholds=at_least(t.transport_throughput_min_mps),
    )
    board.series(
        "Utilisation by agent type",
        [Query(sel(rec.UTILIZATION, agent_type=True), "{{agent_type}}")],
        unit="percentunit",
    )
    board.row("Analytics")
    board.series(
        "Capacity utilisation by resource",
        [Query(catalog.CAPACITY_UTILIZATION_RATIO.name, "{{resource_type}}")],
        unit="percentunit",
    )
    board.series(
        "Capacity forecast",
        [Query(catalog.CAPACITY_FORECAST.name, "{{resource_type}} {{horizon}} {{bound}}")],
    )
    board.series(
        "Bottleneck severity by component",
        [Query(catalog.PERFORMANCE_BOTTLENECKS.name, "{{component}}")],
    )
    board.table(
        "Scaling recommendations",
        Query(catalog.SCALING_RECOMMENDATION.name),
    )
    board.series(
        "Failure risk by agent",
        [
            Query(
                sel(catalog.FAILURE_PREDICTION_SCORE.name, agent_type=True),
                "{{agent_id}}",
            )
        ],
        thresholds=at_most(t.failure_prediction_max),
        links=[panel_link("Individual agents", INDIVIDUAL_AGENTS)],
    )
    board.series(
        "Anomaly score by series",
        [Query(catalog.ANOMALY_SCORE.name, "{{series}}")],
    )
    return board
