"""Named constants the rules need beside ``spec.thresholds``: the runbook base, job names,
the security agent type and the ``for`` durations. No threshold is spelled inside a rule."""

from __future__ import annotations

from typing import Final

from agentwatch.generate import local_stack

__all__ = [
    "EXPORTER_JOBS",
    "FOR",
    "RUNBOOK_BASE",
    "SECURITY_AGENT_TYPE",
    "TRANSPORT_JOB",
]

# Every alert's runbook_url is this plus "#<alertname lower-cased>" (GitHub's heading anchor).
RUNBOOK_BASE: Final = "https://github.com/agentwatch/agentwatch/blob/main/docs/runbooks.md"

# The agent type whose absence leaves the system without its security monitor (seed 004).
SECURITY_AGENT_TYPE: Final = "security"

# Scrape job names come from the Prometheus configuration generator: the transport job has its
# own alert (TransportDown, which Alertmanager uses to inhibit what it causes), the other
# exporters share ExporterDown.
TRANSPORT_JOB: Final = local_stack.TRANSPORT_JOB
EXPORTER_JOBS: Final = tuple(j for j in local_stack.EXPORTER_JOBS if j != TRANSPORT_JOB)

# How long each condition must hold before its alert fires. Seed 000 gives the first two;
# the others are chosen: long enough to ride out one bad scrape or rate window, short enough
# that a page arrives well inside the 43-minute monthly error budget.
FOR: Final[dict[str, str]] = {
    "FrameworkQualityDrop": "5m",
    "AgentPerformanceDegradation": "2m",
    "TransportThroughputLow": "2m",
    "AgentFailurePredicted": "2m",
    "SystemAvailabilityLow": "5m",
    "MemoryUsageCritical": "2m",
    "HighLatencyP99": "5m",
    "AgentHealthLow": "5m",
    "QueueBackup": "5m",
    # Any unauthorized access is worth knowing about at once.
    "UnauthorizedAgentAccess": "0s",
    "AnomalousMessagePattern": "5m",
    "EmergencyMessageFlood": "1m",
    "SecurityAgentDown": "1m",
    "VoiceBiometricAuthFailures": "5m",
    "AudioCaptureAnomaly": "5m",
    "VoiceRecognitionFalsePositives": "10m",
    "TransportDown": "1m",
    "ExporterDown": "2m",
}
