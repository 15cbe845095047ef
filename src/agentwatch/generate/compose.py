"""The production compose stack (seed 004): docker-compose.monitoring.yml and its own files.

Pure: the spec in, plain data out (``agentwatch.render`` writes it). Services reach each other by
service name on the compose network; every published port is bound to the host's loopback, so
nothing is exposed beyond the machine until an operator decides to (with a reverse proxy that
adds TLS and authentication). No secret is ever written here: Grafana's admin password and
Alertmanager's keys are files under ``secrets/`` that the operator creates.
"""

from __future__ import annotations

from typing import Any

from agentwatch.generate.alertmanager import DEFAULT_SECRETS_DIR
from agentwatch.generate.grafana_provisioning import DASHBOARDS_PATH, JAEGER_UI_PORT
from agentwatch.generate.otel import COLLECTOR_IMAGE, OTLP_GRPC_PORT
from agentwatch.security import ALERT_WEBHOOK_TOKEN_FILE
from agentwatch.spec import Spec

__all__ = [
    "AGENTWATCH_CONFIG",
    "AGENTWATCH_SERVICE",
    "ALERTMANAGER_SERVICE",
    "ANALYTICS_SERVICE",
    "COLLECTOR_SERVICE",
    "COMPOSE_VERSION",
    "DOCKERFILE",
    "ELASTICSEARCH_SERVICE",
    "FRAMEWORK_SERVICE",
    "GRAFANA_ADMIN_PASSWORD_SECRET",
    "GRAFANA_PORT",
    "GRAFANA_SERVICE",
    "IMAGES",
    "JAEGER_SERVICE",
    "PROMETHEUS_SERVICE",
    "PUBLISH_ADDRESS",
    "SECRETS_GITIGNORE",
    "SECRETS_README",
    "agentwatch_container_config",
    "compose_file",
    "dockerfile",
    "secrets_gitignore",
    "secrets_readme",
]

# docker-compose 1.29 (Debian 12's, which `agentwatch check` runs) accepts file format 3.8.
COMPOSE_VERSION = "3.8"

PROMETHEUS_SERVICE = "prometheus"
ALERTMANAGER_SERVICE = "alertmanager"
GRAFANA_SERVICE = "grafana"
COLLECTOR_SERVICE = "otel-collector"
JAEGER_SERVICE = "jaeger"
ELASTICSEARCH_SERVICE = "elasticsearch"
AGENTWATCH_SERVICE = "agentwatch"
ANALYTICS_SERVICE = "agentwatch-analytics"
FRAMEWORK_SERVICE = "agentwatch-framework"

# The framework container's home (survey answers), on a volume.
_FRAMEWORK_HOME = "/var/lib/agentwatch"
# Paths in the generated tree that only the compose stack uses.
DOCKERFILE = "Dockerfile"
AGENTWATCH_CONFIG = "agentwatch/agentwatch.yaml"
SECRETS_README = "secrets/README.md"
SECRETS_GITIGNORE = "secrets/.gitignore"

GRAFANA_ADMIN_PASSWORD_SECRET = "grafana_admin_password"
GRAFANA_PORT = 3000
_ELASTICSEARCH_PORT = 9200

# Loopback only: the design's rule for every port agentwatch opens.
PUBLISH_ADDRESS = "127.0.0.1"
# Inside a container, a server must listen on the container's interface to be reachable by
# other services; the container's interface is not the host's.
_CONTAINER_ANY = "0.0.0.0"

# Pinned. Prometheus and Alertmanager at the versions whose promtool and amtool `agentwatch check`
# validates the generated configs with (Debian 12), so what is deployed is what was checked.
IMAGES = {
    PROMETHEUS_SERVICE: "prom/prometheus:v2.42.0",
    ALERTMANAGER_SERVICE: "prom/alertmanager:v0.25.0",
    GRAFANA_SERVICE: "grafana/grafana:11.3.0",
    COLLECTOR_SERVICE: COLLECTOR_IMAGE,
    JAEGER_SERVICE: "jaegertracing/all-in-one:1.62.0",
    ELASTICSEARCH_SERVICE: "docker.elastic.co/elasticsearch/elasticsearch:8.15.3",
}

# Mount points inside the containers.
_PROMETHEUS_CONFIG_DIR = "/etc/prometheus"
_ALERTMANAGER_CONFIG_DIR = "/etc/alertmanager/config"
_COLLECTOR_CONFIG = "/etc/otelcol-contrib/config.yaml"
_AGENTWATCH_CONFIG_DIR = "/etc/agentwatch"


def _publish(port: int, container_port: int | None = None) -> str:
    return f"{PUBLISH_ADDRESS}:{port}:{port if container_port is None else container_port}"


def _prometheus(spec: Spec) -> dict[str, Any]:
    port = spec.ports.prometheus
    return {
        "image": IMAGES[PROMETHEUS_SERVICE],
        "command": [
            f"--config.file={_PROMETHEUS_CONFIG_DIR}/prometheus.yml",
            "--storage.tsdb.path=/prometheus",
            f"--storage.tsdb.retention.time={spec.storage.retention}",
            # The port the generated prometheus.yml's self-scrape target names.
            f"--web.listen-address=:{port}",
            # POST /-/reload picks up regenerated rules without a restart.
            "--web.enable-lifecycle",
            # Keep the exemplars (trace ids) the exporters attach to latency buckets.
            "--enable-feature=exemplar-storage",
        ],
        "volumes": [
            # rule_files are relative to prometheus.yml, so the rules come along.
            f"./prometheus:{_PROMETHEUS_CONFIG_DIR}:ro",
            "prometheus-data:/prometheus",
        ],
        "ports": [_publish(port)],
        "depends_on": [
            ALERTMANAGER_SERVICE,
            AGENTWATCH_SERVICE,
            ANALYTICS_SERVICE,
            FRAMEWORK_SERVICE,
        ],
        "restart": "unless-stopped",
    }


def _alertmanager(spec: Spec) -> dict[str, Any]:
    port = spec.ports.alertmanager
    return {
        "image": IMAGES[ALERTMANAGER_SERVICE],
        "command": [
            f"--config.file={_ALERTMANAGER_CONFIG_DIR}/alertmanager.yml",
            "--storage.path=/alertmanager",
            f"--web.listen-address=:{port}",
        ],
        "volumes": [
            # Config and secrets side by side rather than nested: a read-only bind mount
            # cannot receive a mount point for another.
            f"./alerts:{_ALERTMANAGER_CONFIG_DIR}:ro",
            # The *_file paths in alertmanager.yml point into this directory.
            f"./secrets/alertmanager:{DEFAULT_SECRETS_DIR}:ro",
            "alertmanager-data:/alertmanager",
        ],
        "ports": [_publish(port)],
        "restart": "unless-stopped",
    }


def _grafana() -> dict[str, Any]:
    return {
        "image": IMAGES[GRAFANA_SERVICE],
        "environment": {
            # Grafana reads the admin password from the secret file; none is written anywhere.
            "GF_SECURITY_ADMIN_PASSWORD__FILE": f"/run/secrets/{GRAFANA_ADMIN_PASSWORD_SECRET}",
            "GF_AUTH_ANONYMOUS_ENABLED": "false",
            "GF_USERS_ALLOW_SIGN_UP": "false",
            # No calls home from a monitoring server.
            "GF_ANALYTICS_REPORTING_ENABLED": "false",
            "GF_ANALYTICS_CHECK_FOR_UPDATES": "false",
        },
        "secrets": [GRAFANA_ADMIN_PASSWORD_SECRET],
        "volumes": [
            "./grafana/provisioning:/etc/grafana/provisioning:ro",
            f"./grafana/dashboards:{DASHBOARDS_PATH}:ro",
            "grafana-data:/var/lib/grafana",
        ],
        "ports": [_publish(GRAFANA_PORT)],
        "depends_on": [PROMETHEUS_SERVICE, JAEGER_SERVICE],
        "restart": "unless-stopped",
    }


def _collector(spec: Spec) -> dict[str, Any]:
    return {
        "image": IMAGES[COLLECTOR_SERVICE],
        "command": [f"--config={_COLLECTOR_CONFIG}"],
        "volumes": [f"./otel/collector.yaml:{_COLLECTOR_CONFIG}:ro"],
        "ports": [_publish(OTLP_GRPC_PORT), _publish(spec.ports.otlp_http)],
        "depends_on": [JAEGER_SERVICE],
        "restart": "unless-stopped",
    }


def _jaeger() -> dict[str, Any]:
    return {
        "image": IMAGES[JAEGER_SERVICE],
        "environment": {
            # Seed 004: traces are stored in Elasticsearch, not in Jaeger's memory.
            "SPAN_STORAGE_TYPE": "elasticsearch",
            "ES_SERVER_URLS": f"http://{ELASTICSEARCH_SERVICE}:{_ELASTICSEARCH_PORT}",
            # The collector sends OTLP; Jaeger's OTLP port stays on the compose network.
            "COLLECTOR_OTLP_ENABLED": "true",
        },
        # Only the UI/query API is published; Grafana reads it on the compose network.
        "ports": [_publish(JAEGER_UI_PORT)],
        "depends_on": {ELASTICSEARCH_SERVICE: {"condition": "service_healthy"}},
        "restart": "unless-stopped",
    }


def _elasticsearch() -> dict[str, Any]:
    return {
        "image": IMAGES[ELASTICSEARCH_SERVICE],
        "environment": {
            "discovery.type": "single-node",
            # Explicit, not Elasticsearch 8's default: security off, because the node is
            # reachable only on the compose network (no published port) and holds only spans.
            # Publish it, and security must be turned on with credentials from secrets.
            "xpack.security.enabled": "false",
            "xpack.security.http.ssl.enabled": "false",
            "xpack.security.transport.ssl.enabled": "false",
            # A bounded heap, so the JVM does not size itself from the host's memory.
            "ES_JAVA_OPTS": "-Xms1g -Xmx1g",
        },
        "volumes": ["elasticsearch-data:/usr/share/elasticsearch/data"],
        "healthcheck": {
            "test": [
                "CMD",
                "curl",
                "-fsS",
                f"http://localhost:{_ELASTICSEARCH_PORT}/_cluster/health"
                "?wait_for_status=yellow&timeout=5s",
            ],
            "interval": "10s",
            "timeout": "10s",
            "retries": 30,
        },
        "restart": "unless-stopped",
    }


_AGENTWATCH_CONFIG = f"{_AGENTWATCH_CONFIG_DIR}/agentwatch.yaml"


def _agentwatch(command: list[str], ports: list[int]) -> dict[str, Any]:
    return {
        # No published image: built from the agentwatch source. The Dockerfile is the
        # committed monitoring/Dockerfile of that source; AGENTWATCH_SOURCE points at the
        # source when this tree is not the source's own monitoring/ directory.
        "build": {"context": "${AGENTWATCH_SOURCE:-..}", "dockerfile": f"monitoring/{DOCKERFILE}"},
        "image": "agentwatch:local",
        "command": command,
        "volumes": [f"./agentwatch:{_AGENTWATCH_CONFIG_DIR}:ro"],
        "ports": [_publish(port) for port in ports],
        "restart": "unless-stopped",
    }


def _simulated_system(spec: Spec) -> dict[str, Any]:
    ports = spec.ports
    service = _agentwatch(
        ["simulate", "--config", _AGENTWATCH_CONFIG],
        [ports.agent_exporter, ports.transport_exporter, ports.voice_exporter],
    )
    # Its spans go to the collector (agentwatch_container_config points it there).
    return {**service, "depends_on": [COLLECTOR_SERVICE]}


def _analytics(spec: Spec) -> dict[str, Any]:
    prometheus = f"http://{PROMETHEUS_SERVICE}:{spec.ports.prometheus}"
    service = _agentwatch(
        ["analytics", "serve", "--config", _AGENTWATCH_CONFIG, "--prometheus", prometheus],
        [spec.ports.analytics_exporter],
    )
    # Built once, by the simulated system's service.
    del service["build"]
    return {**service, "depends_on": [AGENTWATCH_SERVICE]}


def _framework(spec: Spec) -> dict[str, Any]:
    # The bundled example framework unless the spec names one (mount it at that path). Its
    # OTLP receiver is reached on the compose network only: the collector, which owns the
    # host's OTLP ports, forwards the metrics agents send it (otel/collector.yaml).
    service = _agentwatch(
        ["framework", "serve", "--config", _AGENTWATCH_CONFIG, "--home", _FRAMEWORK_HOME]
        + ([] if spec.framework.path is not None else ["--example"]),
        [spec.ports.framework_exporter],
    )
    del service["build"]
    service["volumes"] = [*service["volumes"], f"framework-data:{_FRAMEWORK_HOME}"]
    return {**service, "depends_on": [AGENTWATCH_SERVICE]}


def compose_file(spec: Spec) -> dict[str, Any]:
    """docker-compose.monitoring.yml: the whole stack, by service name."""
    return {
        "version": COMPOSE_VERSION,
        "services": {
            PROMETHEUS_SERVICE: _prometheus(spec),
            ALERTMANAGER_SERVICE: _alertmanager(spec),
            GRAFANA_SERVICE: _grafana(),
            COLLECTOR_SERVICE: _collector(spec),
            JAEGER_SERVICE: _jaeger(),
            ELASTICSEARCH_SERVICE: _elasticsearch(),
            AGENTWATCH_SERVICE: _simulated_system(spec),
            ANALYTICS_SERVICE: _analytics(spec),
            FRAMEWORK_SERVICE: _framework(spec),
        },
        "secrets": {
            GRAFANA_ADMIN_PASSWORD_SECRET: {"file": f"./secrets/{GRAFANA_ADMIN_PASSWORD_SECRET}"}
        },
        "volumes": {
            "prometheus-data": {},
            "alertmanager-data": {},
            "grafana-data": {},
            "elasticsearch-data": {},
            "framework-data": {},
        },
    }


def agentwatch_container_config(spec: Spec) -> dict[str, Any]:
    """The spec as the agentwatch container reads it: only what differs from the defaults, and
    the exporters listening on the container's interface so Prometheus can scrape them."""
    config: dict[str, Any] = {"version": spec.version}
    config.update(spec.model_dump(mode="json", exclude_defaults=True))
    config["listen_address"] = _CONTAINER_ANY
    if spec.tracing.otlp_endpoint is None:
        # Spans go to the stack's collector (OTLP/HTTP, on the compose network).
        tracing = config.setdefault("tracing", {})
        tracing["otlp_endpoint"] = f"http://{COLLECTOR_SERVICE}:{spec.ports.otlp_http}"
        tracing.pop("otlp_protocol", None)
    if spec.simulation.developers_endpoint is None:
        # Simulated Claude Code sends to the collector, as a team's would in production.
        simulation = config.setdefault("simulation", {})
        simulation["developers_endpoint"] = (
            f"http://{COLLECTOR_SERVICE}:{spec.ports.otlp_http}/v1/metrics"
        )
    return config


def dockerfile() -> str:
    """The agentwatch image: the package installed from source, run as an unprivileged user."""
    return "\n".join(
        [
            "# Generated by `agentwatch generate`: the agentwatch exporters for",
            "# docker-compose.monitoring.yml, built from the agentwatch source",
            "# (the build context).",
            "FROM python:3.11-slim",
            "WORKDIR /src",
            "COPY pyproject.toml README.md ./",
            "COPY src ./src",
            "RUN pip install --no-cache-dir . \\",
            "    && useradd --system --no-create-home agentwatch",
            "USER agentwatch",
            'ENTRYPOINT ["agentwatch"]',
            'CMD ["simulate", "--config", "/etc/agentwatch/agentwatch.yaml"]',
            "",
        ]
    )


def secrets_readme() -> str:
    """What the operator creates under secrets/ before `docker-compose up` (never generated)."""
    return f"""# Secrets for docker-compose.monitoring.yml

`agentwatch generate` never writes a secret. Create these files yourself (or with `agentwatch
secrets compose`); `secrets/.gitignore` keeps
everything but this README and itself out of git.

- `{GRAFANA_ADMIN_PASSWORD_SECRET}`: Grafana's admin password, one line. Grafana reads it
  through `GF_SECURITY_ADMIN_PASSWORD__FILE`; user name `admin`.
- `alertmanager/<name>`: every file the spec's `alerting.*_file` fields name (PagerDuty
  routing key, web-hook tokens), and, while `alerting.webhook_url` is unset,
  `alertmanager/{ALERT_WEBHOOK_TOKEN_FILE}`: the bearer token Alertmanager sends to the
  console's web hook. Mounted read-only at `{DEFAULT_SECRETS_DIR}`, where the generated
  `alerts/alertmanager.yml` looks for them.

For example, with the Grafana password and web-hook token `agentwatch up` generated into its
home:

```sh
agentwatch secrets compose secrets --home HOME
```

or one of your own: `openssl rand -base64 24 > secrets/{GRAFANA_ADMIN_PASSWORD_SECRET}`.

The containers read these files as their own unprivileged users (Grafana uid 472,
Alertmanager `nobody`), so the files must be readable by them (mode 0644 inside a 0700
directory keeps other host users out).
"""


def secrets_gitignore() -> str:
    return "# Secrets are created by hand and never committed.\n*\n!.gitignore\n!README.md\n"
