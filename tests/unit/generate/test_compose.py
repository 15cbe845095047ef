"""docker-compose.monitoring.yml from the spec: exact services, loopback-only ports, targets by
service name, no literal password anywhere in the tree, and accepted by the real docker-compose."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from agentwatch.generate.alertmanager import DEFAULT_SECRETS_DIR
from agentwatch.generate.compose import (
    AGENTWATCH_SERVICE,
    ALERTMANAGER_SERVICE,
    ANALYTICS_SERVICE,
    COLLECTOR_SERVICE,
    COMPOSE_VERSION,
    FRAMEWORK_SERVICE,
    IMAGES,
    PUBLISH_ADDRESS,
    agentwatch_container_config,
    compose_file,
    dockerfile,
)
from agentwatch.generate.tree import (
    COLLECTOR_CONFIG,
    COMPOSE_FILE,
    PROMETHEUS_CONFIG,
    monitoring_tree,
)
from agentwatch.render import serialise, write_tree
from agentwatch.spec import Spec, parse_spec
from tests.unit.tools import run

CUSTOM = parse_spec(
    {
        "storage": {"retention": "30d"},
        "ports": {"prometheus": 19090, "alertmanager": 19093, "otlp_http": 14318},
        "cluster": "prod-eu",
    }
)


def _services(spec: Spec) -> dict[str, Any]:
    services: dict[str, Any] = compose_file(spec)["services"]
    return services


def _published(service: dict[str, Any]) -> list[tuple[str, int, int]]:
    out = []
    for entry in service.get("ports", []):
        host, published, container = entry.split(":")
        out.append((host, int(published), int(container)))
    return out


def test_the_stack_has_every_seed_component_pinned() -> None:
    compose = compose_file(Spec())
    assert compose["version"] == COMPOSE_VERSION == "3.8"
    assert list(compose["services"]) == [
        "prometheus",
        "alertmanager",
        "grafana",
        "otel-collector",
        "jaeger",
        "elasticsearch",
        "agentwatch",
        "agentwatch-analytics",
        "agentwatch-framework",
    ]
    analytics = compose["services"]["agentwatch-analytics"]
    assert analytics["command"][:2] == ["analytics", "serve"]
    assert analytics["command"][-1] == "http://prometheus:9090"
    for name, image in IMAGES.items():
        assert compose["services"][name]["image"] == image
        assert ":" in image
        assert not image.endswith(":latest")
    assert IMAGES["grafana"].startswith("grafana/grafana:11.")
    assert IMAGES["otel-collector"].startswith("otel/opentelemetry-collector-contrib:")
    assert set(compose["volumes"]) == {
        "prometheus-data",
        "alertmanager-data",
        "grafana-data",
        "elasticsearch-data",
        "framework-data",
    }


def test_prometheus_takes_retention_and_ports_from_the_spec() -> None:
    prometheus = _services(CUSTOM)["prometheus"]
    assert prometheus["command"] == [
        "--config.file=/etc/prometheus/prometheus.yml",
        "--storage.tsdb.path=/prometheus",
        "--storage.tsdb.retention.time=30d",
        "--web.listen-address=:19090",
        "--web.enable-lifecycle",
        "--enable-feature=exemplar-storage",
    ]
    assert prometheus["volumes"] == [
        "./prometheus:/etc/prometheus:ro",
        "prometheus-data:/prometheus",
    ]
    assert prometheus["ports"] == ["127.0.0.1:19090:19090"]


def test_alertmanager_reads_its_secrets_where_the_generated_config_points() -> None:
    alertmanager = _services(Spec())["alertmanager"]
    assert alertmanager["command"] == [
        "--config.file=/etc/alertmanager/config/alertmanager.yml",
        "--storage.path=/alertmanager",
        "--web.listen-address=:9093",
    ]
    assert f"./secrets/alertmanager:{DEFAULT_SECRETS_DIR}:ro" in alertmanager["volumes"]
    assert "./alerts:/etc/alertmanager/config:ro" in alertmanager["volumes"]


def test_grafana_admin_password_comes_from_a_secret_file() -> None:
    compose = compose_file(Spec())
    grafana = compose["services"]["grafana"]
    assert grafana["environment"] == {
        "GF_SECURITY_ADMIN_PASSWORD__FILE": "/run/secrets/grafana_admin_password",
        "GF_AUTH_ANONYMOUS_ENABLED": "false",
        "GF_USERS_ALLOW_SIGN_UP": "false",
        "GF_ANALYTICS_REPORTING_ENABLED": "false",
        "GF_ANALYTICS_CHECK_FOR_UPDATES": "false",
    }
    assert grafana["secrets"] == ["grafana_admin_password"]
    assert compose["secrets"] == {
        "grafana_admin_password": {"file": "./secrets/grafana_admin_password"}
    }
    assert grafana["volumes"] == [
        "./grafana/provisioning:/etc/grafana/provisioning:ro",
        "./grafana/dashboards:/var/lib/grafana/dashboards:ro",
        "grafana-data:/var/lib/grafana",
    ]


def test_jaeger_stores_spans_in_elasticsearch() -> None:
    services = _services(Spec())
    jaeger, elasticsearch = services["jaeger"], services["elasticsearch"]
    assert jaeger["environment"]["SPAN_STORAGE_TYPE"] == "elasticsearch"
    assert jaeger["environment"]["ES_SERVER_URLS"] == "http://elasticsearch:9200"
    assert jaeger["depends_on"] == {"elasticsearch": {"condition": "service_healthy"}}
    assert elasticsearch["environment"]["discovery.type"] == "single-node"
    assert elasticsearch["environment"]["xpack.security.enabled"] == "false"
    # Security is off only because nothing outside the compose network reaches it.
    assert "ports" not in elasticsearch


def test_collector_publishes_both_otlp_ports() -> None:
    collector = _services(CUSTOM)["otel-collector"]
    assert collector["ports"] == ["127.0.0.1:4317:4317", "127.0.0.1:14318:14318"]
    assert collector["volumes"] == ["./otel/collector.yaml:/etc/otelcol-contrib/config.yaml:ro"]


def test_every_published_port_is_on_loopback_and_none_clash() -> None:
    for spec in (Spec(), CUSTOM):
        published: list[int] = []
        for name, service in _services(spec).items():
            for host, port, _ in _published(service):
                assert host == PUBLISH_ADDRESS == "127.0.0.1", name
                published.append(port)
        assert len(published) == len(set(published)), published
        # Prometheus, Alertmanager, Grafana, OTLP gRPC + HTTP, Jaeger UI, three exporters of
        # the simulated system, the analytics and framework exporters (the framework's OTLP
        # receiver is not published: the collector owns the host's OTLP ports).
        assert len(published) == 11


def test_prometheus_targets_are_services_listening_on_those_ports() -> None:
    tree = monitoring_tree(CUSTOM)
    services = _services(CUSTOM)
    config = tree[PROMETHEUS_CONFIG]
    targets = [
        target
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    ]
    targets += config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    collector = tree[COLLECTOR_CONFIG]
    listening = {
        # Prometheus scrapes itself inside its own container.
        ("localhost", 19090),
        (ALERTMANAGER_SERVICE, 19093),
        # The collector serves its span metrics on the compose network only.
        (COLLECTOR_SERVICE, int(collector["exporters"]["prometheus"]["endpoint"].split(":")[1])),
        *(
            (service, c)
            for service in (AGENTWATCH_SERVICE, ANALYTICS_SERVICE, FRAMEWORK_SERVICE)
            for _, _, c in _published(services[service])
        ),
    }
    for target in targets:
        host, port = target.rsplit(":", 1)
        assert host == "localhost" or host in services, target
        assert (host, int(port)) in listening, target
    assert "--web.listen-address=:19093" in services[ALERTMANAGER_SERVICE]["command"]


def test_agentwatch_container_listens_on_its_interface_with_the_users_spec() -> None:
    to_collector = {"otlp_endpoint": "http://otel-collector:4318"}
    assert agentwatch_container_config(Spec()) == {
        "version": 1,
        "listen_address": "0.0.0.0",
        "tracing": to_collector,
        # Simulated Claude Code sends its metrics to the collector too.
        "simulation": {"developers_endpoint": "http://otel-collector:4318/v1/metrics"},
    }
    config = agentwatch_container_config(CUSTOM)
    # The collector's OTLP/HTTP port is the spec's.
    custom_collector = {"otlp_endpoint": f"http://otel-collector:{CUSTOM.ports.otlp_http}"}
    assert parse_spec(config) == CUSTOM.model_copy(
        update={
            "listen_address": "0.0.0.0",
            "tracing": CUSTOM.tracing.model_copy(update=custom_collector),
            "simulation": CUSTOM.simulation.model_copy(
                update={
                    "developers_endpoint": (
                        f"http://otel-collector:{CUSTOM.ports.otlp_http}/v1/metrics"
                    )
                }
            ),
        }
    )
    # A collector the user names is kept.
    own = parse_spec(
        {"tracing": {"otlp_endpoint": "https://otel.example:4317", "otlp_protocol": "grpc"}}
    )
    assert agentwatch_container_config(own)["tracing"] == {
        "otlp_endpoint": "https://otel.example:4317",
        "otlp_protocol": "grpc",
    }
    agentwatch = _services(Spec())["agentwatch"]
    assert agentwatch["build"] == {
        "context": "${AGENTWATCH_SOURCE:-..}",
        "dockerfile": "monitoring/Dockerfile",
    }
    assert agentwatch["volumes"] == ["./agentwatch:/etc/agentwatch:ro"]
    assert agentwatch["command"] == ["simulate", "--config", "/etc/agentwatch/agentwatch.yaml"]
    assert agentwatch["ports"] == [
        "127.0.0.1:8000:8000",
        "127.0.0.1:8001:8001",
        "127.0.0.1:8010:8010",
    ]
    text = dockerfile()
    assert text.startswith("# Generated by `agentwatch generate`")
    assert "FROM python:3.11-slim\n" in text
    assert "USER agentwatch\n" in text


def test_compose_mounts_name_files_and_directories_of_the_tree() -> None:
    tree = monitoring_tree(Spec())
    for name, service in _services(Spec()).items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith("./"):
                continue
            relative = source.removeprefix("./")
            # Directories the operator fills (secrets, dashboards) need not exist yet.
            if relative in ("secrets/alertmanager", "grafana/dashboards"):
                continue
            assert relative in tree or any(p.startswith(f"{relative}/") for p in tree), (
                name,
                volume,
            )


def _password_values(data: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [pair for k, v in data.items() for pair in _password_values(v, str(k))]
    if isinstance(data, list):
        return [pair for item in data for pair in _password_values(item, key)]
    return [(key, data)] if re.search(r"passw(or)?d|secret|token|api_?key", key, re.I) else []


def test_the_password_scan_finds_a_literal() -> None:
    found = _password_values({"grafana": {"env": [{"GF_SECURITY_ADMIN_PASSWORD": "hunter2"}]}})
    assert found == [("GF_SECURITY_ADMIN_PASSWORD", "hunter2")]


def test_no_literal_password_anywhere_in_the_tree() -> None:
    tree = monitoring_tree(Spec())
    for path, content in tree.items():
        text = serialise(path, content)
        # Anything assigned to a password-like name is a file reference, never a value.
        for line in text.splitlines():
            match = re.search(r"passw(?:or)?d[A-Za-z_]*\s*[:=]\s*(\S+)", line, re.I)
            if match and not path.endswith(".md"):
                assert re.search(r"(__FILE|_file)\s*[:=]", line, re.I), (path, line)
                assert match.group(1).startswith(("/", "./")), (path, line)
        if path.endswith((".yml", ".yaml")):
            for key, value in _password_values(yaml.safe_load(text)):
                if key.lower() in ("secrets",):
                    continue
                assert key.lower().endswith("_file") or key == "file", (path, key, value)


def test_docker_compose_accepts_the_generated_file(tmp_path: Path, docker_compose: Path) -> None:
    write_tree(tmp_path, monitoring_tree(CUSTOM))
    # Without secret files, as generated: the operator creates them later.
    assert not (tmp_path / "secrets" / "grafana_admin_password").exists()
    done = run(docker_compose, "-f", COMPOSE_FILE, "config", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)
    assert set(resolved["services"]) == set(_services(CUSTOM))
    assert resolved["services"]["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD__FILE"] == (
        "/run/secrets/grafana_admin_password"
    )
