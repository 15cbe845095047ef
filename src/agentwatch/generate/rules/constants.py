"""Named constants the rules need beside the spec (``thresholds``, ``alerting.alert_for``,
``alerting.runbook_base_url``): job names and the security agent type. No threshold is spelled
inside a rule."""

from __future__ import annotations

from typing import Final

from agentwatch.catalog import scrape

__all__ = [
    "ALERTMANAGER_CLUSTER_FAILED_PEERS",
    "ALERTMANAGER_CLUSTER_MEMBERS",
    "ALERTMANAGER_JOB",
    "ALERTMANAGER_NOTIFICATIONS_FAILED",
    "ALERTMANAGER_NOTIFICATION_REQUESTS",
    "ALERTMANAGER_NOTIFICATION_REQUESTS_FAILED",
    "ALERTMANAGER_SERIES",
    "EXPORTER_JOBS",
    "MONITORING_JOBS",
    "PROMETHEUS_JOB",
    "PROMETHEUS_NOTIFICATIONS_SENT",
    "PROMETHEUS_NOTIFICATION_ERRORS",
    "PROMETHEUS_SELF_SERIES",
    "SECURITY_AGENT_TYPE",
    "TRANSPORT_JOB",
]

# The agent type whose absence leaves the system without its security monitor (seed 004).
SECURITY_AGENT_TYPE: Final = "security"

# Scrape job names come from the catalog (catalog/scrape.py): the transport job has its
# own alert (TransportDown, which Alertmanager uses to inhibit what it causes), the other
# exporters share ExporterDown.
TRANSPORT_JOB: Final = scrape.TRANSPORT_JOB
EXPORTER_JOBS: Final = tuple(j for j in scrape.EXPORTER_JOBS if j != TRANSPORT_JOB)
# The monitoring stack's own parts that Prometheus scrapes: MonitoringComponentDown.
ALERTMANAGER_JOB: Final = scrape.ALERTMANAGER_JOB
PROMETHEUS_JOB: Final = scrape.PROMETHEUS_JOB
MONITORING_JOBS: Final = (PROMETHEUS_JOB, ALERTMANAGER_JOB, scrape.CONSOLE_JOB)
# Alertmanager's own gauges, served only with gossip on (`agentwatch up --ha`): the rules and
# runbooks read them although no agentwatch exporter serves them.
ALERTMANAGER_CLUSTER_MEMBERS: Final = "alertmanager_cluster_members"
ALERTMANAGER_CLUSTER_FAILED_PEERS: Final = "alertmanager_cluster_failed_peers"
# Alertmanager's counters of requests to receivers, one per attempt and labelled by
# `integration` (webhook, email, ...): AlertmanagerNotificationsFailing. Per attempt, so they
# measure the receiver itself; Alertmanager 0.25 counts a notification as failed only when it
# stops retrying, at the end of the group interval (the runbook reads that count).
ALERTMANAGER_NOTIFICATION_REQUESTS: Final = "alertmanager_notification_requests_total"
ALERTMANAGER_NOTIFICATION_REQUESTS_FAILED: Final = "alertmanager_notification_requests_failed_total"
ALERTMANAGER_NOTIFICATIONS_FAILED: Final = "alertmanager_notifications_failed_total"
ALERTMANAGER_SERIES: Final = frozenset(
    {
        ALERTMANAGER_CLUSTER_MEMBERS,
        ALERTMANAGER_CLUSTER_FAILED_PEERS,
        ALERTMANAGER_NOTIFICATION_REQUESTS,
        ALERTMANAGER_NOTIFICATION_REQUESTS_FAILED,
        ALERTMANAGER_NOTIFICATIONS_FAILED,
    }
)
# Prometheus' own counters of alert posts to each Alertmanager (label `alertmanager`, its URL),
# which it serves on its /metrics and scrapes as the prometheus job: AlertsNotReachingAlertmanager.
# An error counts one failed post of a batch; `sent` counts the alerts in every post tried.
PROMETHEUS_NOTIFICATION_ERRORS: Final = "prometheus_notifications_errors_total"
PROMETHEUS_NOTIFICATIONS_SENT: Final = "prometheus_notifications_sent_total"
PROMETHEUS_SELF_SERIES: Final = frozenset(
    {PROMETHEUS_NOTIFICATION_ERRORS, PROMETHEUS_NOTIFICATIONS_SENT}
)
