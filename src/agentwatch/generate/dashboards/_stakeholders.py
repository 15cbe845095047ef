"""Seed 000's stakeholder dashboards and seed 004's capacity dashboard.

The framework and business panels read the framework scanner, the OTLP receiver's Claude Code
series and the business recording rules; panels fed by the demo's simulated developers say so.
"""

from __future__ import annotations

from typing import Final

from agentwatch import catalog
from agentwatch.catalog import recorded as rec
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


def _demo_note(spec: Spec) -> str:
    """Said on every panel fed by Claude Code telemetry while the demo simulates it."""
    if not spec.simulation.developers:
        return ""
    return (
        f" Demo: this Claude Code telemetry is simulated ({spec.simulation.developers} "
        "simulated developers, simulation.developers); point Claude Code at the OTLP "
        "receiver for real data."
    )


def _per_hour(family: catalog.MetricFamily, *matchers: str, by: str = "") -> str:
    grouping = f" by ({by})" if by else ""
    return f"sum{grouping} (rate({sel(family.name, *matchers)}[{RATE}])) * 3600"


def executive(spec: Spec) -> Board:
    """Strategic view: the service, return on investment, adoption and quality, a row each."""
    demo = _demo_note(spec)
    board = Board(
        EXECUTIVE,
        "agentwatch / Executive",
        "Strategic view: availability, finished work, quality, adoption and return on "
        "investment." + demo,
        [],
    )
    _executive_service(board, spec)
    _executive_return_on_investment(board, spec, demo)
    _executive_adoption(board, spec, demo)
    _executive_quality(board, spec)
    return board


def _executive_service(board: Board, spec: Spec) -> None:
    """Availability, finished workflows, their success share and the agents' utilisation."""
    workflows = catalog.AGENT_WORKFLOWS_TOTAL.name
    board.row("Service")
    board.stat(
        "Availability (5m)",
        Query(rec.AVAILABILITY),
        unit="percentunit",
        thresholds=at_least(spec.thresholds.availability_min),
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


def _executive_return_on_investment(board: Board, spec: Spec, demo: str) -> None:
    """The business metrics over ``business.window``, and what Claude Code cost in it."""
    window = spec.business.window
    assumptions = (
        " Needs business.engineer_hourly_cost_usd and business.baseline_commits_per_hour in "
        "agentwatch.yaml; without them it has no data, by design."
    )
    board.row("Return on investment")
    board.stat(
        f"Cost reduction ({window})",
        Query(catalog.COST_REDUCTION.name),
        unit="currencyUSD",
        description=catalog.COST_REDUCTION.help + assumptions + demo,
    )
    board.stat(
        "Efficiency gains",
        Query(catalog.EFFICIENCY_GAINS.name),
        unit="percentunit",
        description=catalog.EFFICIENCY_GAINS.help
        + " Needs business.baseline_commits_per_hour."
        + demo,
    )
    board.stat(
        "Development velocity",
        Query(catalog.DEVELOPMENT_VELOCITY.name),
        description=catalog.DEVELOPMENT_VELOCITY.help + demo,
        links=[panel_link("Development metrics", DEVELOPMENT)],
    )
    board.stat(
        f"Claude Code cost ({window})",
        Query(f"sum(increase({catalog.CLAUDE_CODE_COST_USAGE_USD_TOTAL.name}[{window}]))"),
        unit="currencyUSD",
        description="Claude Code's own estimate at list price, not an invoice." + demo,
    )


def _executive_adoption(board: Board, spec: Spec, demo: str) -> None:
    """Who uses Claude Code, and how much: developers, sessions, commits, pull requests."""
    window = spec.business.window
    board.row("Adoption")
    active = sel(catalog.CLAUDE_CODE_ACTIVE_TIME_SECONDS_TOTAL.name, 'user!=""')
    board.stat(
        "Active developers" + (" (simulated)" if spec.simulation.developers else ""),
        Query(f"count(sum by (user) (increase({active}[{window}])) > 0)"),
        description=f"Developers with Claude Code active time in the last {window}, counted "
        "by the user label: a keyed hash of each account, so people are counted, not named "
        "(docs/privacy.md)." + demo,
    )
    board.series(
        "Developers active in Claude Code",
        [
            Query(
                f"sum(rate({catalog.CLAUDE_CODE_ACTIVE_TIME_SECONDS_TOTAL.name}[{RATE}]))", "active"
            )
        ],
        description="Active Claude Code seconds per second: developers at work at once." + demo,
    )
    board.series(
        "Sessions, commits and pull requests per hour",
        [
            Query(_per_hour(catalog.CLAUDE_CODE_SESSION_COUNT_TOTAL), "sessions"),
            Query(_per_hour(catalog.CLAUDE_CODE_COMMIT_COUNT_TOTAL), "commits"),
            Query(_per_hour(catalog.CLAUDE_CODE_PULL_REQUEST_COUNT_TOTAL), "pull requests"),
        ],
        description=demo.strip(),
    )


def _executive_quality(board: Board, spec: Spec) -> None:
    """The framework's quality score and its trend, and how long workflows take."""
    quality_min = spec.thresholds.framework_quality_score_min
    board.row("Quality")
    board.stat(
        "Framework quality score",
        Query(catalog.FRAMEWORK_QUALITY_SCORE.name),
        thresholds=at_least(quality_min),
        links=[panel_link("Quality metrics", QUALITY)],
    )
    board.stat(
        f"Quality change ({spec.business.quality_trend_window})",
        Query(catalog.CODE_QUALITY_IMPROVEMENT.name),
        description=catalog.CODE_QUALITY_IMPROVEMENT.help,
    )
    board.series(
        "Workflow time p95",
        [Query(rec.WORKFLOW_TIME, "{{workflow}}")],
        unit="s",
    )
    board.series(
        "Framework quality score trend",
        [Query(catalog.FRAMEWORK_QUALITY_SCORE.name, "quality")],
        thresholds=at_least(quality_min),
    )


def quality_metrics(spec: Spec) -> Board:
    t = spec.thresholds
    agents = catalog.FRAMEWORK_AGENTS.name
    board = Board(
        QUALITY,
        "agentwatch / Quality Metrics",
        "Framework health and quality trends: the framework scanner's quality gates "
        "(docs/framework.md) and the error rates of the running agents.",
        [agent_type_variable(STATUS)],
    )
    board.row("Framework")
    board.stat(
        "Framework quality score",
        Query(catalog.FRAMEWORK_QUALITY_SCORE.name),
        thresholds=at_least(t.framework_quality_score_min),
        description=catalog.FRAMEWORK_QUALITY_SCORE.help,
    )
    board.stat(
        "Agent standardization",
        Query(catalog.AGENT_STANDARDIZATION_RATE.name),
        unit="percentunit",
        description=catalog.AGENT_STANDARDIZATION_RATE.help,
    )
    board.stat(
        "Agents following the template",
        Query(f'sum({agents}{{state="standardized"}})'),
        description="N of M: the agent definitions that pass every template check.",
        span=3,
    )
    board.stat(
        "Agent definitions",
        Query(f"sum({agents})"),
        description="M: every agent definition the scan found.",
        span=3,
    )
    board.stat(
        "Template compliance",
        Query(catalog.TEMPLATE_COMPLIANCE_RATE.name),
        unit="percentunit",
        description=catalog.TEMPLATE_COMPLIANCE_RATE.help,
    )
    board.stat(
        "Documentation consistency",
        Query(catalog.DOCUMENTATION_CONSISTENCY_SCORE.name),
        description=catalog.DOCUMENTATION_CONSISTENCY_SCORE.help,
    )
    board.row("Quality gates")
    board.series(
        "Quality gate success rates",
        [Query(catalog.FRAMEWORK_QUALITY_GATE_SCORE.name, "{{gate}}")],
        description="Each measured gate, 0-100; a gate with nothing to measure has no line.",
    )
    board.table(
        "Failing template and quality checks",
        Query(f"{catalog.FRAMEWORK_AGENT_CHECK_FAILURES.name} > 0", "{{check}}"),
        description="Agent definitions failing each check in the last scan "
        "(`agentwatch framework scan PATH` lists them with reasons).",
        span=6,
    )
    board.table(
        "Lowest-quality agent definitions",
        Query(f"bottomk(10, {catalog.FRAMEWORK_AGENT_QUALITY.name})", "{{agent}}"),
        unit="percentunit",
        span=6,
    )
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
    """Development velocity and efficiency, and Claude Code's activity, a row each."""
    demo = _demo_note(spec)
    board = Board(
        DEVELOPMENT,
        "agentwatch / Development Metrics",
        "Development velocity and efficiency (seed 000), from Claude Code's telemetry, the "
        "agents' workflows and the framework scanner (docs/business-metrics.md)." + demo,
        [],
    )
    _development_velocity(board, demo)
    _development_efficiency(board, spec.business.window, demo)
    _development_claude_code_activity(board, demo)
    return board


def _development_velocity(board: Board, demo: str) -> None:
    """Commits per active hour, time to deployment, session success, context loading."""
    board.row("Velocity")
    board.series(
        "Development velocity",
        [Query(catalog.DEVELOPMENT_VELOCITY.name, "commits per active hour")],
        description=catalog.DEVELOPMENT_VELOCITY.help + demo,
    )
    board.series(
        "Time to deployment",
        [Query(catalog.TIME_TO_DEPLOYMENT.name, "median")],
        unit="s",
        description=catalog.TIME_TO_DEPLOYMENT.help,
    )
    board.series(
        "Session success rate",
        [Query(catalog.SESSION_SUCCESS_RATE.name, "sessions")],
        unit="percentunit",
        description=catalog.SESSION_SUCCESS_RATE.help,
    )
    board.series(
        "Context loading time",
        [Query(catalog.CONTEXT_LOADING_TIME.name, "framework scan")],
        unit="s",
        description=catalog.CONTEXT_LOADING_TIME.help,
    )


def _development_efficiency(board: Board, window: str, demo: str) -> None:
    """The efficiency metrics over ``window``, and the developers' own verdict."""
    board.row("Efficiency")
    board.stat(
        f"Prompt executions ({window})",
        Query(catalog.PROMPT_EXECUTION_COUNT.name),
        description=catalog.PROMPT_EXECUTION_COUNT.help + demo,
    )
    board.stat(
        "Code quality improvement",
        Query(catalog.CODE_QUALITY_IMPROVEMENT.name),
        description=catalog.CODE_QUALITY_IMPROVEMENT.help,
    )
    board.stat(
        "Knowledge reuse",
        Query(catalog.KNOWLEDGE_REUSE.name),
        unit="percentunit",
        description=catalog.KNOWLEDGE_REUSE.help + demo,
    )
    board.stat(
        f"Error prevention ({window})",
        Query(catalog.ERROR_PREVENTION.name),
        description=catalog.ERROR_PREVENTION.help,
    )
    board.stat(
        "Developer satisfaction",
        Query(catalog.DEVELOPER_SATISFACTION.name),
        description=catalog.DEVELOPER_SATISFACTION.help
        + " Survey answers: agentwatch survey record 1-5."
        + demo,
        span=24,
    )


def _development_claude_code_activity(board: Board, demo: str) -> None:
    """What Claude Code did per hour (lines, edit decisions, tokens) and its model calls."""
    tokens = catalog.CLAUDE_CODE_TOKEN_USAGE_TOKENS_TOTAL
    duration = f"{catalog.GEN_AI_CLIENT_OPERATION_DURATION_SECONDS.name}_bucket"
    board.row("Claude Code activity")
    board.series(
        "Lines of code per hour",
        [Query(_per_hour(catalog.CLAUDE_CODE_LINES_OF_CODE_COUNT_TOTAL, by="type"), "{{type}}")],
        description=demo.strip(),
    )
    board.series(
        "Edit decisions per hour",
        [
            Query(
                _per_hour(catalog.CLAUDE_CODE_CODE_EDIT_TOOL_DECISION_TOTAL, by="decision"),
                "{{decision}}",
            )
        ],
        description=demo.strip(),
    )
    board.series(
        "Tokens per hour by type",
        [Query(_per_hour(tokens, by="type"), "{{type}}")],
        description=demo.strip(),
    )
    board.series(
        "Model call time p95",
        [
            Query(
                f"histogram_quantile(0.95, sum by (le) (rate({duration}[{RATE}])))",
                "p95",
            )
        ],
        unit="s",
        description="gen_ai.client.operation.duration of instrumented model clients." + demo,
    )


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
