"""Agent alerts: an agent (or every agent of a type) is slow, failing, full or backed up."""

from __future__ import annotations

from agentwatch import catalog
from agentwatch.catalog import recorded as rec
from agentwatch.spec import Spec

from .._number import num
from .._promtool_series import (
    AGENT,
    bucket_above,
    bucket_below,
    bucket_quantile,
    gauge,
    histogram,
)
from ._definition import Alert, AlertDefinition, Category, Runbook, fires, metrics_url, silent

__all__ = ["ALERTS", "CATEGORY"]

CATEGORY: Category = "agents"


def agent_performance_degradation(spec: Spec) -> Alert:
    limit_ms = spec.thresholds.agent_response_time_max_ms
    fam = catalog.AGENT_PROCESSING_TIME_SECONDS
    hi_lo, hi_hi = bucket_above(fam, limit_ms / 1000)
    lo_lo, lo_hi = bucket_below(fam, limit_ms / 1000)
    return Alert(
        name="AgentPerformanceDegradation",
        category=CATEGORY,
        severity="critical",
        expr=f"{rec.RESPONSE_TIME} > {num(limit_ms)}",
        summary=f"Agent response time exceeds {num(limit_ms)} ms",
        description="p95 response time of {labels[agent_type]} agents is {value} ms"
        f" (limit {num(limit_ms)} ms).",
        value_format="%.0f",
        runbook=Runbook(
            meaning=f"The p95 time agents of one type take to process a message "
            f"({rec.RESPONSE_TIME}, milliseconds) is above {num(limit_ms)} ms.",
            queries=(
                rec.RESPONSE_TIME,
                f"{rec.AGENT_P99}",
                f"{rec.QUEUE_DEPTH_MAX}",
                f'{rec.RESOURCE_USAGE_MAX}{{resource="cpu"}}',
            ),
            where="Agent Performance and Individual Agents dashboards; agent exporter "
            f"{metrics_url(spec.ports.agent_exporter)}.",
            actions=(
                "If CPU is at its limit, the type is saturated: add agents or workers.",
                "If one agent_id is slow and the others are not, restart that agent.",
                "If a dependency the agents call got slower, follow it up with its owner.",
            ),
        ),
        cases=(
            fires(
                histogram(fam, hi_lo, hi_hi, **AGENT),
                {"agent_type": "web"},
                1000 * bucket_quantile(0.95, hi_lo, hi_hi),
            ),
            silent(histogram(fam, lo_lo, lo_hi, **AGENT)),
        ),
    )


def agent_failure_predicted(spec: Spec) -> Alert:
    limit = spec.thresholds.failure_prediction_max
    fam = catalog.FAILURE_PREDICTION_SCORE
    high = limit + (100 - limit) / 2
    return Alert(
        name="AgentFailurePredicted",
        category=CATEGORY,
        severity="critical",
        expr=f"{fam.name} > {num(limit)}",
        summary="An agent is predicted to fail soon",
        description="Agent {labels[agent_id]} ({labels[agent_type]}) has failure risk {value}"
        f" (limit {num(limit)}).",
        value_format="%.0f",
        runbook=Runbook(
            meaning="The analytics engine's failure model (docs/analytics/failure-prediction.md) "
            "predicts, from the agent's last 15 minutes of memory, cpu, queue, error, latency "
            f"and heartbeat signals, a risk above {num(limit)}/100 that the "
            "agent is killed for memory within 15 minutes.",
            queries=(
                f"{fam.name}",
                f"{catalog.AGENT_RESOURCE_USAGE.name}",
                f"{catalog.AGENT_HEALTH_SCORE.name}",
            ),
            where="Individual Agents dashboard; analytics exporter on port "
            f"{spec.ports.analytics_exporter}.",
            actions=(
                "Look for a rising memory share (leak) or error ratio on the named agent.",
                "Drain and restart the agent before it crashes; keep its metrics for the cause.",
            ),
        ),
        cases=(
            fires([gauge(fam, high, **AGENT)], AGENT, high),
            silent([gauge(fam, limit / 2, **AGENT)]),
        ),
    )


def memory_usage_critical(spec: Spec) -> Alert:
    limit = spec.thresholds.memory_usage_max_ratio
    fam = catalog.AGENT_RESOURCE_USAGE
    high = (limit + 1) / 2
    return Alert(
        name="MemoryUsageCritical",
        category=CATEGORY,
        severity="critical",
        expr=f"{fam.name}{{{rec.MEMORY}}} > {num(limit)}",
        summary="An agent is close to its memory limit",
        description="Agent {labels[agent_id]} ({labels[agent_type]}) uses {value} of its"
        f" memory limit (limit {num(limit)}).",
        value_format="%.3f",
        runbook=Runbook(
            meaning=f"An agent uses more than {num(limit)} of its memory limit; at the limit "
            "it is killed.",
            queries=(
                f"{fam.name}{{{rec.MEMORY}}}",
                f"{catalog.AGENT_MEMORY_BYTES.name}",
                f"deriv({catalog.AGENT_MEMORY_BYTES.name}[30m])",
            ),
            where="Individual Agents dashboard; agent exporter "
            f"{metrics_url(spec.ports.agent_exporter)}.",
            actions=(
                "Steady growth (positive deriv) is a leak: restart the agent and file a bug.",
                "A plateau near the limit means the limit is too small for the work: raise it.",
            ),
        ),
        cases=(
            fires(
                [gauge(fam, high, **AGENT, resource="memory")],
                {**AGENT, "resource": "memory"},
                high,
            ),
            # CPU at its limit is not a memory problem.
            silent(
                [
                    gauge(fam, limit / 2, **AGENT, resource="memory"),
                    gauge(fam, 1, **AGENT, resource="cpu"),
                ]
            ),
        ),
    )


def agent_health_low(spec: Spec) -> Alert:
    minimum = spec.thresholds.agent_health_min
    fam = catalog.AGENT_HEALTH_SCORE
    return Alert(
        name="AgentHealthLow",
        category=CATEGORY,
        severity="warning",
        expr=f"{fam.name} < {num(minimum)}",
        summary="An agent's health score is low",
        description="Agent {labels[agent_id]} ({labels[agent_type]}) has health score {value}"
        f" (minimum {num(minimum)}).",
        value_format="%.0f",
        runbook=Runbook(
            meaning=f"An agent's health score is below {num(minimum)}/100. The score deducts "
            "for CPU, memory, queue depth, error ratio and a stale heartbeat "
            "(docs/metrics.md gives the formula).",
            queries=(
                f"{fam.name}",
                f"{rec.HEALTHY_RATIO}",
                f"time() - {catalog.AGENT_LAST_HEARTBEAT_TIMESTAMP_SECONDS.name}",
            ),
            where="Individual Agents dashboard; agent exporter "
            f"{metrics_url(spec.ports.agent_exporter)}.",
            actions=(
                "Find which component deducts (resource usage, queue, errors, heartbeat) and "
                "follow that component's runbook.",
            ),
        ),
        cases=(
            fires([gauge(fam, minimum / 2, **AGENT)], AGENT, minimum / 2),
            silent([gauge(fam, minimum + (100 - minimum) / 2, **AGENT)]),
        ),
    )


def queue_backup(spec: Spec) -> Alert:
    limit = spec.thresholds.queue_depth_max
    fam = catalog.AGENT_QUEUE_DEPTH
    return Alert(
        name="QueueBackup",
        category=CATEGORY,
        severity="warning",
        expr=f"{fam.name} > {num(limit)}",
        summary="An agent's inbound queue is backing up",
        description="Agent {labels[agent_id]} ({labels[agent_type]}) has {value} messages queued"
        f" (limit {num(limit)}).",
        value_format="%.0f",
        runbook=Runbook(
            meaning=f"More than {num(limit)} messages wait in one agent's inbound queue: it "
            "receives faster than it processes.",
            queries=(
                f"{fam.name}",
                f"{rec.QUEUE_DEPTH_SUM}",
                f"rate({catalog.AGENT_MESSAGES_PROCESSED_TOTAL.name}[5m])",
            ),
            where="Message Flow and Individual Agents dashboards.",
            actions=(
                "If processing slowed, see AgentPerformanceDegradation.",
                "If arrivals jumped, find the sender in message_flow_matrix_total and "
                "throttle it, or add agents of the receiving type.",
            ),
        ),
        cases=(
            fires([gauge(fam, 2 * limit + 1, **AGENT)], AGENT, 2 * limit + 1),
            silent([gauge(fam, limit / 2, **AGENT)]),
        ),
    )


# In the order of their rules in alerts-agents.yml.
ALERTS: tuple[AlertDefinition, ...] = (
    agent_performance_degradation,
    agent_failure_predicted,
    memory_usage_critical,
    agent_health_low,
    queue_backup,
)
