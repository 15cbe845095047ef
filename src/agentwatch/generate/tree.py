"""The monitoring tree `agentwatch generate` writes, as data: relative path -> file content.

Laid out as the seeds describe (prometheus/, alerts/, grafana/, otel/ and the compose stack).
Values are YAML-able structures for .yml files and text for the rest;
``agentwatch.render.write_tree`` serialises and writes.
"""

from __future__ import annotations

from typing import Any

from agentwatch.generate.alertmanager import alertmanager_config
from agentwatch.generate.compose import (
    AGENTWATCH_CONFIG,
    AGENTWATCH_SERVICE,
    ALERTMANAGER_SERVICE,
    ANALYTICS_SERVICE,
    COLLECTOR_SERVICE,
    DOCKERFILE,
    FRAMEWORK_SERVICE,
    SECRETS_GITIGNORE,
    SECRETS_README,
    agentwatch_container_config,
    compose_file,
    dockerfile,
    secrets_gitignore,
    secrets_readme,
)
from agentwatch.generate.dashboards import dashboards
from agentwatch.generate.grafana_provisioning import dashboard_providers, datasources
from agentwatch.generate.otel import COLLECTOR_METRICS_PORT, collector_config
from agentwatch.generate.prometheus import Hosts, prometheus_config
from agentwatch.generate.rule_tree import promtool_tests, rule_files
from agentwatch.spec import Spec

__all__ = [
    "ALERTMANAGER_CONFIG",
    "COLLECTOR_CONFIG",
    "COMPOSE_FILE",
    "GRAFANA_DASHBOARDS_DIR",
    "GRAFANA_DASHBOARD_PROVIDERS",
    "GRAFANA_DATASOURCES",
    "PRODUCTION_HOSTS",
    "PROMETHEUS_CONFIG",
    "PROMETHEUS_SHARD_CONFIGS",
    "RULES_DIR",
    "RULE_TESTS_DIR",
    "monitoring_tree",
]

PROMETHEUS_CONFIG = "prometheus/prometheus.yml"
# With scrape.shards N > 1: one config per server (docs/scale-out.md); "{shard}" is 0..N-1.
PROMETHEUS_SHARD_CONFIGS = "prometheus/prometheus-shard-{shard}.yml"
RULES_DIR = "prometheus/rules"
# Apart from the rules, so the rule_files glob never loads a test file as rules.
RULE_TESTS_DIR = "prometheus/rules/tests"
ALERTMANAGER_CONFIG = "alerts/alertmanager.yml"
GRAFANA_DATASOURCES = "grafana/provisioning/datasources/datasources.yml"
GRAFANA_DASHBOARD_PROVIDERS = "grafana/provisioning/dashboards/dashboards.yml"
# Mounted at grafana_provisioning.DASHBOARDS_PATH, where the dashboard provider reads.
GRAFANA_DASHBOARDS_DIR = "grafana/dashboards"
COLLECTOR_CONFIG = "otel/collector.yaml"
COMPOSE_FILE = "docker-compose.monitoring.yml"

# Service names in the production compose stack; Prometheus scrapes itself in its own container.
PRODUCTION_HOSTS = Hosts(
    prometheus="localhost",
    alertmanager=ALERTMANAGER_SERVICE,
    exporters=AGENTWATCH_SERVICE,
    analytics=ANALYTICS_SERVICE,
    framework=FRAMEWORK_SERVICE,
    collector_metrics=f"{COLLECTOR_SERVICE}:{COLLECTOR_METRICS_PORT}",
)


def _test_from_tests_dir(test: dict[str, Any]) -> dict[str, Any]:
    """promtool resolves a test's rule_files from the test file's directory."""
    return {**test, "rule_files": [f"../{name}" for name in test["rule_files"]]}


def monitoring_tree(spec: Spec) -> dict[str, Any]:
    # One config per shard (one in all when unsharded); prometheus.yml is shard 0's, the one
    # server the compose stack runs.
    prometheus = [
        prometheus_config(
            spec, rule_files=["rules/*.yml"], demo=True, hosts=PRODUCTION_HOSTS, shard=shard
        )
        for shard in range(spec.scrape.shards)
    ]
    tree: dict[str, Any] = {
        PROMETHEUS_CONFIG: prometheus[0],
        ALERTMANAGER_CONFIG: alertmanager_config(spec),
        GRAFANA_DATASOURCES: datasources(spec),
        GRAFANA_DASHBOARD_PROVIDERS: dashboard_providers(),
        COLLECTOR_CONFIG: collector_config(spec, framework_host=FRAMEWORK_SERVICE),
        COMPOSE_FILE: compose_file(spec),
        DOCKERFILE: dockerfile(),
        AGENTWATCH_CONFIG: agentwatch_container_config(spec),
        SECRETS_README: secrets_readme(),
        SECRETS_GITIGNORE: secrets_gitignore(),
    }
    if len(prometheus) > 1:
        for shard, config in enumerate(prometheus):
            tree[PROMETHEUS_SHARD_CONFIGS.format(shard=shard)] = config
    for name, rules in rule_files(spec).items():
        tree[f"{RULES_DIR}/{name}"] = rules
    for uid, board in dashboards(spec).items():
        tree[f"{GRAFANA_DASHBOARDS_DIR}/{uid}.json"] = board
    for name, test in promtool_tests(spec).items():
        tree[f"{RULE_TESTS_DIR}/{name}"] = _test_from_tests_dir(test)
    return dict(sorted(tree.items()))
