"""The monitoring tree `agentwatch generate` writes, as data: relative path -> file content.

Laid out as the seeds describe (prometheus/, alerts/, later grafana/ and otel/). Values are
YAML-able structures for .yml files; ``agentwatch.render.write_tree`` serialises and writes.
"""

from __future__ import annotations

from typing import Any

from agentwatch.generate.alertmanager import alertmanager_config
from agentwatch.generate.local_stack import Hosts, prometheus_config
from agentwatch.generate.rules import promtool_tests, rule_files
from agentwatch.spec import Spec

__all__ = [
    "ALERTMANAGER_CONFIG",
    "PRODUCTION_HOSTS",
    "PROMETHEUS_CONFIG",
    "RULES_DIR",
    "RULE_TESTS_DIR",
    "monitoring_tree",
]

PROMETHEUS_CONFIG = "prometheus/prometheus.yml"
RULES_DIR = "prometheus/rules"
# Apart from the rules, so the rule_files glob never loads a test file as rules.
RULE_TESTS_DIR = "prometheus/rules/tests"
ALERTMANAGER_CONFIG = "alerts/alertmanager.yml"

# Service names in the production compose stack.
PRODUCTION_HOSTS = Hosts(
    prometheus="localhost", alertmanager="alertmanager", exporters="agentwatch"
)


def _test_from_tests_dir(test: dict[str, Any]) -> dict[str, Any]:
    """promtool resolves a test's rule_files from the test file's directory."""
    return {**test, "rule_files": [f"../{name}" for name in test["rule_files"]]}


def monitoring_tree(spec: Spec) -> dict[str, Any]:
    tree: dict[str, Any] = {
        PROMETHEUS_CONFIG: prometheus_config(
            spec, rule_files=["rules/*.yml"], demo=True, hosts=PRODUCTION_HOSTS
        ),
        ALERTMANAGER_CONFIG: alertmanager_config(spec),
    }
    for name, rules in rule_files(spec).items():
        tree[f"{RULES_DIR}/{name}"] = rules
    for name, test in promtool_tests(spec).items():
        tree[f"{RULE_TESTS_DIR}/{name}"] = _test_from_tests_dir(test)
    return dict(sorted(tree.items()))
