"""What the local stack runs: each component's command line and the URLs that show it is up."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from agentwatch.catalog.scrape import connect_host, host_port
from agentwatch.clients import Auth, file_service_account
from agentwatch.security import SECRETS_ENV
from agentwatch.spec import Spec, is_loopback

from ._binaries import Binaries
from ._layout import StackHome

__all__ = [
    "Component",
    "Endpoint",
    "StackPlan",
    "analytics_command",
    "build_plan",
    "console_command",
    "framework_command",
    "gossip_host",
    "simulate_command",
    "stack_client_auth",
]

PROMETHEUS = "prometheus"
ALERTMANAGER = "alertmanager"
# The second of each, with `ha:` in the spec (docs/ha.md).
PROMETHEUS_2 = "prometheus-2"
ALERTMANAGER_2 = "alertmanager-2"
SIMULATE = "simulate"
ANALYTICS = "analytics"
FRAMEWORK = "framework"
CONSOLE = "console"


@dataclass(frozen=True)
class Endpoint:
    """One thing a user can open, and the URL that answers 200 when it is ready."""

    label: str
    url: str
    health_url: str
    # An Alertmanager in a cluster of ``cluster_size``: ready only once its status API
    # (``cluster_url``) lists that many peers and says the cluster is ready. Its /-/ready
    # answers 200 long before: while it settles, it holds notifications back.
    cluster_url: str | None = None
    cluster_size: int = 0


@dataclass(frozen=True)
class Component:
    """One child process. ``name`` names its log file and pid file."""

    name: str
    argv: tuple[str, ...]
    endpoints: tuple[Endpoint, ...]
    # (what listens, spec field under ``ports``, port) for each port the process binds.
    ports: tuple[tuple[str, str, int], ...]


@dataclass(frozen=True)
class StackPlan:
    spec: Spec
    home: StackHome
    binaries: Binaries
    config_path: Path | None
    demo: bool
    components: tuple[Component, ...]

    @property
    def host(self) -> str:
        return connect_host(self.spec.listen_address)

    def ports(self) -> list[tuple[str, str, int]]:
        """(component, spec field, port) for every port the stack will bind."""
        return [port for component in self.components for port in component.ports]

    def child_environment(self) -> dict[str, str] | None:
        """The children's environment: with auth, where they find the home's secrets (the
        exporters ask for credentials, the analytics service and console send them)."""
        if not self.spec.security.auth:
            return None
        return {**os.environ, SECRETS_ENV: str(self.home.secrets.secrets_json)}

    def client_auth(self) -> Auth | None:
        """What the stack's own probes send (the service account), once secrets exist."""
        return (
            stack_client_auth(self.home.secrets.secrets_json) if self.spec.security.auth else None
        )


def stack_client_auth(secrets_json: Path) -> Auth | None:
    """Basic auth with the service account of a home's secrets file; None when it has none."""
    return file_service_account(secrets_json)


def simulate_command(
    config_path: Path | None, *, backfill: str | None = None, tsdb: Path | None = None
) -> list[str]:
    """``agentwatch simulate`` as a child process: the same interpreter, so the same install."""
    argv = [sys.executable, "-m", "agentwatch", "simulate"]
    if config_path is not None:
        argv += ["--config", str(config_path)]
    if backfill is not None:
        argv += ["--backfill", backfill]
    if tsdb is not None:
        argv += ["--tsdb", str(tsdb)]
    return argv


def analytics_command(config_path: Path | None, prometheus_url: str) -> list[str]:
    """``agentwatch analytics serve`` as a child process, reading the stack's Prometheus."""
    argv = [sys.executable, "-m", "agentwatch", "analytics", "serve"]
    if config_path is not None:
        argv += ["--config", str(config_path)]
    return [*argv, "--prometheus", prometheus_url]


def framework_command(config_path: Path | None, home: Path, *, example: bool) -> list[str]:
    """``agentwatch framework serve`` as a child process; the demo scans the bundled example
    framework when the spec names none."""
    argv = [sys.executable, "-m", "agentwatch", "framework", "serve", "--home", str(home)]
    if config_path is not None:
        argv += ["--config", str(config_path)]
    return [*argv, "--example"] if example else argv


def console_command(
    config_path: Path | None,
    home: Path,
    prometheus_url: str,
    alertmanager_url: str,
    *,
    throughput_floor: float | None = None,
) -> list[str]:
    """``agentwatch console serve`` as a child process, reading the stack's servers.

    ``throughput_floor``: the floor the stack's rules hold the simulated system to
    (simulate.with_simulated_objectives), so the console's runbooks state the threshold the
    rules use rather than the spec file's.
    """
    argv = [sys.executable, "-m", "agentwatch", "console", "serve", "--home", str(home)]
    if config_path is not None:
        argv += ["--config", str(config_path)]
    if throughput_floor is not None:
        argv += ["--throughput-floor", repr(float(throughput_floor))]
    return [*argv, "--prometheus", prometheus_url, "--alertmanager", alertmanager_url]


def _url(host: str, port: int, path: str) -> str:
    return f"http://{host_port(host, port)}{path}"


def gossip_host(spec: Spec) -> str:
    """Where the Alertmanagers gossip: loopback, always. Both run on this machine, and gossip
    takes no credentials, so on any other address anyone who reaches it could forge silences
    and notification records. A loopback listen address (127.0.0.1 or ::1) is used as is."""
    listen = spec.listen_address
    return connect_host(listen) if is_loopback(listen) else "127.0.0.1"


def _prometheus(
    spec: Spec,
    binaries: Binaries,
    home: StackHome,
    *,
    name: str,
    label: str,
    config: Path,
    data: Path,
    field: str,
    port: int,
) -> Component:
    listen = spec.listen_address
    host = connect_host(listen)
    retention_size = (
        (f"--storage.tsdb.retention.size={spec.storage.retention_size}",)
        if spec.storage.retention_size is not None
        else ()
    )
    # Both servers ask for basic auth (bcrypt hashes in HOME/secrets/web.yml).
    web_config = (f"--web.config.file={home.secrets.web_config}",) if spec.security.auth else ()
    return Component(
        name=name,
        argv=(
            str(binaries.prometheus),
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--storage.tsdb.retention.time={spec.storage.retention}",
            *retention_size,
            f"--web.listen-address={host_port(listen, port)}",
            *web_config,
            # Lifecycle: reload after rules are regenerated. Admin API: TSDB snapshots for
            # backups. Both are reachable only where Prometheus listens (loopback by default).
            "--web.enable-lifecycle",
            "--web.enable-admin-api",
            # Keep the exemplars (trace ids) the exporters attach to latency buckets.
            "--enable-feature=exemplar-storage",
        ),
        endpoints=(Endpoint(label, _url(host, port, "/"), _url(host, port, "/-/ready")),),
        ports=((label, field, port),),
    )


@dataclass(frozen=True)
class _Alertmanager:
    name: str
    label: str
    data: Path
    # (spec field under ``ports``, port) for its web API and for its gossip.
    web: tuple[str, int]
    gossip: tuple[str, int]


def _alertmanagers(spec: Spec, binaries: Binaries, home: StackHome) -> list[Component]:
    """One Alertmanager without gossip; with ``ha.enabled``, two that gossip with each other."""
    listen = spec.listen_address
    host = connect_host(listen)
    ports = spec.ports
    web_config = (f"--web.config.file={home.secrets.web_config}",) if spec.security.auth else ()
    members = [
        _Alertmanager(
            ALERTMANAGER,
            "Alertmanager",
            home.alertmanager_data,
            ("alertmanager", ports.alertmanager),
            ("alertmanager_gossip", ports.alertmanager_gossip),
        )
    ]
    if spec.ha.enabled:
        members.append(
            _Alertmanager(
                ALERTMANAGER_2,
                "Alertmanager 2",
                home.alertmanager_2_data,
                ("alertmanager_2", ports.alertmanager_2),
                ("alertmanager_2_gossip", ports.alertmanager_2_gossip),
            )
        )
    clustered = len(members) > 1
    gossip = gossip_host(spec)
    components = []
    for member in members:
        field, port = member.web
        bound = [(member.label, f"ports.{field}", port)]
        if clustered:
            gossip_field, gossip_port = member.gossip
            address = host_port(gossip, gossip_port)
            cluster: tuple[str, ...] = (
                f"--cluster.listen-address={address}",
                # Without it Alertmanager looks for a private IP to advertise, and on a machine
                # with none it exits ("No private IP address found").
                f"--cluster.advertise-address={address}",
                *(
                    f"--cluster.peer={host_port(gossip, other.gossip[1])}"
                    for other in members
                    if other is not member
                ),
                f"--cluster.peer-timeout={spec.ha.peer_timeout}",
            )
            bound.append((f"{member.label}'s gossip", f"ports.{gossip_field}", gossip_port))
        else:
            # Empty disables clustering: a single local instance needs no gossip port (9094),
            # and gossip would otherwise listen on all interfaces.
            cluster = ("--cluster.listen-address=",)
        endpoint = Endpoint(
            member.label,
            _url(host, port, "/"),
            _url(host, port, "/-/ready"),
            cluster_url=_url(host, port, "/api/v2/status") if clustered else None,
            cluster_size=len(members) if clustered else 0,
        )
        components.append(
            Component(
                name=member.name,
                argv=(
                    str(binaries.alertmanager),
                    f"--config.file={home.alertmanager_config}",
                    f"--storage.path={member.data}",
                    f"--web.listen-address={host_port(listen, port)}",
                    *web_config,
                    *cluster,
                ),
                endpoints=(endpoint,),
                ports=tuple(bound),
            )
        )
    return components


def build_plan(
    spec: Spec,
    home: StackHome,
    binaries: Binaries,
    *,
    config_path: Path | None,
    demo: bool,
    simulate_argv: Sequence[str] | None = None,
) -> StackPlan:
    """The components in start order. ``simulate_argv`` replaces the simulated system's command
    line (tests use a stand-in); the real one is ``simulate_command(config_path)``."""
    # The framework component starts before the simulated system, whose simulated developers
    # send their telemetry to its receiver.
    components = [
        *_prometheus_servers(spec, binaries, home),
        *_alertmanagers(spec, binaries, home),
        _analytics(spec, config_path),
        _framework(spec, home, config_path, demo=demo),
        _console(spec, home, config_path, demo=demo),
    ]
    if demo:
        components.append(_simulated_system(spec, config_path, simulate_argv))
    return StackPlan(
        spec=spec,
        home=home,
        binaries=binaries,
        config_path=config_path,
        demo=demo,
        components=tuple(components),
    )


def _prometheus_servers(spec: Spec, binaries: Binaries, home: StackHome) -> list[Component]:
    """One Prometheus; with ``ha.prometheus_replicas``, a second that scrapes the same."""
    ports = spec.ports
    servers = [
        _prometheus(
            spec,
            binaries,
            home,
            name=PROMETHEUS,
            label="Prometheus",
            config=home.prometheus_config,
            data=home.prometheus_data,
            field="ports.prometheus",
            port=ports.prometheus,
        )
    ]
    if spec.ha.prometheus_replicas:
        servers.append(
            _prometheus(
                spec,
                binaries,
                home,
                name=PROMETHEUS_2,
                label="Prometheus 2",
                config=home.prometheus_2_config,
                data=home.prometheus_2_data,
                field="ports.prometheus_2",
                port=ports.prometheus_2,
            )
        )
    return servers


def _analytics(spec: Spec, config_path: Path | None) -> Component:
    """The analytics service, reading the (first) Prometheus and serving its exporter."""
    host, ports = connect_host(spec.listen_address), spec.ports
    port = ports.analytics_exporter
    return Component(
        name=ANALYTICS,
        argv=tuple(analytics_command(config_path, _url(host, ports.prometheus, ""))),
        endpoints=(
            Endpoint(
                "analytics exporter", _url(host, port, "/metrics"), _url(host, port, "/healthz")
            ),
        ),
        ports=(("the analytics exporter", "ports.analytics_exporter", port),),
    )


def _framework(spec: Spec, home: StackHome, config_path: Path | None, *, demo: bool) -> Component:
    """The framework exporter, with the OTLP/HTTP receiver when ``otlp_receiver.enabled``."""
    host, ports = connect_host(spec.listen_address), spec.ports
    framework_port, otlp_port = ports.framework_exporter, ports.otlp_http
    endpoints = [
        Endpoint(
            "framework exporter",
            _url(host, framework_port, "/metrics"),
            _url(host, framework_port, "/healthz"),
        )
    ]
    bound = [("the framework exporter", "ports.framework_exporter", framework_port)]
    if spec.otlp_receiver.enabled:
        endpoints.append(
            Endpoint(
                "OTLP/HTTP metrics receiver",
                _url(host, otlp_port, "/v1/metrics"),
                _url(host, otlp_port, "/healthz"),
            )
        )
        bound.append(("the OTLP/HTTP receiver", "ports.otlp_http", otlp_port))
    return Component(
        name=FRAMEWORK,
        argv=tuple(framework_command(config_path, home.root, example=demo)),
        endpoints=tuple(endpoints),
        ports=tuple(bound),
    )


def _console(spec: Spec, home: StackHome, config_path: Path | None, *, demo: bool) -> Component:
    """The web console, reading the (first) Prometheus and Alertmanager."""
    host, ports = connect_host(spec.listen_address), spec.ports
    port = ports.console
    return Component(
        name=CONSOLE,
        argv=tuple(
            console_command(
                config_path,
                home.root,
                _url(host, ports.prometheus, ""),
                _url(host, ports.alertmanager, ""),
                throughput_floor=spec.thresholds.transport_throughput_min_mps if demo else None,
            )
        ),
        endpoints=(Endpoint("console", _url(host, port, "/"), _url(host, port, "/healthz")),),
        ports=(("the console", "ports.console", port),),
    )


def _simulated_system(
    spec: Spec, config_path: Path | None, simulate_argv: Sequence[str] | None
) -> Component:
    """The simulated multi-agent system (the demo): its three exporters and fault control."""
    host, ports = connect_host(spec.listen_address), spec.ports
    exporters = (
        ("agent exporter", "ports.agent_exporter", ports.agent_exporter),
        ("transport exporter", "ports.transport_exporter", ports.transport_exporter),
        ("voice exporter", "ports.voice_exporter", ports.voice_exporter),
    )
    control = spec.simulation.control_port
    return Component(
        name=SIMULATE,
        argv=tuple(simulate_argv or simulate_command(config_path)),
        endpoints=tuple(
            Endpoint(label, _url(host, port, "/metrics"), _url(host, port, "/healthz"))
            for label, _, port in exporters
        ),
        ports=(
            *((f"the simulated system's {label}", field, port) for label, field, port in exporters),
            ("the simulated system's fault control", "simulation.control_port", control),
        ),
    )
