"""Named constants the rules need that ``spec.Thresholds`` does not (yet) hold.

Everything here is a candidate for the spec: kept in one module so moving a value there is a
one-line change, and so no threshold is ever spelled as a literal inside a rule expression.
"""

from __future__ import annotations

from typing import Final

from agentwatch.generate import local_stack

__all__ = [
    "ANOMALY_SCORE_MAX",
    "AUDIO_CAPTURE_ANOMALY_RATE_MAX",
    "EMERGENCY_MESSAGE_RATE_MAX",
    "EXPORTER_JOBS",
    "FOR",
    "RUNBOOK_BASE",
    "SECURITY_AGENT_TYPE",
    "TRANSPORT_JOB",
    "VOICE_AUTH_FAILURE_RATIO_MAX",
    "VOICE_FALSE_POSITIVE_RATIO_MAX",
]

# Every alert's runbook_url is this plus "#<alertname lower-cased>" (GitHub's heading anchor).
RUNBOOK_BASE: Final = "https://github.com/agentwatch/agentwatch/blob/main/docs/runbooks.md"

# Issue 4 defines anomaly_score in [0, 1] and says 0.5 or more means anomalous.
ANOMALY_SCORE_MAX: Final = 0.5
# Emergency messages per second the transport may carry before it counts as a flood. The
# simulated system sends none unless a fault floods it; a real system sends a trickle.
EMERGENCY_MESSAGE_RATE_MAX: Final = 50.0
# Share of voice biometric authentications that may fail; the simulated baseline is 2%.
VOICE_AUTH_FAILURE_RATIO_MAX: Final = 0.10
# Audio capture anomalies per second, per kind (clipping, silence, dropout).
AUDIO_CAPTURE_ANOMALY_RATE_MAX: Final = 0.1
# Share of recognitions that were false positives; the simulated baseline is about 1%.
VOICE_FALSE_POSITIVE_RATIO_MAX: Final = 0.05
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
