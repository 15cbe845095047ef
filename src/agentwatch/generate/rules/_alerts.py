"""Alerting rules: every alert the seeds name, with thresholds from the spec.

Each alert's description is written once, as a Python format string over ``{value}`` and
``{labels[...]}``; the rule gets it rendered into Prometheus template syntax and the promtool
tests get it rendered with the values they expect, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from agentwatch import catalog
from agentwatch.catalog import recorded as rec
from agentwatch.spec import Spec

from . import constants as k

__all__ = [
    "ALERT_NAMES",
    "CATEGORIES",
    "Alert",
    "Category",
    "Severity",
    "alert_groups",
    "alerts",
    "num",
    "runbook_url",
]

Severity = Literal["critical", "warning"]
Category = Literal["transport", "agents", "system", "framework", "security", "voice", "analytics"]
CATEGORIES: tuple[Category, ...] = (
    "transport",
    "agents",
    "system",
    "framework",
    "security",
    "voice",
    "analytics",
)


def num(value: float) -> str:
    """A threshold as PromQL and people read it: ``4000000``, ``0.999``, never ``4e+06``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def runbook_url(spec: Spec, alertname: str) -> str:
    """The alert's section of docs/runbooks.md (GitHub's heading anchor: the name lower-cased)."""
    return f"{spec.alerting.runbook_base_url}#{alertname.lower()}"


class _TemplateLabels:
    """``{labels[x]}`` in a description becomes ``{{ $labels.x }}`` in the rule."""

    def __getitem__(self, key: str) -> str:
        return f"{{{{ $labels.{key} }}}}"


@dataclass(frozen=True, slots=True)
class Alert:
    name: str
    category: Category
    severity: Severity
    expr: str
    summary: str
    # Python format string over {value} and {labels[name]}.
    description: str
    # printf format for $value in the description, e.g. "%.0f".
    value_format: str = "%.2f"
    # From the spec (alerting.alert_for, alerting.runbook_base_url); alerts() fills them in.
    for_: str = "0s"
    runbook_url: str = ""

    def describe(self, labels: Mapping[str, str], value: float) -> str:
        """The description Alertmanager shows for ``labels`` and ``value``."""
        return self.description.format(value=self.value_format % value, labels=labels)

    def annotations(
        self, labels: Mapping[str, str] | None = None, value: float = 0.0
    ) -> dict[str, str]:
        """Annotations as the rule carries them (``labels`` None) or as they render."""
        if labels is None:
            description = self.description.format(
                value=f'{{{{ printf "{self.value_format}" $value }}}}', labels=_TemplateLabels()
            )
        else:
            description = self.describe(labels, value)
        return {
            "summary": self.summary,
            "description": description,
            "runbook_url": self.runbook_url,
        }

    def rule(self) -> dict[str, Any]:
        rule: dict[str, Any] = {"alert": self.name, "expr": self.expr}
        # A zero `for` fires on the first evaluation that sees the condition.
        if self.for_ != "0s":
            rule["for"] = self.for_
        rule["labels"] = {"severity": self.severity, "category": self.category}
        rule["annotations"] = self.annotations()
        return rule


def alerts(spec: Spec) -> tuple[Alert, ...]:
    hold = spec.alerting.alert_for
    return tuple(
        replace(a, for_=hold[a.name], runbook_url=runbook_url(spec, a.name))
        for a in _conditions(spec)
    )


def _conditions(spec: Spec) -> tuple[Alert, ...]:
    t = spec.thresholds
    c = catalog
    up = "up"  # Prometheus's own scrape-health series, not an agentwatch metric.
    security = f'agent_type="{k.SECURITY_AGENT_TYPE}"'
    active = c.SYSTEM_ACTIVE_AGENTS.name
    return (
        Alert(
            "FrameworkQualityDrop",
            "framework",
            "warning",
            f"{c.by_name('claude_framework_quality_score').name}"
            f" < {num(t.framework_quality_score_min)}",
            f"Framework quality score has dropped below {num(t.framework_quality_score_min)}",
            "The framework quality score is {value}"
            f" (minimum {num(t.framework_quality_score_min)}).",
            "%.1f",
        ),
        Alert(
            "AgentPerformanceDegradation",
            "agents",
            "critical",
            f"{rec.RESPONSE_TIME} > {num(t.agent_response_time_max_ms)}",
            f"Agent response time exceeds {num(t.agent_response_time_max_ms)} ms",
            "p95 response time of {labels[agent_type]} agents is {value} ms"
            f" (limit {num(t.agent_response_time_max_ms)} ms).",
            "%.0f",
        ),
        Alert(
            "TransportThroughputLow",
            "transport",
            "critical",
            f"{rec.TRANSPORT_MESSAGES_RATE}{{{rec.SENT}}} < {num(t.transport_throughput_min_mps)}",
            "Transport throughput is below "
            f"{num(t.transport_throughput_min_mps)} messages per second",
            "Transport job {labels[job]} sends {value} messages/s"
            f" (minimum {num(t.transport_throughput_min_mps)}).",
            "%.0f",
        ),
        Alert(
            "AgentFailurePredicted",
            "agents",
            "critical",
            f"{c.FAILURE_PREDICTION_SCORE.name} > {num(t.failure_prediction_max)}",
            "An agent is predicted to fail soon",
            "Agent {labels[agent_id]} ({labels[agent_type]}) has failure risk {value}"
            f" (limit {num(t.failure_prediction_max)}).",
            "%.0f",
        ),
        Alert(
            "SystemAvailabilityLow",
            "system",
            "critical",
            f"{rec.AVAILABILITY} < {num(t.availability_min)}",
            f"System availability is below {num(t.availability_min)}",
            "Over the last 5 minutes, {value} of sent messages were processed without an"
            f" agent or transport error (objective {num(t.availability_min)}).",
            "%.4f",
        ),
        Alert(
            "CardinalityOverflow",
            "system",
            "warning",
            f"sum by (job, family) (increase({c.AGENTWATCH_CARDINALITY_OVERFLOW_TOTAL.name}[5m]))"
            " > 0",
            "New label values are being folded into an __overflow__ series",
            "{labels[job]} folded {value} new label sets of {labels[family]} into its"
            " __overflow__ series in the last 5 minutes: the family reached its cardinality"
            " limit, and some code passes an unbounded value (an id, a message) as a label.",
            "%.0f",
        ),
        Alert(
            "MemoryUsageCritical",
            "agents",
            "critical",
            f"{c.AGENT_RESOURCE_USAGE.name}{{{rec.MEMORY}}} > {num(t.memory_usage_max_ratio)}",
            "An agent is close to its memory limit",
            "Agent {labels[agent_id]} ({labels[agent_type]}) uses {value} of its memory limit"
            f" (limit {num(t.memory_usage_max_ratio)}).",
            "%.3f",
        ),
        Alert(
            "HighLatencyP99",
            "transport",
            "warning",
            f"{rec.TRANSPORT_LATENCY['p99'][1]} > {num(t.latency_p99_max_seconds)}",
            "Transport p99 latency is high",
            "p99 delivery latency of {labels[job]} is {value} s"
            f" (limit {num(t.latency_p99_max_seconds)} s).",
            "%.3f",
        ),
        Alert(
            "AgentHealthLow",
            "agents",
            "warning",
            f"{c.AGENT_HEALTH_SCORE.name} < {num(t.agent_health_min)}",
            "An agent's health score is low",
            "Agent {labels[agent_id]} ({labels[agent_type]}) has health score {value}"
            f" (minimum {num(t.agent_health_min)}).",
            "%.0f",
        ),
        Alert(
            "QueueBackup",
            "agents",
            "warning",
            f"{c.AGENT_QUEUE_DEPTH.name} > {num(t.queue_depth_max)}",
            "An agent's inbound queue is backing up",
            "Agent {labels[agent_id]} ({labels[agent_type]}) has {value} messages queued"
            f" (limit {num(t.queue_depth_max)}).",
            "%.0f",
        ),
        Alert(
            "UnauthorizedAgentAccess",
            "security",
            "critical",
            f"sum by (agent_type, reason) (rate({c.AGENT_UNAUTHORIZED_ACCESS_TOTAL.name}[5m])) > 0",
            "Unauthorized messages are reaching an agent type",
            "{labels[agent_type]} agents reject {value} unauthorized messages/s"
            " (reason {labels[reason]}).",
            "%.3f",
        ),
        Alert(
            "AnomalousMessagePattern",
            "security",
            "warning",
            f"{c.ANOMALY_SCORE.name} >= {num(t.anomaly_score_max)}",
            "A monitored series behaves anomalously",
            "Series {labels[series]} has anomaly score {value}"
            f" (anomalous from {num(t.anomaly_score_max)}).",
            "%.2f",
        ),
        Alert(
            "EmergencyMessageFlood",
            "security",
            "critical",
            f"sum by (job) (rate({c.AGENT_TRANSPORT_MESSAGES_TOTAL.name}"
            f"{{{rec.SENT}, {rec.EMERGENCY}}}[1m])) > {num(t.emergency_message_rate_max)}",
            "Emergency messages are flooding the transport",
            "{labels[job]} sends {value} emergency messages/s"
            f" (limit {num(t.emergency_message_rate_max)}).",
            "%.0f",
        ),
        Alert(
            "SecurityAgentDown",
            "security",
            "critical",
            # No series at all (exporter gone, or the type never registered) counts as down.
            f"sum by (agent_type) ({active}{{{security}}}) == 0\nor absent({active}{{{security}}})",
            "No security agent is running",
            "{labels[agent_type]} agents alive: 0. Nothing is watching for security events.",
            "%.0f",
        ),
        Alert(
            "RepeatedFailedLogins",
            "security",
            "warning",
            f'sum by (job) (increase({c.CONSOLE_LOGINS_TOTAL.name}{{outcome="failure"}}[5m]))'
            f" > {num(t.failed_logins_max)}",
            "Console logins keep failing",
            "{value} failed console logins in the last 5 minutes"
            f" (limit {num(t.failed_logins_max)}): someone may be guessing passwords.",
            "%.0f",
        ),
        Alert(
            "VoiceBiometricAuthFailures",
            "voice",
            "warning",
            f"{rec.VOICE_AUTH_FAILURE_RATIO} > {num(t.voice_auth_failure_ratio_max)}",
            "Voice biometric authentication fails often",
            "{value} of voice biometric authentications failed over 5 minutes"
            f" (limit {num(t.voice_auth_failure_ratio_max)}).",
            "%.3f",
        ),
        Alert(
            "AudioCaptureAnomaly",
            "voice",
            "warning",
            f"{rec.VOICE_AUDIO_ANOMALY_RATE} > {num(t.audio_capture_anomaly_rate_max)}",
            "Audio capture anomalies are frequent",
            "{value} {labels[kind]} anomalies/s in audio capture"
            f" (limit {num(t.audio_capture_anomaly_rate_max)}).",
            "%.3f",
        ),
        Alert(
            "VoiceRecognitionFalsePositives",
            "voice",
            "warning",
            f"{rec.VOICE_FALSE_POSITIVE_RATIO} > {num(t.voice_false_positive_ratio_max)}",
            "Voice recognition accepts phrases nobody said",
            "{value} of voice recognitions were false positives over 5 minutes"
            f" (limit {num(t.voice_false_positive_ratio_max)}).",
            "%.3f",
        ),
        Alert(
            "TransportDown",
            "transport",
            "critical",
            f'{up}{{job="{k.TRANSPORT_JOB}"}} == 0',
            "The transport exporter cannot be scraped",
            "Prometheus cannot scrape {labels[instance]} (job {labels[job]}).",
            "%.0f",
        ),
        Alert(
            "ExporterDown",
            "system",
            "critical",
            f'{up}{{job=~"{"|".join(k.EXPORTER_JOBS)}"}} == 0',
            "An agentwatch exporter cannot be scraped",
            "Prometheus cannot scrape {labels[instance]} (job {labels[job]}).",
            "%.0f",
        ),
        Alert(
            "MonitoringComponentDown",
            "system",
            "critical",
            f'{up}{{job=~"{"|".join(k.MONITORING_JOBS)}"}} == 0',
            "A part of the monitoring stack cannot be scraped",
            "Prometheus cannot scrape {labels[instance]} (job {labels[job]}): alerts may go"
            " undelivered or the console dark.",
            "%.0f",
        ),
        Alert(
            "AlertmanagerClusterDegraded",
            "system",
            "warning",
            # Alertmanager's own gauge, present only with gossip on (`up --ha`): a member that
            # sees fewer peers than answer Prometheus is cut off, and both may notify.
            f'{k.ALERTMANAGER_CLUSTER_MEMBERS}{{job="{k.ALERTMANAGER_JOB}"}}'
            f' < on () group_left () count({up}{{job="{k.ALERTMANAGER_JOB}"}} == 1)',
            "An Alertmanager has lost its cluster peers",
            "Alertmanager {labels[instance]} sees {value} cluster members while more"
            " Alertmanagers answer; notifications may be sent twice.",
            "%.0f",
        ),
        Alert(
            "AlertsNotReachingAlertmanager",
            "system",
            "critical",
            # Failed posts to every Alertmanager Prometheus knows: one that takes them (the
            # other one, with --ha) is enough. Prometheus resends firing alerts each minute, so
            # a lasting failure keeps the 5m rate above 0 and one lost post does not.
            f"min without (alertmanager) (rate({k.PROMETHEUS_NOTIFICATION_ERRORS}"
            f'{{job="{k.PROMETHEUS_JOB}"}}[5m])) > 0',
            "Prometheus cannot deliver alerts to any Alertmanager",
            "Prometheus {labels[instance]} fails {value} alert posts/s to every Alertmanager;"
            " the alerts it fires reach nobody.",
            "%.3f",
        ),
        Alert(
            "AlertmanagerNotificationsFailing",
            "system",
            "critical",
            # The share of failed requests to a receiver, for the Alertmanager that fails least:
            # with --ha, a peer that delivers is enough.
            f"min by (integration) ("
            f'rate({k.ALERTMANAGER_NOTIFICATION_REQUESTS_FAILED}{{job="{k.ALERTMANAGER_JOB}"}}[5m])'
            f' / rate({k.ALERTMANAGER_NOTIFICATION_REQUESTS}{{job="{k.ALERTMANAGER_JOB}"}}[5m])'
            f") > {num(t.notification_failure_ratio_max)}",
            "Alertmanager cannot deliver notifications",
            "{value} of the requests to {labels[integration]} receivers failed over 5 minutes"
            f" (limit {num(t.notification_failure_ratio_max)}) on every Alertmanager;"
            " notifications are not reaching people.",
            "%.3f",
        ),
        Alert(
            "HomeFilesystemAlmostFull",
            "system",
            "warning",
            f"{c.HOME_FILESYSTEM_AVAIL_BYTES.name} / {c.HOME_FILESYSTEM_SIZE_BYTES.name}"
            f" < {num(t.home_filesystem_avail_min_ratio)}",
            "The filesystem holding the agentwatch home is almost full",
            "{value} of the filesystem holding the agentwatch home is free"
            f" (minimum {num(t.home_filesystem_avail_min_ratio)}); when it is full, Prometheus"
            " stops storing samples.",
            "%.3f",
        ),
    )


# Defined on the default spec: the names do not depend on the spec, only thresholds do.
ALERT_NAMES: tuple[str, ...] = tuple(a.name for a in alerts(Spec()))


def alert_groups(spec: Spec) -> dict[Category, dict[str, Any]]:
    """One rule group per category, in CATEGORIES order; empty categories are left out."""
    by_category: dict[Category, list[Alert]] = {}
    for alert in alerts(spec):
        by_category.setdefault(alert.category, []).append(alert)
    return {
        category: {
            "name": f"agentwatch-{category}.alerts",
            "rules": [a.rule() for a in by_category[category]],
        }
        for category in CATEGORIES
        if category in by_category
    }
