"""promtool unit tests: every alert fires above its threshold after its ``for`` and stays
silent below it; the legacy ``claude_*`` recording rules give known values for known inputs.

Inputs are derived from the spec's thresholds, so the tests prove the generated rules for
whatever spec they were generated from, not only the default one. Each alert's cases are part
of its definition (``alerts/``); this module turns them into promtool test cases.
"""

from __future__ import annotations

import math
from typing import Any

from agentwatch import catalog
from agentwatch.catalog import MetricFamily
from agentwatch.catalog import recorded as rec
from agentwatch.spec import Spec, duration_seconds

from ._promtool_series import (
    AGENT,
    AGENTS_JOB,
    STEP,
    Series,
    bucket_quantile,
    counter,
    gauge,
    histogram,
    selector,
)
from .alerts import Alert, Case, alerts_by_category

__all__ = [
    "RECORDING_FILE",
    "TREND_TEST_FILE",
    "alert_file",
    "alert_tests",
    "recording_tests",
    "test_file",
    "trend_step",
    "trend_tests",
]

RECORDING_FILE = "recording.yml"
# The week-long trend rules, tested in their own file: promtool evaluates every rule of a test
# file at its one evaluation_interval up to the last eval_time, and eight days at 1m (11,520
# evaluations of every recording rule) took 15 s of the 16 s recording.test.yml cost.
TREND_TEST_FILE = "recording-trend.test.yml"
# After the `for`, this long again so every 5m rate window lies wholly inside the input.
_SETTLE = 6 * 60


def alert_file(category: str) -> str:
    return f"alerts-{category}.yml"


def test_file(rule_file: str) -> str:
    return rule_file.removesuffix(".yml") + ".test.yml"


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m"


def _alert_test(alert: Alert, case: Case) -> dict[str, Any]:
    eval_seconds = duration_seconds(alert.for_) if alert.for_ != "0s" else 0
    eval_seconds += _SETTLE
    steps = int(eval_seconds // STEP) + 5
    expected: list[dict[str, Any]] = []
    if case.labels is not None:
        labels = {**case.labels, "severity": alert.severity, "category": alert.category}
        expected.append(
            {
                "exp_labels": dict(sorted(labels.items())),
                "exp_annotations": alert.annotations(labels, case.value),
            }
        )
    return {
        "interval": "1m",
        "input_series": [s.input(steps) for s in case.series],
        "alert_rule_test": [
            {"eval_time": _minutes(eval_seconds), "alertname": alert.name, "exp_alerts": expected}
        ],
    }


def alert_tests(spec: Spec) -> dict[str, list[dict[str, Any]]]:
    """Test cases per alert rule file: for each alert, its cases in the order it gives them."""
    return {
        alert_file(category): [_alert_test(alert, case) for alert in group for case in alert.cases]
        for category, group in alerts_by_category(spec).items()
        if group
    }


def recording_tests(spec: Spec) -> list[dict[str, Any]]:
    """Known inputs, known values for the seed's legacy recording rules."""
    h = spec.thresholds.agent_health_min
    proc = catalog.AGENT_PROCESSING_TIME_SECONDS
    flow = catalog.AGENT_WORKFLOW_DURATION_SECONDS
    web2 = {"agent_id": "web-2", "agent_type": "web"}
    mib = 1024 * 1024
    series: list[Series] = [
        *histogram(proc, 0.1, 0.25, **AGENT),
        *histogram(flow, 1.0, 2.5, workflow="checkout"),
        gauge(catalog.AGENT_MEMORY_BYTES, 100 * mib, **AGENT),
        gauge(catalog.AGENT_MEMORY_BYTES, 200 * mib, **web2),
        counter(catalog.AGENT_BUSY_SECONDS_TOTAL, 2, **AGENT),
        counter(catalog.AGENT_BUSY_SECONDS_TOTAL, 1, **web2),
        gauge(catalog.AGENT_WORKERS, 4, **AGENT),
        gauge(catalog.AGENT_WORKERS, 4, **web2),
        counter(catalog.AGENT_MESSAGES_PROCESSED_TOTAL, 9, **AGENT, source_agent="api", action="x"),
        counter(catalog.AGENT_ERRORS_TOTAL, 1, **AGENT, error_type="timeout"),
        gauge(catalog.AGENT_HEALTH_SCORE, h + (100 - h) / 2, job=AGENTS_JOB, **AGENT),
        gauge(catalog.AGENT_HEALTH_SCORE, h, job=AGENTS_JOB, **web2),
        gauge(catalog.AGENT_HEALTH_SCORE, h / 2, job=AGENTS_JOB, agent_id="db-1", agent_type="db"),
    ]
    expected: list[tuple[str, dict[str, str], float]] = [
        (rec.RESPONSE_TIME, {"agent_type": "web"}, 1000 * bucket_quantile(0.95, 0.1, 0.25)),
        (rec.WORKFLOW_TIME, {"workflow": "checkout"}, bucket_quantile(0.95, 1.0, 2.5)),
        (rec.MEMORY_USAGE, {}, float(300 * mib)),
        (rec.UTILIZATION, {"agent_type": "web"}, (2.0 + 1.0) / (4.0 + 4.0)),
        (rec.ERROR_RATE, {"agent_type": "web"}, 1.0 / (9.0 + 1.0)),
        # Health exactly at the threshold counts as healthy: 2 of 3 agents.
        (rec.HEALTHY_RATIO, {"job": AGENTS_JOB}, 2.0 / 3.0),
    ]
    return [
        {
            "interval": "1m",
            "input_series": [s.input(20) for s in series],
            "promql_expr_test": [
                {
                    "expr": name,
                    "eval_time": "10m",
                    "exp_samples": [{"labels": selector(name, labels), "value": value}],
                }
                for name, labels, value in expected
            ],
        },
        *business_tests(spec),
    ]


def _per_minute(family: MetricFamily | str, increase: float, **labels: str) -> Series:
    return counter(family, increase / STEP, **labels)


def business_tests(spec: Spec) -> list[dict[str, Any]]:
    """Known inputs, known values for seed 000's business rules (docs/business-metrics.md).

    Every counter starts at 0 at the first sample, so an ``increase`` over a window longer
    than the input is exactly the counter's value at the evaluation time.
    """
    business = spec.business
    minutes = 10
    ops = f"{catalog.GEN_AI_CLIENT_OPERATION_DURATION_SECONDS.name}_count"
    tokens = catalog.CLAUDE_CODE_TOKEN_USAGE_TOKENS_TOTAL
    decisions = catalog.CLAUDE_CODE_CODE_EDIT_TOOL_DECISION_TOTAL
    series: list[Series] = [
        _per_minute(catalog.CLAUDE_CODE_COMMIT_COUNT_TOTAL, 2, service_name="claude-code"),
        # Six developers active all the time: one active hour of Claude Code in ten minutes.
        _per_minute(catalog.CLAUDE_CODE_ACTIVE_TIME_SECONDS_TOTAL, 360, service_name="claude-code"),
        _per_minute(catalog.CLAUDE_CODE_COST_USAGE_USD_TOTAL, 0.5, model="m"),
        _per_minute(tokens, 100, type="input"),
        _per_minute(tokens, 300, type="cacheRead"),
        _per_minute(tokens, 100, type="cacheCreation"),
        _per_minute(tokens, 50, type="output"),
        _per_minute(decisions, 9, decision="accept"),
        _per_minute(decisions, 1, decision="reject"),
        gauge(catalog.DEVELOPER_SURVEY_SCORE, 70),
        _per_minute(ops, 5),
        # Three in four succeed: a ratio that is exact in binary, however PromQL divides.
        _per_minute(catalog.AGENT_WORKFLOWS_TOTAL, 3, workflow="bug_fix", outcome="success"),
        _per_minute(catalog.AGENT_WORKFLOWS_TOTAL, 1, workflow="bug_fix", outcome="failure"),
        *histogram(
            catalog.AGENT_WORKFLOW_DURATION_SECONDS, 1.0, 2.5, workflow=business.deployment_workflow
        ),
        _per_minute(catalog.FRAMEWORK_FINDINGS_RESOLVED_TOTAL, 1),
        gauge(catalog.FRAMEWORK_SCAN_DURATION_SECONDS, 0.25),
    ]
    commits, active_hours, spent = 2.0 * minutes, 360.0 * minutes / 3600, 0.5 * minutes
    velocity = commits / active_hours
    acceptance = 100 * (9.0 * minutes) / (10.0 * minutes)
    expected: list[tuple[str, float]] = [
        (catalog.DEVELOPMENT_VELOCITY.name, velocity),
        (catalog.KNOWLEDGE_REUSE.name, (300.0 * minutes) / (500.0 * minutes)),
        (catalog.DEVELOPER_SATISFACTION.name, (acceptance + 70) / 2),
        (catalog.PROMPT_EXECUTION_COUNT.name, 5.0 * minutes),
        (catalog.SESSION_SUCCESS_RATE.name, 0.75),
        (catalog.TIME_TO_DEPLOYMENT.name, bucket_quantile(0.5, 1.0, 2.5)),
        (catalog.ERROR_PREVENTION.name, 1.0 * minutes),
        (catalog.CONTEXT_LOADING_TIME.name, 0.25),
    ]
    baseline, hourly = business.baseline_commits_per_hour, business.engineer_hourly_cost_usd
    if baseline is not None:
        expected.append((catalog.EFFICIENCY_GAINS.name, velocity / baseline - 1))
        if hourly is not None:
            saved = (commits / baseline - active_hours) * hourly - spent
            expected.append((catalog.COST_REDUCTION.name, saved))
    values = {
        "interval": "1m",
        "input_series": [s.input(2 * minutes) for s in series],
        "promql_expr_test": [
            {
                "expr": name,
                "eval_time": f"{minutes}m",
                "exp_samples": [{"labels": name, "value": value}],
            }
            for name, value in expected
        ],
    }
    return [values]


def trend_step(spec: Spec) -> str:
    """The sampling and evaluation step of TREND_TEST_FILE: an hour, or a quarter of a trend
    window shorter than four hours, so that the window is always a whole number of steps and
    ``offset <window>`` lands on a sample."""
    window_ms = round(duration_seconds(spec.business.quality_trend_window) * 1000)
    steps = max(4, math.ceil(window_ms / 3_600_000))
    return _duration_text(window_ms // steps if window_ms % steps == 0 else 3_600_000)


def _duration_text(ms: int) -> str:
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def trend_tests(spec: Spec) -> list[dict[str, Any]]:
    """Known inputs, known values for the rules over the trend window, sampled and evaluated
    every ``trend_step`` (TREND_TEST_FILE): the quality score rises a point a step (whole
    numbers: promtool's expanded series add up exactly); its change over the trend window is
    the number of steps in it."""
    step = duration_seconds(trend_step(spec))
    window_steps = round(duration_seconds(spec.business.quality_trend_window) / step)
    eval_steps = window_steps + 24
    score = catalog.FRAMEWORK_QUALITY_SCORE.name
    return [
        {
            "interval": trend_step(spec),
            "input_series": [{"series": score, "values": f"0+1x{eval_steps + 5}"}],
            "promql_expr_test": [
                {
                    "expr": catalog.CODE_QUALITY_IMPROVEMENT.name,
                    "eval_time": _duration_text(round(eval_steps * step * 1000)),
                    "exp_samples": [
                        {
                            "labels": catalog.CODE_QUALITY_IMPROVEMENT.name,
                            "value": float(window_steps),
                        }
                    ],
                }
            ],
        }
    ]
