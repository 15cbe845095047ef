"""Named constants the rules need beside the spec (``thresholds``, ``alerting.alert_for``,
``alerting.runbook_base_url``): job names and the security agent type. No threshold is spelled
inside a rule."""

from __future__ import annotations

from typing import Final

from agentwatch.generate import local_stack

__all__ = [
    "ALERTMANAGER_CLUSTER_FAILED_PEERS",
    "ALERTMANAGER_CLUSTER_MEMBERS",
    "ALERTMANAGER_JOB",
    "ALERTMANAGER_SERIES",
    "EXPORTER_JOBS",
    "MONITORING_JOBS",
    "SECURITY_AGENT_TYPE",
    "TRANSPORT_JOB",
]

# The agent type whose absence leaves the system without its security monitor (seed 004).
SECURITY_AGENT_TYPE: Final = "security"

# Scrape job names come from the Prometheus configuration generator: the transport job has its
# own alert (TransportDown, which Alertmanager uses to inhibit what it causes), the other
# exporters share ExporterDown.
TRANSPORT_JOB: Final = local_stack.TRANSPORT_JOB
EXPORTER_JOBS: Final = tuple(j for j in local_stack.EXPORTER_JOBS if j != TRANSPORT_JOB)
# The monitoring stack's own parts that Prometheus scrapes: MonitoringComponentDown.
ALERTMANAGER_JOB: Final = local_stack.ALERTMANAGER_JOB
MONITORING_JOBS: Final = (local_stack.PROMETHEUS_JOB, ALERTMANAGER_JOB, local_stack.CONSOLE_JOB)
# Alertmanager's own gauges, served only with gossip on (`agentwatch up --ha`): the rules and
# runbooks read them although no agentwatch exporter serves them.
ALERTMANAGER_CLUSTER_MEMBERS: Final = "alertmanager_cluster_members"
ALERTMANAGER_CLUSTER_FAILED_PEERS: Final = "alertmanager_cluster_failed_peers"
ALERTMANAGER_SERIES: Final = frozenset(
    {ALERTMANAGER_CLUSTER_MEMBERS, ALERTMANAGER_CLUSTER_FAILED_PEERS}
)
