"""prometheus.yml and alertmanager.yml for the local stack that ``agentwatch up`` runs.

Pure: the spec in, plain dicts out. ``agentwatch.stack`` writes them with ``agentwatch.render``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agentwatch.spec import ScrapeJob, Spec

__all__ = [
    "LOCAL_RECEIVER",
    "alertmanager_config",
    "connect_host",
    "host_port",
    "prometheus_config",
]

# Nothing outside this machine can be notified from the local stack, so every alert goes to a
# receiver with no notifier: Alertmanager still groups, silences and shows them in its UI.
LOCAL_RECEIVER = "local"

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


def _job(name: str, target: str, scrape: ScrapeJob | None = None) -> dict[str, Any]:
    job: dict[str, Any] = {"job_name": name}
    if scrape is not None:
        job["scrape_interval"] = scrape.interval
        if scrape.timeout is not None:
            job["scrape_timeout"] = scrape.timeout
    job["static_configs"] = [{"targets": [target]}]
    return job


def prometheus_config(spec: Spec, *, rule_files: Sequence[str], demo: bool) -> dict[str, Any]:
    """Prometheus scraping itself, the local Alertmanager and, with ``demo``, the simulated
    system's three exporters; alerts go to the local Alertmanager.

    ``rule_files`` are globs as Prometheus reads them (absolute, or relative to the config file).
    """
    host = connect_host(spec.listen_address)
    ports = spec.ports
    jobs = [
        _job("prometheus", host_port(host, ports.prometheus)),
        _job("alertmanager", host_port(host, ports.alertmanager)),
    ]
    if demo:
        jobs += [
            _job("agents", host_port(host, ports.agent_exporter), spec.scrape.agents),
            _job(
                "transport-layer", host_port(host, ports.transport_exporter), spec.scrape.transport
            ),
            _job("voice", host_port(host, ports.voice_exporter), spec.scrape.voice),
        ]
    return {
        "global": {
            "scrape_interval": spec.scrape.interval,
            "evaluation_interval": spec.scrape.evaluation_interval,
            "external_labels": {"cluster": spec.cluster},
        },
        "alerting": {
            "alertmanagers": [
                {"static_configs": [{"targets": [host_port(host, ports.alertmanager)]}]}
            ]
        },
        "rule_files": list(rule_files),
        "scrape_configs": jobs,
    }


def alertmanager_config() -> dict[str, Any]:
    """Seed 004's route (grouping and timings) with the local receiver as the default.

    The seed's PagerDuty and web-hook receivers need endpoints and credentials that do not exist
    on a developer's machine; a receiver with no notifiers keeps the configuration valid.
    """
    return {
        "route": {
            "receiver": LOCAL_RECEIVER,
            "group_by": ["alertname", "cluster"],
            "group_wait": "10s",
            "group_interval": "10s",
            "repeat_interval": "1h",
        },
        "receivers": [{"name": LOCAL_RECEIVER}],
    }
