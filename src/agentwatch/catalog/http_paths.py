"""The HTTP paths every agentwatch server answers the same way, named once.

Health checks: ``/healthz`` is what agentwatch's own probes use; ``/health`` is the path the
seed documents' troubleshooting commands ask for; ``/-/healthy`` and ``/-/ready`` are
Prometheus' own, so a probe written for Prometheus works unchanged. None of them needs
credentials, and none says more than that the process answers.
"""

from __future__ import annotations

__all__ = ["HEALTHZ", "HEALTH_PATHS", "METRICS"]

HEALTHZ = "/healthz"
HEALTH_PATHS: frozenset[str] = frozenset({HEALTHZ, "/health", "/-/healthy", "/-/ready"})
METRICS = "/metrics"
#: Where the console receives Alertmanager's notifications (its web hook receiver).
CONSOLE_WEBHOOK_PATH = "/api/alerts/webhook"
#: The console's page of every alert's runbook (each alert's runbook_url by default).
CONSOLE_RUNBOOKS_PATH = "/runbooks"
