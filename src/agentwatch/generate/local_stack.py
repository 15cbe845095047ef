"""prometheus.yml for the local stack that ``agentwatch up`` runs (and, with other hosts, for
the production tree).

Pure: the spec in, plain dicts out. ``agentwatch.stack`` writes them with ``agentwatch.render``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agentwatch.spec import ScrapeJob, Spec

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
    "Hosts",
    "ScrapeAuth",
    "connect_host",
    "host_port",
    "local_hosts",
    "prometheus_config",
]

# Scrape job names: rules, dashboards and backfilled history select series by them.
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


@dataclass(frozen=True)
class ScrapeAuth:
    """Files Prometheus reads its credentials from (never the credentials themselves)."""

    username: str
    # Basic auth for Prometheus' own API and Alertmanager's.
    password_file: str
    # The bearer token every agentwatch exporter asks for.
    token_file: str

    def basic_auth(self) -> dict[str, Any]:
        return {"basic_auth": {"username": self.username, "password_file": self.password_file}}

    def bearer(self) -> dict[str, Any]:
        return {"authorization": {"type": "Bearer", "credentials_file": self.token_file}}


def _job(
    name: str, target: str, scrape: ScrapeJob | None = None, auth: dict[str, Any] | None = None
) -> dict[str, Any]:
    job: dict[str, Any] = {"job_name": name}
    if scrape is not None:
        job["scrape_interval"] = scrape.interval
        if scrape.timeout is not None:
            job["scrape_timeout"] = scrape.timeout
    job.update(auth or {})
    job["static_configs"] = [{"targets": [target]}]
    return job


@dataclass(frozen=True)
class Hosts:
    """Where Prometheus finds each service: loopback locally, service names in compose."""

    prometheus: str
    alertmanager: str
    exporters: str
    analytics: str
    # Where the framework/business exporter runs.
    framework: str
    # Where the console runs; None where there is none (the compose stack has no console yet).
    console: str | None = None
    # host:port of an OpenTelemetry Collector's metrics; None where there is none.
    collector_metrics: str | None = None


def local_hosts(spec: Spec) -> Hosts:
    host = connect_host(spec.listen_address)
    return Hosts(
        prometheus=host,
        alertmanager=host,
        exporters=host,
        analytics=host,
        framework=host,
        console=host,
    )


def prometheus_config(
    spec: Spec,
    *,
    rule_files: Sequence[str],
    demo: bool,
    hosts: Hosts | None = None,
    auth: ScrapeAuth | None = None,
) -> dict[str, Any]:
    """Prometheus scraping itself, the local Alertmanager, the analytics and framework
    exporters and, with
    ``demo``, the simulated system's three exporters; alerts go to the local Alertmanager.

    ``rule_files`` are globs as Prometheus reads them (absolute, or relative to the config file).
    ``hosts`` defaults to the local stack's (the spec's listen address). ``auth`` adds
    basic auth towards Prometheus and Alertmanager and the bearer token towards exporters.
    """
    hosts = hosts or local_hosts(spec)
    ports = spec.ports
    basic = auth.basic_auth() if auth is not None else {}
    bearer = auth.bearer() if auth is not None else {}
    jobs = [
        _job(PROMETHEUS_JOB, host_port(hosts.prometheus, ports.prometheus), auth=basic),
        _job(ALERTMANAGER_JOB, host_port(hosts.alertmanager, ports.alertmanager), auth=basic),
        _job(
            ANALYTICS_JOB,
            host_port(hosts.analytics, ports.analytics_exporter),
            spec.scrape.analytics,
            bearer,
        ),
        _job(
            FRAMEWORK_JOB,
            host_port(hosts.framework, ports.framework_exporter),
            spec.scrape.framework,
            bearer,
        ),
    ]
    if hosts.console is not None:
        jobs.append(_job(CONSOLE_JOB, host_port(hosts.console, ports.console), auth=bearer))
    if demo:
        exporters = hosts.exporters
        jobs += [
            _job(
                AGENTS_JOB,
                host_port(exporters, ports.agent_exporter),
                spec.scrape.agents,
                bearer,
            ),
            _job(
                TRANSPORT_JOB,
                host_port(exporters, ports.transport_exporter),
                spec.scrape.transport,
                bearer,
            ),
            _job(VOICE_JOB, host_port(exporters, ports.voice_exporter), spec.scrape.voice, bearer),
        ]
    if hosts.collector_metrics is not None:
        jobs.append(_job(COLLECTOR_JOB, hosts.collector_metrics))
    return {
        "global": {
            "scrape_interval": spec.scrape.interval,
            "evaluation_interval": spec.scrape.evaluation_interval,
            "external_labels": {"cluster": spec.cluster},
        },
        "alerting": {
            "alertmanagers": [
                {
                    **basic,
                    "static_configs": [
                        {"targets": [host_port(hosts.alertmanager, ports.alertmanager)]}
                    ],
                }
            ]
        },
        "rule_files": list(rule_files),
        "scrape_configs": jobs,
    }
