"""What Prometheus scrapes: the scrape job names and the ``host:port`` form of an ``instance``.

Defined once, here: generate writes prometheus.yml with these jobs, the rules, runbooks and
dashboards select series by them, and the simulated system's backfilled history carries the
``job`` and ``instance`` labels a live scrape would give, so history and live data are the same
series.
"""

from __future__ import annotations

__all__ = [
    "AGENTS_JOB",
    "ALERTMANAGER_JOB",
    "ANALYTICS_JOB",
    "COLLECTOR_JOB",
    "CONSOLE_JOB",
    "EXPORTER_JOBS",
    "FRAMEWORK_JOB",
    "PROMETHEUS_JOB",
    "TRANSPORT_JOB",
    "VOICE_JOB",
    "connect_host",
    "host_port",
]

PROMETHEUS_JOB = "prometheus"
ALERTMANAGER_JOB = "alertmanager"
AGENTS_JOB = "agents"
TRANSPORT_JOB = "transport-layer"
VOICE_JOB = "voice"
ANALYTICS_JOB = "analytics"
# Seed 000's job name for the framework metrics.
FRAMEWORK_JOB = "claude-framework"
# The console's own metrics: logins, refused requests (security monitoring).
CONSOLE_JOB = "console"
# The production collector's span metrics and service graph (not part of the local stack).
COLLECTOR_JOB = "otel-collector"
EXPORTER_JOBS = (AGENTS_JOB, TRANSPORT_JOB, VOICE_JOB, ANALYTICS_JOB, FRAMEWORK_JOB)

# A server bound to a wildcard address is reached through loopback: Prometheus needs a
# concrete address to scrape, and loopback is the one every machine has.
_WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}


def connect_host(listen_address: str) -> str:
    """The host clients use to reach a server that listens on ``listen_address``."""
    return _WILDCARDS.get(listen_address, listen_address.strip("[]"))


def host_port(host: str, port: int) -> str:
    """``host:port``, with an IPv6 host in brackets as URLs and Prometheus targets need."""
    bare = host.strip("[]")
    return f"[{bare}]:{port}" if ":" in bare else f"{bare}:{port}"
