"""Every alerting rule, one module per category (the alert's `category` label, the team
route in Alertmanager): transport, agents, system, framework, security, voice and analytics.

Each alert is one definition (``_definition.Alert``) in its category's module, built from the
spec's thresholds and ports: the expression, severity and category, summary and description,
its runbook section and its promtool test cases. The writers loop over them: the rule files
(``alert_groups``) and their promtool tests (``rules.alert_tests``) per category
(``alerts_by_category``), docs/runbooks.md (``agentwatch.generate.runbooks``) over ``alerts``.

To add an alert: write its definition in its category's module and add it to that module's
``ALERTS``; give it a default ``for`` in the spec (``DEFAULT_ALERT_FOR``, which validates
``alerting.alert_for``; the spec cannot import the generators).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from agentwatch.generate.console_links import runbook_url
from agentwatch.spec import Spec

from . import agents, analytics, business, framework, security, system, transport, voice
from ._definition import (
    Alert,
    AlertDefinition,
    Case,
    Category,
    Runbook,
    Severity,
)

__all__ = [
    "ALERT_NAMES",
    "CATEGORIES",
    "Alert",
    "AlertDefinition",
    "Case",
    "Category",
    "Runbook",
    "Severity",
    "alert_groups",
    "alerts",
    "alerts_by_category",
    "runbook_url",
]

# The categories in the order of their rule files and groups, each with its definitions.
_DOMAINS: tuple[tuple[Category, tuple[AlertDefinition, ...]], ...] = (
    (transport.CATEGORY, transport.ALERTS),
    (agents.CATEGORY, agents.ALERTS),
    (system.CATEGORY, system.ALERTS),
    (framework.CATEGORY, framework.ALERTS),
    (security.CATEGORY, security.ALERTS),
    (voice.CATEGORY, voice.ALERTS),
    (analytics.CATEGORY, analytics.ALERTS),
    (business.CATEGORY, business.ALERTS),
)
CATEGORIES: tuple[Category, ...] = tuple(category for category, _ in _DOMAINS)

# The order docs/runbooks.md (and ALERT_NAMES) has always listed these alerts in, from
# before they were grouped by category: kept so the document and its diffs stay stable. An
# alert not named here follows these, in category order; nothing else depends on the order.
_LISTED_FIRST = (
    "FrameworkQualityDrop",
    "AgentPerformanceDegradation",
    "TransportThroughputLow",
    "AgentFailurePredicted",
    "SystemAvailabilityLow",
    "CardinalityOverflow",
    "MemoryUsageCritical",
    "HighLatencyP99",
    "AgentHealthLow",
    "QueueBackup",
    "UnauthorizedAgentAccess",
    "AnomalousMessagePattern",
    "EmergencyMessageFlood",
    "SecurityAgentDown",
    "RepeatedFailedLogins",
    "VoiceBiometricAuthFailures",
    "AudioCaptureAnomaly",
    "VoiceRecognitionFalsePositives",
    "TransportDown",
    "ExporterDown",
    "MonitoringComponentDown",
    "AlertmanagerClusterDegraded",
    "AlertsNotReachingAlertmanager",
    "AlertmanagerNotificationsFailing",
    "HomeFilesystemAlmostFull",
)


def _listed_position(alert: Alert) -> int:
    return _LISTED_FIRST.index(alert.name) if alert.name in _LISTED_FIRST else len(_LISTED_FIRST)


def alerts_by_category(spec: Spec) -> dict[Category, tuple[Alert, ...]]:
    """Each category's alerts for ``spec``, in CATEGORIES order and each in its module's
    order (that of its rule file), with their ``for`` and runbook URL from the spec."""
    hold = spec.alerting.alert_for

    def complete(alert: Alert) -> Alert:
        return replace(alert, for_=hold[alert.name], runbook_url=runbook_url(spec, alert.name))

    return {
        category: tuple(
            complete(alert) for alert in (define(spec) for define in definitions) if alert
        )
        for category, definitions in _DOMAINS
    }


def alerts(spec: Spec) -> tuple[Alert, ...]:
    """Every alert for ``spec``, in the order of docs/runbooks.md."""
    every = [alert for group in alerts_by_category(spec).values() for alert in group]
    return tuple(sorted(every, key=_listed_position))


# Defined on the default spec: the names do not depend on the spec, only thresholds do.
ALERT_NAMES: tuple[str, ...] = tuple(a.name for a in alerts(Spec()))


def alert_groups(spec: Spec) -> dict[Category, dict[str, Any]]:
    """One rule group per category, in CATEGORIES order, its rules in its module's order;
    empty categories are left out."""
    return {
        category: {
            "name": f"agentwatch-{category}.alerts",
            "rules": [a.rule() for a in group],
        }
        for category, group in alerts_by_category(spec).items()
        if group
    }
