"""Recording rules: what each series in agentwatch.catalog.recorded records, and in which
group and order."""

from __future__ import annotations

from typing import Any

from agentwatch import catalog
from agentwatch.catalog import MetricFamily
from agentwatch.catalog.recorded import (
    AGENT_ERROR_RATIO,
    AGENT_ERRORS_RATE,
    AGENT_P95,
    AGENT_P99,
    AGENT_PROCESSED_RATE,
    AUTH_FAILURE,
    AVAILABILITY,
    ERROR_RATE,
    FALSE_POSITIVE,
    HEALTHY_RATIO,
    MEMORY_USAGE,
    QUEUE_DEPTH_MAX,
    QUEUE_DEPTH_SUM,
    RESOURCE_USAGE_MAX,
    RESPONSE_TIME,
    SENT,
    TRANSPORT_BYTES_RATE,
    TRANSPORT_ERROR,
    TRANSPORT_ERROR_RATIO,
    TRANSPORT_LATENCY,
    TRANSPORT_MESSAGES_RATE,
    UTILIZATION,
    VOICE_AUDIO_ANOMALY_RATE,
    VOICE_AUTH_FAILURE_RATIO,
    VOICE_FALSE_POSITIVE_RATIO,
    WORKFLOW_TIME,
    bucket,
)
from agentwatch.spec import RATE_WINDOW, SHORT_RATE_WINDOW, Spec

from ._business import business_rules

__all__ = ["recording_groups", "recording_names"]

# The rates' windows (1m and 5m): the spec refuses scrape intervals too long for them.
_SHORT, _WINDOW = SHORT_RATE_WINDOW, RATE_WINDOW
_MSG = catalog.AGENT_TRANSPORT_MESSAGES_TOTAL
_LAT = catalog.AGENT_TRANSPORT_LATENCY_SECONDS
_PROC = catalog.AGENT_PROCESSING_TIME_SECONDS


def _rate(selector: str, window: str) -> str:
    return f"rate({selector}[{window}])"


def _quantile(q: float, family: MetricFamily, by: str, window: str) -> str:
    return f"histogram_quantile({q}, sum by ({by}, le) ({_rate(bucket(family), window)}))"


def _transport() -> list[tuple[str, str]]:
    sent = f"{_MSG.name}{{{SENT}}}"
    # Failures only, as in availability: warnings (rejected senders) are the transport working.
    errors = f"{catalog.AGENT_TRANSPORT_ERRORS_TOTAL.name}{{{TRANSPORT_ERROR}}}"
    rules = [
        (TRANSPORT_MESSAGES_RATE, f"sum by (job, direction) ({_rate(_MSG.name, _SHORT)})"),
        (
            TRANSPORT_BYTES_RATE,
            f"sum by (job, direction) ({_rate(catalog.AGENT_TRANSPORT_BYTES_TOTAL.name, _SHORT)})",
        ),
        *((name, _quantile(q, _LAT, "job", _SHORT)) for q, name in TRANSPORT_LATENCY.values()),
        (
            TRANSPORT_ERROR_RATIO,
            f"sum by (job) ({_rate(errors, _WINDOW)})\n  / sum by (job) ({_rate(sent, _WINDOW)})",
        ),
    ]
    return rules


def _agents(spec: Spec) -> list[tuple[str, str]]:
    errors = catalog.AGENT_ERRORS_TOTAL.name
    health = catalog.AGENT_HEALTH_SCORE.name
    healthy_min = spec.thresholds.agent_health_min
    return [
        (AGENT_P95, _quantile(0.95, _PROC, "agent_type", _WINDOW)),
        (AGENT_P99, _quantile(0.99, _PROC, "agent_type", _WINDOW)),
        (
            AGENT_PROCESSED_RATE,
            f"sum by (agent_type) ({_rate(catalog.AGENT_MESSAGES_PROCESSED_TOTAL.name, _WINDOW)})",
        ),
        (AGENT_ERRORS_RATE, f"sum by (agent_type) ({_rate(errors, _WINDOW)})"),
        # A failed message is counted in errors only, so the attempts are processed + errors.
        (
            AGENT_ERROR_RATIO,
            f"{AGENT_ERRORS_RATE}\n  / ({AGENT_PROCESSED_RATE} + {AGENT_ERRORS_RATE})",
        ),
        (QUEUE_DEPTH_MAX, f"max by (agent_type) ({catalog.AGENT_QUEUE_DEPTH.name})"),
        (QUEUE_DEPTH_SUM, f"sum by (agent_type) ({catalog.AGENT_QUEUE_DEPTH.name})"),
        (
            RESOURCE_USAGE_MAX,
            f"max by (agent_type, resource) ({catalog.AGENT_RESOURCE_USAGE.name})",
        ),
        # `>= bool` keeps unhealthy agents as 0 instead of dropping them, so the ratio is 0
        # (not absent) when every agent is unhealthy.
        (
            HEALTHY_RATIO,
            f"sum by (job) ({health} >= bool {healthy_min:g})\n  / count by (job) ({health})",
        ),
        # Seed 000's legacy names, from the same instrumented data. Rules in one group run in
        # order, so these read the rules above from the same evaluation.
        (RESPONSE_TIME, f"1000 * {AGENT_P95}"),
        (
            WORKFLOW_TIME,
            _quantile(0.95, catalog.AGENT_WORKFLOW_DURATION_SECONDS, "workflow", _WINDOW),
        ),
        (MEMORY_USAGE, f"sum({catalog.AGENT_MEMORY_BYTES.name})"),
        (
            UTILIZATION,
            f"sum by (agent_type) ({_rate(catalog.AGENT_BUSY_SECONDS_TOTAL.name, _WINDOW)})\n"
            f"  / sum by (agent_type) ({catalog.AGENT_WORKERS.name})",
        ),
        (ERROR_RATE, AGENT_ERROR_RATIO),
    ]


def _system() -> list[tuple[str, str]]:
    # Availability = 1 - failed / sent messages. A message fails when an agent fails to process
    # it (agent_errors_total) or the transport fails to deliver it (severity="error"; warnings
    # such as rejected unauthorized senders are not the system failing). `or vector(0)` keeps
    # the ratio defined while one of the two error counters has no series yet.
    agent_errors = f"sum({_rate(catalog.AGENT_ERRORS_TOTAL.name, _WINDOW)})"
    failed = f"{catalog.AGENT_TRANSPORT_ERRORS_TOTAL.name}{{{TRANSPORT_ERROR}}}"
    transport_errors = f"sum({_rate(failed, _WINDOW)})"
    sent = f"sum({_rate(f'{_MSG.name}{{{SENT}}}', _WINDOW)})"
    return [
        (
            AVAILABILITY,
            f"1 - (\n  ({agent_errors} or vector(0))\n  + ({transport_errors} or vector(0))\n"
            f") / {sent}",
        )
    ]


def _voice() -> list[tuple[str, str]]:
    auth = catalog.VOICE_BIOMETRIC_AUTH_TOTAL.name
    recognition = catalog.VOICE_RECOGNITION_TOTAL.name
    anomalies = catalog.VOICE_AUDIO_CAPTURE_ANOMALIES_TOTAL.name
    return [
        (
            VOICE_AUTH_FAILURE_RATIO,
            f"sum({_rate(f'{auth}{{{AUTH_FAILURE}}}', _WINDOW)})\n  / sum({_rate(auth, _WINDOW)})",
        ),
        (
            VOICE_FALSE_POSITIVE_RATIO,
            f"sum({_rate(f'{recognition}{{{FALSE_POSITIVE}}}', _WINDOW)})\n"
            f"  / sum({_rate(recognition, _WINDOW)})",
        ),
        (VOICE_AUDIO_ANOMALY_RATE, f"sum by (kind) ({_rate(anomalies, _WINDOW)})"),
    ]


def _group(name: str, rules: list[tuple[str, str]]) -> dict[str, Any]:
    return {"name": name, "rules": [{"record": r, "expr": e} for r, e in rules]}


def recording_groups(spec: Spec) -> list[dict[str, Any]]:
    """The recording rule groups, in the order Prometheus should load them."""
    return [
        _group("agentwatch-transport.rules", _transport()),
        _group("agentwatch-agents.rules", _agents(spec)),
        _group("agentwatch-system.rules", _system()),
        _group("agentwatch-voice.rules", _voice()),
        _group("agentwatch-business.rules", business_rules(spec)),
    ]


def recording_names(spec: Spec) -> tuple[str, ...]:
    return tuple(r["record"] for g in recording_groups(spec) for r in g["rules"])
