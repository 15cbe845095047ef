"""prometheus.yml: for the local stack that ``agentwatch up`` runs and, with other hosts, for
the production tree.

Pure: the spec in, plain dicts out. ``agentwatch.stack`` and ``generate.tree`` write them with
``agentwatch.render``. The job names and the ``host:port`` form of a target are the catalog's
(``agentwatch.catalog.scrape``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agentwatch.catalog.scrape import (
    AGENTS_JOB,
    ALERTMANAGER_JOB,
    ANALYTICS_JOB,
    COLLECTOR_JOB,
    CONSOLE_JOB,
    EXPORTER_JOBS,
    FRAMEWORK_JOB,
    PROMETHEUS_JOB,
    TRANSPORT_JOB,
    VOICE_JOB,
    connect_host,
    host_port,
)
from agentwatch.spec import ScrapeJob, Spec

__all__ = [
    "REPLICA_LABEL",
    "Hosts",
    "ScrapeAuth",
    "local_hosts",
    "prometheus_config",
    "remote_write_config",
    "shard_relabelling",
]


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
    name: str,
    target: str | list[str],
    scrape: ScrapeJob | None = None,
    auth: dict[str, Any] | None = None,
) -> dict[str, Any]:
    job: dict[str, Any] = {"job_name": name}
    if scrape is not None:
        job["scrape_interval"] = scrape.interval
        if scrape.timeout is not None:
            job["scrape_timeout"] = scrape.timeout
    job.update(auth or {})
    # A list of its own: one list in two places would be written as a YAML anchor and alias.
    job["static_configs"] = [{"targets": [target] if isinstance(target, str) else list(target)}]
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
    # Where the second Alertmanager and the second Prometheus run (ha: in the spec); None where
    # there is none.
    alertmanager_2: str | None = None
    prometheus_2: str | None = None


def shard_relabelling(shards: int, shard: int) -> list[dict[str, Any]]:
    """Keep only the targets whose hashmod of ``__address__`` is ``shard``: N servers with the
    same job list then scrape disjoint subsets whose union is every target."""
    return [
        {
            "source_labels": ["__address__"],
            "modulus": shards,
            "target_label": "__tmp_hashmod",
            "action": "hashmod",
        },
        {"source_labels": ["__tmp_hashmod"], "regex": str(shard), "action": "keep"},
    ]


def remote_write_config(spec: Spec) -> list[dict[str, Any]]:
    """The spec's remote_write destinations; credentials by file only."""
    entries: list[dict[str, Any]] = []
    for target in spec.storage.remote_write:
        entry: dict[str, Any] = {"name": target.name, "url": target.url}
        if target.basic_auth is not None:
            entry["basic_auth"] = {
                "username": target.basic_auth.username,
                "password_file": target.basic_auth.password_file,
            }
        if target.bearer_token_file is not None:
            entry["authorization"] = {
                "type": "Bearer",
                "credentials_file": target.bearer_token_file,
            }
        if target.headers:
            entry["headers"] = dict(sorted(target.headers.items()))
        entries.append(entry)
    return entries


def local_hosts(spec: Spec) -> Hosts:
    host = connect_host(spec.listen_address)
    return Hosts(
        prometheus=host,
        alertmanager=host,
        exporters=host,
        analytics=host,
        framework=host,
        console=host,
        alertmanager_2=host if spec.ha.enabled else None,
        prometheus_2=host if spec.ha.prometheus_replicas else None,
    )


# The external label that tells Prometheus replicas apart; dropped from the alerts they send.
REPLICA_LABEL = "replica"


def _targets(*pairs: tuple[str | None, int]) -> list[str]:
    return [host_port(host, port) for host, port in pairs if host is not None]


def prometheus_config(
    spec: Spec,
    *,
    rule_files: Sequence[str],
    demo: bool,
    hosts: Hosts | None = None,
    auth: ScrapeAuth | None = None,
    shard: int | None = None,
    replica: int | None = None,
) -> dict[str, Any]:
    """Prometheus scraping itself, the local Alertmanager, the analytics and framework
    exporters and, with
    ``demo``, the simulated system's three exporters; alerts go to the local Alertmanager.

    ``rule_files`` are globs as Prometheus reads them (absolute, or relative to the config file).
    ``hosts`` defaults to the local stack's (the spec's listen address). ``auth`` adds
    basic auth towards Prometheus and Alertmanager and the bearer token towards exporters.

    With ``spec.scrape.shards`` N > 1, ``shard`` (0..N-1) picks this server's share: the
    exporter jobs keep the targets whose hashmod of the address is ``shard``; the single-target
    infrastructure jobs (Prometheus, Alertmanager, console, collector) are scraped by shard 0
    alone, so a global view over every shard never sees their series twice.

    ``replica`` (0 or 1, with ``spec.ha.prometheus_replicas``) marks this server's series with
    the external label ``replica`` and drops that label from the alerts it sends, so both
    replicas' alerts are one alert to the Alertmanagers, which notify once.
    """
    shards = spec.scrape.shards
    shard = _checked_shard(shards, shard)
    hosts = hosts or local_hosts(spec)
    jobs = _scrape_jobs(spec, hosts, auth, demo=demo)
    external_labels = {"cluster": spec.cluster}
    if shards > 1:
        jobs = _shard_jobs(jobs, shards, shard)
        # Tells the shards' series apart in a global view fed by every shard's remote_write.
        external_labels["shard"] = str(shard)
    basic = auth.basic_auth() if auth is not None else {}
    alerting: dict[str, Any] = {
        "alertmanagers": [{**basic, "static_configs": [{"targets": _alertmanagers(spec, hosts)}]}]
    }
    if replica is not None:
        external_labels[REPLICA_LABEL] = str(replica)
        alerting["alert_relabel_configs"] = [{"action": "labeldrop", "regex": REPLICA_LABEL}]
    config: dict[str, Any] = {
        "global": {
            "scrape_interval": spec.scrape.interval,
            "evaluation_interval": spec.scrape.evaluation_interval,
            "external_labels": external_labels,
        },
        "alerting": alerting,
        "rule_files": list(rule_files),
        "scrape_configs": jobs,
    }
    remote_write = remote_write_config(spec)
    if remote_write:
        config["remote_write"] = remote_write
    return config


def _checked_shard(shards: int, shard: int | None) -> int:
    """``shard``, which must be given (0..shards-1) when the spec splits the targets."""
    if shard is None:
        if shards > 1:
            raise ValueError(f"scrape.shards is {shards}: say which shard (0..{shards - 1})")
        return 0
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is outside 0..{shards - 1} (scrape.shards is {shards})")
    return shard


def _alertmanagers(spec: Spec, hosts: Hosts) -> list[str]:
    ports = spec.ports
    return _targets(
        (hosts.alertmanager, ports.alertmanager), (hosts.alertmanager_2, ports.alertmanager_2)
    )


def _scrape_jobs(
    spec: Spec, hosts: Hosts, auth: ScrapeAuth | None, *, demo: bool
) -> list[dict[str, Any]]:
    """Every job, before sharding: the monitoring stack's own parts, the analytics and
    framework exporters, the console and collector where there are ones, and with ``demo``
    the simulated system's exporters."""
    ports = spec.ports
    basic = auth.basic_auth() if auth is not None else {}
    bearer = auth.bearer() if auth is not None else {}
    prometheus_targets = _targets(
        (hosts.prometheus, ports.prometheus), (hosts.prometheus_2, ports.prometheus_2)
    )
    jobs = [
        _job(PROMETHEUS_JOB, prometheus_targets, auth=basic),
        _job(ALERTMANAGER_JOB, _alertmanagers(spec, hosts), auth=basic),
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
        jobs += _simulated_jobs(spec, hosts.exporters, bearer)
    if hosts.collector_metrics is not None:
        jobs.append(_job(COLLECTOR_JOB, hosts.collector_metrics))
    return jobs


def _simulated_jobs(spec: Spec, exporters: str, bearer: dict[str, Any]) -> list[dict[str, Any]]:
    """The simulated system's three exporters, each at its own scrape interval."""
    ports = spec.ports
    return [
        _job(AGENTS_JOB, host_port(exporters, ports.agent_exporter), spec.scrape.agents, bearer),
        _job(
            TRANSPORT_JOB,
            host_port(exporters, ports.transport_exporter),
            spec.scrape.transport,
            bearer,
        ),
        _job(VOICE_JOB, host_port(exporters, ports.voice_exporter), spec.scrape.voice, bearer),
    ]


def _shard_jobs(jobs: list[dict[str, Any]], shards: int, shard: int) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    for job in jobs:
        if job["job_name"] in EXPORTER_JOBS:
            kept.append({**job, "relabel_configs": shard_relabelling(shards, shard)})
        elif shard == 0:
            kept.append(job)
    return kept
